"""Pages of adjustment and replacement cases (调整更换): the list, opening a case with the evidence the platform holds,
the case with its evidence, files, the team's answer and the organizer's decision, withdrawing, the files and the
decision document (决定书, DOCX/PDF).

Who: the organizing S&T office of the town opens, decides and withdraws; the team's leader answers; the levels above
read (the organizer rule), the team reads its own and the unit its teams'. Towns and experts are refused (403). Every
read goes through ``core.scoping`` (out of scope is 404), every write through ``replacements.services``.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.files import content_disposition, serve_file
from core.generic import ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView
from core.menu import OFFICIALS, TEAMS
from core.roles import LEADERS, ORGANIZERS, Role, is_system_admin
from core.scoping import CHANGE, VIEW, can, get_for_user, restrict
from fieldwork.models import Flag
from matching.models import Pairing
from replacements import documents, services
from replacements.choices import CASE_WORKFLOW, CaseStatus, Decision
from replacements.filters import CaseFilter
from replacements.forms import CaseAnswerForm, CaseDecideForm, CaseOpenForm
from replacements.models import Case, CaseFile, PairingFigures
from replacements.tables import CASE_BADGES, CaseTable, answer_overdue, status_badge

# Who reads cases: the officials along the tree (by the organizer rule), the team and its dispatching unit.
READERS = frozenset(OFFICIALS | TEAMS | {Role.UNIT})
CASES_TITLE = "调整更换案件"
OPEN_CASE = (CaseStatus.OPEN, CaseStatus.ANSWERED)


class RoleGate:
    """Refuse a signed-in user whose role never uses these pages with 403 (before any record is looked up)."""

    gate: frozenset = READERS

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            # Plain views (files, documents, the cycle's end) have no login mixin: sign in first, never a 500.
            return redirect_to_login(request.get_full_path())
        if not (is_system_admin(user) or user.role in self.gate):
            raise PermissionDenied("您的角色无权使用调整更换功能。")
        return super().dispatch(request, *args, **kwargs)


def working_pairings(user):
    """The working pairings (registered or active) ``user`` may open a case or record a change on."""
    return (restrict(Pairing.objects.filter(status__in=services.WORKING), user, CHANGE)
            .select_related("town__county", "team", "cycle").order_by("town__code", "pk"))


def _pairing_from(request, pairings):
    value = request.POST.get("pairing") or request.GET.get("pairing")
    if not value or not str(value).isdigit():
        return None
    return pairings.filter(pk=int(value)).first()


# ------------------------------------------------------------------------------------------------ list
class CaseListView(RoleGate, ScopedListView):
    model = Case
    table_class = CaseTable
    filterset_class = CaseFilter
    template_name = "replacements/case_list.html"
    title = CASES_TITLE
    search_fields = ["home_town__name", "team__name"]
    search_placeholder = "镇或团队名称"
    export_filename = "调整更换案件"
    create_url_name = "replacements:case_create"
    create_roles = ORGANIZERS
    empty_text = "暂无调整更换案件。组织单位可针对不符合需求、不配合工作安排或未实际开展帮扶的团队发起调查。"

    def base_queryset(self):
        return Case.objects.select_related("home_town__county", "team")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scoped = restrict(Case.objects.all(), self.request.user)
        context["open_count"] = scoped.filter(status__in=OPEN_CASE).count()
        context["overdue_count"] = scoped.filter(status=CaseStatus.OPEN, answer_due__lt=timezone.localdate()).count()
        return context


# ------------------------------------------------------------------------------------------------ open
class CaseCreateView(RoleGate, ScopedFormView):
    """The organizer of the town opens a case: pick the pairing, see what the platform holds, attach flags and files."""

    gate = ORGANIZERS
    form_class = CaseOpenForm
    template_name = "replacements/case_form.html"
    title = "发起调整更换调查"
    submit_label = "发起调查"
    success_message = "已发起调查，团队负责人已收到通知。"

    def get_breadcrumbs(self):
        return [(CASES_TITLE, reverse("replacements:case_list")), (self.get_title(), None)]

    def pairings(self):
        if not hasattr(self, "_pairings"):
            self._pairings = working_pairings(self.request.user)
        return self._pairings

    def chosen(self):
        if not hasattr(self, "_chosen"):
            self._chosen = _pairing_from(self.request, self.pairings())
        return self._chosen

    def flags(self):
        pairing = self.chosen()
        if pairing is None:
            return []
        return list(restrict(Flag.objects.filter(pairing=pairing), self.request.user)
                    .order_by("-opened_at", "pk")[:50])

    def get_initial(self):
        initial = super().get_initial()
        if self.chosen() is not None:
            initial["pairing"] = self.chosen().pk
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["pairings"] = self.pairings()
        kwargs["flag_choices"] = [(str(f.pk), "%s（%s，%s）" % (f.get_kind_display(), f.get_status_display(),
                                                              timezone.localtime(f.opened_at).date().isoformat()
                                                              if f.opened_at else "—")) for f in self.flags()]
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = self.chosen()
        context["pairing"] = pairing
        context["evidence"] = services.evidence_for(pairing) if pairing is not None else None
        context["pairing_count"] = self.pairings().count()
        if not context["pairing_count"]:
            context["form_notice"] = "您组织的镇当前没有已备案或帮扶中的结对，暂不能发起调整更换。"
            context["form_blocked"] = True
        return context

    def save(self, form):
        data = form.cleaned_data
        return services.case_open(actor=self.request.user, pairing=data["pairing"], cause=data["cause"],
                                  summary=data["summary"], answer_due=data["answer_due"],
                                  flag_ids=[int(pk) for pk in data.get("flags") or []],
                                  files=data.get("files") or [])


# ------------------------------------------------------------------------------------------------ detail
def decide_context(case, user, form=None) -> dict:
    """The decision form with the candidates and the old team's open grants (settlement inputs ``settle-<id>``)."""
    grants = list(services.open_grants(case.pairing).select_related("project"))
    candidates = services.candidates(case)
    return {"decide_form": form or CaseDecideForm(candidates=candidates, prefix=None),
            "candidates": candidates, "open_grants": grants}


class CaseDetailView(RoleGate, ScopedDetailView):
    model = Case
    template_name = "replacements/case_detail.html"
    workflow = CASE_WORKFLOW
    action_url_name = "replacements:case_action"
    list_url_name = "replacements:case_list"
    list_title = CASES_TITLE

    def base_queryset(self):
        return Case.objects.select_related("home_town__county__city", "team__lead_unit", "cycle", "pairing",
                                           "new_pairing__team", "answered_by", "decided_by", "created_by")

    def field_rows(self):
        case = self.object
        due = case.answer_due.isoformat()
        if answer_overdue(case):
            from django.utils.html import format_html

            due = format_html('<span class="text-danger" data-testid="answer-overdue">{}（已逾期，团队未答复）</span>', due)
        rows = [
            ("结对镇", case.home_town.full_name),
            ("团队", case.team.name),
            ("帮扶周期", case.cycle.name),
            ("事由", case.get_cause_display()),
            ("状态", status_badge(case, CASE_BADGES)),
            ("情况说明", case.summary),
            ("答复期限", due),
            ("立案时间", timezone.localtime(case.opened_at).strftime("%Y-%m-%d %H:%M") if case.opened_at else ""),
        ]
        if case.status == CaseStatus.DECIDED:
            rows += [("处理决定", case.get_decision_display()), ("决定理由", case.decision_reason),
                     ("决定书文号", case.doc_number),
                     ("决定时间", timezone.localtime(case.decided_at).strftime("%Y-%m-%d %H:%M") if case.decided_at
                      else "")]
            if case.decision == Decision.REPLACEMENT:
                rows += [("原结对截止日期", case.end_date.isoformat() if case.end_date else ""),
                         ("资助处理", case.get_funding_action_display() or "无未结清资助")]
                if case.settled_amount is not None:
                    rows.append(("结算金额（元）", "{:,.2f}".format(case.settled_amount)))
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        # Only the withdrawal is a dialog; the answer and the decision have their own forms below.
        context["actions"] = [a for a in context["actions"] if a[0] == "withdraw"]
        is_open = case.status in OPEN_CASE and not context["read_only_reason"]
        may_answer = is_open and (is_system_admin(user) or (user.role == Role.TEAM_LEADER
                                                            and user.team_id == case.team_id))
        may_decide = is_open and (is_system_admin(user) or user.role in ORGANIZERS) and can(user, case, CHANGE)
        context.update({
            "case": case,
            "evidence": case.evidence or {},
            "flags": list(case.flags.all().order_by("-opened_at", "pk")),
            "evidence_files": [f for f in case.files.all() if f.kind == CaseFile.Kind.EVIDENCE],
            "answer_files": [f for f in case.files.all() if f.kind == CaseFile.Kind.ANSWER],
            "may_answer": may_answer,
            "answer_form": CaseAnswerForm(initial={"answer": case.answer}) if may_answer else None,
            "may_decide": may_decide,
            "overdue": answer_overdue(case),
            "has_document": documents.has_decision_document(case),
        })
        if may_decide:
            context.update(decide_context(case, user))
        if case.status == CaseStatus.DECIDED and case.decision == Decision.REPLACEMENT:
            from reviews.models import Grant

            context["old_pairing"] = case.pairing
            context["new_pairing"] = case.new_pairing
            context["figures"] = PairingFigures.objects.filter(pairing=case.pairing_id).first()
            context["closed_grants"] = list(restrict(Grant.objects.filter(project__pairing=case.pairing_id)
                                                     .exclude(closure=""), user).select_related("project"))
            context["notices_url"] = "%s?cycle=%d" % (reverse("notices:notice_list"), case.cycle_id)
        return context


# ------------------------------------------------------------------------------------------------ answer / decide
class _CaseForm(RoleGate, ScopedFormView):
    """A form on one case the user reads (404 otherwise); the service checks who may act."""

    def get_case(self):
        if not hasattr(self, "_case"):
            self._case = get_for_user(Case.objects.select_related("home_town__county", "team", "pairing"),
                                      self.request.user, VIEW, pk=self.kwargs["pk"])
        return self._case

    def get_breadcrumbs(self):
        case = self.get_case()
        return [(CASES_TITLE, reverse("replacements:case_list")), (str(case), case.get_absolute_url()),
                (self.get_title(), None)]

    def get_success_url(self):
        return self.get_case().get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["case"] = self.get_case()
        return context


class CaseAnswerView(_CaseForm):
    """The team's leader answers the case (again, until the decision), with files."""

    gate = LEADERS
    form_class = CaseAnswerForm
    title = "答复调整更换调查"
    submit_label = "提交答复"
    success_message = "答复已提交，组织单位已收到通知。"

    def get_initial(self):
        return {"answer": self.get_case().answer}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.get_case()
        context["form_notice"] = "%s：%s。请于%s前答复。" % (case.home_town.full_name, case.get_cause_display(),
                                                        case.answer_due.isoformat())
        return context

    def save(self, form):
        data = form.cleaned_data
        return services.case_answer(actor=self.request.user, case=self.get_case(), answer=data["answer"],
                                    files=data.get("files") or [])


class CaseDecideView(_CaseForm):
    """The organizer decides; a replacement ends the old pairing, proposes the new team and closes the funding."""

    gate = ORGANIZERS
    form_class = CaseDecideForm
    template_name = "replacements/case_decide.html"
    title = "作出调整更换决定"
    submit_label = "作出决定"
    success_message = "已作出决定，团队和镇已收到通知。"

    def get_case(self):
        if not hasattr(self, "_case"):
            # Decided by the organizing S&T office: read scope alone is not enough (404 otherwise).
            self._case = get_for_user(Case.objects.select_related("home_town__county", "team", "pairing"),
                                      self.request.user, CHANGE, pk=self.kwargs["pk"])
        return self._case

    def dispatch(self, request, *args, **kwargs):
        # A decided or withdrawn case has nothing left to decide: its page says what was decided.
        if request.user.is_authenticated and (is_system_admin(request.user) or request.user.role in self.gate):
            case = self.get_case()
            if case.status not in OPEN_CASE:
                messages.info(request, "该案件已%s。" % case.get_status_display())
                from django.shortcuts import redirect

                return redirect(case.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["candidates"] = services.candidates(self.get_case())
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(decide_context(self.get_case(), self.request.user, context["form"]))
        context["settle_values"] = {key[len("settle-"):]: value for key, value in self.request.POST.items()
                                    if key.startswith("settle-")}
        for grant in context["open_grants"]:
            grant.settle_value = context["settle_values"].get(str(grant.pk), "")
        return context

    def save(self, form):
        values = form.service_values()
        settlements = {key[len("settle-"):]: value for key, value in self.request.POST.items()
                       if key.startswith("settle-") and value.strip()}
        return services.case_decide(actor=self.request.user, case=self.get_case(), settlements=settlements, **values)


class CaseActionView(WorkflowActionView):
    """The organizer withdraws the case (the only step taken as a dialog; answer and decide have their forms)."""

    model = Case
    workflow = CASE_WORKFLOW

    def post(self, request, pk, action):
        if action != "withdraw":
            raise Http404
        if not (is_system_admin(request.user) or request.user.role in ORGANIZERS):
            get_for_user(Case.objects.all(), request.user, VIEW, pk=pk)  # out of scope: 404 first
            raise PermissionDenied("只有该镇的组织单位可以撤销调查。")
        return super().post(request, pk, action)

    def apply(self, obj, action, comment):
        services.case_withdraw(actor=self.request.user, case=obj, comment=comment)


# ------------------------------------------------------------------------------------------------ files, documents
class CaseFileView(RoleGate, View):
    """A case's file, to whoever reads the case (404 otherwise)."""

    def get(self, request, pk):
        record = get_for_user(CaseFile.objects.select_related("case"), request.user, VIEW, pk=pk)
        return serve_file(request, record, "file", filename=record.name, inline=True)


class CaseDocumentView(RoleGate, View):
    """The decision (决定书) as DOCX or PDF: for a decided warning, adjustment or replacement."""

    def get(self, request, pk, fmt):
        case = get_for_user(Case.objects.select_related("home_town__county__city", "team__lead_unit", "cycle",
                                                        "new_pairing__team"), request.user, VIEW, pk=pk)
        if not documents.has_decision_document(case):
            raise Http404
        from reviews.models import Grant

        grants = list(Grant.objects.filter(project__pairing=case.pairing_id).exclude(closure="").order_by("pk"))
        if fmt == "docx":
            content = documents.decision_docx(case, grants)
            kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            content = documents.decision_pdf(case, grants)
            kind = "application/pdf"
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = content_disposition("%s.%s" % (documents.decision_title(case), fmt))
        response["Cache-Control"] = "private, no-store"
        return response


def flash_errors(request, error) -> None:
    if isinstance(error, ValidationError):
        messages.error(request, "；".join(error.messages))
    else:
        messages.error(request, str(error) or "您无权进行此操作。")

