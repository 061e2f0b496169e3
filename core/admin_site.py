"""The admin site is for system administrators only.

Officials, towns, teams, units and experts work through the pages and the API, which go through the services
and the scoping function; ``/admin/`` answers everyone else as the admin login page does for a stranger.
"""
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class SystemAdminSite(admin.AdminSite):
    site_header = "农村科技特派员驻镇帮镇扶村平台 · 系统管理"
    site_title = "特派员平台系统管理"
    index_title = "系统管理（仅限系统管理员）"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_superuser)


class SystemAdminConfig(AdminConfig):
    default_site = "core.admin_site.SystemAdminSite"
