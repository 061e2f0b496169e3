"""The change request pages: the write page prefilled with the accepted version plus a reason, the list, the
side-by-side comparison of both versions and the organizer's decision (or the leader's withdrawal)."""
import io
import uuid
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from projects import services
from projects.models import ProjectChange
from projects.tests.factories import active_pairing, agreement_values, confirmed_need, make_project, staff
from projects.tests.test_agreements import pdf
from projects.tests.test_project_pages import VIEWERS, page_data
from projects.views_projects import compare

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(world):
    pairing, people, needs = active_pairing(world), staff(world), [confirmed_need(world)]
    agreement = services.agreement_create(actor=world["leader"], pairing=pairing, **agreement_values())
    services.agreement_sign(actor=world["leader"], agreement=agreement, scan=pdf(), signed_on=timezone.localdate())
    services.agreement_confirm(actor=world["renhua_county_town"], agreement=agreement)
    project = services.project_submit(actor=world["leader"], project=make_project(world, pairing, people, needs))
    project = services.project_accept(actor=world["renhua_st"], project=project)
    return project, people, needs


def change_url(project):
    return "/assistance/projects/%d/change/" % project.pk


def bigger(people, needs, **fields):
    """The accepted version with a bigger budget and a new title, and the reason."""
    values = {"reason": "示范面积扩大，增加培训经费", "total_budget": "120,000.00", "title": "贡柑黄龙病绿色防控示范（扩大）",
              "lines": [{"category": "materials", "amount": "50000", "source": "city", "note": "种苗农资"},
                        {"category": "training", "amount": "70000", "source": "unit", "note": ""}]}
    return page_data(people, needs, **{**values, **fields})


def test_the_change_page_is_the_project_page_prefilled_with_a_reason(world, accepted, login):
    project, people, needs = accepted
    page = login("leader").get(change_url(project)).content.decode()
    assert "申请项目变更" in page and 'name="reason"' in page and "变更理由" in page
    assert 'value="贡柑黄龙病绿色防控示范"' in page and 'value="50000.00"' in page and 'value="600000.00"' in page
    assert "第1版" in page and 'name="members-INITIAL_FORMS" value="2"' in page


def test_a_change_request_keeps_both_versions_and_leaves_the_project_as_it_was(world, accepted, login):
    project, people, needs = accepted
    client = login("leader")
    response = client.post(change_url(project), bigger(people, needs))
    change = ProjectChange.objects.get()
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    assert change.status == "pending" and change.reason == "示范面积扩大，增加培训经费"
    assert change.before["fields"]["total_budget"] == "100000.00"
    assert change.after["fields"]["total_budget"] == "120000.00"
    project.refresh_from_db()
    assert project.total_budget == Decimal("100000.00") and project.version == 1

    page = client.get(change.get_absolute_url()).content.decode()
    assert "100,000.00 元" in page and "120,000.00 元" in page
    assert "贡柑黄龙病绿色防控示范（扩大）" in page and "变更前（第1版）" in page and "变更后" in page
    row = page.split('data-testid="row-total_budget"')[1].split("</tr>")[0]
    assert "已变更" in row and "data-changed" in row
    row = page.split('data-testid="row-trainings"')[1].split("</tr>")[0]
    assert "已变更" not in row
    row = page.split('data-testid="row-budget_lines"')[1].split("</tr>")[0]
    assert "已变更" in row and "70,000.00 元" in row and "合计：120,000.00 元" in row
    assert "共 3 项变更：项目名称、预算总额（元）、预算明细" in page
    page = client.get(change.get_absolute_url() + "?only=changed").content.decode()
    assert 'data-testid="row-total_budget"' in page and 'data-testid="row-trainings"' not in page

    page = client.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="pending-change"' in page and 'data-testid="request-change"' not in page
    response = client.get(change_url(project))  # one pending change at a time
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()


@pytest.mark.parametrize("fields,words", [
    ({"reason": ""}, "请填写变更理由"),
    ({"lines": [{"category": "materials", "amount": "5", "source": "city", "note": ""}]}, "不一致"),
    ({"trainings": "八场"}, "应填写整数"),
])
def test_a_bad_change_request_saves_nothing(world, accepted, login, fields, words):
    project, people, needs = accepted
    response = login("leader").post(change_url(project), bigger(people, needs, **fields))
    assert response.status_code == 200 and words in response.content.decode()
    assert not ProjectChange.objects.exists()


def test_a_change_that_changes_nothing_is_refused(world, accepted, login):
    project, people, needs = accepted
    data = page_data(people, needs, reason="无变化", income_raised="600000", demo_area_mu="50.0")
    response = login("leader").post(change_url(project), data)
    assert response.status_code == 200 and "与当前版本相同" in response.content.decode()
    assert not ProjectChange.objects.exists()


def test_the_change_page_is_for_the_leader_of_an_accepted_project(world, accepted, login, assert_denied):
    project, people, needs = accepted
    assert_denied(change_url(project), allowed=["leader"])
    draft = make_project(world, project.pairing, people, needs, title="另一个项目")
    response = login("leader").get(change_url(draft))
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()


def test_the_organizer_approves_and_the_project_takes_the_new_version(world, accepted, login, client):
    project, people, needs = accepted
    login("leader").post(change_url(project), bigger(people, needs))
    change = ProjectChange.objects.get()
    act = "/assistance/changes/%d/act/%%s/" % change.pk
    page = login("renhua_st").get(change.get_absolute_url()).content.decode()
    assert 'data-testid="action-approve"' in page and 'data-testid="action-reject"' in page
    assert 'data-testid="action-withdraw"' not in page
    assert 'data-testid="action-approve"' not in login("city_st").get(change.get_absolute_url()).content.decode()
    login("nanxiong_st")
    assert client.post(act % "approve", {"comment": ""}).status_code == 404
    login("leader")
    client.post(act % "approve", {"comment": ""})
    change.refresh_from_db()
    assert change.status == "pending"
    login("renhua_st")
    assert client.post(act % "bogus", {}).status_code == 404
    client.post(act % "approve", {"comment": "同意"})
    change.refresh_from_db()
    project.refresh_from_db()
    assert change.status == "approved" and project.version == 2
    assert project.total_budget == Decimal("120000.00") and project.title.endswith("（扩大）")
    page = client.get(change.get_absolute_url()).content.decode()
    assert "100,000.00 元" in page and "120,000.00 元" in page and "同意" in page  # both versions kept


def test_the_organizer_rejects_with_reasons_and_the_leader_withdraws(world, accepted, login, client):
    project, people, needs = accepted
    login("leader").post(change_url(project), bigger(people, needs))
    change = ProjectChange.objects.get()
    act = "/assistance/changes/%d/act/%%s/" % change.pk
    login("renhua_st")
    client.post(act % "reject", {"comment": ""})
    change.refresh_from_db()
    assert change.status == "pending"
    client.post(act % "reject", {"comment": "理由不足"})
    change.refresh_from_db()
    assert change.status == "rejected"
    project.refresh_from_db()
    assert project.version == 1 and project.total_budget == Decimal("100000.00")

    login("leader").post(change_url(project), bigger(people, needs, idempotency_key=uuid.uuid4().hex))
    second = ProjectChange.objects.get(status="pending")
    page = client.get(second.get_absolute_url()).content.decode()
    assert 'data-testid="action-withdraw"' in page and 'data-testid="action-approve"' not in page
    client.post("/assistance/changes/%d/act/withdraw/" % second.pk, {"comment": ""})
    second.refresh_from_db()
    assert second.status == "withdrawn"


def test_the_change_list_and_detail_are_scoped(world, accepted, login, assert_denied):
    project, people, needs = accepted
    login("leader").post(change_url(project), bigger(people, needs))
    change = ProjectChange.objects.get()
    assert project.title in login("renhua_st").get("/assistance/changes/").content.decode()
    assert project.title not in login("nanxiong_st").get("/assistance/changes/").content.decode()
    assert project.title not in login("renhua_city_town").get("/assistance/changes/").content.decode()
    assert_denied("/assistance/changes/", allowed=[name for name in world.users if name != "expert"])
    assert_denied(change.get_absolute_url(), allowed=VIEWERS)
    response = login("renhua_st").get("/assistance/changes/?export=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == project.title and "待审批" in rows[1]


def test_lists_are_compared_as_wholes():
    before = {"fields": {"title": "甲", "total_budget": "100.00", "demo_area_mu": "5.0"},
              "needs": [{"id": 1, "title": "需求一"}, {"id": 2, "title": "需求二"}],
              "years": [{"year": 2025, "plan": "计划"}], "members": [{"commissioner": 1, "name": "张三", "duty": "负责"}],
              "budget_lines": [{"category": "materials", "amount": "100.00", "source": "city", "note": ""}]}
    after = {**before, "fields": {"title": "甲", "total_budget": "100", "demo_area_mu": "5"},
             "needs": [{"id": 2, "title": "需求二"}, {"id": 1, "title": "需求一"}],
             "members": [{"commissioner": 1, "name": "张三", "duty": "总负责"}]}
    rows = {row["key"]: row for row in compare(before, after)}
    assert not rows["title"]["changed"] and not rows["total_budget"]["changed"] and not rows["demo_area_mu"]["changed"]
    assert not rows["needs"]["changed"] and not rows["years"]["changed"] and not rows["budget_lines"]["changed"]
    assert rows["members"]["changed"] and rows["members"]["after_list"] == ["张三：总负责"]
    assert rows["budget_lines"]["before_list"][-1] == "合计：100.00 元"
