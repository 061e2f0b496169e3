"""API tokens that expire (``API_TOKEN_TTL_HOURS``) and are refused once expired, revoked or the account is
deactivated.  The endpoints are in accounts/api_urls.py (this module is loaded by DRF's settings: no views here)."""
import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expired(token, *, now=None) -> bool:
    """A token is good for ``API_TOKEN_TTL_HOURS`` after it was issued."""
    lifetime = dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    return token.created + lifetime <= (now or timezone.now())


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused once the token has expired or the account is deactivated."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed("令牌无效或已被撤销。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用，令牌不可再用。")
        if token_expired(token):
            raise exceptions.AuthenticationFailed("令牌已过期，请重新获取。")
        if getattr(token.user, "must_change_password", False):
            # The first-login middleware runs before DRF knows the token's user: the same rule, here.
            raise exceptions.PermissionDenied("首次登录须先修改密码：/accounts/password/")
        return token.user, token
