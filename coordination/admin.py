"""The system administrator's admin for coordination: groups, members, meetings and follow-up items are edited
through the same services as the pages; a follow-up's status moves only on its page (read-only here); documents are
shown by name, linked to the scoped download view, never to ``/media/``."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from coordination import services
from coordination.models import FollowUp, Group, GroupMember, Meeting, MeetingDocument
from core.admin import ScopedAdmin


@admin.register(Group)
class GroupAdmin(ScopedAdmin):
    list_display = ["name", "level", "city", "county", "established_on", "document_number"]
    list_filter = ["level"]
    search_fields = ["name", "document_number"]
    list_select_related = ["city", "county"]

    fixed_fields = ("level", "city", "county")

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.GROUP_FIELDS}
        if change:
            return services.group_save(actor=request.user, values=values, group=self.stored(obj))
        values.update(city=obj.city if obj.city_id else None, county=obj.county if obj.county_id else None)
        return services.group_save(actor=request.user, values=values)


@admin.register(GroupMember)
class GroupMemberAdmin(ScopedAdmin):
    list_display = ["name", "group", "organization", "position", "role_in_group", "active"]
    list_filter = ["role_in_group", "active"]
    search_fields = ["name", "organization"]
    list_select_related = ["group"]

    fixed_fields = ("group",)

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.MEMBER_FIELDS}
        if change:
            return services.member_save(actor=request.user, values=values, member=self.stored(obj))
        return services.member_save(actor=request.user, values=values, group=obj.group)


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["date", "title", "group", "place"]
    search_fields = ["title", "agenda", "decisions"]
    list_select_related = ["group"]
    date_hierarchy = "date"
    service_saves_m2m = True

    fixed_fields = ("group",)

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.MEETING_FIELDS}
        attendees = list(form.cleaned_data.get("attendees") or [])
        if change:
            return services.meeting_save(actor=request.user, values=values, meeting=self.stored(obj),
                                         attendees=attendees)
        return services.meeting_save(actor=request.user, values=values, group=obj.group, attendees=attendees)


@admin.register(MeetingDocument)
class MeetingDocumentAdmin(ScopedAdmin):
    list_display = ["name", "meeting", "size", "created_at"]
    list_select_related = ["meeting"]
    exclude = ["file"]  # shown as ``file_link`` (the scoped view), never a /media/ URL
    readonly_fields = ["file_link"]

    def has_add_permission(self, request):
        return False  # uploaded on the meeting's page, checked by content

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="文件")
    def file_link(self, obj):
        if not obj or not obj.pk or not obj.file:
            return "未上传"
        return format_html('<a href="{}">下载</a>', reverse("coordination:document", args=[obj.pk]))


@admin.register(FollowUp)
class FollowUpAdmin(ScopedAdmin):
    list_display = ["title", "group", "owner", "owner_text", "due_date", "status"]
    list_filter = ["status"]
    search_fields = ["title", "detail", "owner_text", "owner__name"]
    list_select_related = ["group", "owner"]

    fixed_fields = ("group",)

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.FOLLOW_UP_FIELDS}
        if change:
            return services.follow_up_save(actor=request.user, values=values, item=self.stored(obj))
        return services.follow_up_save(actor=request.user, values=values, group=obj.group)
