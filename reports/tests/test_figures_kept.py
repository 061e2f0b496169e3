"""The fast paths of the figures give what the plain ones give.

- ``compute`` keeps each source's statement per shape of scope (compiled once by the ORM, run again with another
  scope's ids, all sources side by side in one statement): equal to the ORM's own aggregate per source, for scopes of
  every shape, a second scope of a shape included (its ids put in the kept statement's slots);
- the whole city (every level) has no level condition where every row has a level: the same figures;
- ``fieldwork.selectors.stationed_days_since`` (one window for the days since a day and to date) equals two calls of
  ``stationed_days``, on random stays (the fieldwork tests' stays and cycle: leap day, the cycle's edges);
- ``add_values`` sums as it did: a decimal figure keeps its places ("0.00" + 1 = "1.00").
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, strategies as st

from fieldwork import selectors
from fieldwork.tests.test_days import HI, LO, SETTINGS, STAYS, in_savepoint, insert, leap  # noqa: F401 (fixture)
from reports import figures as F
from reports.tests.test_figures import YEAR, build


@pytest.fixture
def hand(world):
    return build(world)


def orm_compute(scope, keys=None) -> dict:
    """``compute`` with no kept statement: the ORM's aggregate per source, built for this scope."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(F, "_statement", lambda *args: None)
        return F.compute(scope, keys)


def scopes(hand):
    h = hand
    return [F.county_scope(YEAR, h.renhua), F.county_scope(YEAR, h.nanxiong), F.city_own_scope(YEAR, h.city),
            F.city_scope(YEAR, h.city), F.city_scope(2023, h.city), F.county_scope(2025, h.renhua),
            F.Scope(year=YEAR, team_id=h.pt1.team_id), F.Scope(year=YEAR, team_id=h.pt3.team_id),
            F.Scope(year=YEAR, unit_id=h.pt1.team.lead_unit_id), F.Scope(year=YEAR, province_code="44"),
            F.Scope(year=YEAR, cycle_id=h.cycle.pk, town_id=h.pt1.town_id, date_from=h.cycle.start_date,
                    date_to=h.cycle.end_date),
            F.Scope(year=YEAR, cycle_id=h.cycle.pk, town_id=h.pt2.town_id, date_from=h.cycle.start_date,
                    date_to=h.cycle.end_date),
            F.Scope(year=YEAR, city_id=h.city.pk, levels=("county",), cycle_id=h.cycle.pk)]


def test_kept_statements_give_the_orms_figures(hand):
    F._STATEMENTS.clear()
    for scope in scopes(hand) + scopes(hand):  # the second round runs the kept statements only
        assert F.compute(scope) == orm_compute(scope), scope
        keys = ["activities.total@m03", "activities.people_trained@m05", "people.total", "grants.amount"]
        assert F.compute(scope, keys) == orm_compute(scope, keys), scope
        assert F.team_days(scope) == F.team_days(scope)
    # the types too: ints for counts, strings for decimal sums
    values = F.compute(F.city_scope(YEAR, hand.city))
    assert {key: type(value) for key, value in values.items()} == {
        key: type(value) for key, value in orm_compute(F.city_scope(YEAR, hand.city)).items()}


def test_one_statement_for_every_source_once_kept(hand):
    scope = F.county_scope(YEAR, hand.renhua)
    F.compute(scope)
    with CaptureQueriesContext(connection) as queries:
        F.compute(F.county_scope(YEAR, hand.nanxiong))  # same shape, other ids
    assert len(queries) == 1


def test_no_level_condition_only_where_every_row_has_a_level():
    assert F.SOURCES["activities"].level_always_set()  # a required pairing's required level
    assert F.SOURCES["pairings"].level_always_set()
    assert not F.SOURCES["evaluations"].level_always_set()  # may be blank
    assert not F.SOURCES["teams"].level_always_set()  # a team may have no pairing
    every = F.Scope(year=YEAR, city_id=1)
    some = F.Scope(year=YEAR, city_id=1, levels=("city", "province"))
    assert "organizer_level" not in str(F.SOURCES["activities"].queryset(every).query)
    assert "organizer_level" in str(F.SOURCES["activities"].queryset(some).query)
    assert "organizer_level" in str(F.SOURCES["evaluations"].queryset(every).query)


def test_stationed_days_since_is_the_two_counts(leap):  # noqa: F811 (the fixture imported above)
    cycle = leap["cycle"]
    pairings = [team["pairing"].pk for team in leap["teams"]]

    @SETTINGS
    @given(stays=STAYS, since=st.dates(min_value=LO - dt.timedelta(days=30), max_value=HI + dt.timedelta(days=30)),
           until=st.one_of(st.none(), st.dates(min_value=LO, max_value=HI + dt.timedelta(days=30))),
           by=st.sampled_from(("team", "pairing")))
    def check(stays, since, until, by):
        def body():
            insert(leap, stays)
            with CaptureQueriesContext(connection) as queries:
                got = selectors.stationed_days_since(cycle, pairing_ids=pairings, until=until, since=since, by=by)
            assert len(queries) == 1
            assert got == (selectors.stationed_days(cycle, pairing_ids=pairings, until=until, since=since, by=by),
                           selectors.stationed_days(cycle, pairing_ids=pairings, until=until, by=by))

        in_savepoint(body)

    check()
    assert selectors.stationed_days_since(cycle, pairing_ids=[], since=LO) == ({}, {})


def test_add_values_keeps_the_decimal_places():
    assert F.add_values({"a": "0.00", "b": 1}, {"a": 1, "b": 2}, None, {"a": "2.5", "c": "0.0"}) == {
        "a": "3.50", "b": 3, "c": "0.0"}
    assert F.add_values({"a": 1}, {"a": "0.10"}) == {"a": "1.10"}
    assert F.add_values({"a": Decimal("2.9")}, {"a": 1}) == {"a": 3}
