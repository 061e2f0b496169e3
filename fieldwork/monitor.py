"""The compliance monitor (履职监测): flags a working pairing whose team is behind its stationed-day pace, has no
confirmed activity for the cycle's ``inactivity_days``, is late with its project or its agreement, or has tasks
overdue — and closes each flag by itself once its cause is gone (a flag that comes back is the same record, reopened,
so its history is one). A work team's report of non-cooperation is a flag too, closed by hand.

Run by ``manage.py run_scheduled`` (job ``fieldwork_flags``); idempotent and safe to run twice at once: a flag is one
row per pairing and kind (a unique constraint), every move is a check-and-set workflow step, and a run that finds the
state already moved skips it. Everything is counted in a few set-based queries per cycle, never a loop of queries per
team.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from core.workflow import record_creation
from fieldwork import selectors
from fieldwork.choices import FlagKind, FlagStatus, RecordStatus
from fieldwork.models import Activity, Flag, Task
from fieldwork.services import _tell_flag, flag_system_move

AUTOMATIC = (FlagKind.PACE, FlagKind.INACTIVE, FlagKind.PROJECT_LATE, FlagKind.AGREEMENT_MISSING,
             FlagKind.TASKS_OVERDUE)


def causes_for(cycle, pairings, today: dt.date) -> dict:
    """``{(pairing_id, kind): detail}`` of what is wrong now, for the working pairings of one cycle."""
    from projects.selectors import pairings_agreement_late, pairings_project_late, registered_on

    causes: dict = {}
    if not pairings:
        return causes
    team_ids = [p.team_id for p in pairings]
    days = selectors.stationed_days(cycle, pairing_ids=[p.pk for p in pairings], until=today, by="pairing")
    last = dict(Activity.objects.filter(cycle=cycle, status=RecordStatus.CONFIRMED, team_id__in=team_ids)
                .values("team_id").annotate(last=Max("date")).values_list("team_id", "last"))
    overdue = dict(selectors.overdue_tasks(Task.objects.filter(cycle=cycle), today).values("pairing_id")
                   .annotate(n=Count("pk")).values_list("pairing_id", "n"))
    project_late = set(pairings_project_late(cycle).values_list("pk", flat=True))
    agreement_late = set(pairings_agreement_late(cycle).values_list("pk", flat=True))
    for pairing in pairings:
        since = registered_on(pairing) or cycle.start_date
        pace = selectors.pace(cycle, days.get(pairing.pk), today, since)
        if pace.behind:
            causes[(pairing.pk, FlagKind.PACE)] = (
                "已确认驻镇%d人天，按周期进度此时应约%d人天（要求%d人天）；今后每月需约%.1f人天。"
                % (pace.counted, pace.expected_now, pace.required, pace.per_month))
        reference = last.get(pairing.team_id) or since
        quiet = (today - reference).days
        if quiet > cycle.inactivity_days and (today - since).days > cycle.inactivity_days:
            causes[(pairing.pk, FlagKind.INACTIVE)] = (
                "最近一次已确认的服务活动在%s，已%d天没有已确认的服务活动（预警线%d天）。"
                % (last[pairing.team_id].isoformat(), quiet, cycle.inactivity_days) if pairing.team_id in last
                else "结对以来%d天没有已确认的服务活动（预警线%d天）。" % (quiet, cycle.inactivity_days))
        if pairing.pk in project_late:
            causes[(pairing.pk, FlagKind.PROJECT_LATE)] = "帮扶项目报送期限已过，尚未报送项目。"
        if pairing.pk in agreement_late:
            causes[(pairing.pk, FlagKind.AGREEMENT_MISSING)] = "帮扶协议签订期限已过，协议尚未经镇确认。"
        if overdue.get(pairing.pk):
            causes[(pairing.pk, FlagKind.TASKS_OVERDUE)] = "驻镇工作队布置的任务有%d项逾期未完成。" % overdue[pairing.pk]
    return causes


def _open(pairing, kind, detail, now) -> bool:
    flag = Flag(kind=kind, detail=detail[:500], opened_at=now)
    flag.copy_pairing(pairing)
    try:
        with transaction.atomic():
            flag.save()
            record_creation(obj=flag, action="raise", actor=None, comment=detail[:1000])
            _tell_flag(flag, opened=True)
    except IntegrityError:  # another run opened it a moment ago
        return False
    return True


def _move(flag, action, detail, now) -> bool:
    try:
        with transaction.atomic():
            flag_system_move(flag, action, detail, now)
    except ValidationError:  # another run moved it a moment ago (Conflict, or the state already moved)
        return False
    return True


def run(today: dt.date | None = None, cycles=None) -> dict:
    """Open, reopen and close the monitor's flags; returns the counts."""
    from cycles.models import Cycle
    from projects.selectors import working_pairings

    today = today or timezone.localdate()
    now = timezone.now()
    cycles = cycles if cycles is not None else Cycle.objects.filter(status=Cycle.Status.OPEN)
    counts = {"opened": 0, "reopened": 0, "closed": 0}
    for cycle in cycles:
        pairings = list(working_pairings(cycle).select_related("team__lead_unit", "town__county__city", "cycle"))
        by_pk = {p.pk: p for p in pairings}
        causes = causes_for(cycle, pairings, today)
        flags = {(f.pairing_id, f.kind): f for f in Flag.objects.filter(cycle=cycle, kind__in=AUTOMATIC)
                 .select_related("team__lead_unit", "home_town__county__city", "pairing__town__county")}
        for key, detail in causes.items():
            flag = flags.get(key)
            if flag is None:
                counts["opened"] += _open(by_pk[key[0]], key[1], detail, now)
            elif flag.status == FlagStatus.CLOSED:
                counts["reopened"] += _move(flag, "reopen", detail, now)
        for key, flag in flags.items():
            if flag.status == FlagStatus.OPEN and key not in causes:
                reason = "原因已消除" if key[0] in by_pk else "结对已不在帮扶中"
                counts["closed"] += _move(flag, "clear", reason, now)
    return counts
