"""The project pages: the one write page (main fields, needs and three formsets handed to the service), the detail
with its steps and warnings, the list with the leader's pairings, the export and the organizer's summary table."""
import datetime as dt
import io
import sys
import types
import uuid
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from needs.models import Need
from portal.testing import CYCLE_YEAR
from projects import services
from projects.models import BudgetLine, Project, ProjectMember, ProjectYear
from projects.tests.factories import active_pairing, confirmed_need, make_project, staff

pytestmark = pytest.mark.django_db

YEAR = CYCLE_YEAR + 1
VIEWERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "renhua_county_town", "leader", "member",
           "unit"]


@pytest.fixture
def setup(world):
    pairing = active_pairing(world)
    return pairing, staff(world), [confirmed_need(world)]


def formset(prefix, rows, extra=1, initial=0):
    data = {"%s-TOTAL_FORMS" % prefix: str(len(rows) + extra), "%s-INITIAL_FORMS" % prefix: str(initial),
            "%s-MIN_NUM_FORMS" % prefix: "0", "%s-MAX_NUM_FORMS" % prefix: "30"}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data["%s-%d-%s" % (prefix, index, name)] = value
    return data


def page_data(people, needs, *, lines=None, years=None, members=None, **fields):
    """What the browser posts: the fields as typed, the needs ticked, the three formsets with a blank row each."""
    data = {"idempotency_key": uuid.uuid4().hex, "title": "贡柑黄龙病绿色防控示范", "objectives": "建立示范基地，推广绿色防控技术。",
            "content": "引进抗病砧木，建设示范园，开展培训。", "start_date": "%d-01-01" % YEAR, "end_date": "%d-12-31" % YEAR,
            "trainings": "6", "people_trained": "300", "technologies": "2", "varieties": "1", "demo_bases": "1",
            "demo_area_mu": "50", "households": "120", "enterprises": "3", "income_raised": "600,000",
            "total_budget": "100,000.00", "needs": [need.pk for need in needs]}
    data.update(fields)
    lines = lines if lines is not None else [
        {"category": "materials", "amount": "50,000.00", "source": "city", "note": "种苗农资"},
        {"category": "training", "amount": "50000", "source": "unit", "note": ""}]
    years = years if years is not None else [{"year": str(YEAR), "plan": "建设示范园，开展6场培训。"}]
    members = members if members is not None else [
        {"commissioner": str(people[0].pk), "duty": "项目负责，技术总体设计"},
        {"commissioner": str(people[1].pk), "duty": "示范基地建设"}]
    data.update(formset("lines", lines))
    data.update(formset("years", years))
    data.update(formset("members", members))
    return data


def create_url(pairing):
    return "/assistance/projects/new/%d/" % pairing.pk


def nothing_saved():
    return not (Project.objects.exists() or BudgetLine.objects.exists() or ProjectYear.objects.exists()
                or ProjectMember.objects.exists())


# ------------------------------------------------------------------------------------------------ create and edit
def test_the_leader_writes_a_project_on_one_page(world, setup, login):
    pairing, people, needs = setup
    client = login("leader")
    page = client.get(create_url(pairing)).content.decode()
    assert "编制帮扶项目" in page and "贡柑黄龙病绿色防控" in page  # the town's confirmed need as a checkbox
    for prefix in ("lines", "years", "members"):
        assert 'name="%s-TOTAL_FORMS"' % prefix in page
    assert 'inputmode="decimal"' in page and 'type="date"' in page and 'type="number"' in page
    assert "js/projects.js" in page and "添加一行" in page

    response = client.post(create_url(pairing), page_data(people, needs))
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.status == "draft" and project.created_by == world["leader"]
    assert project.total_budget == Decimal("100000.00") and project.income_raised == Decimal("600000.00")
    assert project.trainings == 6 and project.demo_area_mu == Decimal("50.0")
    assert sorted(line.amount for line in project.budget_lines.all()) == [Decimal("50000.00")] * 2
    assert [(y.year, y.plan) for y in project.years.all()] == [(YEAR, "建设示范园，开展6场培训。")]
    assert {m.commissioner_id for m in project.members.all()} == {people[0].pk, people[1].pk}
    assert list(project.needs.all()) == needs


def test_blank_and_deleted_rows_are_left_out(world, setup, login):
    pairing, people, needs = setup
    lines = [{"category": "materials", "amount": "60000", "source": "city", "note": ""},
             {"category": "", "amount": "", "source": "", "note": ""},
             {"category": "equipment", "amount": "999", "source": "unit", "note": "", "DELETE": "on"},
             {"category": "training", "amount": "40000", "source": "unit", "note": ""}]
    response = login("leader").post(create_url(pairing), page_data(people, needs, lines=lines))
    assert response.status_code == 302
    assert sorted(Project.objects.get().budget_lines.values_list("category", flat=True)) == ["materials", "training"]


@pytest.mark.parametrize("change,words,where", [
    ({"lines": [{"category": "materials", "amount": "1.00", "source": "city", "note": ""}]}, "不一致", "budget_lines"),
    ({"trainings": "六场"}, "开展培训（场次）应填写整数", "trainings"),
    ({"lines": [{"category": "materials", "amount": "100000", "source": "city", "note": ""},
                {"category": "training", "amount": "-5", "source": "unit", "note": ""}]}, "第2行：金额应大于0元", "budget_lines"),
    ({"total_budget": "600000", "lines": [{"category": "materials", "amount": "600000", "source": "city", "note": ""}]},
     "超过本周期单个项目上限", "total_budget"),
    ({"total_budget": "十万"}, "预算总额（元）应为数字", "total_budget"),
    ({"end_date": "%d-01-01" % (CYCLE_YEAR + 4)}, "应在帮扶周期", "end_date"),
    ({"members": [{"commissioner": str(10 ** 6), "duty": "技术指导"}]}, "所选人员不是本团队成员", "members-0-commissioner"),
    ({"members": [{"commissioner": "", "duty": "技术指导"}]}, "成员分工第1行·成员：请选择成员", "members-0-commissioner"),
    ({"years": [{"year": str(YEAR), "plan": ""}]}, "进度安排第1行：请填写", "years"),
])
def test_bad_input_shows_the_chinese_message_and_saves_nothing(world, setup, login, change, words, where):
    pairing, people, needs = setup
    response = login("leader").post(create_url(pairing), page_data(people, needs, **change))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-summary"' in page and words in page, page[:3000]
    if where in ("budget_lines", "members", "years"):
        section = page.split('data-testid="errors-%s"' % where)[1].split("</ul>")[0]
        assert words in section  # above its formset
    elif "-" in where:
        assert 'id="id_%s_error"' % where in page  # beside its row's field
    else:
        assert 'data-field="%s"' % where in page  # beside its field
    assert nothing_saved()


def test_a_need_of_another_town_forged_into_the_post_is_refused(world, setup, login):
    pairing, people, needs = setup
    elsewhere = confirmed_need(world, town=world.nanxiong_county_town, title="南雄烟叶")
    response = login("leader").post(create_url(pairing), page_data(people, [elsewhere]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "不是本镇本周期已确认的需求" in page and "南雄烟叶" not in page
    assert nothing_saved()


def test_after_a_service_error_the_rows_are_shown_as_the_service_numbered_them(world, setup, login):
    pairing, people, needs = setup
    lines = [{"category": "", "amount": "", "source": "", "note": ""},
             {"category": "materials", "amount": "100000", "source": "", "note": ""}]
    page = login("leader").post(create_url(pairing), page_data(people, needs, lines=lines)).content.decode()
    assert "预算明细第1行：请选择资金来源" in page
    assert 'name="lines-0-amount" value="100000.00"' in page  # the blank row dropped: the row named is row 1


def test_the_page_is_the_pairings_leaders_only(world, setup, assert_denied, login):
    pairing, _people, _needs = setup
    assert_denied(create_url(pairing), allowed=["leader"])
    assert_denied(create_url(pairing), allowed=["leader"], method="post", data={})
    pairing.status = "ended"  # no longer working in the town: no new project
    pairing.save()
    for name in ("leader", "admin"):
        assert login(name).get(create_url(pairing)).status_code == 404


def test_the_leader_edits_a_draft_on_the_same_page_prefilled(world, setup, login):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    client = login("leader")
    page = client.get("/assistance/projects/%d/edit/" % project.pk).content.decode()
    assert 'value="贡柑黄龙病绿色防控示范"' in page and 'value="50000.00"' in page
    assert 'name="lines-INITIAL_FORMS" value="2"' in page
    data = page_data(people, needs, total_budget="90000", title="改名后的项目",
                     lines=[{"category": "materials", "amount": "90000", "source": "city", "note": ""}])
    response = client.post("/assistance/projects/%d/edit/" % project.pk, data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "改名后的项目" and project.total_budget == Decimal("90000.00")
    assert list(project.budget_lines.values_list("amount", flat=True)) == [Decimal("90000.00")]


def test_edit_is_for_the_leader_of_a_draft_or_returned_project(world, setup, login, assert_denied):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    url = "/assistance/projects/%d/edit/" % project.pk
    assert_denied(url, allowed=["leader"])
    services.project_submit(actor=world["leader"], project=project, confirmed=True)
    response = login("leader").get(url)
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert "不能修改" in login("leader").get(url, follow=True).content.decode()


# ------------------------------------------------------------------------------------------------ detail and steps
def test_the_detail_shows_every_group_with_money_in_yuan(world, setup, login):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    page = login("leader").get(project.get_absolute_url()).content.decode()
    for words in ("基本信息", "量化指标", "进度安排", "预算明细", "成员分工", "对应需求", "100,000.00 元", "50,000.00 元",
                  "与预算总额一致", "600,000.00 元", "50.0 亩", "6 场", "修改项目", "form.docx", "form.pdf", "报送科技部门",
                  "贡柑黄龙病绿色防控", str(YEAR) + "年"):
        assert words in page, words
    assert "变更历史" in page and "流转记录" in page


def test_the_leader_sees_what_is_missing_before_submitting(world, setup, login):
    pairing, people, _needs = setup
    project = services.project_create(actor=world["leader"], pairing=pairing, values={
        "title": "草稿", "objectives": "目标", "content": "内容", "start_date": dt.date(YEAR, 1, 1),
        "end_date": dt.date(YEAR, 6, 30), "total_budget": Decimal("1000")})
    page = login("leader").get(project.get_absolute_url()).content.decode()
    assert 'data-testid="problems"' in page and "请填写预算明细" in page and "请至少对应一项" in page
    assert 'data-testid="refusal-submit"' in page  # the button is disabled with the guard's reason
    assert 'data-testid="problems"' not in login("renhua_st").get(project.get_absolute_url()).content.decode()


def test_submit_with_the_warning_ticked_then_return_resubmit_and_accept(world, setup, login, client):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    page = login("leader").get(project.get_absolute_url()).content.decode()
    assert 'data-testid="warning-submit"' in page and "帮扶协议尚未经镇确认" in page
    assert 'name="confirm_warning"' in page
    act = "/assistance/projects/%d/act/%%s/" % project.pk
    response = client.post(act % "submit", {"comment": ""}, follow=True)
    assert "帮扶协议尚未经镇确认" in response.content.decode()
    project.refresh_from_db()
    assert project.status == "draft"
    client.post(act % "submit", {"comment": "", "confirm_warning": "1"})
    project.refresh_from_db()
    assert project.status == "submitted" and not project.late
    assert Need.objects.get(pk=needs[0].pk).status == "in_assistance"

    login("renhua_st")
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="action-return"' in page and 'data-testid="action-accept"' in page
    client.post(act % "return", {"comment": ""})
    project.refresh_from_db()
    assert project.status == "submitted"  # a return needs its reasons
    client.post(act % "return", {"comment": "请细化年度计划"})
    project.refresh_from_db()
    assert project.status == "returned"

    login("leader")
    assert "请细化年度计划" in client.get(project.get_absolute_url()).content.decode()
    assert "请细化年度计划" in client.get("/assistance/projects/%d/edit/" % project.pk).content.decode()
    client.post(act % "resubmit", {"comment": "已细化", "confirm_warning": "1"})
    project.refresh_from_db()
    assert project.status == "submitted"

    client.post(act % "accept", {"comment": ""})  # the leader cannot accept
    project.refresh_from_db()
    assert project.status == "submitted"
    login("nanxiong_st")
    assert client.post(act % "accept", {"comment": ""}).status_code == 404
    login("renhua_st")
    client.post(act % "accept", {"comment": "同意受理"})
    project.refresh_from_db()
    assert project.status == "accepted" and project.accepted_at
    assert client.post(act % "nonsense", {}).status_code == 404
    login("leader")
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="request-change"' in page and 'data-testid="edit"' not in page


def test_a_draft_past_its_due_date_is_flagged(world, login):
    pairing = active_pairing(world, registered=timezone.now() - dt.timedelta(days=90))
    project = make_project(world, pairing, staff(world), [confirmed_need(world)])
    page = login("renhua_st").get(project.get_absolute_url()).content.decode()
    assert 'data-testid="overdue"' in page and "已逾期未报送" in page
    page = login("renhua_st").get("/assistance/projects/").content.decode()
    assert 'data-testid="late"' in page


def test_the_detail_is_for_those_who_may_see_the_project(world, setup, assert_denied):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    assert_denied(project.get_absolute_url(), allowed=VIEWERS)


def test_the_printed_form_calls_the_documents_module(world, setup, login, monkeypatch, assert_denied):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    fake = types.ModuleType("projects.documents")
    fake.project_docx = lambda p: b"DOCX:" + p.title.encode()
    fake.project_pdf = lambda p: b"%PDF:" + p.title.encode()
    monkeypatch.setitem(sys.modules, "projects.documents", fake)
    import projects
    monkeypatch.setattr(projects, "documents", fake, raising=False)
    client = login("member")
    response = client.get("/assistance/projects/%d/form.pdf" % project.pk)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF:" + project.title.encode()
    assert client.get("/assistance/projects/%d/form.docx" % project.pk).content.startswith(b"DOCX:")
    assert client.get("/assistance/projects/%d/form.txt" % project.pk).status_code == 404
    assert_denied("/assistance/projects/%d/form.pdf" % project.pk, allowed=VIEWERS)


# ------------------------------------------------------------------------------------------------ list, export, summary
def test_the_list_is_scoped_and_offers_the_leader_his_pairings(world, setup, login, assert_denied):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    page = login("leader").get("/assistance/projects/").content.decode()
    assert 'data-testid="pairings"' in page and create_url(pairing) in page and "编制帮扶项目" in page
    assert project.title in page and "仁化县董塘镇" in page and "100,000.00 元" in page
    assert 'data-testid="summary"' not in page
    page = login("renhua_st").get("/assistance/projects/").content.decode()
    assert project.title in page and 'data-testid="summary"' in page and 'data-testid="pairings"' not in page
    assert project.title not in login("nanxiong_st").get("/assistance/projects/").content.decode()
    assert project.title not in login("other_leader").get("/assistance/projects/").content.decode()
    assert_denied("/assistance/projects/", allowed=[name for name in world.users if name != "expert"])


def test_the_list_filters_and_searches(world, setup, login):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    client = login("renhua_st")
    assert project.title in client.get("/assistance/projects/?status=draft&q=董塘").content.decode()
    assert project.title not in client.get("/assistance/projects/?status=submitted").content.decode()
    assert project.title not in client.get("/assistance/projects/?late=yes").content.decode()
    assert project.title in client.get("/assistance/projects/?late=no&county=%d" % world.renhua.pk).content.decode()


def test_the_list_exports_its_rows(world, setup, login):
    pairing, people, needs = setup
    make_project(world, pairing, people, needs)
    response = login("renhua_st").get("/assistance/projects/?export=xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("项目名称", "所在镇", "团队", "状态", "预算总额")
    assert len(rows) == 2
    assert rows[1][:5] == ("贡柑黄龙病绿色防控示范", "仁化县董塘镇", "柑橘团队", "草稿", 100000)
    assert rows[1][5:] == (dt.datetime.combine(Project.objects.get().due_date, dt.time()), None, 1, None)
    response = login("nanxiong_st").get("/assistance/projects/?export=xlsx")
    assert len(list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 1


def _two_projects(world, setup):
    pairing, people, needs = setup
    mine = make_project(world, pairing, people, needs)
    other = active_pairing(world, town=world.nanxiong_county_town, team=world.other_team)
    theirs = services.project_create(actor=world["other_leader"], pairing=other, values={
        "title": "南雄项目", "objectives": "目标", "content": "内容", "start_date": dt.date(YEAR, 1, 1),
        "end_date": dt.date(YEAR, 6, 30), "total_budget": Decimal("1000")})
    return mine, theirs


def test_the_summary_holds_the_projects_the_official_may_see(world, setup, login, monkeypatch, assert_denied):
    mine, theirs = _two_projects(world, setup)
    seen = {}

    def summary_xlsx(projects, *, title):
        seen["rows"], seen["title"] = [project.pk for project in projects], title
        return b"xlsx"

    fake = types.ModuleType("projects.documents")
    fake.summary_xlsx = summary_xlsx
    monkeypatch.setitem(sys.modules, "projects.documents", fake)
    import projects
    monkeypatch.setattr(projects, "documents", fake, raising=False)
    response = login("renhua_st").get("/assistance/projects/summary.xlsx")
    assert response.status_code == 200 and seen["rows"] == [] and "仁化县" in seen["title"]  # drafts: not submitted
    assert "attachment" in response["Content-Disposition"]
    login("renhua_st").get("/assistance/projects/summary.xlsx?status=draft")
    assert seen["rows"] == [mine.pk]
    login("city_st").get("/assistance/projects/summary.xlsx?cycle=%d&status=draft" % world.cycle.pk)
    assert seen["rows"] == [mine.pk, theirs.pk] and world.cycle.name in seen["title"]
    login("city_st").get("/assistance/projects/summary.xlsx?status=submitted")
    assert seen["rows"] == []
    login("city_st").get("/assistance/projects/summary.xlsx?cycle=999999&status=bogus")
    assert seen["rows"] == []
    assert_denied("/assistance/projects/summary.xlsx", allowed=["province", "city_st", "city_rural", "renhua_st",
                                                                "renhua_rural", "nanxiong_st", "nanxiong_rural"])


def test_the_real_summary_opens_with_openpyxl(world, setup, login):
    documents = pytest.importorskip("projects.documents")
    if not hasattr(documents, "summary_xlsx"):
        pytest.skip("projects.documents.summary_xlsx not written yet")
    mine, theirs = _two_projects(world, setup)
    response = login("renhua_st").get("/assistance/projects/summary.xlsx?status=draft")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    text = " ".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                    for cell in row if cell is not None)
    assert mine.title in text and theirs.title not in text


def test_the_list_costs_the_same_for_more_rows(world, setup, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pairing, people, needs = setup
    make_project(world, pairing, people, needs)
    client = login("renhua_st")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/assistance/projects/").status_code == 200
        return len(queries)

    one = count()
    for index in range(4):
        make_project(world, pairing, people, needs, title="项目%d" % index)
    assert count() == one
