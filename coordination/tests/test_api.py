"""The coordination API: groups, members (phones masked to readers), meetings with documents, follow-ups with their
workflow — scoped like the pages (out of scope: 404; towns, teams, units, experts: nothing), writes through the
services (400 with Chinese messages on the field keys, 403 for a wrong role or a reader, 409 for a step taken twice)."""
import json

import pytest
from django.test import Client

from coordination.models import FollowUp, Group, GroupMember, Meeting
from coordination.tests.factories import county_group, days_ago, follow_up, meeting, member, pdf

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def post(client, url, body=None, **headers):
    return client.post(API + url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def patch(client, url, body):
    return client.patch(API + url, data=json.dumps(body), content_type="application/json")


def rows(response):
    assert response.status_code == 200, response.content
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def text(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


@pytest.fixture
def login(world):
    def sign_in(name):
        client = Client()
        client.force_login(world[name])
        return client

    return sign_in


@pytest.fixture
def renhua(world):
    group = county_group(world)
    person = member(world, group, actor="renhua_st", name="赵刚", organization="仁化县科技局")
    held = meeting(world, group, actor="renhua_st", attendees=[person], documents=[pdf()])
    item = follow_up(world, group, actor="renhua_st", meeting=held, owner=person, owner_text="")
    return group, person, held, item


def test_a_group_is_created_once_by_its_s_and_t_office(world, login):
    client = login("city_st")
    response = post(client, "coordination-groups/", {"name": "韶关市协调指导小组", "document_number": "韶科〔2021〕85号"},
                    **{"Idempotency-Key": "group-create-1"})
    assert response.status_code == 201, response.content
    assert response.json()["level"] == "city" and response.json()["county"] is None
    again = post(client, "coordination-groups/", {"name": "韶关市协调指导小组"}, **{"Idempotency-Key": "group-create-1"})
    assert again.status_code == 200 and Group.objects.count() == 1
    second = post(client, "coordination-groups/", {"name": "第二个"})
    assert second.status_code == 400 and "不能重复建立" in text(second)
    empty = post(login("renhua_st"), "coordination-groups/", {"name": ""})
    assert empty.status_code == 400 and "name" in empty.json(), empty.content
    for name in ("city_rural", "province", "renhua_county_town", "leader", "unit", "expert"):
        assert post(login(name), "coordination-groups/", {"name": "越权"}).status_code == 403, name
    group = Group.objects.get(level="city")
    assert patch(login("renhua_st"), "coordination-groups/%d/" % group.pk, {"name": "改"}).status_code == 404
    assert patch(login("city_rural"), "coordination-groups/%d/" % group.pk, {"name": "改"}).status_code == 403
    assert patch(client, "coordination-groups/%d/" % group.pk, {"name": "改名"}).json()["name"] == "改名"


def test_reads_are_scoped_and_phones_masked(world, renhua, login):
    group, person, held, item = renhua
    for name, seen in (("province", 1), ("city_st", 1), ("renhua_rural", 1), ("nanxiong_st", 0),
                       ("renhua_county_town", 0), ("leader", 0), ("unit", 0), ("expert", 0)):
        client = login(name)
        for url in ("coordination-groups/", "group-members/", "meetings/", "follow-ups/"):
            assert len(rows(client.get(API + url))) == seen, (name, url)
    assert login("nanxiong_st").get(API + "follow-ups/%d/" % item.pk).status_code == 404
    assert login("leader").get(API + "meetings/%d/" % held.pk).status_code == 404
    assert rows(login("city_st").get(API + "group-members/"))[0]["phone"] == "138****8000"
    assert rows(login("renhua_rural").get(API + "group-members/"))[0]["phone"] == "13800138000"
    history = login("city_st").get(API + "group-members/%d/history/" % person.pk)
    assert history.status_code == 200 and "13800138000" not in text(history)
    documents = login("province").get(API + "meetings/%d/" % held.pk).json()["documents"]
    assert documents[0]["name"] == "会议纪要" and documents[0]["url"].startswith("/coordination/documents/")


def test_members_meetings_and_follow_ups_are_created_by_the_groups_offices(world, renhua, login):
    group, person, held, item = renhua
    client = login("renhua_rural")
    response = post(client, "group-members/", {"group": group.pk, "name": "钱芳", "organization": "仁化县乡村振兴局",
                                               "role_in_group": "deputy", "phone": "0751-6322222"})
    assert response.status_code == 201, response.content
    second = response.json()["id"]
    response = post(client, "meetings/", {"group": group.pk, "date": days_ago(1).isoformat(), "place": "会议室",
                                          "title": "第二次会议", "attendees": [person.pk, second]})
    assert response.status_code == 201, response.content
    assert set(response.json()["attendees"]) == {person.pk, second}
    meeting_id = response.json()["id"]
    late = post(client, "follow-ups/", {"group": group.pk, "meeting": meeting_id, "title": "补充材料",
                                        "owner": second, "due_date": days_ago(3).isoformat()})
    assert late.status_code == 400 and "不能早于来源会议的日期" in text(late) and "due_date" in late.json()
    response = post(client, "follow-ups/", {"group": group.pk, "meeting": meeting_id, "title": "补充材料",
                                            "owner": second, "due_date": days_ago(-7).isoformat()})
    assert response.status_code == 201, response.content
    assert response.json()["owner_organization"] == "仁化县乡村振兴局" and response.json()["overdue"] is False
    # The city reads 仁化's group but keeps none of it; 南雄 does not find it; a town is refused by role.
    assert post(login("city_st"), "meetings/", {"group": group.pk, "date": days_ago(1).isoformat(),
                                                 "place": "x", "title": "x"}).status_code == 403
    response = post(login("nanxiong_st"), "follow-ups/", {"group": group.pk, "title": "x", "owner_text": "x",
                                                           "due_date": days_ago(-1).isoformat()})
    assert response.status_code == 400 and "协调指导小组不存在或不在您的管辖范围内" in text(response)
    assert post(login("renhua_county_town"), "group-members/", {"group": group.pk, "name": "x"}).status_code == 403
    assert patch(login("nanxiong_rural"), "meetings/%d/" % held.pk, {"title": "改"}).status_code == 404
    bad = post(client, "group-members/", {"group": group.pk, "name": "", "organization": "", "phone": "123"})
    assert bad.status_code == 400 and "电话号码格式不正确" in text(bad)
    assert GroupMember.objects.count() == 2 and Meeting.objects.count() == 2 and FollowUp.objects.count() == 2


def test_documents_are_added_by_multipart_and_checked_by_content(world, renhua, login):
    held = renhua[2]
    client = login("renhua_st")
    response = client.post(API + "meetings/%d/documents/" % held.pk, {"documents": [pdf("签到表.pdf")]})
    assert response.status_code == 200, response.content
    assert [d["name"] for d in response.json()["documents"]] == ["会议纪要", "签到表"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.pdf", b"MZ\x00 not a pdf", content_type="application/pdf")
    response = client.post(API + "meetings/%d/documents/" % held.pk, {"documents": [fake]})
    assert response.status_code == 400 and "只接受" in text(response)
    assert login("city_st").post(API + "meetings/%d/documents/" % held.pk,
                                 {"documents": [pdf()]}).status_code == 403
    assert held.documents.count() == 2


def test_a_follow_up_moves_by_act_with_transitions_and_history(world, renhua, login):
    item = renhua[3]
    client = login("renhua_st")
    assert [a["action"] for a in client.get(API + "follow-ups/%d/actions/" % item.pk).json()] == ["complete", "cancel"]
    missing = post(client, "follow-ups/%d/act/" % item.pk, {"action": "complete"})
    assert missing.status_code == 400 and "请填写“办结”的理由" in text(missing)
    wrong = post(client, "follow-ups/%d/act/" % item.pk, {"action": "close"})
    assert wrong.status_code == 400 and "操作应为 complete、cancel 或 reopen。" in text(wrong)
    done = post(client, "follow-ups/%d/act/" % item.pk, {"action": "complete", "comment": "已落实"})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["completion_note"] == "已落实"
    twice = post(client, "follow-ups/%d/act/" % item.pk, {"action": "complete", "comment": "已落实"})
    assert twice.status_code == 409
    assert post(login("city_st"), "follow-ups/%d/act/" % item.pk,
                {"action": "reopen", "comment": "x"}).status_code == 403
    assert post(login("nanxiong_st"), "follow-ups/%d/act/" % item.pk,
                {"action": "reopen", "comment": "x"}).status_code == 404
    reopened = post(login("renhua_rural"), "follow-ups/%d/act/" % item.pk, {"action": "reopen", "comment": "未完成"})
    assert reopened.json()["status"] == "open"
    flow = client.get(API + "follow-ups/%d/transitions/" % item.pk).json()
    assert [step["action"] for step in flow] == ["open", "complete", "reopen"]
    assert client.get(API + "follow-ups/%d/history/" % item.pk).status_code == 200
    assert login("leader").get(API + "follow-ups/%d/transitions/" % item.pk).status_code == 404


def test_overdue_filter(world, renhua, login):
    late = follow_up(world, renhua[0], actor="renhua_st", title="逾期", due_date=days_ago(0))
    FollowUp.objects.filter(pk=late.pk).update(due_date=days_ago(2))
    found = rows(login("city_rural").get(API + "follow-ups/", {"overdue": "true"}))
    assert [row["title"] for row in found] == ["逾期"] and found[0]["overdue"] is True
