"""The pages as the unit (its people with their figures in a bounded number of queries, the evaluation form, edit,
detail, steps, the evaluation table as XLSX, drafts for everyone, rewards, trainings with materials) and who else may
open them: another unit's account gets 404 on the unit's records, a town, a team or an expert 404 on the unit's pages,
the organizers read but cannot edit, the person reads their own evaluation."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Evaluation, Reward, Training
from evaluations.tests.factories import (YEAR, evaluation, other_unit_user, pdf_upload, reward, training,
                                         unit_people)
from projects.tests.factories import staff
from teams.tests.factories import make_commissioner

pytestmark = pytest.mark.django_db

# Who reads a submitted evaluation or a reward of a person of 柑橘团队 (in 董塘镇, county-organized, 仁化县): the unit,
# the person (``member``), and the organizing level up the tree.
ORGANIZERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural"]


@pytest.fixture
def team(world):
    pairing, people = unit_people(world)
    return {"pairing": pairing, "people": people}


def test_the_unit_page_lists_its_people_with_their_figures(world, team, login):
    make_commissioner(world.other_unit, name="韶院特派员")
    evaluation(world, team["people"][0])
    client = login("unit")
    response = client.get(reverse("evaluations:home") + "?year=%d" % YEAR)
    html = response.content.decode()
    assert response.status_code == 200
    for person in team["people"]:
        assert person.name in html
    assert "韶院特派员" not in html
    assert "柑橘团队" in html and "董塘镇" in html
    assert 'data-testid="missing">2 人尚无' in html
    assert 'data-testid="days-%d">0 天' % team["people"][1].pk in html


def test_the_unit_page_costs_the_same_for_more_people(world, team, login):
    client = login("unit")
    url = reverse("evaluations:home") + "?year=%d" % YEAR
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    staff(world, world.other_team)  # three more people, another team
    for person in world.other_team.memberships.all():
        person.commissioner.unit = world.unit
        person.commissioner.save(update_fields=["unit"])
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more.captured_queries) <= len(few.captured_queries) + 2  # one more cycle pairing look-up at most


def test_the_unit_evaluates_on_the_page(world, team, login):
    client = login("unit")
    person = team["people"][1]
    form = client.get(reverse("evaluations:evaluation_create") + "?commissioner=%d&year=%d" % (person.pk, YEAR))
    assert "服务活动 0 次，驻镇 0 天" in form.content.decode()
    data = {"commissioner": person.pk, "year": YEAR, "grade": "pass", "comments": "完成年度任务。",
            "evaluator": "科研处", "evaluated_on": ""}
    response = client.post(reverse("evaluations:evaluation_create"), data)
    record = Evaluation.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert (record.grade, record.status, record.team) == ("pass", "draft", world.team)
    again = client.post(reverse("evaluations:evaluation_create"), data)
    assert "年度考评已存在" in again.content.decode() and Evaluation.objects.count() == 1
    bad = client.post(reverse("evaluations:evaluation_edit", args=[record.pk]), {**data, "grade": "good"})
    assert "所选考评等次不在可选范围内" in bad.content.decode()
    client.post(reverse("evaluations:evaluation_edit", args=[record.pk]), {**data, "grade": "excellent"})
    record.refresh_from_db()
    assert record.grade == "excellent"
    detail = client.get(record.get_absolute_url()).content.decode()
    assert "优秀" in detail and 'data-testid="action-submit"' in detail
    client.post(reverse("evaluations:evaluation_action", args=[record.pk, "submit"]))
    record.refresh_from_db()
    assert record.status == "submitted"


def test_the_evaluation_table_opens_with_the_right_rows(world, team, login):
    evaluation(world, team["people"][0], submit=True)
    evaluation(world, team["people"][1], grade="basic")
    evaluation(world, team["people"][2], year=YEAR + 1)
    response = login("unit").get(reverse("evaluations:evaluation_table") + "?year=%d" % YEAR)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("姓名", "团队", "结对镇", "服务活动（次）", "驻镇天数", "帮扶项目（个）", "考评等次")
    body = sorted(rows[1:])
    assert [(row[0], row[1], row[2], row[6]) for row in body] == sorted([
        (team["people"][0].name, "柑橘团队", "董塘镇", "优秀"), (team["people"][1].name, "柑橘团队", "董塘镇", "基本合格")])
    export = login("unit").get(reverse("evaluations:evaluation_list") + "?export=xlsx&year=%d" % YEAR)
    listed = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(listed) == 3


def test_the_unit_generates_drafts_for_everyone(world, team, login):
    response = login("unit").post(reverse("evaluations:evaluation_generate"), {"year": YEAR})
    assert response.status_code == 302
    assert Evaluation.objects.filter(year=YEAR, status="draft").count() == 3


def test_another_unit_gets_404_on_the_records(world, team, client):
    record = evaluation(world, team["people"][0], submit=True)
    prize = reward(world, team["people"][0])
    event = training(world, team["people"][:1])
    client.force_login(other_unit_user(world))
    for url in (record.get_absolute_url(), reverse("evaluations:evaluation_edit", args=[record.pk]),
                prize.get_absolute_url(), reverse("evaluations:reward_document", args=[prize.pk]),
                event.get_absolute_url(), reverse("evaluations:training_edit", args=[event.pk])):
        assert client.get(url).status_code == 404, url
    home = client.get(reverse("evaluations:home")).content.decode()
    assert team["people"][0].name not in home
    assert client.post(reverse("evaluations:evaluation_action", args=[record.pk, "reopen"]),
                       {"comment": "x"}).status_code == 404


def test_only_the_unit_opens_the_unit_pages(assert_denied):
    for name in ("home", "evaluation_create", "reward_create", "training_create", "evaluation_table"):
        assert_denied(reverse("evaluations:%s" % name), allowed=["unit"])


def test_the_lists_are_for_the_unit_the_officials_and_the_teams(assert_denied):
    readers = ORGANIZERS + ["nanxiong_st", "nanxiong_rural", "leader", "member", "other_leader", "unit"]
    for name in ("evaluation_list", "reward_list", "training_list"):
        assert_denied(reverse("evaluations:%s" % name), allowed=readers)


def test_who_reads_a_submitted_evaluation(world, team, assert_denied):
    record = evaluation(world, team["people"][1], submit=True)  # ``member``'s
    assert_denied(record.get_absolute_url(), allowed=ORGANIZERS + ["unit", "member"])
    assert_denied(reverse("evaluations:evaluation_edit", args=[record.pk]), allowed=["unit"])


def test_a_draft_is_the_units_own(world, team, assert_denied):
    record = evaluation(world, team["people"][1])
    assert_denied(record.get_absolute_url(), allowed=["unit"])


def test_the_organizer_reads_but_cannot_act(world, team, login):
    record = evaluation(world, team["people"][1], submit=True)
    client = login("renhua_st")
    html = client.get(record.get_absolute_url()).content.decode()
    assert "优秀" in html and "action-reopen" not in html
    client.post(reverse("evaluations:evaluation_action", args=[record.pk, "reopen"]), {"comment": "改"})
    record.refresh_from_db()
    assert record.status == "submitted"


def test_who_reads_a_reward_and_its_document(world, team, assert_denied, login):
    from evaluations import services

    prize = services.reward_save(actor=world["unit"], values={
        "commissioner": team["people"][0], "date": dt.date(YEAR, 12, 1), "title": "年度优秀农村科技特派员",
        "level": "city"}, document=pdf_upload())
    assert_denied(prize.get_absolute_url(), allowed=ORGANIZERS + ["unit", "leader"])
    assert_denied(reverse("evaluations:reward_document", args=[prize.pk]), allowed=ORGANIZERS + ["unit", "leader"])
    assert_denied(reverse("evaluations:reward_edit", args=[prize.pk]), allowed=["unit"])
    response = login("unit").get(reverse("evaluations:reward_document", args=[prize.pk]))
    assert response["Content-Type"] == "application/pdf"


def test_the_unit_records_a_reward_and_a_training_on_the_page(world, team, login):
    client = login("unit")
    response = client.post(reverse("evaluations:reward_create"), {
        "commissioner": team["people"][0].pk, "date": dt.date(YEAR, 12, 1).isoformat(), "title": "优秀特派员",
        "level": "province", "grounds": "成效突出", "document_upload": pdf_upload()})
    assert response.status_code == 302 and Reward.objects.get().level == "province"
    response = client.post(reverse("evaluations:training_create"), {
        "kind": "exchange", "date": dt.date(YEAR, 5, 1).isoformat(), "topic": "驻镇经验交流会", "place": "韶关",
        "hours": "4", "external_attendees": "0", "summary": "", "attendees": [team["people"][0].pk]})
    assert response.status_code == 302
    event = Training.objects.get()
    assert list(event.attendees.all()) == [team["people"][0]]
    client.post(reverse("evaluations:material_add", args=[event.pk]), {"materials": pdf_upload("课件.pdf")})
    material = event.materials.get()
    assert client.get(reverse("evaluations:material", args=[material.pk])).status_code == 200


def test_who_reads_a_training(world, team, assert_denied):
    event = training(world, team["people"][:1])
    readers = ORGANIZERS + ["nanxiong_st", "nanxiong_rural", "unit", "leader", "member"]
    assert_denied(event.get_absolute_url(), allowed=readers)
    material_event = training(world, [], topic="无本队成员参加的研讨")
    assert_denied(material_event.get_absolute_url(), allowed=ORGANIZERS + ["nanxiong_st", "nanxiong_rural", "unit"])


def test_the_menu_shows_the_group_to_the_unit_and_the_officials(world, team, login):
    html = login("unit").get(reverse("portal:home")).content.decode()
    assert "考评培训" in html and reverse("evaluations:home") in html
    html = login("renhua_st").get(reverse("portal:home")).content.decode()
    assert "派出单位考评" in html and 'href="%s"' % reverse("evaluations:home") not in html
