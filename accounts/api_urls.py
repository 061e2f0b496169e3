"""Token login for API clients (throttled)."""
from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle


class ThrottledObtainAuthToken(ObtainAuthToken):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


urlpatterns = [path("token/", ThrottledObtainAuthToken.as_view(), name="api-token")]
