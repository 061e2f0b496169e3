"""Reads of the fieldwork: the stationed-day count (one query for any number of teams), the pace, the heat map, the
working pairing of a team or a town, and what waits for whom.

Stationed days are counted per person per calendar day (DOMAIN.md): overlapping confirmed stays of one person count
once. The count is the length of the union of each person's intervals, computed in the database with a window
function (for intervals ordered by their first day, each adds the days past the latest end before it), on the day
numbers the stays store (``first_day``/``last_day``, ``date.toordinal()``), so it is the same integer arithmetic on
SQLite and PostgreSQL and one query for the whole city.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from fieldwork.choices import PACE_GRACE_DAYS, PACE_TOLERANCE, RecordStatus, TaskStatus
from matching.choices import PairingStatus

# Pairings whose team works in the town now: records are logged against these.
WORKING_PAIRING_STATES = (PairingStatus.REGISTERED, PairingStatus.ACTIVE)
OPEN_TASK_STATES = (TaskStatus.OPEN, TaskStatus.REPORTED)


def working_pairing_of_team(team_id):
    from matching.models import Pairing

    if not team_id:
        return None
    return (Pairing.objects.filter(team_id=team_id, status__in=WORKING_PAIRING_STATES)
            .select_related("cycle", "town__county", "team").order_by("-pk").first())


def working_pairing_of_town(town_id):
    from matching.models import Pairing

    if not town_id:
        return None
    return (Pairing.objects.filter(town_id=town_id, status__in=WORKING_PAIRING_STATES)
            .select_related("cycle", "town__county", "team").order_by("-pk").first())


# ------------------------------------------------------------------------------------------------ the day count
# One pass of one window over each person's stays ordered by their first day: ``prev_all`` is the latest end of the
# stays before it, ``prev_own`` of those before it in the paired town (the own stays keep their order among
# themselves), so each stay adds its days past them to each count — half the time of one window per count over a
# UNION ALL of the rows twice (bench/RESULTS-fieldwork.md).
_UNION_SQL = """
WITH s AS (
    SELECT {key}, commissioner_id, cross_town,
           CASE WHEN first_day < %(lo)s THEN %(lo)s ELSE first_day END AS f,
           CASE WHEN last_day > %(hi)s THEN %(hi)s ELSE last_day END AS l
    FROM {stay} WHERE cycle_id = %(cycle)s AND status = %(status)s {teams}
), w AS (
    SELECT {key}, commissioner_id, cross_town, f, l,
           MAX(l) OVER p AS prev_all,
           MAX(CASE WHEN cross_town = %(false)s THEN l END) OVER p AS prev_own
    FROM s WHERE f <= l
    WINDOW p AS (PARTITION BY {key}, commissioner_id ORDER BY f, l ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
)
SELECT {key}, commissioner_id,
       SUM(CASE WHEN cross_town <> %(false)s THEN 0
                WHEN prev_own IS NULL OR prev_own < f THEN l - f + 1 WHEN prev_own < l THEN l - prev_own ELSE 0 END)
           AS own_days,
       SUM(CASE WHEN prev_all IS NULL OR prev_all < f THEN l - f + 1 WHEN prev_all < l THEN l - prev_all ELSE 0 END)
           AS all_days
FROM w GROUP BY {key}, commissioner_id
"""


@dataclass
class PersonDays:
    own: int = 0      # days in the paired town
    all: int = 0      # days anywhere (a day in two towns once)

    @property
    def cross(self) -> int:
        """Days only in other towns (cross-town assistance)."""
        return self.all - self.own


@dataclass
class TeamDays:
    people: dict = field(default_factory=dict)  # commissioner_id -> PersonDays

    @property
    def own(self) -> int:
        return sum(p.own for p in self.people.values())

    @property
    def all(self) -> int:
        return sum(p.all for p in self.people.values())

    @property
    def cross(self) -> int:
        return self.all - self.own

    def counted(self, cycle) -> int:
        """The days that count toward the requirement: in the paired town, plus cross-town days where the cycle
        says so."""
        return self.all if cycle.cross_town_days_count else self.own


def stationed_days(cycle, team_ids=None, until: dt.date | None = None, *, pairing_ids=None,
                   by: str = "team", since: dt.date | None = None) -> dict:
    """``{team_id: TeamDays}`` of the confirmed stays of ``cycle`` (clipped to the cycle, and to ``until`` when
    given), per person per day, in one query. ``team_ids`` / ``pairing_ids`` limit it to some teams or pairings (an
    iterable of ids is written into the query). ``by="pairing"`` keys the result by pairing instead: a team replaced
    in one town and paired with another in the same cycle has its days of each pairing apart (a town reads its own
    pairing's days, not those its team spent in the town it left). ``since`` counts from that day (a report's year)."""
    from fieldwork.models import Stay

    hi_date = min(cycle.end_date, until) if until else cycle.end_date
    lo_date = max(cycle.start_date, since) if since else cycle.start_date
    params = {"lo": lo_date.toordinal(), "hi": hi_date.toordinal(), "cycle": cycle.pk,
              "status": RecordStatus.CONFIRMED, "false": False}
    teams = ""
    for column, wanted in (("team_id", team_ids), ("pairing_id", pairing_ids)):
        if wanted is not None:
            ids = [int(pk) for pk in wanted]
            if not ids:
                return {}
            teams += " AND %s IN (%s)" % (column, ", ".join(str(pk) for pk in ids))
    key = {"team": "team_id", "pairing": "pairing_id"}[by]
    sql = _UNION_SQL.format(stay=connection.ops.quote_name(Stay._meta.db_table), teams=teams, key=key)
    result: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for group_id, person_id, own, total in cursor.fetchall():
            result.setdefault(group_id, TeamDays()).people[person_id] = PersonDays(int(own or 0), int(total or 0))
    return result


# The same window once for two counts: each stay's new days are one piece, ``[max(f, prev + 1), l]`` (the days past
# the latest end of the person's stays before it), and the pieces of a person are apart and make the union of the
# stays. So the days to date are the pieces' lengths, and the days since a later day (a report's year) the lengths of
# the same pieces cut at that day — what two passes clipped at the cycle's start and at that day count.
_SINCE_SQL = """
WITH s AS (
    SELECT {key} AS k, commissioner_id, cross_town,
           CASE WHEN first_day < %(lo)s THEN %(lo)s ELSE first_day END AS f,
           CASE WHEN last_day > %(hi)s THEN %(hi)s ELSE last_day END AS l
    FROM {stay} WHERE cycle_id = %(cycle)s AND status = %(status)s {teams}
), w AS (
    SELECT k, commissioner_id, cross_town, f, l,
           MAX(l) OVER p AS prev_all,
           MAX(CASE WHEN cross_town = %(false)s THEN l END) OVER p AS prev_own
    FROM s WHERE f <= l
    WINDOW p AS (PARTITION BY k, commissioner_id ORDER BY f, l ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
), n AS (
    SELECT k, commissioner_id, l,
           CASE WHEN prev_all IS NULL OR prev_all < f THEN f ELSE prev_all + 1 END AS fa,
           CASE WHEN cross_town <> %(false)s THEN l + 1
                WHEN prev_own IS NULL OR prev_own < f THEN f ELSE prev_own + 1 END AS fo
    FROM w
)
SELECT k, commissioner_id,
       SUM(CASE WHEN fo <= l THEN l - fo + 1 ELSE 0 END) AS own_days,
       SUM(CASE WHEN fa <= l THEN l - fa + 1 ELSE 0 END) AS all_days,
       SUM(CASE WHEN fo > l OR l < %(since)s THEN 0 WHEN fo < %(since)s THEN l - %(since)s + 1 ELSE l - fo + 1 END)
           AS own_since,
       SUM(CASE WHEN fa > l OR l < %(since)s THEN 0 WHEN fa < %(since)s THEN l - %(since)s + 1 ELSE l - fa + 1 END)
           AS all_since
FROM n GROUP BY k, commissioner_id
"""


def stationed_days_since(cycle, *, since: dt.date, until: dt.date | None = None, team_ids=None, pairing_ids=None,
                         by: str = "pairing") -> tuple[dict, dict]:
    """``(days since, days to date)``: what ``stationed_days(..., since=since)`` and ``stationed_days(...)`` (from the
    cycle's start) return for the same arguments, in one query — one window over the stays instead of two. A person
    (and a team) with no day since ``since`` is left out of the first, as ``stationed_days`` leaves them out."""
    from fieldwork.models import Stay

    hi_date = min(cycle.end_date, until) if until else cycle.end_date
    params = {"lo": cycle.start_date.toordinal(), "hi": hi_date.toordinal(), "cycle": cycle.pk,
              "since": max(cycle.start_date, since).toordinal(), "status": RecordStatus.CONFIRMED, "false": False}
    teams = ""
    for column, wanted in (("team_id", team_ids), ("pairing_id", pairing_ids)):
        if wanted is not None:
            ids = [int(pk) for pk in wanted]
            if not ids:
                return {}, {}
            teams += " AND %s IN (%s)" % (column, ", ".join(str(pk) for pk in ids))
    key = {"team": "team_id", "pairing": "pairing_id"}[by]
    sql = _SINCE_SQL.format(stay=connection.ops.quote_name(Stay._meta.db_table), teams=teams, key=key)
    in_since: dict = {}
    to_date: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for group_id, person_id, own, total, own_since, total_since in cursor.fetchall():
            to_date.setdefault(group_id, TeamDays()).people[person_id] = PersonDays(int(own or 0), int(total or 0))
            if total_since:
                in_since.setdefault(group_id, TeamDays()).people[person_id] = PersonDays(int(own_since or 0),
                                                                                         int(total_since))
    return in_since, to_date


def brute_force_days(stays, lo: dt.date, hi: dt.date) -> dict:
    """The same count by listing every (person, day): the reference the property tests compare with.

    ``stays``: iterable of (team_id, person_id, cross_town, start, end)."""
    own, every = {}, {}
    for team_id, person_id, cross, start, end in stays:
        day = max(start, lo)
        while day <= min(end, hi):
            every.setdefault((team_id, person_id), set()).add(day)
            if not cross:
                own.setdefault((team_id, person_id), set()).add(day)
            day += dt.timedelta(days=1)
    return {key: (len(own.get(key, ())), len(days)) for key, days in every.items()}


# ------------------------------------------------------------------------------------------------ pace
@dataclass
class Pace:
    required: int
    counted: int
    cross: int
    total_days: int      # calendar days of the cycle
    elapsed_days: int    # of them, passed (to today)
    remaining_days: int  # still to come
    expected_now: int    # what the elapsed part of the cycle asks for, pro rata
    behind: bool
    shortfall: int       # still needed over the cycle
    per_month: float     # team-days a month needed for the rest of the cycle

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.counted / self.required)) if self.required else 100


def pace(cycle, days: TeamDays | None, today: dt.date | None = None, since: dt.date | None = None) -> Pace:
    """Confirmed days against the cycle's requirement, what is needed from now on, and whether the team is behind
    (under ``PACE_TOLERANCE`` of the pro-rata figure once ``PACE_GRACE_DAYS`` of its pairing — ``since`` — passed)."""
    today = today or timezone.localdate()
    days = days or TeamDays()
    required = cycle.required_stationed_days
    counted = days.counted(cycle)
    start = max(cycle.start_date, since) if since else cycle.start_date
    total = (cycle.end_date - start).days + 1
    elapsed = max(0, min(total, (min(today, cycle.end_date) - start).days + 1))
    remaining = max(0, total - elapsed)
    expected = math.floor(required * elapsed / total) if total > 0 else required
    shortfall = max(0, required - counted)
    per_month = round(shortfall / (remaining / 30.0), 1) if remaining > 0 and shortfall else 0.0
    behind = elapsed >= PACE_GRACE_DAYS and counted < PACE_TOLERANCE * expected
    return Pace(required=required, counted=counted, cross=days.cross, total_days=total, elapsed_days=elapsed,
                remaining_days=remaining, expected_now=expected, behind=behind, shortfall=shortfall,
                per_month=per_month)


# ------------------------------------------------------------------------------------------------ the heat map
def heat_map(cycle, team_id, *, statuses=(RecordStatus.CONFIRMED,), pairing_id=None) -> list[dict]:
    """Per year of the cycle: weeks (Monday first) of days, each with how many members were stationed that day (the
    team's stays of ``statuses``, a person counted once a day) — the calendar the team page draws."""
    from fieldwork.models import Stay

    people_by_day: dict = {}
    stays = Stay.objects.filter(cycle=cycle, team_id=team_id, status__in=statuses)
    if pairing_id is not None:
        stays = stays.filter(pairing_id=pairing_id)
    for person, start, end in (stays
                               .values_list("commissioner_id", "start_date", "end_date")):
        day = max(start, cycle.start_date)
        while day <= min(end, cycle.end_date):
            people_by_day.setdefault(day, set()).add(person)
            day += dt.timedelta(days=1)
    years = []
    for year in range(cycle.start_date.year, cycle.end_date.year + 1):
        first = max(dt.date(year, 1, 1), cycle.start_date)
        last = min(dt.date(year, 12, 31), cycle.end_date)
        if first > last:
            continue
        weeks, week = [], [None] * first.weekday()
        day, total = first, 0
        while day <= last:
            n = len(people_by_day.get(day, ()))
            total += n
            week.append({"date": day, "n": n, "level": min(n, 3)})
            if len(week) == 7:
                weeks.append(week)
                week = []
            day += dt.timedelta(days=1)
        if week:
            weeks.append(week + [None] * (7 - len(week)))
        years.append({"year": year, "weeks": weeks, "total": total})
    return years


# ------------------------------------------------------------------------------------------------ waiting
def overdue_tasks(queryset, today: dt.date | None = None):
    today = today or timezone.localdate()
    return queryset.filter(status__in=OPEN_TASK_STATES, due_date__lt=today)
