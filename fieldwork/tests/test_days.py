"""The stationed-day count (``selectors.stationed_days``) against the brute-force count, on random sets of stays.

Stays of several people of two teams, in the paired town and in another town (cross-town), overlapping one another,
crossing the cycle's first and last day, over 2024-02-29 (the cycle is 2023-01-01 … 2025-12-31), confirmed or not,
are inserted directly (``bulk_create``: the day numbers set by hand, as ``Stay.save`` would) and counted both ways:
the one SQL query (a window function over each person's intervals) and ``brute_force_days`` (every person and day
listed). Only confirmed stays of the cycle count; a day in two places counts once; ``until`` clips the count.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings, strategies as st

from cycles.models import Cycle
from fieldwork import selectors
from fieldwork.choices import RecordStatus
from fieldwork.models import Stay
from matching.models import Pairing
from projects.tests.factories import staff
from teams.models import Team

LO, HI = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
LEAP = dt.date(2024, 2, 29)
STATUSES = (RecordStatus.CONFIRMED, RecordStatus.CONFIRMED, RecordStatus.CONFIRMED, RecordStatus.SUBMITTED,
            RecordStatus.QUERIED, RecordStatus.WITHDRAWN)
SETTINGS = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def leap(world):
    """A cycle 2023–2025 (2024 is a leap year) with 柑橘团队 paired in 董塘镇 and 茶叶团队 in 黄坑镇, three people each."""
    cycle = Cycle.objects.create(name="闰年周期", status=Cycle.Status.CLOSED, start_date=LO, end_date=HI,
                                 dispatch_deadline=dt.date(2023, 3, 31))
    teams = []
    for team, town in ((world.team, world.renhua_county_town), (world.other_team, world.renhua_city_town)):
        pairing = Pairing.objects.create(cycle=cycle, town=town, team=team, organizer_level="county",
                                         status="ended", active_from=LO)
        teams.append({"pairing": pairing, "people": staff(world, team), "elsewhere": world.nanxiong_city_town})
    return {"cycle": cycle, "teams": teams, "world": world}


# A stay: (team 0/1, person 0–2, in another town?, first day, length in days, status). First days cluster around
# the cycle's edges and the leap day, where the arithmetic can slip.
def _days_near(center: dt.date, spread: int):
    return st.integers(-spread, spread).map(lambda n: center + dt.timedelta(days=n))


FIRST_DAYS = st.one_of(
    st.dates(min_value=LO - dt.timedelta(days=60), max_value=HI + dt.timedelta(days=10)),
    _days_near(LO, 40), _days_near(HI, 40), _days_near(LEAP, 40),
)
LENGTHS = st.one_of(st.integers(1, 10), st.integers(1, 92), st.integers(90, 200))
STAYS = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 2), st.booleans(), FIRST_DAYS, LENGTHS,
                           st.sampled_from(STATUSES)), max_size=25)


def insert(leap, stays, cycle=None) -> list:
    """Bulk-insert the stays as rows (as ``Stay.save`` would store them); returns the rows as brute force takes
    them: (team_id, person_id, cross_town, start, end) of the confirmed ones."""
    cycle = cycle or leap["cycle"]
    rows, confirmed = [], []
    for team_index, person_index, elsewhere, start, length, status in stays:
        team = leap["teams"][team_index]
        pairing, person = team["pairing"], team["people"][person_index]
        end = start + dt.timedelta(days=length - 1)
        town = team["elsewhere"] if elsewhere else pairing.town
        rows.append(Stay(pairing=pairing, cycle=cycle, team_id=pairing.team_id, home_town_id=pairing.town_id,
                         town=town, cross_town=elsewhere, status=status, commissioner=person, start_date=start,
                         end_date=end, first_day=start.toordinal(), last_day=end.toordinal(), place="驻点",
                         purpose="技术服务"))
        if status == RecordStatus.CONFIRMED:
            confirmed.append((pairing.team_id, person.pk, elsewhere, start, end))
    Stay.objects.bulk_create(rows)
    return confirmed


def as_pairs(result) -> dict:
    return {(team_id, person_id): (days.own, days.all) for team_id, team in result.items()
            for person_id, days in team.people.items()}


class Rollback(Exception):
    pass


def in_savepoint(check):
    """Run one example's inserts and checks, then undo its rows (the world stays for the next example)."""
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


def test_the_count_is_the_brute_force_count(leap):
    cycle = leap["cycle"]
    seen = []

    @SETTINGS
    @given(stays=STAYS)
    def check(stays):
        def body():
            confirmed = insert(leap, stays)
            seen.append(len(confirmed))
            with CaptureQueriesContext(connection) as queries:
                result = selectors.stationed_days(cycle)
            assert len(queries) == 1
            expected = selectors.brute_force_days(confirmed, LO, HI)
            assert as_pairs(result) == expected
            for team_id, team in result.items():
                own = sum(v[0] for k, v in expected.items() if k[0] == team_id)
                every = sum(v[1] for k, v in expected.items() if k[0] == team_id)
                assert (team.own, team.all, team.cross) == (own, every, every - own)
                assert all(0 <= p.own <= p.all <= (HI - LO).days + 1 for p in team.people.values())

        in_savepoint(body)

    check()
    assert len(seen) >= 50 and sum(1 for n in seen if n >= 5) >= 10, seen  # not vacuous


def test_until_clips_the_count(leap):
    cycle = leap["cycle"]

    @SETTINGS
    @given(stays=STAYS, until=st.one_of(st.dates(min_value=LO - dt.timedelta(days=5), max_value=HI + dt.timedelta(5)),
                                        _days_near(LEAP, 3)))
    def check(stays, until):
        def body():
            confirmed = insert(leap, stays)
            result = selectors.stationed_days(cycle, until=until)
            assert as_pairs(result) == selectors.brute_force_days(confirmed, LO, min(HI, until))

        in_savepoint(body)

    check()


def test_counted_follows_the_cycle_setting_and_one_query_for_any_teams(leap):
    cycle = leap["cycle"]

    @SETTINGS
    @given(stays=STAYS, cross_counts=st.booleans(), which=st.sampled_from(["none", "first", "second", "both", "empty"]))
    def check(stays, cross_counts, which):
        def body():
            confirmed = insert(leap, stays)
            cycle.cross_town_days_count = cross_counts
            ids = [team["pairing"].team_id for team in leap["teams"]]
            team_ids = {"none": None, "first": ids[:1], "second": ids[1:], "both": ids, "empty": []}[which]
            with CaptureQueriesContext(connection) as queries:
                result = selectors.stationed_days(cycle, team_ids=team_ids)
            assert len(queries) == (0 if which == "empty" else 1)
            expected = selectors.brute_force_days(confirmed, LO, HI)
            wanted = set(ids if team_ids is None else team_ids)
            assert as_pairs(result) == {key: value for key, value in expected.items() if key[0] in wanted}
            for team_id, team in result.items():
                own = sum(v[0] for k, v in expected.items() if k[0] == team_id)
                every = sum(v[1] for k, v in expected.items() if k[0] == team_id)
                assert team.counted(cycle) == (every if cross_counts else own)

        in_savepoint(body)

    check()


def test_a_leap_day_and_the_cycle_edges_count_once(leap):
    """Hand-picked: 2024-02-28 … 03-01 is three days; a stay from before the cycle counts from its first day; two
    overlapping stays of one person (one in another town) count their union, the overlap once, as own days only
    where they were in the paired town; another cycle's and unconfirmed stays count nothing."""
    cycle = leap["cycle"]
    world = leap["world"]
    team = leap["teams"][0]
    person = team["people"][0].pk
    team_id = team["pairing"].team_id
    insert(leap, [
        (0, 0, False, dt.date(2024, 2, 28), 3, RecordStatus.CONFIRMED),
        (0, 0, True, dt.date(2024, 2, 29), 5, RecordStatus.CONFIRMED),     # 02-29 … 03-04, two of them overlap
        (0, 1, False, dt.date(2022, 12, 25), 10, RecordStatus.CONFIRMED),  # 2023-01-01 … 01-03 inside the cycle
        (0, 1, False, dt.date(2025, 12, 30), 5, RecordStatus.CONFIRMED),   # 12-30, 12-31
        (0, 2, False, dt.date(2024, 5, 1), 30, RecordStatus.SUBMITTED),
        (0, 2, False, dt.date(2024, 6, 1), 30, RecordStatus.WITHDRAWN),
    ])
    insert(leap, [(0, 2, False, dt.date(2024, 7, 1), 30, RecordStatus.CONFIRMED)], cycle=world.cycle)
    result = selectors.stationed_days(cycle)
    assert set(result) == {team_id}
    days = result[team_id]
    assert (days.people[person].own, days.people[person].all) == (3, 6)  # 02-28 … 03-04, a leap year
    assert (days.people[team["people"][1].pk].own, days.people[team["people"][1].pk].all) == (5, 5)
    assert team["people"][2].pk not in days.people
    assert (days.own, days.all, days.cross) == (8, 11, 3)
    cycle.cross_town_days_count = False
    assert days.counted(cycle) == 8
    cycle.cross_town_days_count = True
    assert days.counted(cycle) == 11
    assert as_pairs(selectors.stationed_days(cycle, until=dt.date(2024, 2, 29))) == {
        (team_id, person): (2, 2), (team_id, team["people"][1].pk): (3, 3)}
    assert selectors.stationed_days(cycle, until=dt.date(2022, 12, 31)) == {}


def test_one_query_for_many_teams(leap, django_assert_num_queries):
    cycle = leap["cycle"]
    world = leap["world"]
    rows = []
    town = world.renhua_county_town
    person = leap["teams"][0]["people"][0]
    for index in range(12):
        team = Team.objects.create(cycle=world.cycle, name="团队%d" % index, lead_unit=world.unit)
        pairing = Pairing.objects.create(cycle=cycle, town=town, team=team, organizer_level="county", status="ended",
                                         active_from=LO)
        start = dt.date(2024, 1, 1) + dt.timedelta(days=index)
        end = start + dt.timedelta(days=index)
        rows.append(Stay(pairing=pairing, cycle=cycle, team=team, home_town=town, town=town,
                         status=RecordStatus.CONFIRMED, commissioner=person, start_date=start, end_date=end,
                         first_day=start.toordinal(), last_day=end.toordinal(), place="驻点", purpose="技术服务"))
    Stay.objects.bulk_create(rows)
    with django_assert_num_queries(1):
        result = selectors.stationed_days(cycle)
    assert sorted(team.all for team in result.values()) == list(range(1, 13))
    five = list(Team.objects.filter(name__startswith="团队").order_by("pk").values_list("pk", flat=True)[:5])
    with django_assert_num_queries(1):
        some = selectors.stationed_days(cycle, team_ids=five)
    assert sorted(some) == five
