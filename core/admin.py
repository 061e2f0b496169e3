"""Admin base: every admin page reads and writes through the scoping function."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.models import SensitiveAccess, TaskRun, Transition
from core.scoping import CHANGE, VIEW, can, restrict


class ScopedAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose queryset, change and delete rights come from :func:`core.scoping.restrict`."""

    create_roles: frozenset = frozenset()

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user, VIEW)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return can(request.user, obj, VIEW)

    def has_change_permission(self, request, obj=None):
        user = request.user
        if obj is None:
            return user.is_superuser or user.role in getattr(self.model, "scope_editors", frozenset())
        return can(user, obj, CHANGE)

    def has_add_permission(self, request):
        return request.user.is_superuser or request.user.role in self.create_roles

    def has_delete_permission(self, request, obj=None):
        if not request.user.is_superuser:
            return False
        refusal = getattr(obj, "delete_refusal", None)
        return obj is None or refusal is None or refusal(request.user) is None

    def get_actions(self, request):
        # No bulk delete: each delete asks the record's delete_refusal.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not request.user.is_superuser and not can(request.user, obj, CHANGE):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("不能在您的管辖范围之外保存记录。")


class AuditAdmin(admin.ModelAdmin):
    """Audit trails are read, never written or removed, even by the administrator."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Transition)
class TransitionAdmin(AuditAdmin):
    list_display = ["content_type", "object_id", "from_state", "to_state", "actor", "created_at"]
    list_filter = ["content_type"]

    def has_module_permission(self, request):
        return request.user.is_superuser


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(AuditAdmin):
    list_display = ["user", "content_type", "object_id", "field", "created_at"]

    def has_module_permission(self, request):
        return request.user.is_superuser


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ["label", "status", "done", "total", "created_by", "created_at"]

    def has_module_permission(self, request):
        return request.user.is_superuser
