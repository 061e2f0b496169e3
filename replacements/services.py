"""Every write of adjustment and replacement (调整更换), member changes and the end of a cycle.

Each function takes ``actor=`` and checks role and scope before it saves (the organizer of the town opens and decides
cases; the team's leader answers its own); statuses move only through ``core.workflow.apply_transition``; a decision
is one transaction: the old pairing ends on its date, its figures are kept, the new team is proposed (it goes through
notice and registration again) and the old team's funding is stopped or settled — or nothing is saved.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify
from core.china import add_working_days
from core.roles import ORGANIZERS, Role, is_system_admin
from core.scoping import CHANGE, VIEW, can, may_write, restrict
from core.workflow import apply_transition, record_creation
from fieldwork.choices import FlagStatus, RecordStatus
from fieldwork.models import Activity, Flag, Stay
from matching.choices import LIVE_PAIRING_STATES, PairingStatus
from matching.models import Pairing
from matching.pairings import pairing_move, recipients_for
from projects.services import organizer_users, team_leaders
from replacements.choices import (CASE_WORKFLOW, CHANGE_WORKFLOW, CaseStatus, Cause, ChangeStatus, Decision,
                                  FundingAction)
from replacements.models import Case, CaseFile, MemberChange, PairingFigures

WORKING = (PairingStatus.REGISTERED, PairingStatus.ACTIVE)
OPEN_CASE = (CaseStatus.OPEN, CaseStatus.ANSWERED)
ANSWER_WORKING_DAYS = 10
ANSWER_MAX_DAYS = 60
FILES_MAX = 10


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _merge(errors: dict, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    else:
        errors.setdefault("__all__", []).extend(error.messages)


def _date(value, label: str, key: str, errors: dict):
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            errors.setdefault(key, []).append(_("%(l)s格式不正确，应如2025-06-30。") % {"l": label})
            return None
    return value


def _is_organizer(actor, record) -> bool:
    return is_system_admin(actor) or (actor.role in ORGANIZERS and can(actor, record, CHANGE))


def pairing_start(pairing) -> dt.date:
    """The first day of the assistance: its activation, else its registration, else the cycle's start."""
    if pairing.active_from:
        return pairing.active_from
    if pairing.registered_at:
        return timezone.localtime(pairing.registered_at).date()
    return pairing.cycle.start_date


# ------------------------------------------------------------------------------------------------ evidence
def evidence_for(pairing, today: dt.date | None = None) -> dict:
    """What the platform holds on a pairing's work, as a snapshot kept with the case (a few set-based queries)."""
    from fieldwork.selectors import pace, stationed_days
    from projects.models import Project

    today = today or timezone.localdate()
    cycle = pairing.cycle
    days = stationed_days(cycle, pairing_ids=[pairing.pk], until=today, by="pairing").get(pairing.pk)
    the_pace = pace(cycle, days, today, pairing_start(pairing))
    activities = Activity.objects.filter(pairing=pairing).aggregate(
        confirmed=Count("pk", filter=Q(status=RecordStatus.CONFIRMED)),
        queried=Count("pk", filter=Q(status=RecordStatus.QUERIED)),
        recent=Count("pk", filter=Q(status=RecordStatus.CONFIRMED, date__gte=today - dt.timedelta(days=90))))
    last = (Activity.objects.filter(pairing=pairing, status=RecordStatus.CONFIRMED).order_by("-date")
            .values_list("date", flat=True).first())
    flags = [{"id": f.pk, "kind": f.kind, "kind_display": f.get_kind_display(), "status": f.status,
              "detail": f.detail, "opened_at": f.opened_at.date().isoformat() if f.opened_at else ""}
             for f in Flag.objects.filter(pairing=pairing).order_by("-opened_at", "pk")[:50]]
    projects = dict(Project.objects.filter(pairing=pairing).values("status").annotate(n=Count("pk"))
                    .values_list("status", "n"))
    return {
        "as_of": today.isoformat(),
        "days": {"counted": days.counted(cycle) if days else 0, "elsewhere": days.cross if days else 0,
                 "required": cycle.required_stationed_days, "expected_now": the_pace.expected_now,
                 "behind": the_pace.behind},
        "activities": {"confirmed": activities["confirmed"], "queried": activities["queried"],
                       "last_90_days": activities["recent"], "last_date": last.isoformat() if last else ""},
        "flags": flags,
        "noncooperation_reports": sum(1 for f in flags if f["kind"] == "noncooperation"),
        "projects": projects,
    }


# ------------------------------------------------------------------------------------------------ cases
def _files(case, uploads, kind, actor, errors) -> list:
    from calls.uploads import check_upload

    uploads = [u for u in (uploads or []) if u]
    if len(uploads) + (case.files.count() if case.pk else 0) > FILES_MAX:
        errors.setdefault("files", []).append(_("每个案件最多上传%(n)d个材料。") % {"n": FILES_MAX})
        return []
    for upload in uploads:
        try:
            check_upload(upload, label=_("材料%(n)s") % {"n": getattr(upload, "name", "")})
        except ValidationError as error:
            errors.setdefault("files", []).extend(error.messages)
    return uploads


def _store_files(case, uploads, kind, actor) -> None:
    for upload in uploads:
        record = CaseFile(case=case, kind=kind, name=(getattr(upload, "name", "") or "file")[:200], uploaded_by=actor)
        record.file.save(upload.name or "file.pdf", upload, save=False)
        record.save()


@transaction.atomic
def case_open(*, actor, pairing, cause: str, summary: str, answer_due=None, flag_ids=(), files=(),
              today: dt.date | None = None) -> Case:
    """The organizer of the town opens a case against a working pairing, with the evidence the platform holds."""
    today = today or timezone.localdate()
    pairing = Pairing.objects.select_for_update().select_related("cycle", "town", "team").get(pk=pairing.pk)
    case = Case(created_by=actor)
    case.copy_pairing(pairing)
    if not (is_system_admin(actor) or (actor.role in ORGANIZERS and may_write(actor, case, CHANGE))):
        raise PermissionDenied(_("只有该镇的组织单位（科技部门）可以发起调整更换。"))
    errors: dict = {}
    if pairing.status not in WORKING:
        errors.setdefault("pairing", []).append(_("结对“%(p)s”当前为“%(s)s”：只有已备案或帮扶中的结对可以调整更换。") % {
            "p": pairing, "s": pairing.get_status_display()})
    if Case.objects.filter(pairing=pairing, status__in=OPEN_CASE).exists():
        errors.setdefault("pairing", []).append(_("该结对已有未办结的调整更换案件，请在原案件中处理。"))
    if cause not in Cause.values:
        errors.setdefault("cause", []).append(_("请选择事由：%(c)s。") % {"c": "、".join(str(c.label) for c in Cause)})
    case.cause = cause or ""
    case.summary = (summary or "").strip()
    if not case.summary:
        errors.setdefault("summary", []).append(_("请填写情况说明。"))
    due = _date(answer_due, _("答复期限"), "answer_due", errors) if answer_due else add_working_days(
        today, ANSWER_WORKING_DAYS)
    if due is not None and due <= today:
        errors.setdefault("answer_due", []).append(_("答复期限应晚于今天。"))
    elif due is not None and due > min(today + dt.timedelta(days=ANSWER_MAX_DAYS), pairing.cycle.end_date):
        errors.setdefault("answer_due", []).append(_("答复期限不能晚于%(n)d天后，也不能晚于帮扶周期结束日期（%(d)s）。") % {
            "n": ANSWER_MAX_DAYS, "d": pairing.cycle.end_date.isoformat()})
    case.answer_due = due
    flags = list(Flag.objects.filter(pk__in=[int(pk) for pk in flag_ids or ()]))
    if flag_ids and (len(flags) != len(set(flag_ids)) or any(f.pairing_id != pairing.pk for f in flags)):
        errors.setdefault("flags", []).append(_("只能选择该结对的履职预警作为证据。"))
    uploads = _files(case, files, CaseFile.Kind.EVIDENCE, actor, errors)
    if "answer_due" not in errors:
        try:
            case.full_clean(exclude=[name for name in errors if name != "__all__"] + ["evidence"])
        except ValidationError as error:
            _merge(errors, error)
    _raise(errors)
    case.evidence = evidence_for(pairing, today)
    case.opened_at = timezone.now()
    case.save()
    case.flags.set(flags)
    _store_files(case, uploads, CaseFile.Kind.EVIDENCE, actor)
    record_creation(obj=case, action="open", actor=actor, comment=case.get_cause_display())
    notify(recipients=team_leaders(pairing.team_id),
           title=_("调整更换调查：%(t)s") % {"t": pairing.town.full_name},
           body=_("组织单位就“%(c)s”发起调查，请于%(d)s前答复。") % {"c": case.get_cause_display(), "d": due},
           link=case.get_absolute_url())
    return case


def _locked(case) -> Case:
    return Case.objects.select_for_update().select_related("pairing", "pairing__cycle", "home_town", "team").get(
        pk=case.pk)


@transaction.atomic
def case_answer(*, actor, case: Case, answer: str, files=()) -> Case:
    """The team's leader answers (again, until the decision): the text and its files."""
    case = _locked(case)
    if not (is_system_admin(actor) or (actor.role == Role.TEAM_LEADER and actor.team_id == case.team_id)):
        raise PermissionDenied(_("只有被调查团队的负责人可以答复。"))
    errors: dict = {}
    answer = (answer or "").strip()
    if not answer:
        errors["answer"] = [_("请填写答复内容。")]
    elif len(answer) > 2000:
        errors["answer"] = [_("答复内容不超过2000字（现%(n)d字）。") % {"n": len(answer)}]
    uploads = _files(case, files, CaseFile.Kind.ANSWER, actor, errors)
    _raise(errors)
    case.answer, case.answered_by = answer, actor
    apply_transition(workflow=CASE_WORKFLOW, obj=case, action="answer", actor=actor, comment=answer[:500],
                     save_fields=["answer", "answered_by"])
    _store_files(case, uploads, CaseFile.Kind.ANSWER, actor)
    notify(recipients=organizer_users(case.pairing), title=_("团队已答复调整更换调查：%(t)s") % {"t": case.home_town},
           body=answer[:200], link=case.get_absolute_url())
    return case


@transaction.atomic
def case_withdraw(*, actor, case: Case, comment: str) -> Case:
    case = _locked(case)
    if not _is_organizer(actor, case):
        raise PermissionDenied(_("只有该镇的组织单位可以撤销调查。"))
    apply_transition(workflow=CASE_WORKFLOW, obj=case, action="withdraw", actor=actor, comment=comment)
    notify(recipients=team_leaders(case.team_id), title=_("调整更换调查已撤销：%(t)s") % {"t": case.home_town},
           body=comment[:200], link=case.get_absolute_url())
    return case


def candidates(case_or_pairing) -> list[dict]:
    """The teams that may take the town: the round's kept alternates, not paired in the cycle, never replaced in
    this town, still holding an accepted application to the round's call."""
    from notices.services import replacement_candidates

    pairing = getattr(case_or_pairing, "pairing", case_or_pairing)
    return replacement_candidates(pairing)


def open_grants(pairing):
    """The grants of the pairing's projects still open (not stopped or settled)."""
    from reviews.models import Grant
    from reviews.selectors import grants_with_figures

    return grants_with_figures(Grant.objects.filter(project__pairing=pairing, closure="")).order_by("pk")


def _money(value, errors, key):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append(_("金额格式不正确，请填写数字（元）。"))
        return None
    return amount


@transaction.atomic
def case_decide(*, actor, case: Case, decision: str, reason: str, doc_number: str = "", end_date=None,
                new_team=None, via_new_call: bool = False, funding_action: str = "", settlements=None,
                today: dt.date | None = None) -> Case:
    """The organizer decides. A replacement ends the old pairing on ``end_date`` (its records and figures stay with
    it), proposes ``new_team`` from the alternates (or leaves the town to a new call), and stops or settles the old
    team's open grants (``settlements``: {grant id: amount} for ``settled``) — all or nothing."""
    from reviews.services import grant_close

    today = today or timezone.localdate()
    case = _locked(case)
    if not _is_organizer(actor, case):
        raise PermissionDenied(_("只有该镇的组织单位可以作出调整更换决定。"))
    pairing = Pairing.objects.select_for_update().select_related("cycle", "town", "team").get(pk=case.pairing_id)
    if case.status in (CaseStatus.DECIDED, CaseStatus.WITHDRAWN):
        raise ValidationError(_("该案件已%(s)s，不能再作决定。") % {"s": case.get_status_display()})
    for guard in CASE_WORKFLOW.guards("decide"):
        reason_refused = guard(case, actor)
        if reason_refused:
            raise ValidationError(reason_refused)
    errors: dict = {}
    if decision not in Decision.values:
        errors["decision"] = [_("请选择处理决定：%(d)s。") % {"d": "、".join(str(d.label) for d in Decision)}]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请填写决定理由。")]
    elif len(reason) > 2000:
        errors["reason"] = [_("决定理由不超过2000字（现%(n)d字）。") % {"n": len(reason)}]
    doc_number = (doc_number or "").strip()[:50]
    new_pairing, grants, amounts = None, [], {}
    if decision == Decision.REPLACEMENT:
        if pairing.status not in WORKING:
            errors.setdefault("__all__", []).append(_("结对当前为“%(s)s”，不能更换。") % {
                "s": pairing.get_status_display()})
        end_date = _date(end_date, _("原结对截止日期"), "end_date", errors)
        start = pairing_start(pairing)
        if end_date is None and "end_date" not in errors:
            errors["end_date"] = [_("请填写原结对的截止日期（原团队帮扶的最后一天）。")]
        elif end_date is not None:
            if end_date < start:
                errors["end_date"] = [_("截止日期不能早于该结对开始帮扶的日期（%(d)s）。") % {"d": start.isoformat()}]
            elif end_date > today:
                errors["end_date"] = [_("截止日期不能晚于今天：原结对在作出决定时结束。")]
            elif end_date > pairing.cycle.end_date:
                errors["end_date"] = [_("截止日期不能晚于帮扶周期结束日期（%(d)s）。") % {
                    "d": pairing.cycle.end_date.isoformat()}]
            else:
                later = (Stay.objects.filter(pairing=pairing, end_date__gt=end_date)
                         .exclude(status=RecordStatus.WITHDRAWN).count()
                         + Activity.objects.filter(pairing=pairing, date__gt=end_date)
                         .exclude(status=RecordStatus.WITHDRAWN).count())
                if later:
                    errors["end_date"] = [_("原团队在%(d)s之后还有%(n)d条服务活动或驻镇记录，截止日期不能早于这些记录。") % {
                        "d": end_date.isoformat(), "n": later}]
        chosen = str(new_team) if new_team not in (None, "") else ""
        if chosen and via_new_call:
            errors["new_team"] = [_("请在“递补团队”和“重新征集”中选择一种。")]
        elif not chosen and not via_new_call:
            errors["new_team"] = [_("更换团队须选择递补团队，或选择通过重新征集确定新团队。")]
        elif chosen and chosen not in {str(alt["team_id"]) for alt in candidates(pairing)}:
            errors["new_team"] = [_("只能从该镇的备选团队中选择尚未结对、且未被调整出该镇的团队。")]
        grants = list(open_grants(pairing))
        if grants:
            if funding_action not in FundingAction.values:
                errors["funding_action"] = [_("原团队有%(n)d项资助尚未结清，请选择停止拨付或结算。") % {"n": len(grants)}]
            elif funding_action == FundingAction.SETTLED:
                given = {str(k): v for k, v in (settlements or {}).items()}
                for grant in grants:
                    amount = _money(given.get(str(grant.pk)), errors, "settlements")
                    if amount is None and "settlements" not in errors:
                        errors.setdefault("settlements", []).append(_("请填写“%(n)s”的结算金额。") % {
                            "n": grant.project_number})
                    amounts[grant.pk] = amount
    else:
        if end_date or new_team or via_new_call or funding_action:
            errors.setdefault("decision", []).append(_("只有“更换团队”的决定需填写截止日期、递补团队和资助处理。"))
    _raise(errors)

    case.decision, case.decision_reason, case.doc_number, case.decided_by = decision, reason, doc_number, actor
    fields = ["decision", "decision_reason", "doc_number", "decided_by"]
    if decision == Decision.REPLACEMENT:
        comment = _("调整更换（%(c)s）：%(r)s") % {"c": case.get_cause_display(), "r": reason[:300]}
        figures_close(pairing, outcome="replaced", ended_on=end_date)
        pairing_move(pairing=pairing, move="replace", actor=actor, comment=comment, ended_on=end_date)
        for grant in grants:
            try:
                grant_close(actor=actor, grant=grant, closure=funding_action, amount=amounts.get(grant.pk),
                            reason=_("团队调整更换（%(d)s）") % {"d": today.isoformat()}, closed_on=today)
            except ValidationError as error:
                raise ValidationError({"settlements": ["%s：%s" % (grant.project_number, m) for m in error.messages]})
        _close_flags(pairing, actor, _("团队已调整更换（%(c)s）") % {"c": case.get_cause_display()})
        case.end_date, case.via_new_call, case.funding_action = end_date, bool(via_new_call), funding_action or ""
        case.settled_amount = sum((a for a in amounts.values() if a is not None), Decimal("0")) if amounts else None
        fields += ["end_date", "via_new_call", "funding_action", "settled_amount"]
        if not via_new_call:
            new_pairing = _propose(actor=actor, old=pairing, team_id=new_team, case=case)
            case.new_pairing = new_pairing
            fields.append("new_pairing")
    apply_transition(workflow=CASE_WORKFLOW, obj=case, action="decide", actor=actor,
                     comment="%s：%s" % (Decision(decision).label, reason[:300]), save_fields=fields)
    _tell_decision(case, pairing, new_pairing)
    return case


def _close_flags(pairing, actor, comment: str) -> None:
    """The old pairing's open flags are settled by the decision (the monitor's and the work team's reports alike):
    each closed by the system's step, recorded with the official who decided."""
    from fieldwork.choices import FLAG_WORKFLOW

    for flag in Flag.objects.select_for_update().filter(pairing=pairing, status=FlagStatus.OPEN).order_by("pk"):
        apply_transition(workflow=FLAG_WORKFLOW, obj=flag, action="clear", actor=actor, system=True, comment=comment)


def _propose(*, actor, old: Pairing, team_id, case: Case) -> Pairing:
    from matching.notify import tell_pairing_parties
    from teams.models import Team

    team = Team.objects.get(pk=team_id)
    score = next((alt.get("score") for alt in old.alternates if str(alt["team_id"]) == str(team_id)), None)
    new = Pairing(cycle=old.cycle, town=old.town, team=team, organizer_level=old.organizer_level, round=old.round,
                  status=PairingStatus.PROPOSED, score=score,
                  reasons=[str(_("调整更换递补：原团队“%(t)s”（%(c)s）") % {"t": old.team.name,
                                                                   "c": case.get_cause_display()})],
                  alternates=[alt for alt in old.alternates if str(alt["team_id"]) != str(team_id)],
                  replaces=old, proposed_at=timezone.now())
    try:
        new.full_clean(validate_constraints=True)
    except ValidationError as error:
        raise ValidationError({"new_team": error.messages})
    new.save()
    record_creation(obj=new, action="propose", actor=actor,
                    comment=_("调整更换递补%(t)s") % {"t": old.town.name})
    tell_pairing_parties([new], title=_("调整更换：%(team)s拟与%(town)s结对"),
                         body=_("因原结对团队调整更换，%(team)s作为备选团队递补%(town)s，将重新公示并备案。"))
    return new


def _tell_decision(case, pairing, new_pairing) -> None:
    recipients = team_leaders(case.team_id) + list(User.objects.filter(role=Role.TOWN, town_id=case.home_town_id,
                                                                       is_active=True))
    body = case.get_decision_display()
    if case.decision == Decision.REPLACEMENT:
        body = _("更换团队：原结对于%(d)s结束。%(n)s") % {
            "d": case.end_date, "n": (_("递补团队：%(t)s，将重新公示。") % {"t": new_pairing.team.name})
            if new_pairing else _("将通过重新征集确定新团队。")}
    notify(recipients=recipients, title=_("调整更换决定：%(t)s") % {"t": pairing.town.full_name}, body=body,
           link=case.get_absolute_url())


# ------------------------------------------------------------------------------------------------ figures
def figures_close(pairing, *, outcome: str, ended_on: dt.date) -> PairingFigures:
    """Keep the figures a pairing ends with (its confirmed records up to ``ended_on``): computed in a few aggregate
    queries, written once (a second call returns the kept row)."""
    from fieldwork.selectors import stationed_days
    from projects.models import Project
    from reviews.models import Disbursement, Grant

    kept = PairingFigures.objects.filter(pairing=pairing).first()
    if kept:
        return kept
    cycle = pairing.cycle
    days = stationed_days(cycle, pairing_ids=[pairing.pk], until=ended_on, by="pairing").get(pairing.pk)
    acts = Activity.objects.filter(pairing=pairing, status=RecordStatus.CONFIRMED, date__lte=ended_on).aggregate(
        n=Count("pk"), cross=Count("pk", filter=Q(cross_town=True)), people=Sum("people_trained"),
        households=Sum("households_served"))
    projects = Project.objects.filter(pairing=pairing).aggregate(
        n=Count("pk", filter=~Q(status="discarded")), approved=Count("pk", filter=Q(status="approved")))
    granted = Grant.objects.filter(project__pairing=pairing).aggregate(s=Sum("amount"))["s"] or 0
    paid = Disbursement.objects.filter(grant__project__pairing=pairing).aggregate(s=Sum("amount"))["s"] or 0
    figures = PairingFigures(
        pairing=pairing, cycle=cycle, team_id=pairing.team_id, town_id=pairing.town_id,
        organizer_level=pairing.organizer_level, ended_on=ended_on, outcome=outcome,
        stationed_days=days.counted(cycle) if days else 0, required_days=cycle.required_stationed_days,
        activities=acts["n"], cross_town_activities=acts["cross"],
        people_served=(acts["people"] or 0) + (acts["households"] or 0),
        projects=projects["n"], projects_approved=projects["approved"], granted=granted, disbursed=paid,
        open_flags=Flag.objects.filter(pairing=pairing, status=FlagStatus.OPEN).count())
    figures.save()
    return figures


# ------------------------------------------------------------------------------------------------ member changes
def _team_size(team_id) -> int:
    from teams.models import TeamMembership

    return TeamMembership.objects.filter(team_id=team_id).count()


@transaction.atomic
def member_change_record(*, actor, pairing, effective_date, reason: str, leaving=None, joining_id_number: str = "",
                         joining_name: str = "", joining_phone: str = "", case=None,
                         today: dt.date | None = None) -> MemberChange:
    """The organizer records that a member leaves and/or one joins a working pairing's team: the team keeps the
    cycle's size bounds, the joining person (already in the registry: ID number, name and mobile number must match)
    is eligible and in no other team; then the change awaits registration by the pairing's recipients."""
    from teams.models import Commissioner, TeamMembership
    from teams.services import clean_id_number, eligibility_problems, find_by_id_number
    from core.china import normalize_phone

    today = today or timezone.localdate()
    pairing = Pairing.objects.select_for_update().select_related("cycle", "town", "team").get(pk=pairing.pk)
    change = MemberChange(created_by=actor, case=case)
    change.copy_pairing(pairing)
    if not (is_system_admin(actor) or (actor.role in ORGANIZERS and may_write(actor, change, CHANGE))):
        raise PermissionDenied(_("只有该镇的组织单位（科技部门）可以登记团队成员变更。"))
    errors: dict = {}
    if pairing.status not in WORKING:
        errors.setdefault("pairing", []).append(_("结对当前为“%(s)s”：只有已备案或帮扶中的团队可以变更成员。") % {
            "s": pairing.get_status_display()})
    if case is not None and case.pairing_id != pairing.pk:
        errors.setdefault("case", []).append(_("所选案件不属于该结对。"))
    leaving_row = None
    if leaving not in (None, ""):
        leaving_id = getattr(leaving, "pk", leaving)
        leaving_row = TeamMembership.objects.filter(team_id=pairing.team_id, commissioner_id=leaving_id).select_related(
            "commissioner").first()
        if leaving_row is None:
            errors["leaving"] = [_("退出成员须是该团队的现有成员。")]
        elif leaving_row.role == "leader":
            errors["leaving"] = [_("团队负责人不能以成员变更方式退出；更换负责人请发起调整更换。")]
    joining = None
    number = (joining_id_number or "").strip()
    if number:
        try:
            number = clean_id_number(number)
        except ValidationError as error:
            errors["joining_id_number"] = error.messages
        else:
            joining = find_by_id_number(number)
            if joining is None:
                errors["joining_id_number"] = [_("特派员库中没有该身份证号码：新成员须先由其派出单位在特派员库登记。")]
            elif ((joining_name or "").strip() != joining.name
                  or normalize_phone(joining_phone or "") != normalize_phone(joining.phone)):
                errors["joining_id_number"] = [_("该身份证号码已登记，但姓名或手机号码与登记信息不一致，请核对。")]
                joining = None
            elif TeamMembership.objects.filter(cycle=pairing.cycle, commissioner=joining).exists():
                errors["joining_id_number"] = [_("%(n)s已是本周期其他团队或本团队的成员。") % {"n": joining.name}]
                joining = None
            else:
                problems = eligibility_problems(joining, pairing.cycle, exclude_team=pairing.team)
                if problems:
                    errors["joining_id_number"] = [str(p) for p in problems]
                    joining = None
    if leaving_row is None and joining is None and not errors:
        errors["__all__"] = [_("请填写退出成员或新增成员（至少一项）。")]
    size = _team_size(pairing.team_id)
    after = size - (1 if leaving_row else 0) + (1 if joining else 0)
    cycle = pairing.cycle
    if not errors and not cycle.team_size_min <= after <= cycle.team_size_max:
        errors["__all__"] = [_("变更后团队为%(n)d人，不符合本周期团队人数要求（%(a)d至%(b)d人，含负责人）。"
                               "请同时填写退出成员和新增成员。") % {"n": after, "a": cycle.team_size_min,
                                                                    "b": cycle.team_size_max}]
    effective = _date(effective_date, _("生效日期"), "effective_date", errors)
    if effective is None and "effective_date" not in errors:
        errors["effective_date"] = [_("请填写生效日期。")]
    elif effective is not None and not pairing_start(pairing) <= effective <= today:
        errors["effective_date"] = [_("生效日期应在结对开始帮扶（%(d)s）之后、今天之前。") % {
            "d": pairing_start(pairing).isoformat()}]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请填写变更原因。")]
    _raise(errors)
    change.leaving = leaving_row.commissioner if leaving_row else None
    change.joining = joining
    change.effective_date, change.reason = effective, reason
    change.size_before, change.size_after = size, after
    try:
        change.full_clean()
    except ValidationError as error:
        raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)
    change.save()
    if leaving_row is not None:
        user = leaving_row.commissioner.user
        leaving_row.delete()
        if user is not None and user.team_id == pairing.team_id and user.role == Role.TEAM_MEMBER:
            user.is_active = False
            user.save(update_fields=["is_active"])
    if joining is not None:
        membership = TeamMembership(team=pairing.team, commissioner=joining, cycle=pairing.cycle, role="member")
        membership.full_clean(validate_constraints=False)
        membership.save()
    record_creation(obj=change, action="record", actor=actor, comment=reason[:300])
    if not recipients_for(pairing):
        apply_transition(workflow=CHANGE_WORKFLOW, obj=change, action="not_required", actor=actor, system=True,
                         comment=_("省级组织的团队，无需另行备案"))
    else:
        level = recipients_for(pairing)[0]
        notify(recipients=_recipient_users(pairing, level),
               title=_("团队成员变更待备案：%(t)s") % {"t": pairing.team.name}, body=str(change),
               link=change.get_absolute_url())
    notify(recipients=team_leaders(pairing.team_id), title=_("团队成员已变更：%(t)s") % {"t": pairing.team.name},
           body=str(change), link=change.get_absolute_url())
    return change


def _recipient_users(pairing, level: str):
    if level == "city":
        return list(User.objects.filter(role=Role.CITY_ST, city_id=pairing.town.county.city_id, is_active=True))
    return list(User.objects.filter(role=Role.PROVINCE, province_code=pairing.town.county.city.province_code,
                                    is_active=True))


@transaction.atomic
def member_change_confirm(*, actor, change: MemberChange, action: str, comment: str = "") -> MemberChange:
    """A recipient of the pairing's registration confirms the change (the city first for a county pairing)."""
    change = MemberChange.objects.select_for_update().select_related("pairing", "home_town__county__city").get(
        pk=change.pk)
    if action not in ("confirm_city", "confirm_province"):
        raise ValidationError(_("未知操作：%(a)s") % {"a": action})
    if not (is_system_admin(actor) or restrict(MemberChange.objects.filter(pk=change.pk), actor, VIEW).exists()):
        raise PermissionDenied(_("您无权确认该成员变更。"))
    apply_transition(workflow=CHANGE_WORKFLOW, obj=change, action=action, actor=actor, comment=comment)
    if action == "confirm_city":
        notify(recipients=_recipient_users(change.pairing, "province"),
               title=_("团队成员变更待备案：%(t)s") % {"t": change.team}, body=str(change), link=change.get_absolute_url())
    return change


# ------------------------------------------------------------------------------------------------ end of a cycle
def cycle_end_pairings(*, cycle, actor=None, today: dt.date | None = None) -> int:
    """When a cycle has ended, its working pairings end on its last day (the system's step, or the official's who
    asked), with their figures kept. Idempotent: a pairing already ended is skipped. Returns how many ended."""
    today = today or timezone.localdate()
    if cycle.end_date >= today:
        return 0
    ended = 0
    for pk in Pairing.objects.filter(cycle=cycle, status__in=WORKING).values_list("pk", flat=True):
        with transaction.atomic():
            pairing = Pairing.objects.select_for_update().select_related("cycle").get(pk=pk)
            if pairing.status not in WORKING:
                continue
            figures_close(pairing, outcome="ended", ended_on=cycle.end_date)
            pairing_move(pairing=pairing, move="end", actor=actor, ended_on=cycle.end_date,
                         comment=_("帮扶周期（%(c)s）于%(d)s届满") % {"c": cycle.name, "d": cycle.end_date.isoformat()})
            ended += 1
    return ended


def cycle_end(*, actor, cycle, today: dt.date | None = None) -> int:
    """The city S&T bureau ends a past cycle's pairings now instead of waiting for the scheduled job."""
    from cycles.choices import CYCLE_EDITORS

    if not (is_system_admin(actor) or actor.role in CYCLE_EDITORS):
        raise PermissionDenied(_("只有市科技局可以结束帮扶周期的结对。"))
    today = today or timezone.localdate()
    if cycle.end_date >= today:
        raise ValidationError(_("帮扶周期于%(d)s结束，届满后方可结束其结对。") % {"d": cycle.end_date.isoformat()})
    return cycle_end_pairings(cycle=cycle, actor=actor, today=today)
