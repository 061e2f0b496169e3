"""The story tells a team's and its town's evaluations, rewards and trainings to those who may read them; the unit's
to-do counts the people not yet evaluated."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import dashboard
from evaluations.story import evaluation_events
from evaluations.tests.factories import YEAR, evaluation, reward, training, unit_people

pytestmark = pytest.mark.django_db


def test_the_story_of_a_team_and_its_town(world):
    _pairing, people = unit_people(world)
    evaluation(world, people[0], submit=True)
    evaluation(world, people[1])  # a draft: not told
    reward(world, people[0])
    training(world, people[:2])
    with CaptureQueriesContext(connection) as queries:
        events = evaluation_events(world.team, world["renhua_st"], "team")
    assert len(queries.captured_queries) <= 3
    titles = sorted(event.title for event in events)
    assert "%s %d年度考评：优秀" % (people[0].name, YEAR) in titles
    assert {event.category for event in events} == {"evaluation", "training"}
    assert len(events) == 3
    town_events = evaluation_events(world.renhua_county_town, world["unit"], "town")
    assert len(town_events) == 3
    # A town reads no evaluation or reward, and no training; another county reads only the trainings (officials).
    assert evaluation_events(world.renhua_county_town, world["renhua_county_town"], "town") == []
    assert [event.category for event in evaluation_events(world.team, world["nanxiong_st"], "team")] == ["training"]


def test_the_unit_is_told_who_is_not_evaluated(world, monkeypatch):
    _pairing, people = unit_people(world)
    evaluation(world, people[0], year=YEAR)
    due_year = dashboard.due_year
    monkeypatch.setattr(dashboard, "due_year", lambda today=None: YEAR)
    items = dashboard.todo(world["unit"], world.cycle)
    assert [item.count for item in items] == [2]
    assert "2名特派员" in items[0].label and "?year=%d" % YEAR in items[0].url
    assert dashboard.todo(world["renhua_st"], world.cycle) == []
    assert due_year(dt.date(2025, 11, 1)) == 2025 and due_year(dt.date(2025, 2, 1)) == 2024
    assert due_year(dt.date(2025, 6, 1)) is None
