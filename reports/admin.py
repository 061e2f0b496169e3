"""The system administrator's admin for annual reports: read only.

A report is written by its author's S&T office and moved up the tree by its receiver on the pages (one transaction
each in ``reports.services``, which refuse anyone else — the administrator included); its kept figures never change.
The administrator looks a report up here, with its history; nothing is added, changed or deleted.
"""
from django.contrib import admin

from core.admin import ScopedAdmin
from reports.models import AnnualReport


@admin.register(AnnualReport)
class AnnualReportAdmin(ScopedAdmin):
    list_display = ["__str__", "year", "level", "city", "county", "status", "due_date", "submitted_at", "accepted_at"]
    list_filter = ["level", "status", "year"]
    search_fields = ["title", "doc_number", "county__name", "city__name"]
    list_select_related = ["city", "county"]
    # The narratives show as stored (sanitized) text, escaped; photos are served by the scoped photo views only.
    exclude = ["case_photos"]
    readonly_fields = ["due_date", "missing_notes", "return_comment", "figures_at", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
