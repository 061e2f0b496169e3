"""Reads of the evaluations app: a unit's people with their teams and towns in a cycle, and each person's figures for
a year — in a fixed number of queries whatever the number of people (never one per row).

Figures of a year (what an evaluation is prefilled with):

* ``activities``: confirmed service activities (``fieldwork.Activity``) dated in the year that the person took part
  in (``participants``), each counted once;
* ``days``: confirmed stationed days of the person in the year, per calendar day (overlapping stays once; a day in
  two towns once), from ``fieldwork.selectors.stationed_days`` — one query for each cycle bound of the year;
* ``projects``: assistance projects the person is a member of (``projects.ProjectMember``) whose implementation
  period touches the year, not drafts, rejected or discarded ones.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count

from cycles.models import Cycle
from fieldwork.choices import RecordStatus
from fieldwork.selectors import stationed_days
from matching.choices import LIVE_PAIRING_STATES, PairingStatus
from projects.choices import ProjectStatus

FIGURE_NAMES = ("activities", "days", "projects")
FIGURE_LABELS = {"activities": "已确认服务活动（次）", "days": "已确认驻镇天数", "projects": "参与帮扶项目（个）"}
# A pairing whose team worked in the town (live, or ended after the work): a withdrawn one never did.
WORKED_PAIRING_STATES = tuple(LIVE_PAIRING_STATES) + (PairingStatus.ENDED, PairingStatus.REPLACED)
COUNTED_PROJECT_STATES = (ProjectStatus.SUBMITTED, ProjectStatus.RETURNED, ProjectStatus.ACCEPTED,
                          ProjectStatus.APPROVED)


@dataclass
class Person:
    """One of the unit's people as the unit's page shows them."""

    commissioner: object
    team: object = None
    pairing: object = None
    figures: dict = field(default_factory=dict)
    evaluation: object = None

    @property
    def town(self):
        return self.pairing.town if self.pairing is not None else None


def cycles_of_year(year: int):
    return Cycle.objects.filter(start_date__lte=dt.date(year, 12, 31), end_date__gte=dt.date(year, 1, 1))


def cycle_for_year(year: int, commissioner_id=None):
    """The cycle an evaluation of ``year`` belongs to: the one the person had a team in (the latest), else the latest
    cycle touching the year; None when the year is in no cycle."""
    cycles = cycles_of_year(year).order_by("-start_date", "-pk")
    if commissioner_id is not None:
        from teams.models import TeamMembership

        mine = cycles.filter(pk__in=TeamMembership.objects.filter(commissioner_id=commissioner_id).values("cycle_id"))
        found = mine.first()
        if found is not None:
            return found
    return cycles.first()


def team_pairings(team_ids, cycle) -> dict:
    """``{team_id: pairing}``: each team's live pairing in ``cycle``, else its latest that worked (one query)."""
    from matching.models import Pairing

    ids = [pk for pk in team_ids if pk]
    if not ids or cycle is None:
        return {}
    result: dict = {}
    rows = (Pairing.objects.filter(team_id__in=ids, cycle=cycle, status__in=WORKED_PAIRING_STATES)
            .select_related("town__county").order_by("team_id", "-pk"))
    for pairing in rows:
        held = result.get(pairing.team_id)
        if held is None or (held.status not in LIVE_PAIRING_STATES and pairing.status in LIVE_PAIRING_STATES):
            result[pairing.team_id] = pairing
    return result


def team_and_pairing(commissioner_id, cycle):
    """The person's team in ``cycle`` and that team's pairing (live, else the latest that worked): (team, pairing)."""
    from teams.models import TeamMembership

    if cycle is None:
        return None, None
    membership = (TeamMembership.objects.filter(commissioner_id=commissioner_id, cycle=cycle)
                  .select_related("team").first())
    if membership is None:
        return None, None
    return membership.team, team_pairings([membership.team_id], cycle).get(membership.team_id)


def figures(commissioner_ids, year: int) -> dict:
    """``{commissioner_id: {"activities": n, "days": n, "projects": n}}`` for ``year`` (see the module docstring):
    two queries, plus two per cycle touching the year."""
    from fieldwork.models import Activity
    from projects.models import ProjectMember
    from teams.models import TeamMembership

    ids = [int(pk) for pk in commissioner_ids]
    result = {pk: {name: 0 for name in FIGURE_NAMES} for pk in ids}
    if not ids:
        return result
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    taken = (Activity.participants.through.objects
             .filter(commissioner_id__in=ids, activity__status=RecordStatus.CONFIRMED,
                     activity__date__gte=first, activity__date__lte=last)
             .values("commissioner_id").annotate(n=Count("activity_id", distinct=True)).order_by())
    for row in taken:
        result[row["commissioner_id"]]["activities"] = row["n"]
    members = (ProjectMember.objects
               .filter(commissioner_id__in=ids, project__status__in=COUNTED_PROJECT_STATES,
                       project__start_date__lte=last, project__end_date__gte=first)
               .values("commissioner_id").annotate(n=Count("project_id", distinct=True)).order_by())
    for row in members:
        result[row["commissioner_id"]]["projects"] = row["n"]
    for cycle in cycles_of_year(year):
        teams = (TeamMembership.objects.filter(cycle=cycle, commissioner_id__in=ids)
                 .values_list("team_id", flat=True))
        # Days up to the year's end less days up to the day before it: the union of each person's stays in the year.
        until_end = stationed_days(cycle, team_ids=teams, until=last)
        if not until_end:
            continue
        before = stationed_days(cycle, team_ids=teams, until=first - dt.timedelta(days=1))
        for team_id, team_days in until_end.items():
            earlier = before.get(team_id)
            for person, days in team_days.people.items():
                if person in result:
                    prior = earlier.people.get(person) if earlier is not None else None
                    result[person]["days"] += days.all - (prior.all if prior is not None else 0)
    return result


def unit_people(unit_id):
    from teams.models import Commissioner

    return Commissioner.objects.filter(unit_id=unit_id).order_by("name", "pk")


def people_of_unit(unit_id, cycle, year: int, *, evaluations=None, people=None) -> list[Person]:
    """The unit's people (``Commissioner.unit``; ``people``: a page of them) with their team and pairing in
    ``cycle`` and their figures for ``year``; ``evaluations`` (a queryset already scoped) adds each person's
    evaluation of the year."""
    from teams.models import TeamMembership

    people = list(unit_people(unit_id) if people is None else people)
    ids = [person.pk for person in people]
    teams = {}
    if cycle is not None and ids:
        for membership in (TeamMembership.objects.filter(cycle=cycle, commissioner_id__in=ids)
                           .select_related("team")):
            teams[membership.commissioner_id] = membership.team
    pairings = team_pairings([team.pk for team in teams.values()], cycle)
    counts = figures(ids, year)
    by_person = {}
    if evaluations is not None:
        by_person = {row.commissioner_id: row for row in evaluations.filter(year=year, commissioner_id__in=ids)}
    result = []
    for person in people:
        team = teams.get(person.pk)
        result.append(Person(commissioner=person, team=team,
                             pairing=pairings.get(team.pk) if team is not None else None,
                             figures=counts.get(person.pk, {}), evaluation=by_person.get(person.pk)))
    return result


def unevaluated_count(unit_id, year: int) -> int:
    """How many of the unit's people have no evaluation of ``year`` yet (one query)."""
    from evaluations.models import Evaluation
    from teams.models import Commissioner

    evaluated = Evaluation.objects.filter(unit_id=unit_id, year=year).values("commissioner_id")
    return Commissioner.objects.filter(unit_id=unit_id).exclude(pk__in=evaluated).count()

