"""API tokens in /admin/: only the system administrator (superuser) sees them and revokes them (delete)."""
from django.contrib import admin
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from accounts.tokens import token_expired
from core.roles import is_system_admin


class SuperuserTokenAdmin(TokenAdmin):
    list_display = ("key", "user", "created", "expired")

    @admin.display(description="已过期", boolean=True)
    def expired(self, obj):
        return token_expired(obj)

    def _superuser(self, request):
        return bool(request.user.is_active and is_system_admin(request.user))

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request)


if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
admin.site.register(TokenProxy, SuperuserTokenAdmin)
