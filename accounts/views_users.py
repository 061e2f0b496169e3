"""Pages for officials to manage the users in their scope."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views import View

from accounts import services
from accounts.filters import UserFilter
from accounts.choices import Role, managed_roles
from accounts.forms import UserCreateForm
from accounts.models import User
from accounts.tables import UserTable
from core.generic import PageMixin, ScopedDetailView, ScopedFormView, ScopedListView
from core.menu import OFFICIALS
from core.scoping import VIEW, get_for_user

# Who manages accounts on these pages (team leaders add their members on the team page).
MANAGERS = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.UNIT})


class UserListView(ScopedListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilter
    title = "用户"
    roles = OFFICIALS | {Role.UNIT}
    search_fields = ["username", "full_name", "organization"]
    create_url_name = "accounts:user_create"
    create_roles = MANAGERS

    def base_queryset(self):
        return User.objects.select_related("city", "county", "town", "team", "unit")


class UserDetailView(ScopedDetailView):
    model = User
    template_name = "accounts/user_detail.html"
    detail_fields = ["username", "full_name", "role", "phone", "organization", "county", "town", "team", "unit",
                     "is_active", "must_change_password", "last_login"]
    list_url_name = "accounts:user_list"
    roles = OFFICIALS | {Role.UNIT}

    def base_queryset(self):
        return User.objects.select_related("city", "county", "town", "team", "unit")


class UserCreateView(ScopedFormView):
    form_class = UserCreateForm
    title = "新增用户"
    roles = MANAGERS
    breadcrumbs = [("用户", "/accounts/users/")]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def save(self, form):
        data = dict(form.cleaned_data)
        actor = self.request.user
        if data["role"] not in managed_roles(actor):
            raise PermissionDenied("您不能创建该角色的用户。")
        if data["role"] in {Role.COUNTY_ST, Role.COUNTY_RURAL, Role.EXPERT} and not data.get("county") \
                and actor.county_id:
            data["county"] = actor.county
        if data["role"] == Role.UNIT and not data.get("unit") and actor.unit_id:
            data["unit"] = actor.unit
        if data["role"] in {Role.CITY_RURAL, Role.CITY_ST} and not data.get("city"):
            data["city"] = actor.city
        user, password = services.user_create(actor=actor, **data)
        messages.info(self.request, "账号 %s 的初始密码：%s（请告知本人，首次登录须修改）" % (user.username, password))
        return user


class UserResetPasswordView(PageMixin, View):
    roles = MANAGERS

    def post(self, request, pk):
        user = get_for_user(User.objects.all(), request.user, VIEW, pk=pk)
        try:
            password = services.user_reset_password(actor=request.user, user=user)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.info(request, "已重置 %s 的密码，临时密码：%s（首次登录须修改）" % (user.username, password))
        return redirect(user.get_absolute_url())
