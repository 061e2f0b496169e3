"""Send a user who must change the password to the password page first."""
from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """Until a first-login (or reset) password is changed, only the password page, logout and static work."""

    allowed_prefixes = ("/static/", "/accounts/logout", "/accounts/password", "/public", "/captcha")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(self.allowed_prefixes)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "首次登录须先修改密码：/accounts/password/"}, status=403)
            return redirect(reverse("accounts:password_change") + "?first=1")
        return self.get_response(request)
