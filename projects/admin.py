"""The system administrator's admin for agreements, projects and change requests.

Agreements and projects are made on the pages by the team's leader (``agreement_create``/``project_create``) and move
along their workflows there (each move records its Transition): here their text is edited through the same services
(``agreement_update``/``project_update``, which allow it only while a draft or returned), states, stamps and the
pairing's copies are read-only, and a project's lines (years, budget, members) are shown, never edited one by one (the
service checks them as a whole: the budget adds up). Change requests are read only: they are decided on the pages.
The signed scan is shown by name, linked to the scoped download view, never to ``/media/``.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ScopedAdmin, ScopedTabularInline
from projects import services
from projects.models import Agreement, BudgetLine, Project, ProjectChange, ProjectMember, ProjectYear

PAIRING_COPIES = ("pairing", "cycle", "town", "team", "organizer_level", "due_date", "created_by")


@admin.register(Agreement)
class AgreementAdmin(ScopedAdmin):
    """Edited through ``agreement_update`` (a draft or a returned agreement only); signed, confirmed and returned on
    the pages."""

    list_display = ["town", "team", "cycle", "status", "term_start", "term_end", "signed_on", "confirmed_at"]
    list_filter = ["status", "organizer_level", "cycle"]
    search_fields = ["team__name", "town__name", "town_party"]
    list_select_related = ["town", "team", "cycle"]
    exclude = ["signed_scan"]  # shown as ``scan`` (the scoped download link), set only by signing
    readonly_fields = ["scan"]
    # Besides the status and the stamps AGREEMENT_WORKFLOW sets: what signing and returning record.
    workflow_fields = ("signed_on", "return_comment")
    fixed_fields = PAIRING_COPIES

    def has_add_permission(self, request):
        return False

    @admin.display(description="协议签署扫描件")
    def scan(self, obj):
        if not obj or not obj.signed_scan:
            return "未上传"
        return format_html('<a href="{}">下载签署件</a>', reverse("projects:agreement_scan", args=[obj.pk]))

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.AGREEMENT_FIELDS}
        return services.agreement_update(actor=request.user, agreement=self.stored(obj), **values)


class ReadOnlyLines(ScopedTabularInline):
    """A project's lines as the service wrote them: changed only with the whole content (``project_update``)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProjectYearInline(ReadOnlyLines):
    model = ProjectYear
    fields = readonly_fields = ["year", "plan"]


class BudgetLineInline(ReadOnlyLines):
    model = BudgetLine
    fields = readonly_fields = ["category", "amount", "source", "note"]


class ProjectMemberInline(ReadOnlyLines):
    model = ProjectMember
    fields = readonly_fields = ["commissioner", "duty"]  # the name (Commissioner.__str__), never a phone or ID number


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    """Edited through ``project_update`` (a draft or returned project; needs of its own town, the total checked
    against the lines); submitted, returned and accepted on the pages; after acceptance, by change request only."""

    list_display = ["title", "town", "team", "status", "total_budget", "version", "late", "submitted_at"]
    list_filter = ["status", "late", "organizer_level", "cycle"]
    search_fields = ["title", "team__name", "town__name"]
    list_select_related = ["town", "team"]
    raw_id_fields = ["needs"]  # ids, not a widget listing every need of the platform
    inlines = [ProjectYearInline, BudgetLineInline, ProjectMemberInline]
    workflow_fields = ("return_comment",)  # with the status and PROJECT_WORKFLOW's stamp (accepted_at)
    fixed_fields = PAIRING_COPIES
    service_saves_m2m = True

    def has_add_permission(self, request):
        return False

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.PROJECT_FIELDS}
        needs = form.cleaned_data.get("needs") if "needs" in form.cleaned_data else None
        return services.project_update(actor=request.user, project=self.stored(obj), values=values,
                                       needs=list(needs) if needs is not None else None)


@admin.register(ProjectChange)
class ProjectChangeAdmin(ScopedAdmin):
    """Requested and decided on the pages (``change_request``/``change_decide``): read only here."""

    list_display = ["project", "from_version", "status", "requested_by", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["project", "requested_by"]
    readonly_fields = ["project", "reason", "before", "after", "from_version", "requested_by", "decided_at",
                       "decision_comment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
