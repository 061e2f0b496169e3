from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpResponseRedirect

from accounts import services
from accounts.models import Notification, User
from core.admin import ScopedAdmin
from core.roles import is_system_admin


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "scope_label", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name"]
    list_select_related = ["city", "county", "town", "team", "unit"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("角色与范围", {"fields": ["role", "full_name", "phone", "organization", "province_code", "city", "county",
                                   "town", "team", "unit", "must_change_password"]}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        ("角色与范围", {"fields": ["role", "full_name", "city", "county", "town", "team", "unit"]}),
    )
    actions = ["reset_password", "revoke_tokens"]
    # Nobody changes their own role, scope or flags, not even a system administrator (another one must).
    own_locked_fields = ("role", "province_code", "city", "county", "town", "team", "unit", "is_superuser",
                         "is_staff", "is_active", "groups", "user_permissions")

    # The role decides the flags: only the system administrator role is staff and superuser (officials never are);
    # Django's groups and permissions are not used (roles and scopes are).
    flag_fields = ("is_superuser", "is_staff", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj)) + list(self.flag_fields)
        if obj is not None and obj.pk == request.user.pk:
            fields += [name for name in self.own_locked_fields if name not in fields]
        return fields

    def has_delete_permission(self, request, obj=None):
        """Accounts are deactivated (is_active), never deleted: their transitions, history and records name them."""
        return False

    def user_change_password(self, request, id, form_url=""):
        """The admin's "set password" form: a password set for someone else must be changed and is announced."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            user = User.objects.get(pk=id)
            if user.pk != request.user.pk:
                services.after_password_set_by_other(actor=request.user, user=user)
        return response

    @admin.action(description="撤销API令牌（不显示令牌内容）")
    def revoke_tokens(self, request, queryset):
        from rest_framework.authtoken.models import Token

        count, _ = Token.objects.filter(user__in=queryset).delete()
        self.message_user(request, f"已撤销 {count} 个API令牌。")

    @admin.action(description="重置密码（生成临时密码）")
    def reset_password(self, request, queryset):
        for user in queryset:
            try:
                password = services.user_reset_password(actor=request.user, user=user)
            except Exception as exc:
                self.message_user(request, f"{user.username}：{exc}", messages.ERROR)
            else:
                self.message_user(request, f"{user.username} 的临时密码：{password}（首次登录须修改）")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "title", "created_at", "read_at"]

    def has_module_permission(self, request):
        return is_system_admin(request.user)
