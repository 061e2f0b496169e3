"""Pages of member changes (成员变更): the list, recording a change on a working pairing's team (the organizer), the
change with its registration steps (the city confirms a county team's change first, then the province) and the
re-registration letter (备案函, DOCX/PDF). Reads through ``core.scoping``, writes through ``replacements.services``.
"""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.files import content_disposition
from core.generic import ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView
from core.roles import ORGANIZERS
from core.scoping import VIEW, get_for_user, restrict
from replacements import documents, services
from replacements.choices import CHANGE_WORKFLOW
from replacements.filters import ChangeFilter
from replacements.forms import MemberChangeForm
from replacements.models import Case, MemberChange
from replacements.tables import CHANGE_BADGES, ChangeTable, status_badge
from replacements.views_cases import RoleGate, _pairing_from, working_pairings

CHANGES_TITLE = "成员变更"


class ChangeListView(RoleGate, ScopedListView):
    model = MemberChange
    table_class = ChangeTable
    filterset_class = ChangeFilter
    title = CHANGES_TITLE
    search_fields = ["team__name", "home_town__name"]
    search_placeholder = "团队或镇名称"
    export_filename = "成员变更"
    create_url_name = "replacements:change_create"
    create_roles = ORGANIZERS
    empty_text = "暂无成员变更。组织单位可为已备案或帮扶中的团队登记成员退出或加入，变更后报上级备案。"

    def base_queryset(self):
        return MemberChange.objects.select_related("home_town__county", "team", "leaving", "joining")


class ChangeCreateView(RoleGate, ScopedFormView):
    """The organizer records that a member leaves and/or one joins a working pairing's team."""

    gate = ORGANIZERS
    form_class = MemberChangeForm
    template_name = "replacements/change_form.html"
    title = "登记团队成员变更"
    submit_label = "登记变更"
    success_message = "成员变更已登记，待上级备案确认。"

    def get_breadcrumbs(self):
        return [(CHANGES_TITLE, reverse("replacements:change_list")), (self.get_title(), None)]

    def pairings(self):
        if not hasattr(self, "_pairings"):
            self._pairings = working_pairings(self.request.user)
        return self._pairings

    def chosen(self):
        if not hasattr(self, "_chosen"):
            self._chosen = _pairing_from(self.request, self.pairings())
        return self._chosen

    def get_form_kwargs(self):
        from teams.models import TeamMembership

        kwargs = super().get_form_kwargs()
        pairing = self.chosen()
        if pairing is not None:
            members = (TeamMembership.objects.filter(team_id=pairing.team_id).exclude(role="leader")
                       .select_related("commissioner").order_by("pk"))
            kwargs["members"] = [(m.commissioner_id, m.commissioner.name) for m in members]
            cases = restrict(Case.objects.filter(pairing=pairing), self.request.user).order_by("-pk")
            kwargs["cases"] = [(c.pk, "%s（%s）" % (c.get_cause_display(), c.get_status_display())) for c in cases]
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = self.chosen()
        context["pairing"] = pairing
        context["pairings"] = self.pairings()
        if pairing is None:
            context["form_blocked"] = True
        else:
            cycle = pairing.cycle
            context["form_notice"] = "%s · %s：现有%d人，本周期团队人数要求%d至%d人（含负责人）。" % (
                pairing.town.full_name, pairing.team.name, services._team_size(pairing.team_id), cycle.team_size_min,
                cycle.team_size_max)
        return context

    def form_valid(self, form):
        if self.chosen() is None:
            form.add_error(None, "请先选择结对。")
            return self.form_invalid(form)
        return super().form_valid(form)

    def save(self, form):
        data = form.cleaned_data
        case = None
        if data.get("case"):
            case = restrict(Case.objects.filter(pk=int(data["case"])), self.request.user).first()
        return services.member_change_record(
            actor=self.request.user, pairing=self.chosen(), effective_date=data["effective_date"],
            reason=data["reason"], leaving=data.get("leaving") or None,
            joining_id_number=data.get("joining_id_number") or "", joining_name=data.get("joining_name") or "",
            joining_phone=data.get("joining_phone") or "", case=case)


class ChangeDetailView(RoleGate, ScopedDetailView):
    model = MemberChange
    template_name = "replacements/change_detail.html"
    workflow = CHANGE_WORKFLOW
    # The registration is confirmed by the pairing's recipients (the city, the province), who read the change but do
    # not change it by the organizer rule; the service checks their scope.
    acts_with_view_scope = True
    action_url_name = "replacements:change_action"
    list_url_name = "replacements:change_list"
    list_title = CHANGES_TITLE

    def base_queryset(self):
        return MemberChange.objects.select_related("home_town__county__city", "team", "cycle", "leaving__unit",
                                                   "joining__unit", "case", "created_by")

    def field_rows(self):
        change = self.object
        return [
            ("团队", change.team.name),
            ("结对镇", change.home_town.full_name),
            ("帮扶周期", change.cycle.name),
            ("退出成员", change.leaving.name if change.leaving_id else "—"),
            ("新增成员", "%s（%s）" % (change.joining.name, change.joining.unit.name) if change.joining_id else "—"),
            ("人数变化", "%d → %d" % (change.size_before, change.size_after)),
            ("生效日期", change.effective_date.isoformat()),
            ("变更原因", change.reason),
            ("备案状态", status_badge(change, CHANGE_BADGES)),
            ("所属案件", str(change.case) if change.case_id else "—"),
            ("登记时间", timezone.localtime(change.created_at).strftime("%Y-%m-%d %H:%M")),
        ]


class ChangeActionView(WorkflowActionView):
    """The city (for a county team, first) and the province confirm the registration of a change."""

    model = MemberChange
    workflow = CHANGE_WORKFLOW

    def post(self, request, pk, action):
        if action not in ("confirm_city", "confirm_province"):
            raise Http404
        return super().post(request, pk, action)

    def may_act_without_change(self, user, obj, action) -> bool:
        return True  # the service checks the recipient's scope and role

    def apply(self, obj, action, comment):
        services.member_change_confirm(actor=self.request.user, change=obj, action=action, comment=comment)


class ChangeLetterView(RoleGate, View):
    """The re-registration letter (备案函) as DOCX or PDF."""

    def get(self, request, pk, fmt):
        change = get_for_user(MemberChange.objects.select_related(
            "home_town__county__city", "team", "cycle", "leaving", "joining__unit", "case"), request.user, VIEW, pk=pk)
        if fmt == "docx":
            content = documents.letter_docx(change)
            kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            content = documents.letter_pdf(change)
            kind = "application/pdf"
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = content_disposition("%s.%s" % (documents.letter_title(change), fmt))
        response["Cache-Control"] = "private, no-store"
        return response
