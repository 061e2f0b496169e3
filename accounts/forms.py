"""Login and password forms with throttling and Chinese messages."""
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.models import User
from core.forms import CaptchaField, CaptchaTextInput, StyledFormMixin
from core.roles import is_system_admin


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form behind the shared login defence (accounts.throttle): a CAPTCHA after a few failures,
    then growing, bounded delays per account and per address, refused without checking the password."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用。"),
        "locked": _("登录失败次数过多，请%(wait)s后再试。"),
        "captcha": _("请先输入正确的验证码。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self._ip = throttle.client_ip(request) if request is not None else ""
        if self.is_bound and throttle.needs_captcha(self.data.get("username", ""), self._ip):
            self._add_captcha()

    def _add_captcha(self):
        if "captcha" not in self.fields:
            self.fields["captcha"] = CaptchaField(
                help_text="登录失败次数较多，请输入图中的字符；看不清请点“换一张”。",
                widget=CaptchaTextInput(attrs={"class": "form-control", "autocomplete": "off"}))

    def clean(self):
        username = self.data.get("username", "")
        try:
            attempt = throttle.begin(username, self._ip)
        except throttle.Refused as refused:
            raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                        params={"wait": refused.wait_text})
        try:
            if throttle.needs_captcha(username, self._ip) and (
                "captcha" not in self.fields or "captcha" not in self.cleaned_data
            ):
                self._add_captcha()
                raise forms.ValidationError(self.error_messages["captcha"], code="captcha")
            try:
                cleaned = super().clean()
            except forms.ValidationError:
                attempt.failed()
                if throttle.needs_captcha(username, self._ip):
                    self._add_captcha()  # shown on the page that reports this failure
                raise
            if self.user_cache is not None:  # an empty field checks nothing and clears nothing
                attempt.succeeded()
            return cleaned
        finally:
            attempt.finish()


class FirstPasswordForm(StyledFormMixin, SetPasswordForm):
    """New password at first login or after a reset."""


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """Change the password, giving the old one."""


class UserCreateForm(StyledFormMixin, forms.Form):
    """An official creates an account in scope; the initial password is shown once."""

    username = forms.RegexField(label="用户名", regex=r"^[A-Za-z0-9_.@-]{3,30}$", max_length=30,
                                error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ -，3至30位。"})
    full_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色")
    phone = forms.CharField(label="手机号码", required=False, max_length=20)
    organization = forms.CharField(label="单位/部门", required=False, max_length=100)
    province_code = forms.CharField(label="省级代码", required=False, max_length=2,
                                    help_text="省科技厅账号填写，如广东省为 44")
    city = forms.ModelChoiceField(label="地级市", required=False, queryset=None)
    county = forms.ModelChoiceField(label="县（市、区）", required=False, queryset=None)
    town = forms.ModelChoiceField(label="镇", required=False, queryset=None)
    unit = forms.ModelChoiceField(label="派出单位", required=False, queryset=None)

    def __init__(self, *args, actor, **kwargs):
        from accounts.choices import Role, managed_roles
        from core.scoping import restrict
        from regions.models import County, Town
        from units.models import DispatchingUnit

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in managed_roles(actor)]
        if is_system_admin(actor):
            from regions.models import City

            self.fields["city"].queryset = City.objects.all()
        else:  # province and city accounts are the administrator's
            del self.fields["city"], self.fields["province_code"]
        self.fields["county"].queryset = restrict(County.objects.all(), actor)
        self.fields["town"].queryset = restrict(Town.objects.select_related("county"), actor)
        self.fields["unit"].queryset = restrict(DispatchingUnit.objects.active(), actor)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("用户名“%(name)s”已被使用。", params={"name": username})
        return username

