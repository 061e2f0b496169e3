"""Pages of selection rounds (遴选) and pairings (结对)."""
import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.utils import timezone
from django.views.generic import TemplateView

from core.roles import Role
from core.roles import ORGANIZERS  # the named role groups, declared once
from core.files import serve_file
from core.forms import error_text
from core.queries import related_count
from core.generic import PageMixin, ScopedDetailView, ScopedListView
from core.menu import OFFICIALS
from core.scoping import CHANGE, VIEW, can, get_for_user, restrict
from matching import services
from matching.choices import PairingStatus, RoundStatus, RunStatus
from matching.forms import ConstraintForm, MeetingForm, PanelScoreForm, WeightsForm
from matching.models import PairConstraint, Pairing, SelectionRound, SelectionRun
from matching.selectors import compare, effective_status_label, proposal, round_inputs, with_effective_status
from matching.tables import PairingTable, RoundTable
from matching.tasks import start_run



def _id(value) -> int:
    """A record id from a form or query value; anything but a plain number is 0 (no record: 404)."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 18 else 0


class RoundListView(ScopedListView):
    model = SelectionRound
    table_class = RoundTable
    title = "遴选"
    roles = OFFICIALS
    filterset_fields = ["status"]
    search_fields = ["title", "call__title"]
    empty_text = "暂无遴选。征集截止、申报受理后，组织单位可在征集通知页面发起遴选。"

    template_name = "matching/round_list.html"

    def base_queryset(self):
        return (SelectionRound.objects.select_related("call", "cycle")
                .annotate(run_count=related_count(SelectionRun, "round")).order_by("-created_at", "-pk"))

    def get_context_data(self, **kwargs):
        from django.db.models import Q

        from calls.models import Call

        context = super().get_context_data(**kwargs)
        context["startable_calls"] = (
            restrict(Call.objects.filter(status="published"), self.request.user, CHANGE)
            .exclude(cycle__status="closed")  # a closed cycle's calls are done with
            .exclude(rounds__status=RoundStatus.OPEN)
            .annotate(accepted=Count("applications", filter=Q(applications__status="accepted")))
            .filter(accepted__gt=0)
        )
        context["today"] = timezone.localdate()
        return context


class RoundCreateView(PageMixin, View):
    roles = ORGANIZERS

    def post(self, request):
        from calls.models import Call

        call = get_for_user(Call.objects.all(), request.user, VIEW, pk=_id(request.POST.get("call")))
        try:
            selection_round = services.round_open(actor=request.user, call=call,
                                                  early_reason=request.POST.get("early_reason", ""))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
            return redirect(call.get_absolute_url())
        return redirect(selection_round.get_absolute_url())


class RoundDetailView(ScopedDetailView):
    """The proposal of the latest (or chosen) run: per town the team, reasons, alternates, gaps; adjust and decide."""

    model = SelectionRound
    template_name = "matching/round_detail.html"
    detail_fields = ["call", "cycle", "status", "meeting_date", "meeting_participants", "finalized_at"]
    list_url_name = "matching:round_list"
    roles = OFFICIALS

    def base_queryset(self):
        return SelectionRound.objects.select_related("call", "cycle", "finalized_run")

    def chosen_run(self):
        runs = self.object.runs.all()
        if "run" in self.kwargs:
            return get_object_or_404(runs, pk=self.kwargs["run"])
        if self.object.finalized_run_id:
            return self.object.finalized_run
        return runs.filter(status=RunStatus.DONE).order_by("-number").first() or runs.order_by("-number").first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection_round, user = self.object, self.request.user
        run = self.chosen_run()
        editable = can(user, selection_round, CHANGE) and selection_round.status == RoundStatus.OPEN
        context.update({
            "run": run,
            "runs": selection_round.runs.order_by("-number"),
            "rows": proposal(run) if run and run.status == RunStatus.DONE else [],
            "editable": editable,
            "weights_form": WeightsForm(initial_weights=selection_round.weights),
            "meeting_form": MeetingForm(initial={"meeting_date": selection_round.meeting_date,
                                                 "meeting_participants": selection_round.meeting_participants}),
            "constraints": selection_round.constraints.select_related("town", "team", "created_by"),
            "panel": {(p.town.code, str(p.team_id)): p.score for p in selection_round.panel_scores.select_related("town")},
            "preview": round_inputs(selection_round) if editable and not run else None,
            "pairings": selection_round.pairings.select_related("town", "team"),
        })
        return context


class RunDetailView(RoundDetailView):
    def get_title(self):
        return "%s · %s" % (self.object, self.chosen_run())


class RoundRunView(PageMixin, View):
    """Store a run with the (changed) weights and queue it; the official watches its progress."""

    roles = ORGANIZERS

    def post(self, request, pk):
        selection_round = get_for_user(SelectionRound.objects.all(), request.user, VIEW, pk=pk)
        form = WeightsForm(request.POST, initial_weights=selection_round.weights)
        if not form.is_valid():
            messages.error(request, "权重须为0到10之间的数字，熟悉度计分范围须为0到100之间的整数。")
            return redirect(selection_round.get_absolute_url())
        try:
            run = services.run_create(actor=request.user, selection_round=selection_round, weights=form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
            return redirect(selection_round.get_absolute_url())
        task_run = start_run(actor=request.user, run=run)
        return redirect(reverse("core:task_progress", args=[task_run.pk]))


class ConstraintView(PageMixin, View):
    roles = ORGANIZERS

    def post(self, request, pk):
        from regions.models import Town
        from teams.models import Team

        selection_round = get_for_user(SelectionRound.objects.all(), request.user, VIEW, pk=pk)
        form = ConstraintForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写锁定或排除的理由。")
            return redirect(request.META.get("HTTP_REFERER") or selection_round.get_absolute_url())
        town = get_object_or_404(Town, pk=form.cleaned_data["town"])
        team = get_object_or_404(Team, pk=form.cleaned_data["team"])
        try:
            services.constraint_set(actor=request.user, selection_round=selection_round, town=town, team=team,
                                    kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "已%s：%s—%s。重新运行后生效。" % (
                "锁定" if form.cleaned_data["kind"] == "lock" else "排除", town.name, team.name))
        return redirect(request.META.get("HTTP_REFERER") or selection_round.get_absolute_url())


class ConstraintRemoveView(PageMixin, View):
    roles = ORGANIZERS

    def post(self, request, pk, constraint):
        row = get_for_user(PairConstraint.objects.select_related("round"), request.user, VIEW, pk=constraint, round_id=pk)
        try:
            services.constraint_remove(actor=request.user, constraint=row)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        return redirect(row.round.get_absolute_url())


class PanelScoreView(PageMixin, View):
    roles = ORGANIZERS

    def post(self, request, pk):
        from regions.models import Town
        from teams.models import Team

        selection_round = get_for_user(SelectionRound.objects.all(), request.user, VIEW, pk=pk)
        form = PanelScoreForm(request.POST)
        if not form.is_valid():
            messages.error(request, "会议评分应为0到100之间的数字。")
        else:
            try:
                services.panel_score_set(actor=request.user, selection_round=selection_round,
                                         town=get_object_or_404(Town, pk=form.cleaned_data["town"]),
                                         team=get_object_or_404(Team, pk=form.cleaned_data["team"]),
                                         score=form.cleaned_data["score"])
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, "已记录会议评分，重新运行后生效。")
        return redirect(request.META.get("HTTP_REFERER") or selection_round.get_absolute_url())


class MeetingView(PageMixin, View):
    roles = ORGANIZERS

    def post(self, request, pk):
        selection_round = get_for_user(SelectionRound.objects.all(), request.user, VIEW, pk=pk)
        form = MeetingForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "；".join("%s：%s" % (form.fields[f].label, "".join(e)) for f, e in form.errors.items()))
        else:
            try:
                services.meeting_record(actor=request.user, selection_round=selection_round,
                                        meeting_date=form.cleaned_data["meeting_date"],
                                        participants=form.cleaned_data["meeting_participants"],
                                        minutes=form.cleaned_data.get("meeting_minutes"))
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, "已记录遴选会议。")
        return redirect(selection_round.get_absolute_url())


class MinutesView(PageMixin, View):
    """The round's meeting minutes, to those who may see the round."""

    roles = OFFICIALS

    def get(self, request, pk):
        selection_round = get_object_or_404(SelectionRound, pk=pk)
        return serve_file(request, selection_round, "meeting_minutes", filename="%s_会议纪要" % selection_round.title)


class FinalizeView(PageMixin, View):
    roles = ORGANIZERS

    def post(self, request, pk, run):
        selection_round = get_for_user(SelectionRound.objects.all(), request.user, VIEW, pk=pk)
        selection_run = get_object_or_404(SelectionRun, pk=run, round=selection_round)
        try:
            pairings = services.finalize(actor=request.user, selection_round=selection_round, run=selection_run)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "遴选结果已确定：生成 %d 个拟结对，已通知各团队。" % len(pairings))
        return redirect(selection_round.get_absolute_url())


class CompareView(PageMixin, TemplateView):
    template_name = "matching/compare.html"
    roles = OFFICIALS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection_round = get_for_user(SelectionRound.objects.all(), self.request.user, VIEW, pk=self.kwargs["pk"])
        runs = selection_round.runs.filter(status=RunStatus.DONE)
        a = get_object_or_404(runs, pk=_id(self.request.GET.get("a")))
        b = get_object_or_404(runs, pk=_id(self.request.GET.get("b")))
        context.update({"round": selection_round, "a": a, "b": b, "rows": compare(a, b),
                        "title": "比较 %s 与 %s" % (a, b),
                        "breadcrumbs": [("遴选", reverse("matching:round_list")),
                                        (str(selection_round), selection_round.get_absolute_url()), ("比较运行结果", None)]})
        return context


class PairingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", field_name="current_status", choices=PairingStatus.choices)

    class Meta:
        model = Pairing
        fields = ["cycle", "status", "organizer_level"]


class PairingListView(ScopedListView):
    model = Pairing
    table_class = PairingTable
    title = "结对"
    filterset_class = PairingFilter
    search_fields = ["town__name", "team__name"]
    empty_text = "暂无结对。遴选结果确定后将显示在这里。"

    def base_queryset(self):
        return with_effective_status(
            Pairing.objects.select_related("town", "town__county", "team", "team__lead_unit", "cycle")).order_by("town__code")


class PairingDetailView(ScopedDetailView):
    model = Pairing
    template_name = "matching/pairing_detail.html"
    detail_fields = ["cycle", "town", "team", "organizer_level", "status", "score", "proposed_at", "notice_started_at",
                     "notice_cleared_at", "registered_at", "active_from", "ended_at", "end_reason"]
    list_url_name = "matching:pairing_list"

    def base_queryset(self):
        return with_effective_status(Pairing.objects.select_related("town", "town__county", "team", "cycle", "round"))

    def field_rows(self):
        # Read only: the effective state (公示无异议 once its notice's period ended); the scheduled job records it.
        rows = super().field_rows()
        label = Pairing._meta.get_field("status").verbose_name
        return [(name, effective_status_label(self.object) if name == label else value) for name, value in rows]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = self.object
        # The town's succession: what replaced this pairing, what it replaced, and where a 递补 team is chosen.
        user = self.request.user
        context["replacement"] = restrict(Pairing, user).select_related("team").filter(replaces=pairing).first()
        context["replaced"] = (restrict(Pairing, user).select_related("team").filter(pk=pairing.replaces_id).first()
                               if pairing.replaces_id else None)
        if pairing.status == PairingStatus.WITHDRAWN:
            # The notice it was withdrawn from (notices sits above matching: followed by relation and URL name; the
            # notice page checks its own scope).
            notice_id = pairing.notice_entries.order_by("-pk").values_list("notice_id", flat=True).first()
            context["withdrawn_notice_url"] = reverse("notices:notice_detail", args=[notice_id]) if notice_id else ""
        return context
