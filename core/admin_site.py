"""The admin site is for system administrators only.

Officials, towns, teams, units and experts work through the pages and the API, which go through the services
and the scoping function; ``/admin/`` answers everyone else as the admin login page does for a stranger.
"""
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from core.roles import is_system_admin


class SystemAdminSite(admin.AdminSite):
    site_header = "农村科技特派员驻镇帮镇扶村平台 · 系统管理"
    site_title = "特派员平台系统管理"
    index_title = "系统管理（仅限系统管理员）"

    # Models the admin never shows, whoever registers them: API tokens are secrets (a user revokes their own at
    # /api/v1/auth/token/revoke/; an administrator deactivates the account).
    hidden_models = {"authtoken.token", "authtoken.tokenproxy"}

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else list(model_or_iterable)
        shown = [model for model in models if model._meta.label_lower not in self.hidden_models]
        if shown:
            super().register(shown, admin_class, **options)

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and is_system_admin(user))

    def login(self, request, extra_context=None):
        """One login for the whole platform: the admin has no login form of its own that could skip the login
        defence (CAPTCHA, growing delays); it sends people to the platform's login page."""
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("系统管理后台仅限系统管理员使用；请在平台页面中办理业务。")
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(reverse("accounts:login") + "?" + urlencode({"next": target}))


class SystemAdminConfig(AdminConfig):
    default_site = "core.admin_site.SystemAdminSite"
