"""Login and password forms with throttling and Chinese messages."""
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.models import User
from core.forms import StyledFormMixin


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form, refusing further tries after repeated failures from one address."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用。"),
        "locked": _("登录失败次数过多，请%(minutes)s分钟后再试。"),
    }

    def clean(self):
        from django.conf import settings

        username = self.data.get("username", "")
        ip = throttle.client_ip(self.request) if self.request else ""
        if throttle.is_locked(username, ip):
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked",
                params={"minutes": settings.LOGIN_THROTTLE_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(username, ip)
            raise
        throttle.clear(username, ip)
        return cleaned


class FirstPasswordForm(StyledFormMixin, SetPasswordForm):
    """New password at first login or after a reset."""


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """Change the password, giving the old one."""


# Which roles an official may create, within their own scope.
CREATABLE_ROLES = {
    "city_st": ["city_rural", "county_st", "county_rural", "town", "unit", "expert"],
    "county_st": ["county_rural", "town"],
    "admin": ["province", "city_st", "city_rural", "county_st", "county_rural", "town", "unit", "expert"],
}


class UserCreateForm(StyledFormMixin, forms.Form):
    """An official creates an account in scope; the initial password is shown once."""

    username = forms.RegexField(label="用户名", regex=r"^[A-Za-z0-9_.@-]{3,30}$", max_length=30,
                                error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ -，3至30位。"})
    full_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色")
    phone = forms.CharField(label="手机号码", required=False, max_length=20)
    organization = forms.CharField(label="单位/部门", required=False, max_length=100)
    county = forms.ModelChoiceField(label="县（市、区）", required=False, queryset=None)
    town = forms.ModelChoiceField(label="镇", required=False, queryset=None)
    unit = forms.ModelChoiceField(label="派出单位", required=False, queryset=None)

    def __init__(self, *args, actor, **kwargs):
        from accounts.choices import Role
        from core.scoping import restrict
        from regions.models import County, Town
        from units.models import DispatchingUnit

        super().__init__(*args, **kwargs)
        key = "admin" if actor.is_superuser else actor.role
        self.fields["role"].choices = [(r, Role(r).label) for r in CREATABLE_ROLES.get(key, [])]
        self.fields["county"].queryset = restrict(County.objects.all(), actor)
        self.fields["town"].queryset = restrict(Town.objects.select_related("county"), actor)
        self.fields["unit"].queryset = restrict(DispatchingUnit.objects.all(), actor)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("用户名“%(name)s”已被使用。", params={"name": username})
        return username

