"""The notices and objections API: scoped and masked as on the pages; the handlers act through the workflow."""
import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.china import SHANGHAI
from core.models import SensitiveAccess, Transition
from matching.models import Pairing
from notices.models import PublicNotice
from notices.services import notice_publish, objection_file

OFFICIALS_OF_RENHUA = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural"]


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def objection(published):
    return objection_file(notice=published, entry=published.entries.get(), name="张三丰", phone="13800138000",
                          grounds="该团队负责人已调离", evidence=pdf(), ip="1.2.3.4", now=at(2024, 10, 8, 10))


def post(client, url, body):
    return client.post(url, data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")


def transitions(objection):
    return Transition.objects.filter(content_type__model="objection", object_id=str(objection.pk))


# ------------------------------------------------------------------------------------------------ notices
def test_notices_are_listed_in_scope_with_their_effective_status_and_reading_writes_nothing(world, published, login):
    # The period ended in 2024; the scheduled job has not run: stored "published", shown closed.
    assert PublicNotice.objects.get().status == "published"
    data = login("renhua_st").get("/api/v1/notices/").json()
    assert data["count"] == 1
    (notice,) = data["results"]
    assert (notice["id"], notice["status"], notice["status_display"]) == (published.pk, "closed", "已结束")
    assert notice["open_for_objections"] is False and notice["working_days"] == 5
    (entry,) = notice["entries"]
    assert (entry["team_name"], entry["town_label"], entry["outcome"]) == ("柑橘团队", "董塘镇", "cleared")
    assert PublicNotice.objects.get().status == "published"  # reading never writes
    assert login("nanxiong_st").get("/api/v1/notices/").json()["count"] == 0


def test_notices_filter_by_cycle_and_effective_status(world, published, login):
    client = login("city_st")
    assert client.get("/api/v1/notices/?status=closed").json()["count"] == 1
    assert client.get("/api/v1/notices/?status=published").json()["count"] == 0
    assert client.get("/api/v1/notices/?cycle=%d" % world.cycle.pk).json()["count"] == 1
    for query in ("cycle=abc", "cycle=999999", "status=nonsense"):
        assert client.get("/api/v1/notices/?" + query).status_code == 400, query


def test_a_notice_is_read_by_its_officials_only(published, assert_denied):
    assert_denied("/api/v1/notices/%d/" % published.pk, allowed=OFFICIALS_OF_RENHUA)
    assert_denied("/api/v1/notices/%d/transitions/" % published.pk, allowed=OFFICIALS_OF_RENHUA)


def test_malformed_notice_ids_are_404(published, login):
    client = login("renhua_st")
    for pk in ("abc", "-1", "9" * 30, "999999"):
        assert client.get("/api/v1/notices/%s/" % pk).status_code == 404, pk


# ------------------------------------------------------------------------------------------------ objections
def test_an_objection_is_read_by_the_organizer_and_the_levels_above_only(objection, assert_denied):
    assert_denied("/api/v1/objections/%d/" % objection.pk, allowed=OFFICIALS_OF_RENHUA)


def test_a_county_reads_the_city_notice_of_its_town_but_not_its_objections(world, proposed, login):
    notice = notice_publish(actor=world["city_st"], cycle=world.cycle, pairings=[proposed["city"]], title="市级公示",
                            start_date=dt.date(2024, 9, 27), contact="市科技局", today=dt.date(2024, 9, 27))
    objection = objection_file(notice=notice, entry=notice.entries.get(), name="李四", phone="13900139000",
                               grounds="理由", now=at(2024, 10, 8, 10))
    client = login("renhua_st")
    assert client.get("/api/v1/notices/%d/" % notice.pk).status_code == 200
    assert client.get("/api/v1/objections/%d/" % objection.pk).status_code == 404
    assert client.get("/api/v1/objections/").json()["count"] == 0
    assert login("nanxiong_st").get("/api/v1/notices/%d/" % notice.pk).status_code == 404


def test_the_objector_is_masked_except_for_the_handler_whose_view_is_logged(world, objection, login):
    url = "/api/v1/objections/%d/" % objection.pk
    city = login("city_st").get(url).json()
    assert (city["name"], city["phone"], city["identity_masked"]) == ("张**", "138****8000", True)
    assert city["has_evidence"] is True and city["evidence_url"] is None
    assert city["grounds"] == "该团队负责人已调离"
    assert not SensitiveAccess.objects.exists()

    listed = login("renhua_st").get("/api/v1/objections/").json()["results"]
    assert [(row["name"], row["phone"]) for row in listed] == [("张**", "138****8000")]
    assert not SensitiveAccess.objects.exists()  # the list masks everyone: nothing to log

    handler = login("renhua_st").get(url)
    text = handler.content.decode()
    data = handler.json()
    assert (data["name"], data["phone"], data["identity_masked"]) == ("张三丰", "13800138000", False)
    # The evidence through the scoped download view, never a /media/ URL or the storage name.
    assert data["evidence_url"] == "/notices/objections/%d/evidence/" % objection.pk
    assert "/media/" not in text and objection.evidence.name not in text
    (log,) = SensitiveAccess.objects.all()
    assert (log.user, log.object_id, log.field, log.purpose) == (world["renhua_st"], str(objection.pk), "name,phone",
                                                                 "异议处理")
    for name in ("renhua_rural", "province"):
        assert "13800138000" not in login(name).get(url).content.decode()
    assert SensitiveAccess.objects.count() == 1


def test_the_handler_acts_through_the_workflow_steps(world, objection, proposed, login):
    client = login("renhua_st")
    url = "/api/v1/objections/%d/act/" % objection.pk
    response = post(client, url, {"action": "investigate"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "investigating" and response.json()["phone"] == "13800138000"
    refused = post(client, url, {"action": "uphold"})
    assert refused.status_code == 400 and "请填写" in refused.content.decode()
    response = post(client, url, {"action": "uphold", "comment": "经核实，申报材料不实"})
    assert response.status_code == 200, response.content
    objection.refresh_from_db()
    assert (objection.status, objection.finding, objection.handled_by) == ("upheld", "经核实，申报材料不实",
                                                                           world["renhua_st"])
    assert [(t.action, t.from_state, t.to_state, t.actor) for t in transitions(objection).order_by("pk")] == [
        ("investigate", "received", "investigating", world["renhua_st"]),
        ("uphold", "investigating", "upheld", world["renhua_st"])]
    assert objection.entry.outcome == "removed"
    assert Pairing.objects.get(pk=proposed["county"].pk).status == "withdrawn"
    # A step from a state it does not start from is refused in Chinese and changes nothing.
    again = post(client, url, {"action": "dismiss", "comment": "x"})
    assert again.status_code == 400 and "当前状态" in again.content.decode()
    assert transitions(objection).count() == 2


def test_a_non_handler_cannot_act_and_nothing_changes(world, objection, client):
    url = "/api/v1/objections/%d/act/" % objection.pk
    for name, codes in [("city_st", {403}), ("city_rural", {403}), ("renhua_rural", {403}), ("province", {403}),
                        ("nanxiong_st", {404}), ("renhua_county_town", {404}), ("leader", {404}), ("unit", {404})]:
        client.force_login(world[name])
        response = post(client, url, {"action": "dismiss", "comment": "越权处理"})
        assert response.status_code in codes, (name, response.status_code)
        assert "13800138000" not in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == "received" and not objection.finding and objection.handled_by is None
    assert not transitions(objection).exists()


def test_malformed_acts_answer_400_or_404_in_chinese_never_500(world, objection, login):
    client = login("renhua_st")
    url = "/api/v1/objections/%d/act/" % objection.pk
    for pk in ("abc", "-1", "9" * 30, "999999"):
        assert post(client, "/api/v1/objections/%s/act/" % pk, {"action": "investigate"}).status_code == 404, pk
        assert client.get("/api/v1/objections/%s/" % pk).status_code == 404, pk
    for body in ("null", "[]", '"investigate"', "{}", '{"action": null}', '{"action": 3}', "{not json"):
        response = post(client, url, body)
        assert response.status_code == 400, (body, response.status_code)
    unknown = post(client, url, {"action": "approve"})
    assert unknown.status_code == 400 and "操作应为" in unknown.json()["action"][0]
    too_long = post(client, url, {"action": "dismiss", "comment": "长" * 5000})
    assert too_long.status_code == 400
    objection.refresh_from_db()
    assert objection.status == "received" and not transitions(objection).exists()


def test_the_objections_filter_and_search_never_by_the_objector(world, objection, login):
    client = login("city_st")
    assert client.get("/api/v1/objections/?status=received").json()["count"] == 1
    assert client.get("/api/v1/objections/?status=dismissed").json()["count"] == 0
    assert client.get("/api/v1/objections/?search=%s" % objection.receipt_number).json()["count"] == 1
    # Searching or sorting by the masked identity would reveal it: neither is offered.
    assert client.get("/api/v1/objections/?search=13800138000").json()["count"] == 0
    assert client.get("/api/v1/objections/?search=张三丰").json()["count"] == 0
    assert client.get("/api/v1/objections/?notice=abc").status_code == 400


def test_a_draft_reads_as_a_draft_with_no_public_page(world, proposed, login):
    from notices.services import notice_prepare

    draft = notice_prepare(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="草稿公示",
                           start_date=dt.date(2030, 3, 4), contact="县科技局", today=dt.date(2030, 3, 4))
    data = login("renhua_st").get("/api/v1/notices/%d/" % draft.pk).json()
    assert (data["status"], data["public_url"], data["open_for_objections"]) == ("draft", None, False)
