"""Writes for selection: open a round, run the engine, lock/exclude pairs, panel scores, the meeting, finalize."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import notify
from core.scoping import CHANGE, can
from core.workflow import Conflict, apply_transition, record_creation
from matching.choices import ROUND_WORKFLOW, RUN_WORKFLOW, ConstraintKind, PairingStatus, RoundStatus, RunStatus
from matching.engine import EngineInputError, MatchResult, Weights, match
from matching.models import PairConstraint, Pairing, PanelScore, SelectionRound, SelectionRun
from matching.selectors import engine_inputs, live_pairings, round_inputs
from needs.taxonomy import current_taxonomy
from core.roles import is_system_admin
from matching.notify import tell_pairing_parties


def _require_change(actor, obj, message):
    if not can(actor, obj, CHANGE):
        raise PermissionDenied(message)


def _require_open(selection_round):
    if selection_round.status != RoundStatus.OPEN:
        # Another official (or a second click) moved the round first: a conflict (API 409), named by its state.
        raise Conflict(_("该遴选当前状态为“%(s)s”，不能再修改，请刷新后查看。") % {"s": selection_round.get_status_display()})


@transaction.atomic
def round_open(*, actor, call, title: str = "", early_reason: str = "", today=None) -> SelectionRound:
    """The call's organizer opens a selection round over the call's towns.

    Selection starts after the call closes; before that only with a recorded reason (``early_reason``, kept as the
    round's opening transition), because teams may still apply.
    """
    from calls.choices import CallStatus
    from calls.models import Call
    from core.fields import check_comment

    if not Call.objects.filter(Call.scope_q(actor, CHANGE), pk=call.pk).exists() and not is_system_admin(actor):
        raise PermissionDenied(_("只有征集通知的组织单位可以发起遴选。"))
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(_("征集通知“%(t)s”%(s)s，不能发起遴选。") % {"t": call.title, "s": call.get_status_display()})
    today = today or timezone.localdate()
    early_reason = (early_reason or "").strip()
    check_comment(early_reason)
    if today <= call.close_date and not early_reason:
        raise ValidationError({"early_reason": _("征集申报%(d)s才截止，团队仍可申报；如需提前遴选，请填写理由。") % {
            "d": call.close_date.strftime("%Y-%m-%d")}})
    if SelectionRound.objects.filter(call=call, status=RoundStatus.OPEN).exists():
        raise ValidationError(_("该征集已有进行中的遴选。"))
    selection_round = SelectionRound(call=call, cycle=call.cycle, title=title or "%s · 遴选" % call.title,
                                     created_by=actor)
    selection_round.full_clean()
    selection_round.save()
    record_creation(obj=selection_round, action="open", actor=actor,
                    comment=(str(_("申报截止前发起：")) + early_reason) if today <= call.close_date else "")
    return selection_round


def weights_from(values: dict) -> dict:
    try:
        return Weights.from_mapping({k: float(v) for k, v in values.items()}).as_dict()
    except (EngineInputError, TypeError, ValueError) as error:
        raise ValidationError({"weights": str(error)})


@transaction.atomic
def run_create(*, actor, selection_round: SelectionRound, weights: dict | None = None) -> SelectionRun:
    """Snapshot the round's inputs (towns, needs, teams, locks, exclusions, panel scores, weights) as a new run."""
    _require_change(actor, selection_round, _("您无权运行该遴选。"))
    _require_open(selection_round)
    if weights is not None:
        selection_round.weights = weights_from(weights)
        selection_round.save(update_fields=["weights", "updated_at"])
    inputs = round_inputs(selection_round)
    if not inputs["towns"]:
        raise ValidationError(_("本次征集的镇均已结对，无需遴选。"))
    if not inputs["teams"]:
        raise ValidationError(_("没有已受理且尚未结对的申报团队，无法遴选。"))
    inputs["constraints"] = [
        {"town": c.town.code, "team": str(c.team_id), "kind": c.kind, "reason": c.reason}
        for c in selection_round.constraints.select_related("town")
    ]
    # A team replaced in a town (调整更换) is never paired with that town again in the same cycle.
    inputs["constraints"] += [
        {"town": code, "team": str(team_id), "kind": ConstraintKind.EXCLUDE, "reason": str(_("已被调整更换"))}
        for code, team_id in replaced_pairs(selection_round.cycle)
    ]
    inputs["panel"] = [
        {"town": p.town.code, "team": str(p.team_id), "score": float(p.score)}
        for p in selection_round.panel_scores.select_related("town")
    ]
    number = (selection_round.runs.aggregate(n=Max("number"))["n"] or 0) + 1
    run = SelectionRun(round=selection_round, number=number, weights=dict(selection_round.weights), inputs=inputs,
                       created_by=actor)
    run.record_taxonomy(current_taxonomy())  # the taxonomy officials edit, snapshotted with its version
    run.save()
    return run


def _run_step(run: SelectionRun, action: str, fields=()) -> None:
    """A run's system step (started, finished, failed), recorded with the official who ran it."""
    run.refresh_from_db(fields=["status"])  # the stored state: apply_transition's check-and-set compares with it
    apply_transition(workflow=RUN_WORKFLOW, obj=run, action=action, actor=run.created_by, save_fields=list(fields),
                     system=True)


def replaced_pairs(cycle) -> set[tuple[str, int]]:
    """(town code, team id) of the cycle's replaced pairings: such a pair is never proposed again that cycle."""
    return set(Pairing.objects.filter(cycle=cycle, status=PairingStatus.REPLACED)
               .values_list("town__code", "team_id"))


def run_compute(run: SelectionRun) -> MatchResult:
    """The engine's result for a run's stored inputs, weights and taxonomy snapshot; saves nothing.

    Whatever the taxonomy or the round look like today, re-computing an old run reproduces its result.
    """
    needs, teams = engine_inputs(run.inputs)
    town_codes = {t["code"] for t in run.inputs["towns"]}
    team_ids = {t["team_id"] for t in run.inputs["teams"]}
    usable = [c for c in run.inputs.get("constraints", []) if c["town"] in town_codes and c["team"] in team_ids]
    locked = [(c["town"], c["team"]) for c in usable if c["kind"] == ConstraintKind.LOCK]
    excluded = [(c["town"], c["team"]) for c in usable if c["kind"] == ConstraintKind.EXCLUDE]
    panel = {(p["town"], p["team"]): p["score"] for p in run.inputs.get("panel", [])
             if p["town"] in town_codes and p["team"] in team_ids}
    return match(needs, teams, Weights.stored(run.weights), locked=locked, excluded=excluded, panel_scores=panel,
                 taxonomy=run.engine_taxonomy())  # the run's own snapshot (old runs: the shipped file)


def run_execute(run: SelectionRun, progress=None) -> SelectionRun:
    """Run the engine on the run's stored inputs and keep its result (called by the background task)."""
    _run_step(run, "start")
    if progress:
        progress.update(0, 3, "正在准备数据……")
    if progress:
        progress.update(1, 3, "正在计算匹配度与最优分配……")
    try:
        result = run_compute(run)
    except EngineInputError as error:
        run.error = str(error)
        _run_step(run, "fail", fields=["error"])
        return run
    data = result.to_dict()
    run.result, run.total_score = data, result.total_score
    _run_step(run, "finish", fields=["result", "total_score"])
    if progress:
        progress.update(3, 3, "完成")
    run.refresh_from_db()
    return run


def _pair_check(selection_round, town, team):
    from calls.choices import ApplicationStatus

    if not selection_round.call.towns.filter(pk=town.pk).exists():
        raise ValidationError(_("%(t)s不在本次征集范围内。") % {"t": town.name})
    if not selection_round.call.applications.filter(team=team, status=ApplicationStatus.ACCEPTED).exists():
        raise ValidationError(_("“%(t)s”没有已受理的申报。") % {"t": team.name})


@transaction.atomic
def constraint_set(*, actor, selection_round, town, team, kind: str, reason: str) -> PairConstraint:
    """Lock a pair into, or exclude it from, the proposal, with a recorded reason (replaces an earlier one)."""
    _require_change(actor, selection_round, _("您无权调整该遴选。"))
    _require_open(selection_round)
    if kind not in ConstraintKind.values:
        raise ValidationError({"kind": _("未知的类型。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写锁定或排除的理由。")})
    _pair_check(selection_round, town, team)
    if kind == ConstraintKind.LOCK:
        clash = selection_round.constraints.filter(kind=ConstraintKind.LOCK).exclude(town=town, team=team)
        if clash.filter(town=town).exists():
            raise ValidationError(_("%(t)s已锁定了其他团队，请先解除。") % {"t": town.name})
        if clash.filter(team=team).exists():
            raise ValidationError(_("“%(t)s”已锁定到其他镇，请先解除。") % {"t": team.name})
    row, _created = PairConstraint.objects.update_or_create(
        round=selection_round, town=town, team=team,
        defaults={"kind": kind, "reason": reason.strip(), "created_by": actor})
    return row


@transaction.atomic
def constraint_remove(*, actor, constraint: PairConstraint) -> None:
    _require_change(actor, constraint.round, _("您无权调整该遴选。"))
    _require_open(constraint.round)
    constraint.delete()


@transaction.atomic
def panel_score_set(*, actor, selection_round, town, team, score, note: str = "") -> PanelScore:
    """Enter the selection meeting's score for a pair (0–100)."""
    _require_change(actor, selection_round, _("您无权调整该遴选。"))
    _require_open(selection_round)
    _pair_check(selection_round, town, team)
    try:
        value = float(score)
    except (TypeError, ValueError):
        raise ValidationError({"score": _("评分必须是数字。")})
    if not 0 <= value <= 100:
        raise ValidationError({"score": _("评分应在0到100之间。")})
    row, _created = PanelScore.objects.update_or_create(round=selection_round, town=town, team=team,
                                                        defaults={"score": value, "note": note})
    return row


@transaction.atomic
def meeting_record(*, actor, selection_round, meeting_date, participants: str, minutes=None) -> SelectionRound:
    """Record the selection meeting: date, participants and minutes file."""
    _require_change(actor, selection_round, _("您无权调整该遴选。"))
    _require_open(selection_round)
    if not meeting_date:
        raise ValidationError({"meeting_date": _("请填写会议日期。")})
    opened = selection_round.call.open_date
    if isinstance(meeting_date, dt.date) and meeting_date < opened:
        raise ValidationError({"meeting_date": _("遴选会议日期不能早于征集开始日期（%(d)s）。") % {"d": opened.isoformat()}})
    if not (participants or "").strip():
        raise ValidationError({"meeting_participants": _("请填写参会人员。")})
    selection_round.meeting_date = meeting_date
    selection_round.meeting_participants = participants.strip()
    if minutes is not None:
        from calls.uploads import check_upload

        check_upload(minutes, label="会议纪要")
        selection_round.meeting_minutes = minutes
    selection_round.full_clean()
    selection_round.save()
    return selection_round


def finalize(*, actor, selection_round: SelectionRound, run: SelectionRun) -> list[Pairing]:
    """Create the pairings exactly as ``run`` shows them, mark the towns' needs matched, tell the teams."""
    from needs.choices import NeedStatus
    from needs.models import Need
    from needs.services import needs_system_move

    _require_change(actor, selection_round, _("您无权确定该遴选。"))
    with transaction.atomic():
        selection_round = SelectionRound.objects.select_for_update().get(pk=selection_round.pk)
        _require_open(selection_round)
        if run.round_id != selection_round.pk or run.status != RunStatus.DONE:
            raise ValidationError(_("只能确定本遴选中已完成的运行结果。"))
        if not selection_round.meeting_date or not selection_round.meeting_participants:
            raise ValidationError(_("请先记录遴选会议（日期、参会人员、会议纪要）。"))
        assignments = run.result.get("assignments", [])
        if not assignments:
            raise ValidationError(_("该方案没有任何结对。"))
        from regions.models import Town
        from teams.models import Team

        towns = {t.code: t for t in Town.objects.filter(code__in=[a["town_code"] for a in assignments])}
        teams = {str(t.pk): t for t in Team.objects.filter(pk__in=[a["team_id"] for a in assignments])}
        live = live_pairings(selection_round.cycle)
        taken_towns = set(live.filter(town__in=towns.values()).values_list("town__name", flat=True))
        taken_teams = set(live.filter(team__in=teams.values()).values_list("team__name", flat=True))
        if taken_towns or taken_teams:
            raise ValidationError(_("方案中有镇或团队已在本周期结对：%(x)s。请重新运行。") % {
                "x": "、".join(sorted(taken_towns | taken_teams))})
        # A team that withdrew (or was otherwise moved) after the run is not paired: its application must still be
        # accepted for this call.
        accepted = set(selection_round.call.applications.filter(status="accepted").values_list("team_id", flat=True))
        gone = sorted(team.name for team in teams.values() if team.pk not in accepted)
        if gone:
            raise ValidationError(_("方案中的团队已不再是本次征集的受理申报：%(x)s。请重新运行。") % {"x": "、".join(gone)})
        level = selection_round.call.organizer_level
        now = timezone.now()
        candidates = run.result.get("candidates", {})
        names = {t["team_id"]: t["name"] for t in run.inputs["teams"]}
        pairings = []
        for assignment in assignments:
            alternates = [{"team_id": c["team_id"], "team_name": names.get(c["team_id"], ""), "score": c["score"]}
                          for c in candidates.get(assignment["town_code"], []) if c["team_id"] != assignment["team_id"]]
            pairing = Pairing(cycle=selection_round.cycle, town=towns[assignment["town_code"]],
                              team=teams[assignment["team_id"]], organizer_level=level, round=selection_round,
                              status=PairingStatus.PROPOSED, score=assignment["score"], reasons=assignment["reasons"],
                              alternates=alternates, proposed_at=now)
            pairing.full_clean(validate_constraints=False)
            try:
                with transaction.atomic():
                    pairing.save()
            except IntegrityError:
                raise ValidationError(_("%(t)s或其团队已在本周期结对。") % {"t": pairing.town.name})
            record_creation(obj=pairing, action="propose", actor=actor, comment=selection_round.title)
            pairings.append(pairing)
        selection_round.finalized_run = run
        selection_round.finalized_by = actor
        apply_transition(workflow=ROUND_WORKFLOW, obj=selection_round, action="finalize", actor=actor,
                         comment="第%d次运行" % run.number, save_fields=["finalized_run", "finalized_by"])
        needs = Need.objects.filter(cycle=selection_round.cycle, town__in=towns.values(), status=NeedStatus.CONFIRMED)
        needs_system_move(needs=list(needs), move="match", actor=actor, comment=selection_round.title)
    tell_pairing_parties(pairings, title=_("遴选结果：%(team)s拟与%(town)s结对"),
                         body=_("经遴选，%(team)s拟与%(town)s结对帮扶；下一步由组织单位发布公示（不少于5个工作日）。"))
    return pairings


@transaction.atomic
def round_cancel(*, actor, selection_round, reason: str) -> SelectionRound:
    _require_change(actor, selection_round, _("您无权取消该遴选。"))
    _require_open(selection_round)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写取消理由。")})
    apply_transition(workflow=ROUND_WORKFLOW, obj=selection_round, action="cancel", actor=actor, comment=reason)
    return selection_round
