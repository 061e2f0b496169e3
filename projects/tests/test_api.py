"""The agreements, projects and change-requests API: scoped like the pages, writes through the services (their
errors on the field keys, nothing half-saved), the workflow steps with 403/404 for the others and 409 for a step
already taken; amounts exact in Decimal; no phone or ID number in a payload. Also the admin's registrations."""
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone

from core.models import Transition
from portal.testing import CYCLE_YEAR
from projects import services
from projects.models import Agreement, BudgetLine, Project, ProjectChange, ProjectMember, ProjectYear
from projects.tests.factories import (active_pairing, agreement_values, confirmed_need, make_project,
                                      project_content, staff)

pytestmark = pytest.mark.django_db
YEAR = CYCLE_YEAR + 1


def post(client, url, body, **headers):
    return client.post(url, data=body if isinstance(body, str) else json.dumps(body), content_type="application/json",
                       headers=headers)


def patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def pdf(name="signed.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf")


@pytest.fixture
def login(world):
    """``login("renhua_st")``: a client of its own signed in as that user (several users act in one test)."""
    from django.test import Client

    def sign_in(name):
        client = Client()
        client.force_login(world[name])
        return client

    return sign_in


@pytest.fixture
def renhua(world):
    """柑橘团队 in 董塘镇 (仁化县, county-organized): its pairing, its three people, a confirmed need."""
    return active_pairing(world), staff(world), [confirmed_need(world)]


@pytest.fixture
def nanxiong(world):
    """茶叶团队 in 珠玑镇 (南雄市, county-organized), with a project."""
    pairing = active_pairing(world, town=world.nanxiong_county_town, team=world.other_team)
    people = staff(world, world.other_team)
    content = project_content(world, people, [confirmed_need(world, world.nanxiong_county_town, title="南雄烟叶")])
    content["values"]["title"] = "南雄烟叶提质增效"
    return services.project_create(actor=world["other_leader"], pairing=pairing, **content)


def body(pairing, people, needs, **overrides):
    """A complete project as a client sends it: amounts as JSON numbers and strings, ids for needs and members."""
    data = {
        "pairing": pairing.pk, "title": "贡柑黄龙病绿色防控示范", "objectives": "建立示范基地，推广绿色防控技术。",
        "content": "引进抗病砧木，建设示范园，开展培训。", "start_date": "%d-01-01" % YEAR, "end_date": "%d-12-31" % YEAR,
        "trainings": 6, "people_trained": 300, "technologies": 2, "varieties": 1, "demo_bases": 1,
        "demo_area_mu": "50.0", "households": 120, "enterprises": 3, "income_raised": 600000,
        "total_budget": "PLACEHOLDER",
        "needs": [need.pk for need in needs],
        "years": [{"year": YEAR, "plan": "建设示范园，开展6场培训。"}],
        "budget_lines": [{"category": "materials", "amount": "LINE1", "source": "city", "note": "种苗农资"},
                         {"category": "training", "amount": "0.20", "source": "unit"}],
        "members": [{"commissioner": people[0].pk, "duty": "项目负责，技术总体设计"},
                    {"commissioner": people[1].pk, "duty": "示范基地建设"}],
    }
    data.update(overrides)
    # Numbers as the client typed them: 100000.10 + 0.20 is 100000.30 exactly, in Decimal (a float sum is not).
    return (json.dumps(data, ensure_ascii=False).replace('"PLACEHOLDER"', "100000.30").replace('"LINE1"', "100000.10"))


def _project_ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# ------------------------------------------------------------------------------------------------ reading
def test_lists_are_scoped_like_the_pages(world, renhua, nanxiong, login):
    pairing, people, needs = renhua
    mine = make_project(world, pairing, people, needs)
    agreement = services.agreement_create(actor=world["leader"], pairing=pairing, **agreement_values())
    seen = {name: _project_ids(login(name).get("/api/v1/projects/")) for name in (
        "renhua_st", "nanxiong_st", "leader", "member", "other_leader", "renhua_county_town", "nanxiong_county_town",
        "renhua_city_town", "city_st", "unit", "expert")}
    assert seen["nanxiong_st"] == {nanxiong.pk}  # a 南雄 official does not see the 仁化 project
    assert seen["renhua_st"] == seen["leader"] == seen["member"] == seen["renhua_county_town"] == {mine.pk}
    assert seen["unit"] == {mine.pk}
    assert seen["other_leader"] == seen["nanxiong_county_town"] == {nanxiong.pk}
    assert seen["renhua_city_town"] == seen["expert"] == set()
    assert seen["city_st"] == {mine.pk, nanxiong.pk}
    for name, code in (("nanxiong_st", 404), ("other_leader", 404), ("renhua_city_town", 404), ("renhua_st", 200)):
        assert login(name).get("/api/v1/projects/%d/" % mine.pk).status_code == code, name
        assert login(name).get("/api/v1/agreements/%d/" % agreement.pk).status_code == code, name
    assert login("nanxiong_st").get("/api/v1/agreements/").json()["count"] == 0
    assert login("renhua_county_town").get("/api/v1/agreements/").json()["count"] == 1
    assert login("renhua_st").get("/api/v1/projects/abc/").status_code == 404


def test_a_project_reads_with_its_lines_and_no_personal_data(world, renhua, login):
    pairing, people, needs = renhua
    project = make_project(world, pairing, people, needs)
    response = login("renhua_st").get("/api/v1/projects/%d/" % project.pk)
    data = response.json()
    assert data["total_budget"] == "100000.00" and data["budget_lines_total"] == "100000.00"
    assert [(line["category"], line["amount"], line["source"]) for line in data["budget_lines"]] == [
        ("materials", "50000.00", "city"), ("training", "50000.00", "unit")]
    assert data["years"] == [{"year": YEAR, "plan": "建设示范园，开展6场培训。"}]
    assert data["needs"] == [{"id": needs[0].pk, "title": "贡柑黄龙病绿色防控"}]
    assert data["members"][0] == {"commissioner": people[0].pk, "name": people[0].name, "unit_name": "华南农业大学",
                                  "title": "副研究员", "duty": "项目负责，技术总体设计"}
    assert data["town_name"] == "仁化县董塘镇" and data["organizer_level"] == "county"
    text = response.content.decode()
    for person in people:
        assert person.phone not in text and person.id_number_masked not in text
        assert "phone" not in text and "id_number" not in text


def test_the_list_does_not_query_per_project(world, renhua, login, django_assert_max_num_queries):
    pairing, people, needs = renhua
    client = login("renhua_st")
    make_project(world, pairing, people, needs)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/projects/")
    for _ in range(4):
        make_project(world, pairing, people, needs)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/api/v1/projects/")
    assert response.json()["count"] == 5


# ------------------------------------------------------------------------------------------------ writing
def test_the_leader_creates_a_project_with_exact_decimal_amounts(world, renhua, login):
    pairing, people, needs = renhua
    response = post(login("leader"), "/api/v1/projects/", body(pairing, people, needs))
    assert response.status_code == 201, response.content
    data = response.json()
    project = Project.objects.get(pk=data["id"])
    assert project.total_budget == Decimal("100000.30") and data["total_budget"] == "100000.30"
    assert [line.amount for line in project.budget_lines.all()] == [Decimal("100000.10"), Decimal("0.20")]
    assert project.status == "draft" and project.created_by == world["leader"]
    assert [m.commissioner_id for m in project.members.all()] == [people[0].pk, people[1].pk]
    assert list(project.needs.all()) == needs and project.demo_area_mu == Decimal("50.0")
    assert Transition.objects.filter(object_id=str(project.pk), action="draft").exists()


def test_a_budget_that_does_not_add_up_is_refused_on_budget_lines_and_nothing_is_saved(world, renhua, login):
    pairing, people, needs = renhua
    wrong = body(pairing, people, needs).replace("100000.30", "100000.00")
    response = post(login("leader"), "/api/v1/projects/", wrong)
    assert response.status_code == 400
    errors = response.json()
    assert "budget_lines" in errors and "不一致" in "".join(errors["budget_lines"])
    assert not Project.objects.exists() and not BudgetLine.objects.exists() and not ProjectYear.objects.exists()
    assert not ProjectMember.objects.exists()


@pytest.mark.parametrize("field,value", [("trainings", "六场"), ("households", "一百户"), ("trainings", True)])
def test_targets_typed_as_text_are_refused_on_their_field(world, renhua, login, field, value):
    pairing, people, needs = renhua
    response = post(login("leader"), "/api/v1/projects/", body(pairing, people, needs, **{field: value}))
    assert response.status_code == 400 and field in response.json()
    assert not Project.objects.exists()


def test_amounts_that_are_not_numbers_are_refused_by_row(world, renhua, login):
    pairing, people, needs = renhua
    data = json.loads(body(pairing, people, needs))
    data["budget_lines"][1]["amount"] = "abc"
    response = post(login("leader"), "/api/v1/projects/", data)
    assert response.status_code == 400
    assert any("第2行" in text for text in response.json()["budget_lines"])
    data["budget_lines"][1]["amount"] = ["0.20"]
    assert post(login("leader"), "/api/v1/projects/", data).status_code == 400
    # Absurd magnitudes are out of range before any service writes them out in a message.
    for huge in ('"1e999999999"', "1e999999999", "-1e-999999999"):
        text = body(renhua[0], renhua[1], renhua[2]).replace("100000.30", huge, 1)
        response = post(login("leader"), "/api/v1/projects/", text)
        assert response.status_code == 400 and "total_budget" in response.json(), huge
    assert not Project.objects.exists()


def test_needs_and_pairings_out_of_scope_are_refused_without_names(world, renhua, nanxiong, login):
    pairing, people, needs = renhua
    elsewhere = nanxiong.needs.get()
    response = post(login("leader"), "/api/v1/projects/", body(pairing, people, [elsewhere]))
    assert response.status_code == 400 and "needs" in response.json()
    assert "南雄烟叶" not in response.content.decode()
    response = post(login("leader"), "/api/v1/projects/", body(nanxiong.pairing, people, needs))
    assert response.status_code == 400 and "pairing" in response.json()
    assert Project.objects.count() == 1


def test_only_the_leader_creates_and_edits(world, renhua, login):
    pairing, people, needs = renhua
    for name in ("member", "renhua_st", "renhua_county_town"):
        assert post(login(name), "/api/v1/projects/", body(pairing, people, needs)).status_code == 403, name
    assert post(login("other_leader"), "/api/v1/projects/", body(pairing, people, needs)).status_code == 400
    project = make_project(world, pairing, people, needs)
    url = "/api/v1/projects/%d/" % project.pk
    for name, code in (("member", 404), ("nanxiong_st", 404), ("other_leader", 404), ("renhua_st", 403)):
        assert patch(login(name), url, {"title": "改名"}).status_code == code, name
    response = patch(login("leader"), url, {"title": "贡柑示范（修订）", "years": [
        {"year": YEAR, "plan": "一季度建园。"}, {"year": YEAR + 1, "plan": "总结推广。"}], "end_date": "%d-06-30" % (
        YEAR + 1)})
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert project.title == "贡柑示范（修订）" and [y.year for y in project.years.all()] == [YEAR, YEAR + 1]
    assert project.budget_lines.count() == 2 and project.members.count() == 2  # lists not given are kept
    response = patch(login("leader"), url, {"total_budget": "1.00"})
    assert response.status_code == 400 and "budget_lines" in response.json()
    project.refresh_from_db()
    assert project.total_budget == Decimal("100000.00")


def test_a_retried_create_with_the_same_idempotency_key_makes_one_project(world, renhua, login):
    pairing, people, needs = renhua
    client = login("leader")
    first = post(client, "/api/v1/projects/", body(pairing, people, needs), Idempotency_Key="project-key-0001")
    again = post(client, "/api/v1/projects/", body(pairing, people, needs), Idempotency_Key="project-key-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.headers["Idempotent-Replay"] == "true"
    assert Project.objects.count() == 1
    # A failed create frees the key: corrected, the same key creates.
    wrong = post(client, "/api/v1/projects/", body(pairing, people, needs).replace("100000.30", "1.00"),
                 Idempotency_Key="project-key-0002")
    assert wrong.status_code == 400
    assert post(client, "/api/v1/projects/", body(pairing, people, needs),
                Idempotency_Key="project-key-0002").status_code == 201


# ------------------------------------------------------------------------------------------------ agreements
def test_the_agreement_is_drafted_signed_and_confirmed_through_the_api(world, renhua, login):
    pairing = renhua[0]
    leader = login("leader")
    response = post(leader, "/api/v1/agreements/", {"pairing": pairing.pk, **agreement_values()})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["town_party"] == "仁化县董塘镇人民政府" and data["status"] == "draft"
    assert data["work_team_party"] == "仁化县董塘镇驻镇帮镇扶村工作队" and data["has_signed_scan"] is False
    url = "/api/v1/agreements/%d/" % data["id"]
    assert post(leader, "/api/v1/agreements/", {"pairing": pairing.pk, **agreement_values()}).status_code == 400
    response = patch(leader, url, {"term_end": "%d-01-01" % (CYCLE_YEAR + 5)})
    assert response.status_code == 400 and "term_end" in response.json()
    assert patch(leader, url, {"summary": "修订后的帮扶内容"}).json()["summary"] == "修订后的帮扶内容"
    assert [s["action"] for s in leader.get(url + "actions/").json()] == ["sign"]
    fake = SimpleUploadedFile("scan.pdf", b"just text", content_type="application/pdf")
    response = leader.post(url + "sign/", {"scan": fake, "signed_on": timezone.localdate().isoformat()})
    assert response.status_code == 400 and "scan" in response.json() and "signed_scan" not in response.json()
    assert leader.post(url + "sign/", {"signed_on": timezone.localdate().isoformat()}).status_code == 400
    response = leader.post(url + "sign/", {"scan": pdf(), "signed_on": timezone.localdate().isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed" and response.json()["signed_scan_url"].endswith("/scan/")
    assert "/media/" not in response.content.decode()
    for name, code in (("renhua_st", 403), ("leader", 403), ("member", 403), ("nanxiong_county_town", 404),
                       ("renhua_city_town", 404)):
        assert post(login(name), url + "act/", {"action": "confirm"}).status_code == code, name
    town = login("renhua_county_town")
    assert [s["action"] for s in town.get(url + "actions/").json()] == ["confirm", "return"]
    assert post(town, url + "act/", {"action": "return", "comment": ""}).status_code == 400
    assert post(town, url + "act/", {"action": "sign"}).status_code == 400
    response = post(town, url + "act/", {"action": "confirm", "comment": "已核对"})
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    again = post(town, url + "act/", {"action": "confirm"})
    assert again.status_code == 409 and "已被他人处理" in again.json()["detail"]
    steps = [(t["action"], t["to_state"]) for t in town.get(url + "transitions/").json()]
    assert steps == [("draft", "draft"), ("sign", "signed"), ("confirm", "confirmed")]
    assert patch(login("leader"), url, {"summary": "再改"}).status_code == 400  # confirmed: no more edits


def test_an_agreement_is_drafted_only_by_the_pairings_leader(world, renhua, nanxiong, login):
    pairing = renhua[0]
    assert post(login("member"), "/api/v1/agreements/", {"pairing": pairing.pk}).status_code == 403
    assert post(login("renhua_county_town"), "/api/v1/agreements/", {"pairing": pairing.pk}).status_code == 403
    assert post(login("leader"), "/api/v1/agreements/", {"pairing": nanxiong.pairing_id}).status_code == 400
    assert post(login("leader"), "/api/v1/agreements/", {"pairing": "abc"}).status_code == 400
    assert not Agreement.objects.exists()


# ------------------------------------------------------------------------------------------------ project steps
def test_submit_return_resubmit_accept_through_the_api(world, renhua, login):
    pairing, people, needs = renhua
    project = make_project(world, pairing, people, needs)
    url = "/api/v1/projects/%d/" % project.pk
    leader, office = login("leader"), login("renhua_st")
    actions = leader.get(url + "actions/").json()
    assert [s["action"] for s in actions] == ["submit", "discard"] and "帮扶协议尚未经镇确认" in actions[0]["warning"]
    response = post(leader, url + "act/", {"action": "submit"})
    assert response.status_code == 400 and "帮扶协议尚未经镇确认" in response.content.decode()
    assert post(login("member"), url + "act/", {"action": "submit", "confirmed": True}).status_code == 403
    assert post(login("other_leader"), url + "act/", {"action": "submit", "confirmed": True}).status_code == 404
    response = post(leader, url + "act/", {"action": "submit", "confirmed": True})
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert response.json()["submitted_at"]
    assert [s["action"] for s in office.get(url + "actions/").json()] == ["return", "accept"]
    assert post(login("nanxiong_st"), url + "act/", {"action": "accept"}).status_code == 404
    assert post(login("city_st"), url + "act/", {"action": "accept"}).status_code == 403  # county-organized
    response = post(office, url + "act/", {"action": "return", "comment": ""})
    assert response.status_code == 400 and "comment" in response.json()
    response = post(office, url + "act/", {"action": "return", "comment": "请细化年度计划"})
    assert response.json()["status"] == "returned" and response.json()["return_comment"] == "请细化年度计划"
    assert patch(leader, url, {"years": [{"year": YEAR, "plan": "一季度建园，二季度培训。"}]}).status_code == 200
    response = post(leader, url + "act/", {"action": "resubmit", "confirmed": True})
    assert response.json()["status"] == "submitted"
    response = post(office, url + "act/", {"action": "accept", "comment": "受理"})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    steps = [t["action"] for t in leader.get(url + "transitions/").json()]
    assert steps == ["draft", "submit", "return", "resubmit", "accept"]
    assert patch(leader, url, {"title": "受理后直接修改"}).status_code == 400


def test_a_step_already_taken_answers_409(world, renhua, login):
    pairing, people, needs = renhua
    project = services.project_submit(actor=world["leader"], project=make_project(world, pairing, people, needs),
                                      confirmed=True)
    url = "/api/v1/projects/%d/act/" % project.pk
    office = login("renhua_st")
    # The page showed "submitted"; another official returned it meanwhile.
    services.project_return(actor=world["renhua_st"], project=project, comment="请补充")
    response = post(office, url, {"action": "accept", "seen_status": "submitted"})
    assert response.status_code == 409 and "已被他人处理" in response.json()["detail"]
    # Two clicks of one step: the second finds it done.
    assert post(login("leader"), url, {"action": "resubmit", "confirmed": True}).status_code == 200
    assert post(office, url, {"action": "accept"}).status_code == 200
    assert post(office, url, {"action": "accept"}).status_code == 409
    project.refresh_from_db()
    assert project.status == "accepted"
    assert Transition.objects.filter(object_id=str(project.pk), action="accept").count() == 1


# ------------------------------------------------------------------------------------------------ change requests
def _accepted(world, renhua):
    pairing, people, needs = renhua
    project = services.project_submit(actor=world["leader"], project=make_project(world, pairing, people, needs),
                                      confirmed=True)
    return services.project_accept(actor=world["renhua_st"], project=project)


def test_a_change_request_through_the_api_keeps_both_versions(world, renhua, login):
    project = _accepted(world, renhua)
    people = renhua[1]
    url = "/api/v1/projects/%d/change/" % project.pk
    leader = login("leader")
    assert "change" in [s["action"] for s in leader.get("/api/v1/projects/%d/actions/" % project.pk).json()]
    change = {"reason": "扩大示范面积", "total_budget": 120000, "demo_area_mu": 80,
              "budget_lines": [{"category": "materials", "amount": 70000, "source": "city"},
                               {"category": "training", "amount": "50,000.00", "source": "unit"}]}
    assert post(login("member"), url, change).status_code == 403
    assert post(login("nanxiong_st"), url, change).status_code == 404
    wrong = dict(change, total_budget="130000")
    response = post(leader, url, wrong)
    assert response.status_code == 400 and "budget_lines" in response.json()
    assert post(leader, url, dict(change, reason="")).status_code == 400
    response = post(leader, url, change)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["from_version"] == 1
    assert data["before"]["fields"]["total_budget"] == "100000.00"
    assert data["after"]["fields"]["total_budget"] == "120000.00"
    assert Decimal(data["after"]["fields"]["demo_area_mu"]) == Decimal("80")
    assert data["after"]["members"][0] == {"commissioner": people[0].pk, "name": people[0].name,
                                           "duty": "项目负责，技术总体设计"}
    assert people[0].phone not in response.content.decode()
    assert post(leader, url, change).status_code == 400  # one pending change at a time
    change_url = "/api/v1/project-changes/%d/" % data["id"]
    assert login("renhua_county_town").get(change_url).status_code == 200
    assert login("nanxiong_st").get(change_url).status_code == 404
    assert _change_ids(login("other_leader")) == set() and _change_ids(login("renhua_st")) == {data["id"]}
    assert post(login("leader"), change_url + "act/", {"action": "approve"}).status_code == 403
    assert post(login("city_st"), change_url + "act/", {"action": "approve"}).status_code == 403
    response = post(login("renhua_st"), change_url + "act/", {"action": "approve", "comment": "同意"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert post(login("renhua_st"), change_url + "act/", {"action": "approve"}).status_code == 409
    project.refresh_from_db()
    assert project.version == 2 and project.total_budget == Decimal("120000.00")
    assert sorted(line.amount for line in project.budget_lines.all()) == [Decimal("50000.00"), Decimal("70000.00")]
    assert project.demo_area_mu == Decimal("80.0")


def _change_ids(client):
    return {row["id"] for row in client.get("/api/v1/project-changes/").json()["results"]}


def test_a_change_request_may_be_withdrawn_by_the_leader(world, renhua, login):
    project = _accepted(world, renhua)
    response = post(login("leader"), "/api/v1/projects/%d/change/" % project.pk, {"reason": "增加培训", "trainings": 8})
    assert response.status_code == 201
    url = "/api/v1/project-changes/%d/act/" % response.json()["id"]
    assert post(login("renhua_st"), url, {"action": "reject", "comment": ""}).status_code == 400
    assert post(login("member"), url, {"action": "withdraw"}).status_code == 403
    response = post(login("leader"), url, {"action": "withdraw"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    project.refresh_from_db()
    assert project.trainings == 6 and ProjectChange.objects.get().status == "withdrawn"


def test_a_draft_has_no_change_request(world, renhua, login):
    pairing, people, needs = renhua
    project = make_project(world, pairing, people, needs)
    response = post(login("leader"), "/api/v1/projects/%d/change/" % project.pk, {"reason": "改", "trainings": 8})
    assert response.status_code == 400 and not ProjectChange.objects.exists()


# ------------------------------------------------------------------------------------------------ admin
def test_the_admin_shows_the_records_and_edits_through_the_services(world, renhua, client):
    from django.contrib.admin import site
    from django.core.exceptions import ValidationError

    pairing, people, needs = renhua
    project = make_project(world, pairing, people, needs)
    agreement = services.agreement_create(actor=world["leader"], pairing=pairing, **agreement_values())
    change_project = _accepted(world, (pairing, people, [confirmed_need(world, title="贡柑二")]))
    change = services.change_request(actor=world["leader"], project=change_project, reason="增加培训",
                                     values={"trainings": 9})
    world["admin"].is_staff = world["admin"].is_superuser = True
    world["admin"].save()
    client.force_login(world["admin"])
    for url in ("/admin/projects/agreement/", "/admin/projects/project/", "/admin/projects/projectchange/",
                "/admin/projects/agreement/%d/change/" % agreement.pk,
                "/admin/projects/project/%d/change/" % project.pk,
                "/admin/projects/projectchange/%d/change/" % change.pk):
        response = client.get(url)
        assert response.status_code == 200, url
        assert people[0].phone not in response.content.decode()
    request = RequestFactory().get("/admin/")
    request.user = world["admin"]
    admin = site._registry[Agreement]
    readonly = admin.get_readonly_fields(request, agreement)
    assert {"status", "signed_on", "confirmed_at", "signed_uploaded_at", "pairing", "town", "team"} <= set(readonly)
    assert "status" in site._registry[Project].get_readonly_fields(request, project)
    assert not site._registry[ProjectChange].has_change_permission(request, change)
    agreement.summary = "管理员修订的帮扶内容"
    admin.save_service(request, agreement, None, True)
    agreement.refresh_from_db()
    assert agreement.summary == "管理员修订的帮扶内容"
    services.agreement_sign(actor=world["leader"], agreement=agreement, scan=pdf(), signed_on=timezone.localdate())
    agreement = Agreement.objects.get(pk=agreement.pk)
    agreement.summary = "签署后不能再改"
    with pytest.raises(ValidationError):
        admin.save_service(request, agreement, None, True)
    project.title = "管理员改名"

    class Form:
        cleaned_data = {"needs": needs}

    site._registry[Project].save_service(request, project, Form(), True)
    project.refresh_from_db()
    assert project.title == "管理员改名" and list(project.needs.all()) == needs
    assert Agreement.objects.get(pk=agreement.pk).status == "signed" and project.status == "draft"
