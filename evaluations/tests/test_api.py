"""The API: the unit creates, edits, submits and reopens an evaluation; a bad grade is 400 on ``grade`` in Chinese;
another unit's person is 400 on ``commissioner``; out of scope is 404; an organizer reads but gets 403 on a write;
rewards and trainings likewise."""
from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from evaluations.models import Evaluation
from evaluations.tests.factories import YEAR, evaluation, other_person, other_unit_user, reward, training, unit_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return unit_people(world)[1]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_unit_creates_and_submits_an_evaluation(world, people):
    client = api(world["unit"])
    response = client.post("/api/v1/evaluations/", {"commissioner": people[0].pk, "year": YEAR, "grade": "pass",
                                                     "comments": "合格"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["grade"], body["status"], body["team_name"], body["figures"]) == (
        "pass", "draft", "柑橘团队", {"activities": 0, "days": 0, "projects": 0})
    pk = body["id"]
    assert client.patch("/api/v1/evaluations/%d/" % pk, {"grade": "excellent"}, format="json").json()["grade"] == \
        "excellent"
    assert [step["action"] for step in client.get("/api/v1/evaluations/%d/actions/" % pk).json()] == ["submit"]
    assert client.post("/api/v1/evaluations/%d/act/" % pk, {"action": "submit"}, format="json").json()["status"] == \
        "submitted"
    assert client.post("/api/v1/evaluations/%d/act/" % pk, {"action": "submit"}, format="json").status_code == 409
    reopened = client.post("/api/v1/evaluations/%d/act/" % pk, {"action": "reopen", "comment": "复核"}, format="json")
    assert reopened.json()["status"] == "draft"
    flow = client.get("/api/v1/evaluations/%d/transitions/" % pk).json()
    assert [row["action"] for row in flow] == ["draft", "submit", "reopen"]
    assert client.get("/api/v1/evaluations/%d/history/" % pk).status_code == 200


def test_a_bad_grade_is_400_on_the_field(world, people):
    response = api(world["unit"]).post("/api/v1/evaluations/", {"commissioner": people[0].pk, "year": YEAR,
                                                                "grade": "good"}, format="json")
    assert response.status_code == 400
    assert "考评等次应为" in response.json()["grade"][0]
    assert not Evaluation.objects.exists()


def test_a_person_of_another_unit_is_refused(world, people):
    stranger = other_person(world)
    response = api(world["unit"]).post("/api/v1/evaluations/", {"commissioner": stranger.pk, "year": YEAR,
                                                                "grade": "pass"}, format="json")
    assert response.status_code == 400 and "commissioner" in response.json()
    other_unit_user(world)
    response = api(world["other_unit"]).post("/api/v1/evaluations/", {"commissioner": people[0].pk, "year": YEAR,
                                                                      "grade": "pass"}, format="json")
    assert response.status_code == 400 and "commissioner" in response.json()


def test_out_of_scope_is_404_and_a_reader_cannot_write(world, people):
    record = evaluation(world, people[1], submit=True)
    other_unit_user(world)
    for name in ("other_unit", "nanxiong_st", "renhua_county_town", "other_leader", "leader", "expert"):
        client = api(world[name])
        assert client.get("/api/v1/evaluations/%d/" % record.pk).status_code == 404, name
        assert client.post("/api/v1/evaluations/%d/act/" % record.pk, {"action": "reopen", "comment": "x"},
                           format="json").status_code == 404, name
    assert api(world["member"]).get("/api/v1/evaluations/%d/" % record.pk).status_code == 200
    organizer = api(world["renhua_st"])
    assert organizer.get("/api/v1/evaluations/").json()["count"] == 1
    assert organizer.patch("/api/v1/evaluations/%d/" % record.pk, {"comments": "改"}, format="json").status_code == 403
    assert organizer.post("/api/v1/evaluations/", {"commissioner": people[0].pk, "year": YEAR},
                          format="json").status_code == 403
    assert api(world["nanxiong_st"]).get("/api/v1/evaluations/").json()["count"] == 0


def test_rewards_and_trainings(world, people):
    client = api(world["unit"])
    response = client.post("/api/v1/rewards/", {"commissioner": people[0].pk, "date": dt.date(YEAR, 12, 1),
                                                "title": "优秀特派员", "level": "county"}, format="json")
    assert response.status_code == 201, response.json()
    bad = client.post("/api/v1/rewards/", {"commissioner": people[0].pk, "date": dt.date(YEAR, 12, 1),
                                           "title": "x", "level": "town"}, format="json")
    assert bad.status_code == 400 and "奖励级别应为" in bad.json()["level"][0]
    made = client.post("/api/v1/trainings/", {"kind": "seminar", "date": dt.date(YEAR, 4, 1), "topic": "研讨",
                                              "place": "广州", "hours": "2.5", "attendees": [people[0].pk]},
                       format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["attendees"] == [people[0].pk]
    other_unit_user(world)
    stranger = api(world["other_unit"])
    prize, event = reward(world, people[1]), training(world, people[1:2])
    assert stranger.get("/api/v1/rewards/%d/" % prize.pk).status_code == 404
    assert stranger.get("/api/v1/trainings/%d/" % event.pk).status_code == 404
    assert stranger.patch("/api/v1/trainings/%d/" % event.pk, {"topic": "改"}, format="json").status_code == 404
    assert api(world["renhua_st"]).patch("/api/v1/trainings/%d/" % event.pk, {"topic": "改"},
                                         format="json").status_code == 403
    assert api(world["renhua_st"]).post("/api/v1/rewards/", {"commissioner": people[0].pk},
                                        format="json").status_code == 403
