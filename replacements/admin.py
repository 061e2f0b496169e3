"""The system administrator's admin for adjustment and replacement: read only.

Cases are opened, answered, decided and withdrawn on the pages (one transaction each in ``replacements.services``);
member changes are recorded and confirmed there too; the figures a pairing closed with are written once when it ends.
Files are shown by name, linked to the scoped file view, never to ``/media/``.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ScopedAdmin
from replacements.models import Case, CaseFile, MemberChange, PairingFigures


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["home_town", "team", "cause", "status", "answer_due", "decision", "opened_at", "decided_at"]
    list_filter = ["status", "cause", "decision", "organizer_level", "cycle"]
    search_fields = ["home_town__name", "team__name", "summary", "doc_number"]
    list_select_related = ["home_town", "team"]


@admin.register(CaseFile)
class CaseFileAdmin(ReadOnlyAdmin):
    list_display = ["name", "case", "kind", "uploaded_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["case", "uploaded_by"]
    exclude = ["file"]  # shown as ``file_link`` (the scoped view), never a /media/ URL
    readonly_fields = ["file_link"]

    @admin.display(description="文件")
    def file_link(self, obj):
        if not obj or not obj.pk or not obj.file:
            return "未上传"
        return format_html('<a href="{}">查看文件</a>', reverse("replacements:case_file", args=[obj.pk]))


@admin.register(MemberChange)
class MemberChangeAdmin(ReadOnlyAdmin):
    list_display = ["team", "home_town", "leaving", "joining", "effective_date", "size_before", "size_after",
                    "status"]
    list_filter = ["status", "organizer_level", "cycle"]
    search_fields = ["team__name", "home_town__name", "reason"]
    list_select_related = ["team", "home_town", "leaving", "joining"]


@admin.register(PairingFigures)
class PairingFiguresAdmin(ReadOnlyAdmin):
    list_display = ["pairing", "outcome", "ended_on", "stationed_days", "activities", "projects", "granted",
                    "disbursed"]
    list_filter = ["outcome", "organizer_level", "cycle"]
    search_fields = ["town__name", "team__name"]
    list_select_related = ["pairing__town", "pairing__team"]
