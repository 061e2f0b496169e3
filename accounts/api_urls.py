"""Token login for API clients, behind the login defence shared with the login page, and token revocation."""
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import throttle
from accounts.tokens import ExpiringTokenAuthentication, token_expired


class ObtainExpiringAuthToken(ObtainAuthToken):
    """``POST username, password`` → ``{"token": ...}``.  Shares the login page's counters: while the account or
    the address is cooling the answer is 429 with Retry-After, without checking the password.  An expired
    token is replaced by a new one."""

    throttle_classes = [throttle.LoginRateThrottle]
    throttle_scope = "login"

    def get_throttles(self):
        """Only a login attempt (POST) is counted: a GET is answered 405 without touching the counters (reads never
        write)."""
        return super().get_throttles() if self.request.method == "POST" else []

    def post(self, request, *args, **kwargs):
        username = request.data.get("username", "") if hasattr(request.data, "get") else ""
        try:
            attempt = throttle.begin(username, throttle.client_ip(request))
        except throttle.Refused as refused:
            return Response({"detail": "登录失败次数过多，请%s后再试。" % refused.wait_text},
                            status=status.HTTP_429_TOO_MANY_REQUESTS,
                            headers={"Retry-After": str(refused.retry_after)})
        try:
            serializer = self.get_serializer(data=request.data)
            if not serializer.is_valid():
                attempt.failed()
                return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
            attempt.succeeded()
        finally:
            attempt.finish()
        user = serializer.validated_data["user"]
        token, created = Token.objects.get_or_create(user=user)
        if not created and token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})


class RevokeToken(APIView):
    """``POST``: the caller's own token is deleted (204); a new one can be obtained with the password."""

    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="撤销本人的 API 令牌")
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("token/", ObtainExpiringAuthToken.as_view(), name="api-token"),
    path("token/revoke/", RevokeToken.as_view(), name="api-token-revoke"),
]
