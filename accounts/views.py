from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts import services
from accounts.forms import FirstPasswordForm, StyledPasswordChangeForm


@login_required
def password_change(request):
    """Change the password; at first login (or after a reset) the old one is not asked again."""
    first = request.user.must_change_password
    form_class = FirstPasswordForm if first else StyledPasswordChangeForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改。")
        return redirect("portal:home")
    return render(request, "accounts/password_change.html", {"form": form, "first": first})
