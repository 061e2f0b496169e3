"""Pages of the assistance agreement (帮扶协议) and the progress dashboard of agreements and projects.

The leader drafts the agreement of his registered pairing, prints it, uploads the scan the three parties signed; the
town confirms it or returns it with reasons. Officials read the list and the progress per county (per city for
whoever sees several cities). Every write goes through ``projects.services``; every read through ``restrict``.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.views import View
from django.views.generic import TemplateView

from core.files import CONTENT_TYPES, serve_file
from core.generic import (PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView, _quote,
                          read_only_reason)
from core.roles import LEADERS, OFFICIAL_ROLES, TEAM_ROLES, Role, is_system_admin
from core.scoping import CHANGE, VIEW, get_for_user, restrict
from cycles.models import Cycle
from cycles.selectors import current_cycle
from matching.models import Pairing
from projects import selectors, services
from projects.choices import AGREEMENT_EDITABLE, AGREEMENT_WORKFLOW
from projects.filters import AgreementFilter
from projects.forms_agreements import AgreementForm, AgreementSignForm
from projects.models import Agreement
from projects.tables_agreements import AgreementTable, late_badge
from regions.models import City, County

# Who reads agreements: the officials along the tree, the town, the team and its dispatching unit (experts do not).
VIEWERS = frozenset(OFFICIAL_ROLES | TEAM_ROLES | {Role.TOWN, Role.UNIT})
LIST_TITLE = "帮扶协议"


def _day(value) -> str:
    return formats.date_format(value, "Y-m-d") if value else ""


def _moment(value) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def is_team_leader(user, record) -> bool:
    """The leader of the record's team (or the system administrator): the one who drafts, edits and signs."""
    return is_system_admin(user) or (user.role == Role.TEAM_LEADER and user.team_id == record.team_id)


def pairings_to_draft(user):
    """The leader's working pairings (registered or active, in a cycle not closed) that have no agreement yet."""
    if not (is_system_admin(user) or user.role == Role.TEAM_LEADER):
        return Pairing.objects.none()
    pairings = restrict(selectors.pairings_without_agreement(), user, VIEW).exclude(cycle__status=Cycle.Status.CLOSED)
    if not is_system_admin(user):
        pairings = pairings.filter(team_id=user.team_id)
    return pairings.select_related("cycle", "town__county", "team").order_by("town__code")


# ------------------------------------------------------------------------------------------------ list
class AgreementListView(ScopedListView):
    model = Agreement
    table_class = AgreementTable
    filterset_class = AgreementFilter
    template_name = "projects/agreement_list.html"
    title = LIST_TITLE
    roles = VIEWERS
    search_fields = ["team__name", "town__name"]
    search_placeholder = "团队或镇名称"
    export_filename = "帮扶协议"
    empty_text = "暂无帮扶协议。结对备案后，由团队负责人起草并上传三方签署的协议。"

    def base_queryset(self):
        # The newest cycle first: its agreements are the ones being worked on.
        return (Agreement.objects.select_related("town__county", "team", "cycle")
                .order_by("-cycle__start_date", "town__code", "-pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        to_draft = list(pairings_to_draft(self.request.user)[:20])
        for pairing in to_draft:
            pairing.agreement_due = selectors.agreement_due(pairing)
            pairing.is_overdue = timezone.localdate() > pairing.agreement_due
        context["to_draft"] = to_draft
        return context


# ------------------------------------------------------------------------------------------------ create and edit
class AgreementCreateView(ScopedFormView):
    """The pairing's team leader drafts its agreement; the parties and the term start filled in."""

    form_class = AgreementForm
    roles = LEADERS
    submit_label = "保存草稿"
    success_message = "帮扶协议草稿已保存。请打印协议交三方签字盖章后，上传签署件提交镇确认。"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (is_system_admin(request.user) or request.user.role in self.roles):
            self.pairing = get_for_user(Pairing.objects.select_related("cycle", "town__county", "team"), request.user,
                                        VIEW, pk=kwargs["pairing_pk"])
            if not is_team_leader(request.user, self.pairing):
                raise Http404
            existing = Agreement.objects.filter(pairing=self.pairing).first()
            if existing is not None:
                messages.info(request, "该结对已有帮扶协议，请在原协议上修改。")
                return redirect(existing.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "起草帮扶协议：%s" % self.pairing.town.full_name

    def get_breadcrumbs(self):
        return [(LIST_TITLE, reverse("projects:agreement_list")), (self.get_title(), None)]

    def get_initial(self):
        return services.agreement_defaults(self.pairing)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = self.pairing
        if pairing.status not in selectors.WORKING_PAIRING_STATES:
            context["form_notice"] = "结对当前为“%s”：备案后（已备案或帮扶中）方可起草帮扶协议。" % pairing.get_status_display()
            context["form_blocked"] = True
        elif read_only_reason(Agreement(cycle=pairing.cycle)):
            context["form_notice"] = read_only_reason(Agreement(cycle=pairing.cycle))
            context["form_blocked"] = True
        else:
            due = selectors.agreement_due(pairing)
            context["form_notice"] = "%s与%s的帮扶协议，签订期限 %s%s：起草后打印交三方签字盖章，再上传签署件提交镇确认。" % (
                pairing.team.name, pairing.town.full_name, _day(due),
                "（已逾期，请尽快完成）" if due < timezone.localdate() else "")
        return context

    def save(self, form):
        return services.agreement_create(actor=self.request.user, pairing=self.pairing, **form.cleaned_data)


class _LeaderAgreementForm(ScopedFormView):
    """An agreement the leader may still change (draft or returned by the town); otherwise back to its page."""

    model = Agreement
    roles = LEADERS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (is_system_admin(request.user) or request.user.role in self.roles):
            agreement = self.get_instance()
            if not is_team_leader(request.user, agreement):
                raise Http404
            reason = None
            if agreement.status not in AGREEMENT_EDITABLE:
                reason = "帮扶协议当前为“%s”，不能修改或重新上传。" % agreement.get_status_display()
            reason = reason or read_only_reason(agreement)
            if reason:
                messages.error(request, reason)
                return redirect(agreement.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_instance(self):
        if not hasattr(self, "_instance"):
            self._instance = get_for_user(Agreement.objects.select_related("cycle", "town__county", "team", "pairing"),
                                          self.request.user, CHANGE, pk=self.kwargs["pk"])
        return self._instance

    def get_breadcrumbs(self):
        agreement = self.get_instance()
        return [(LIST_TITLE, reverse("projects:agreement_list")), (str(agreement), agreement.get_absolute_url()),
                (self.get_title(), None)]


class AgreementEditView(_LeaderAgreementForm):
    form_class = AgreementForm
    title = "修改帮扶协议"
    submit_label = "保存"
    success_message = "帮扶协议已保存。"

    def save(self, form):
        return services.agreement_update(actor=self.request.user, agreement=self.get_instance(),
                                         **{name: form.cleaned_data[name] for name in services.AGREEMENT_FIELDS})


class AgreementSignView(_LeaderAgreementForm):
    """The signing date and the signed scan: the agreement goes to the town for confirmation."""

    form_class = AgreementSignForm
    title = "上传协议签署件"
    submit_label = "上传并提交镇确认"
    success_message = "签署件已上传，已提交镇确认。"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = self.get_instance()
        context["form_notice"] = ("请上传%s、%s与%s三方签字盖章的协议扫描件（PDF或图片）。提交后由镇核对确认。"
                                  % (agreement.town_party, agreement.team.name,
                                     agreement.work_team_party or "驻镇工作队"))
        return context

    def save(self, form):
        data = form.cleaned_data
        return services.agreement_sign(actor=self.request.user, agreement=self.get_instance(),
                                       scan=data["signed_scan"], signed_on=data["signed_on"],
                                       comment=data.get("comment") or "")


# ------------------------------------------------------------------------------------------------ detail and steps
class AgreementDetailView(ScopedDetailView):
    model = Agreement
    template_name = "projects/agreement_detail.html"
    workflow = AGREEMENT_WORKFLOW
    action_url_name = "projects:agreement_action"
    list_url_name = "projects:agreement_list"
    list_title = LIST_TITLE
    roles = VIEWERS

    def base_queryset(self):
        return Agreement.objects.select_related("cycle", "town__county", "team__lead_unit", "pairing", "created_by")

    def field_rows(self):
        agreement = self.object
        pairing_link = format_html('<a href="{}">{} — {}</a>',
                                   reverse("matching:pairing_detail", args=[agreement.pairing_id]),
                                   agreement.town.full_name, agreement.team.name)
        due = format_html("{} {}", _day(agreement.due_date), late_badge(agreement))
        return [
            ("结对", pairing_link),
            ("帮扶周期", agreement.cycle.name),
            ("状态", agreement.get_status_display()),
            ("签订期限", due),
            ("协议期限", "%s 至 %s" % (_day(agreement.term_start), _day(agreement.term_end))),
            ("签署日期", _day(agreement.signed_on)),
            ("签署件上传时间", _moment(agreement.signed_uploaded_at)),
            ("镇确认时间", _moment(agreement.confirmed_at)),
            ("起草人", agreement.created_by.full_name or agreement.created_by.username if agreement.created_by else ""),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement, user = self.object, self.request.user
        leader = is_team_leader(user, agreement)
        may_change = context["can_change"] and not context["read_only_reason"]
        # The "sign" step takes a file and a date: the leader takes it on the sign form, never as a comment button.
        context["actions"] = [row for row in context["actions"] if row[0] != "sign"]
        context.update({
            "may_edit": may_change and leader and agreement.status in AGREEMENT_EDITABLE,
            "is_leader": leader,
            "is_town": user.role == Role.TOWN,
            "late_badge": late_badge(agreement),
        })
        return context


class AgreementActionView(WorkflowActionView):
    """The town confirms the signed agreement or returns it with its reasons."""

    model = Agreement
    workflow = AGREEMENT_WORKFLOW

    def apply(self, obj, action, comment):
        if action == "sign":
            raise ValidationError("请在“上传签署件”页面填写签署日期并上传签署件。")
        if action not in self.workflow:
            raise ValidationError("未知操作。")
        services.agreement_act(actor=self.request.user, agreement=obj, action=action, comment=comment)


# ------------------------------------------------------------------------------------------------ files
class AgreementScanView(PageMixin, View):
    """The signed scan, to whoever may read the agreement (inline: a PDF or an image)."""

    roles = VIEWERS

    def get(self, request, pk):
        agreement = get_for_user(Agreement.objects.select_related("town", "team"), request.user, VIEW, pk=pk)
        if not agreement.signed_scan:
            raise Http404
        return serve_file(request, agreement, "signed_scan", inline=True,
                          filename="帮扶协议签署件_%s_%s" % (agreement.town.name, agreement.team.name))


class AgreementDocumentView(PageMixin, View):
    """The agreement printed for signing: Word (to adjust) or PDF."""

    roles = VIEWERS
    FORMATS = {"docx": ("agreement_docx", CONTENT_TYPES["docx"]), "pdf": ("agreement_pdf", "application/pdf")}

    def get(self, request, pk, fmt):
        if fmt not in self.FORMATS:
            raise Http404
        agreement = get_for_user(Agreement.objects.select_related("cycle", "town__county", "team__lead_unit"),
                                 request.user, VIEW, pk=pk)
        from projects import documents  # written beside these pages; imported when a document is asked for

        function, content_type = self.FORMATS[fmt]
        content = getattr(documents, function)(agreement)
        response = HttpResponse(content, content_type=content_type)
        name = "帮扶协议_%s_%s.%s" % (agreement.town.full_name, agreement.team.name, fmt)
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % _quote(name)
        response["Cache-Control"] = "private, no-store"
        return response


# ------------------------------------------------------------------------------------------------ progress
FIGURES = selectors.PROGRESS_FIGURES


class ProgressView(PageMixin, TemplateView):
    """协议与项目进度: per county (per city for whoever sees several cities) in a cycle, with a totals row and the
    pairings that need action."""

    template_name = "projects/progress.html"
    title = "协议与项目进度"
    roles = OFFICIAL_ROLES
    attention_limit = 200

    def get_context_data(self, **kwargs):
        from regions.selectors import sees_several_cities

        context = super().get_context_data(**kwargs)
        user = self.request.user
        cycle = current_cycle(self.request)
        context.update({"cycle": cycle, "cycles": Cycle.objects.all(), "rows": [], "totals": None, "attention": []})
        if cycle is None:
            return context
        by_city = sees_several_cities(user)
        rows = selectors.progress_by_area(user, cycle)
        areas = restrict(City.objects.all(), user) if by_city else restrict(County.objects.all(), user)
        ids = dict(areas.filter(name__in=[row["area"] for row in rows]).values_list("name", "pk"))
        agreements = reverse("projects:agreement_list")
        for row in rows:
            area_id = ids.get(row["area"])
            area = ("city=%s" % area_id if by_city else "county=%s" % area_id) if area_id else ""
            row["confirmed_url"] = ("%s?cycle=%d&status=confirmed&%s" % (agreements, cycle.pk, area)
                                    if area and not by_city else "")
            row["agreements_url"] = "%s?cycle=%d&%s" % (agreements, cycle.pk, area) if area and not by_city else ""
        totals = {name: sum(row[name] for row in rows) for name in FIGURES}
        attention, attention_count = self.attention(user, cycle)
        context.update({
            "by_city": by_city, "rows": rows, "totals": totals if rows else None,
            "attention": attention, "attention_count": attention_count, "attention_limit": self.attention_limit,
            "agreements_url": "%s?cycle=%d" % (agreements, cycle.pk),
            "agreement_days": cycle.agreement_days, "project_days": cycle.project_submission_days,
        })
        return context

    def attention(self, user, cycle):
        """The pairings behind the figures that need action: no agreement drafted, agreement not confirmed in time,
        no project sent in time (at most ``attention_limit`` rows, and how many there are)."""
        needing = (Q(pk__in=selectors.pairings_without_agreement(cycle).values("pk"))
                   | Q(pk__in=selectors.pairings_agreement_late(cycle).values("pk"))
                   | Q(pk__in=selectors.pairings_project_late(cycle).values("pk")))
        found = restrict(selectors.working_pairings(cycle), user).filter(needing)
        pairings = list(found.select_related("cycle", "town__county", "team", "agreement")
                        .order_by("town__code", "pk")[:self.attention_limit])
        shown = [pairing.pk for pairing in pairings]
        agreement_late = set(selectors.pairings_agreement_late(cycle).filter(pk__in=shown).values_list("pk", flat=True))
        project_late = set(selectors.pairings_project_late(cycle).filter(pk__in=shown).values_list("pk", flat=True))
        rows = []
        for pairing in pairings:
            agreement = getattr(pairing, "agreement", None)
            rows.append({
                "pairing": pairing, "agreement": agreement,
                "registered": _day(selectors.registered_on(pairing)),
                "agreement_due": _day(agreement.due_date if agreement else selectors.agreement_due(pairing)),
                "agreement_late": pairing.pk in agreement_late, "project_late": pairing.pk in project_late,
                "project_due": _day(selectors.project_due(pairing)),
            })
        return rows, (found.count() if len(pairings) == self.attention_limit else len(pairings))
