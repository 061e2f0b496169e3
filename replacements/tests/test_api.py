"""The API of adjustment and replacement: create, answer, decide (400 with the service's keys, nothing saved), 403 for
a wrong role, 404 out of scope, 409 on a second decision; member changes and their confirmation; the figures."""
import json

import pytest
from django.test import Client

from matching.models import Pairing
from replacements.models import Case, MemberChange
from replacements.tests.factories import (case_world, change_values, decide_warning, end_date, open_case,
                                          record_change)

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def login(world):
    def sign_in(name):
        client = Client()
        client.force_login(world[name])
        return client
    return sign_in


@pytest.fixture
def cw(world):
    return case_world(world)


def post(client, url, body=None):
    return client.post(API + url, data=json.dumps(body or {}), content_type="application/json")


def rows(response):
    assert response.status_code == 200, response.content
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def test_the_organizer_opens_a_case(world, cw, login):
    client = login("renhua_st")
    response = post(client, "cases/", {"pairing": cw.pairing.pk, "cause": "mismatch", "summary": "帮扶方向与需求不符。"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open" and body["cause"] == "mismatch" and body["team_name"] == "柑橘团队"
    assert body["evidence"]["days"]["required"] > 0
    bad = post(client, "cases/", {"pairing": cw.pairing.pk, "cause": "mismatch", "summary": "再开一件"})
    assert bad.status_code == 400 and "未办结的调整更换案件" in json.dumps(bad.json(), ensure_ascii=False)
    assert post(login("leader"), "cases/", {"pairing": cw.pairing.pk, "cause": "no_work",
                                            "summary": "x"}).status_code == 403
    assert post(login("city_st"), "cases/", {"pairing": cw.pairing.pk, "cause": "no_work",
                                             "summary": "x"}).status_code == 403
    assert post(login("nanxiong_st"), "cases/", {"pairing": cw.pairing.pk, "cause": "no_work",
                                                 "summary": "x"}).status_code == 400  # not in reach: 400 on pairing
    assert Case.objects.count() == 1


def test_answer_and_decide_a_replacement(world, cw, login):
    case = open_case(world)
    assert post(login("member"), "cases/%d/answer/" % case.pk, {"answer": "x"}).status_code == 403
    assert post(login("other_leader"), "cases/%d/answer/" % case.pk, {"answer": "x"}).status_code == 404
    answered = post(login("leader"), "cases/%d/answer/" % case.pk, {"answer": "已整改。"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    client = login("renhua_st")
    bad = post(client, "cases/%d/decide/" % case.pk, {"decision": "replacement", "reason": "未开展帮扶。"})
    assert bad.status_code == 400 and {"end_date", "new_team"} <= set(bad.json())
    cw.pairing.refresh_from_db()
    assert cw.pairing.status == "active"
    assert post(login("leader"), "cases/%d/decide/" % case.pk, {"decision": "warning",
                                                                "reason": "x"}).status_code == 403
    assert post(login("nanxiong_st"), "cases/%d/decide/" % case.pk, {"decision": "warning",
                                                                     "reason": "x"}).status_code == 404
    done = post(client, "cases/%d/decide/" % case.pk, {
        "decision": "replacement", "reason": "未开展帮扶。", "end_date": end_date().isoformat(),
        "new_team": cw.alternate.pk})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "decided" and done.json()["new_pairing"]
    assert Pairing.objects.get(pk=cw.pairing.pk).status == "replaced"
    again = post(client, "cases/%d/decide/" % case.pk, {"decision": "warning", "reason": "再次"})
    assert again.status_code in (400, 409)
    steps = client.get(API + "cases/%d/transitions/" % case.pk)
    assert steps.status_code == 200 and [s["action"] for s in steps.json()][-1] == "decide"


def test_withdraw_and_read_scope(world, cw, login):
    case = open_case(world)
    assert post(login("leader"), "cases/%d/act/" % case.pk, {"action": "withdraw", "comment": "x"}).status_code == 403
    ok = post(login("renhua_st"), "cases/%d/act/" % case.pk, {"action": "withdraw", "comment": "已整改到位。"})
    assert ok.status_code == 200 and ok.json()["status"] == "withdrawn"
    assert [r["id"] for r in rows(login("unit").get(API + "cases/"))] == [case.pk]
    assert rows(login("nanxiong_st").get(API + "cases/")) == []
    assert rows(login("renhua_county_town").get(API + "cases/")) == []
    assert login("other_leader").get(API + "cases/%d/" % case.pk).status_code == 404


def test_member_changes(world, cw, login):
    values = change_values(world, cw)
    body = {"pairing": cw.pairing.pk, "leaving": values["leaving"], "joining_id_number": values["joining_id_number"],
            "joining_name": values["joining_name"], "joining_phone": values["joining_phone"],
            "effective_date": values["effective_date"].isoformat(), "reason": values["reason"]}
    assert post(login("leader"), "member-changes/", body).status_code == 403
    bad = post(login("renhua_st"), "member-changes/", dict(body, joining_id_number=""))
    assert bad.status_code == 400 and "不符合本周期团队人数要求" in json.dumps(bad.json(), ensure_ascii=False)
    created = post(login("renhua_st"), "member-changes/", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    province = post(login("province"), "member-changes/%d/act/" % pk, {"action": "confirm_province"})
    assert province.status_code in (400, 403)
    assert post(login("city_st"), "member-changes/%d/act/" % pk, {"action": "confirm_city"}).json()["status"] == \
        "city_confirmed"
    assert post(login("province"), "member-changes/%d/act/" % pk, {"action": "confirm_province"}).json()["status"] == \
        "registered"
    assert login("nanxiong_st").get(API + "member-changes/%d/" % pk).status_code == 404
    assert MemberChange.objects.get().status == "registered"


def test_pairing_figures_are_read_in_scope(world, cw, login):
    from replacements.tests.factories import decide_replacement

    decide_replacement(world, open_case(world))
    assert [r["team_name"] for r in rows(login("renhua_st").get(API + "pairing-figures/"))] == ["柑橘团队"]
    assert rows(login("nanxiong_st").get(API + "pairing-figures/")) == []
    assert post(login("renhua_st"), "pairing-figures/", {}).status_code == 405


def test_a_warning_case_has_no_replacement_in_the_api(world, cw, login):
    case = decide_warning(world, open_case(world))
    body = login("leader").get(API + "cases/%d/" % case.pk).json()
    assert body["decision"] == "warning" and body["new_pairing"] is None
    assert record_change(world, cw).status == "pending"
