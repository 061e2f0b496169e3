"""The system administrator's admin for the field work.

Activities, their photos and stays are the team's evidence, confirmed or queried by the work team of the town where
they happened; flags are raised and closed by the monitor (or a work team's report, resolved on the pages); the team's
requests move along their workflow on the pages: all read only here. A task still open and the working conditions are
edited through the same services as the pages (``task_save``, ``conditions_save``); states, stamps and the pairing's
copies stay read-only. Photos are shown by name, linked to the scoped photo view, never to ``/media/``.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.admin import ScopedAdmin
from fieldwork import services
from fieldwork.models import Activity, ActivityPhoto, ConditionRequest, Flag, Stay, Task, WorkingConditions

PAIRING_COPIES = ("pairing", "cycle", "team", "home_town", "created_by")


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["date", "title", "team", "town", "cross_town", "service_type", "status", "confirmed_at"]
    list_filter = ["status", "service_type", "cross_town", "cycle"]
    search_fields = ["title", "team__name", "town__name"]
    list_select_related = ["team", "town"]
    date_hierarchy = "date"
    readonly_fields = ["photo_links"]

    @admin.display(description="活动照片")
    def photo_links(self, obj):
        photos = list(obj.photos.all()) if obj and obj.pk else []
        if not photos:
            return "无"
        return format_html_join(
            "、", '<a href="{}">{}</a>',
            ((reverse("fieldwork:photo", args=[photo.pk]), str(photo)) for photo in photos))


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "activity", "processed", "has_exif", "taken_at", "taken_early"]
    list_filter = ["processed", "has_exif", "taken_early"]
    list_select_related = ["activity"]
    exclude = ["image", "thumbnail"]  # shown as ``photo_link`` (the scoped view), never a /media/ URL
    readonly_fields = ["photo_link"]

    @admin.display(description="照片")
    def photo_link(self, obj):
        if not obj or not obj.pk or not obj.image:
            return "未上传"
        return format_html('<a href="{}">查看照片</a>', reverse("fieldwork:photo", args=[obj.pk]))


@admin.register(Stay)
class StayAdmin(ReadOnlyAdmin):
    list_display = ["commissioner", "team", "town", "start_date", "end_date", "cross_town", "status"]
    list_filter = ["status", "cross_town", "cycle"]
    search_fields = ["commissioner__name", "team__name", "town__name", "place"]
    list_select_related = ["commissioner", "team", "town"]


@admin.register(Task)
class TaskAdmin(ScopedAdmin):
    """Edited through ``task_save`` (a task still open; given by the work team on the pages)."""

    list_display = ["title", "team", "home_town", "due_date", "status", "reported_at", "done_at"]
    list_filter = ["status", "cycle"]
    search_fields = ["title", "team__name", "home_town__name"]
    list_select_related = ["team", "home_town"]
    fixed_fields = PAIRING_COPIES
    workflow_fields = ("report",)

    def has_add_permission(self, request):
        return False

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.TASK_FIELDS}
        return services.task_save(actor=request.user, values=values, task=self.stored(obj))


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["kind", "team", "home_town", "status", "opened_at", "closed_at"]
    list_filter = ["status", "kind", "organizer_level", "cycle"]
    search_fields = ["team__name", "home_town__name", "detail"]
    list_select_related = ["team", "home_town"]


@admin.register(WorkingConditions)
class WorkingConditionsAdmin(ScopedAdmin):
    """Edited through ``conditions_save`` (recorded by the town's work team on the pages)."""

    list_display = ["home_town", "team", "office", "lodging", "transport", "meals", "updated_at"]
    list_filter = ["office", "lodging", "transport", "meals", "cycle"]
    search_fields = ["home_town__name", "team__name"]
    list_select_related = ["home_town", "team"]
    fixed_fields = PAIRING_COPIES

    def has_add_permission(self, request):
        return False

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.CONDITION_FIELDS}
        return services.conditions_save(actor=request.user, values=values, conditions=self.stored(obj))


@admin.register(ConditionRequest)
class ConditionRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "category", "team", "home_town", "status", "answered_at", "closed_at"]
    list_filter = ["status", "category", "cycle"]
    search_fields = ["title", "team__name", "home_town__name"]
    list_select_related = ["team", "home_town"]
