"""The work team's pages: tasks (assigned by the town, reported by the team, accepted or reopened; overdue marked),
flags (the non-cooperation report and its resolution by the organizing S&T office; the monitor's flags close only by
themselves), the working conditions per pairing and the team's requests answered by the town and the rural offices —
each page for the right users only, with Chinese messages."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.menu import menu_for
from fieldwork import services
from fieldwork.models import ConditionRequest, Flag, Task, WorkingConditions
from fieldwork.tests.factories import activity_values, field_pairing

pytestmark = pytest.mark.django_db

TOWN = "renhua_county_town"  # 董塘镇: 柑橘团队's paired town (county-organized: 仁化县 handles it)
# Who reads a record of 柑橘团队 in 董塘镇: the officials along the tree, the town, the team and its unit.
READERS_OF_DONGTANG = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", TOWN, "leader", "member",
                       "unit"]
EVERYONE_BUT_EXPERT = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st",
                       "nanxiong_rural", "renhua_city_town", TOWN, "nanxiong_city_town", "nanxiong_county_town",
                       "leader", "member", "other_leader", "unit"]
TOWNS = ["renhua_city_town", TOWN, "nanxiong_city_town", "nanxiong_county_town"]


def later(days=10):
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def pairing(world):
    return field_pairing(world)[0]


def make_task(world, title="组织贡柑春季管理培训", due=None):
    return services.task_save(actor=world[TOWN], values={"title": title, "description": "面向种植户，不少于30人",
                                                         "due_date": due or later()})


def make_request(world, title="驻点宿舍尚未落实"):
    return services.request_save(actor=world["member"], values={"category": "lodging", "title": title,
                                                                "description": "镇里安排的宿舍还在装修，队员只能住县城。"})


def act(client, name, record, action, comment=""):
    return client.post(reverse("fieldwork:%s_action" % name, args=[record.pk, action]), {"comment": comment})


def html_of(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------------ tasks
def test_the_town_assigns_a_task_and_the_team_cannot(world, pairing, login):
    client = login(TOWN)
    page = html_of(client.get(reverse("fieldwork:task_create")))
    assert "为柑橘团队布置任务" in page
    response = client.post(reverse("fieldwork:task_create"), {
        "title": "组织贡柑春季管理培训", "description": "面向种植户", "due_date": later().isoformat()})
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert task.team_id == world.team.pk and task.home_town_id == world.renhua_county_town.pk
    assert task.status == "open" and task.created_by == world[TOWN]
    # A due date already passed, or none: refused beside the field, nothing saved.
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    page = html_of(client.post(reverse("fieldwork:task_create"), {"title": "补登", "due_date": past}))
    assert "完成期限不能早于今天。" in page and Task.objects.count() == 1
    page = html_of(client.post(reverse("fieldwork:task_create"), {"title": "", "due_date": ""}))
    assert "请填写任务。" in page and "请填写完成期限。" in page and Task.objects.count() == 1
    # The team does not assign tasks; a town without a working pairing is told so.
    for name in ("leader", "member"):
        assert login(name).post(reverse("fieldwork:task_create"), {
            "title": "自己布置", "due_date": later().isoformat()}).status_code == 404
    page = html_of(login("renhua_city_town").get(reverse("fieldwork:task_create")))
    assert "本镇当前没有已备案或帮扶中的结对团队" in page
    assert Task.objects.count() == 1


def test_a_task_goes_through_its_steps_on_its_page(world, pairing, login):
    task = make_task(world)
    url = task.get_absolute_url()
    team = login("leader")
    page = html_of(team.get(url))
    assert 'data-testid="action-report"' in page and "完成情况" in page
    assert 'data-testid="action-accept"' not in page and 'data-testid="edit-task"' not in page
    link = reverse("fieldwork:activity_create") + "?task=%d" % task.pk
    assert link in page and "记录服务活动" in page
    # An activity done for the task shows on it.
    activity = services.activity_save(actor=world["member"], values=activity_values(world, task=task))
    page = html_of(team.get(url))
    assert activity.title in page and activity.get_absolute_url() in page

    # A report needs its text; then the task waits for the town.
    act(team, "task", task, "report", "")
    task.refresh_from_db()
    assert task.status == "open"
    act(team, "task", task, "report", "3月20日在董塘村办培训，42人参加。")
    task.refresh_from_db()
    assert task.status == "reported" and task.report == "3月20日在董塘村办培训，42人参加。"
    assert 'data-testid="log-activity"' not in html_of(team.get(url))

    town = login(TOWN)
    page = html_of(town.get(url))
    assert 'data-testid="action-accept"' in page and 'data-testid="action-reopen"' in page
    assert "3月20日在董塘村办培训" in page
    # Another town's work team cannot read it, nor act on it.
    assert login("renhua_city_town").get(url).status_code == 404
    assert act(login("renhua_city_town"), "task", task, "accept").status_code == 404

    town = login(TOWN)
    act(town, "task", task, "reopen", "请补充培训签到表。")
    task.refresh_from_db()
    assert task.status == "open"
    act(login("member"), "task", task, "report", "已补充签到表。")
    town = login(TOWN)
    act(town, "task", task, "accept")
    task.refresh_from_db()
    assert task.status == "done" and task.done_at is not None
    page = html_of(town.get(url + "?tab=flow"))
    assert "布置任务" in page and "报告完成情况" in page and "退回继续办理" in page and "确认完成" in page
    # Nothing more to do on a done task.
    assert 'data-testid="action-' not in html_of(town.get(url))


def test_the_team_cannot_accept_and_the_town_cannot_report(world, pairing, login):
    task = make_task(world)
    response = act(login(TOWN), "task", task, "report", "镇里代报")
    task.refresh_from_db()
    assert task.status == "open"
    assert "您的角色不能执行“报告完成情况”" in html_of(login(TOWN).get(response["Location"]))
    act(login("leader"), "task", task, "report", "已完成")
    act(login("leader"), "task", task, "accept")
    task.refresh_from_db()
    assert task.status == "reported"


def test_the_town_edits_an_open_task_only(world, pairing, login):
    task = make_task(world)
    client = login(TOWN)
    edit = reverse("fieldwork:task_edit", args=[task.pk])
    assert 'data-testid="edit-task"' in html_of(client.get(task.get_absolute_url()))
    response = client.post(edit, {"title": "组织两场培训", "description": "", "due_date": later(20).isoformat()})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "组织两场培训" and task.due_date == later(20)
    assert login("leader").get(edit).status_code == 404
    assert login("renhua_city_town").get(edit).status_code == 404
    services.task_act(actor=world["leader"], task=task, action="report", comment="已完成")
    response = login(TOWN).get(edit)
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert "不能再修改" in html_of(login(TOWN).get(task.get_absolute_url()))


def test_the_task_list_marks_overdue_tasks_and_filters_them(world, pairing, login):
    late = make_task(world, "整理帮扶台账")
    Task.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    on_time = make_task(world, "组织贡柑春季管理培训")
    for name in (TOWN, "leader"):
        client = login(name)
        page = html_of(client.get(reverse("fieldwork:task_list")))
        assert "整理帮扶台账" in page and "组织贡柑春季管理培训" in page
        assert page.count('data-testid="overdue"') == 2  # the table and the phone card of the late one
        assert "逾期 1 项" in page
        page = html_of(client.get(reverse("fieldwork:task_list") + "?overdue=yes"))
        assert "整理帮扶台账" in page and "组织贡柑春季管理培训" not in page
        page = html_of(client.get(reverse("fieldwork:task_list") + "?overdue=no"))
        assert "整理帮扶台账" not in page and on_time.title in page
    assert "新增" in html_of(login(TOWN).get(reverse("fieldwork:task_list")))
    assert reverse("fieldwork:task_create") not in html_of(login("leader").get(reverse("fieldwork:task_list")))
    # Other towns, teams and counties see none of them.
    for name in ("renhua_city_town", "other_leader", "nanxiong_st"):
        assert "整理帮扶台账" not in html_of(login(name).get(reverse("fieldwork:task_list")))
    response = login(TOWN).get(reverse("fieldwork:task_list") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["任务", "镇", "团队", "完成期限", "是否逾期"]
    assert ["整理帮扶台账", "仁化县董塘镇", "柑橘团队"] == rows[1][:3] and rows[1][4] == "逾期"


def test_task_pages_are_for_their_readers_only(world, pairing, assert_denied):
    task = make_task(world)
    assert_denied(task.get_absolute_url(), allowed=READERS_OF_DONGTANG)
    assert_denied(reverse("fieldwork:task_list"), allowed=EVERYONE_BUT_EXPERT)
    assert_denied(reverse("fieldwork:task_create"), allowed=TOWNS)
    assert_denied(reverse("fieldwork:task_edit", args=[task.pk]), allowed=[TOWN])


# ------------------------------------------------------------------------------------------------ flags
def test_the_work_team_reports_non_cooperation_and_the_county_resolves_it(world, pairing, login):
    client = login(TOWN)
    assert 'data-testid="report-noncooperation"' in html_of(client.get(reverse("fieldwork:flag_list")))
    page = html_of(client.post(reverse("fieldwork:flag_report"), {"detail": "   "}))
    assert "请说明团队不配合的具体情况" in page and Flag.objects.count() == 0
    page = html_of(client.post(reverse("fieldwork:flag_report"), {"detail": "字" * 501}))
    assert "情况说明不超过500字" in page and Flag.objects.count() == 0
    response = client.post(reverse("fieldwork:flag_report"), {"detail": "团队4月以来未驻镇，电话联系不上。"})
    flag = Flag.objects.get()
    assert response["Location"] == flag.get_absolute_url()
    assert flag.kind == "noncooperation" and flag.status == "open" and flag.team_id == world.team.pk
    assert flag.organizer_level == "county"

    url = flag.get_absolute_url()
    # The team reads it but does not resolve it; the city reads it but 仁化县 organizes 董塘镇.
    page = html_of(login("leader").get(url))
    assert "团队4月以来未驻镇" in page and 'data-testid="action-resolve"' not in page
    page = html_of(login("city_st").get(url))
    assert 'data-testid="action-resolve"' not in page
    act(login("city_st"), "flag", flag, "resolve", "已约谈")
    flag.refresh_from_db()
    assert flag.status == "open"
    assert login("nanxiong_st").get(url).status_code == 404

    county = login("renhua_st")
    page = html_of(county.get(url))
    assert 'data-testid="action-resolve"' in page and "处理情况" in page
    act(county, "flag", flag, "resolve", "")
    flag.refresh_from_db()
    assert flag.status == "open"
    act(county, "flag", flag, "resolve", "已约谈团队负责人，5月起按计划驻镇。")
    flag.refresh_from_db()
    assert flag.status == "closed" and flag.closed_at is not None
    page = html_of(county.get(url))
    assert "驻镇工作队反映不配合" in page and "处理完毕，解除预警" in page and "5月起按计划驻镇" in page
    assert 'data-testid="action-resolve"' not in page


def test_the_monitors_flags_close_only_by_themselves(world, pairing, login):
    flag = Flag(kind="tasks_overdue", detail="驻镇工作队布置的任务有1项逾期未完成。", opened_at=timezone.now())
    flag.copy_pairing(pairing)
    flag.save()
    for name in ("renhua_st", TOWN):
        page = html_of(login(name).get(flag.get_absolute_url()))
        assert "工作任务逾期" in page and "原因消除后自动解除" in page
        assert 'data-testid="action-' not in page
    act(login("renhua_st"), "flag", flag, "resolve", "已处理")
    act(login("renhua_st"), "flag", flag, "clear", "已处理")
    flag.refresh_from_db()
    assert flag.status == "open"


def test_the_flag_list_puts_open_flags_first_and_filters(world, pairing, login):
    closed = Flag(kind="pace", detail="驻镇天数不足", opened_at=timezone.now() - dt.timedelta(days=9),
                  closed_at=timezone.now(), status="closed")
    closed.copy_pairing(pairing)
    closed.save()
    opened = Flag(kind="inactive", detail="60天没有已确认的服务活动", opened_at=timezone.now() - dt.timedelta(days=20))
    opened.copy_pairing(pairing)
    opened.save()
    page = html_of(login("renhua_st").get(reverse("fieldwork:flag_list")))
    assert page.index("60天没有已确认的服务活动") < page.index("驻镇天数不足")
    assert "预警中 <span class=\"kj-late\">1 条</span>" in page
    # Opened again by the monitor: its last closing time is not shown while it is open.
    Flag.objects.filter(pk=opened.pk).update(closed_at=timezone.now() - dt.timedelta(days=5))
    page = html_of(login("renhua_st").get(reverse("fieldwork:flag_list") + "?status=open"))
    assert page.count(timezone.localtime(timezone.now() - dt.timedelta(days=5)).strftime("%Y年%-m月%-d日")) == 0
    page = html_of(login("unit").get(reverse("fieldwork:flag_list") + "?kind=pace"))
    assert "驻镇天数不足" in page and "60天没有已确认的服务活动" not in page
    page = html_of(login("city_st").get(reverse("fieldwork:flag_list") + "?status=open&county=%d" % world.renhua.pk))
    assert "60天没有已确认的服务活动" in page and "驻镇天数不足" not in page
    for name in ("nanxiong_st", "renhua_city_town", "other_leader"):
        page = html_of(login(name).get(reverse("fieldwork:flag_list")))
        assert "60天没有已确认的服务活动" not in page and 'data-testid="empty"' in page
    assert 'data-testid="report-noncooperation"' not in html_of(login("leader").get(reverse("fieldwork:flag_list")))


def test_flag_pages_are_for_their_readers_only(world, pairing, assert_denied):
    flag = services.flag_report(actor=world[TOWN], detail="不配合")
    assert_denied(flag.get_absolute_url(), allowed=READERS_OF_DONGTANG)
    assert_denied(reverse("fieldwork:flag_list"), allowed=EVERYONE_BUT_EXPERT)
    assert_denied(reverse("fieldwork:flag_report"), allowed=TOWNS)


# ------------------------------------------------------------------------------------------------ conditions
def test_the_work_team_records_its_towns_conditions(world, pairing, login):
    client = login(TOWN)
    page = html_of(client.get(reverse("fieldwork:conditions_list")))
    assert "董塘镇" in page and "未登记" in page and 'data-testid="record-conditions"' in page
    values = {"office": "provided", "office_note": "镇政府二楼办公室", "lodging": "partial",
              "lodging_note": "宿舍两间，尚缺热水器", "transport": "none", "transport_note": "", "meals": "provided",
              "meals_note": "镇食堂", "note": ""}
    response = client.post(reverse("fieldwork:conditions_edit"), values)
    conditions = WorkingConditions.objects.get()
    assert response["Location"] == conditions.get_absolute_url()
    assert conditions.pairing_id == pairing.pk and conditions.lodging == "partial"
    # The second save edits the same record.
    page = html_of(client.get(reverse("fieldwork:conditions_edit")))
    assert "宿舍两间，尚缺热水器" in page
    client.post(reverse("fieldwork:conditions_edit"), dict(values, transport="provided", transport_note="镇里派车"))
    assert WorkingConditions.objects.count() == 1
    conditions.refresh_from_db()
    assert conditions.transport == "provided"
    # A missing choice is named in Chinese.
    page = html_of(client.post(reverse("fieldwork:conditions_edit"), dict(values, office="")))
    assert "请选择办公场所。" in page

    for name in ("leader", "renhua_rural", "city_st", "unit"):
        page = html_of(login(name).get(reverse("fieldwork:conditions_list")))
        assert 'data-testid="provision-partial"' in page and 'data-testid="edit-conditions"' not in page
        page = html_of(login(name).get(conditions.get_absolute_url()))
        assert "宿舍两间，尚缺热水器" in page and "镇里派车" in page and 'data-testid="edit-conditions"' not in page
    assert 'data-testid="edit-conditions"' in html_of(login(TOWN).get(conditions.get_absolute_url()))
    assert "董塘镇" not in html_of(login("nanxiong_rural").get(reverse("fieldwork:conditions_list")))
    # Another town records its own (none here: no working pairing), never 董塘镇's.
    page = html_of(login("renhua_city_town").post(reverse("fieldwork:conditions_edit"), values))
    assert "本镇当前没有已备案或帮扶中的结对团队" in page and WorkingConditions.objects.count() == 1


def test_conditions_pages_are_for_their_readers_only(world, pairing, assert_denied):
    conditions = services.conditions_save(actor=world[TOWN], values={"office": "provided"})
    assert_denied(conditions.get_absolute_url(), allowed=READERS_OF_DONGTANG)
    assert_denied(reverse("fieldwork:conditions_list"), allowed=EVERYONE_BUT_EXPERT)
    assert_denied(reverse("fieldwork:conditions_edit"), allowed=TOWNS)


# ------------------------------------------------------------------------------------------------ requests
def test_the_team_raises_a_request_and_the_town_answers_it(world, pairing, login):
    member = login("member")
    page = html_of(member.get(reverse("fieldwork:request_create")))
    assert "仁化县董塘镇" in page and "乡村振兴部门答复" in page
    page = html_of(member.post(reverse("fieldwork:request_create"), {"category": "", "title": "", "description": ""}))
    assert "请选择问题类别。" in page and "请填写问题。" in page and "请填写具体情况。" in page
    assert ConditionRequest.objects.count() == 0
    response = member.post(reverse("fieldwork:request_create"), {
        "category": "lodging", "title": "驻点宿舍尚未落实", "description": "宿舍还在装修。"})
    request = ConditionRequest.objects.get()
    assert response["Location"] == request.get_absolute_url() and request.status == "open"
    url = request.get_absolute_url()
    assert 'data-testid="action-' not in html_of(member.get(url))
    # Neither another town nor the other county answers it.
    assert act(login("renhua_city_town"), "request", request, "answer", "代答").status_code == 404
    assert login("nanxiong_rural").get(url).status_code == 404
    request.refresh_from_db()
    assert request.status == "open"

    town = login(TOWN)
    page = html_of(town.get(url))
    assert 'data-testid="action-answer"' in page and "答复" in page
    act(town, "request", request, "answer", "")
    request.refresh_from_db()
    assert request.status == "open"
    act(town, "request", request, "answer", "热水器本周安装，下周一可入住。")
    request.refresh_from_db()
    assert request.status == "answered" and request.answered_by == world[TOWN]
    page = html_of(login("leader").get(url))
    assert "热水器本周安装" in page and 'data-testid="action-close"' in page and 'data-testid="action-reopen"' in page
    act(login("leader"), "request", request, "reopen", "仍未入住。")
    request.refresh_from_db()
    assert request.status == "open"
    # The county's rural office answers too; then the team closes it.
    act(login("renhua_rural"), "request", request, "answer", "已协调镇里，本周落实。")
    request.refresh_from_db()
    assert request.status == "answered" and request.answered_by == world["renhua_rural"]
    assert "县乡村振兴部门" in html_of(login("member").get(url))
    act(login("member"), "request", request, "close")
    request.refresh_from_db()
    assert request.status == "closed" and request.closed_at is not None


def test_the_request_list_filters_and_puts_open_ones_first(world, pairing, login):
    answered = make_request(world, "示范基地用地未落实")
    services.request_act(actor=world[TOWN], request=answered, action="answer", comment="已协调")
    make_request(world, "驻点宿舍尚未落实")
    page = html_of(login("city_rural").get(reverse("fieldwork:request_list")))
    assert page.index("驻点宿舍尚未落实") < page.index("示范基地用地未落实")
    assert "待答复 <span class=\"kj-late\">1 条</span>" in page
    page = html_of(login("renhua_rural").get(reverse("fieldwork:request_list") + "?status=answered"))
    assert "示范基地用地未落实" in page and "驻点宿舍尚未落实" not in page
    page = html_of(login(TOWN).get(reverse("fieldwork:request_list") + "?category=office"))
    assert 'data-testid="empty"' in page
    page = html_of(login("nanxiong_rural").get(reverse("fieldwork:request_list")))
    assert "驻点宿舍尚未落实" not in page
    assert reverse("fieldwork:request_create") in html_of(login("member").get(reverse("fieldwork:request_list")))
    assert reverse("fieldwork:request_create") not in html_of(login(TOWN).get(reverse("fieldwork:request_list")))


def test_request_pages_are_for_their_readers_only(world, pairing, assert_denied):
    request = make_request(world)
    assert_denied(request.get_absolute_url(), allowed=READERS_OF_DONGTANG)
    assert_denied(reverse("fieldwork:request_list"), allowed=EVERYONE_BUT_EXPERT)
    assert_denied(reverse("fieldwork:request_create"), allowed=["leader", "member", "other_leader"])


# ------------------------------------------------------------------------------------------------ menu
def test_the_menu_puts_a_members_daily_pages_first(world):
    items = [item["label"] for group in menu_for(world["member"]) for item in group["items"]]
    assert items[:2] == ["服务活动", "驻镇时间"] and items.count("服务活动") == 1
    assert {"工作任务", "履职预警", "工作条件", "问题反映", "活动相册", "驻镇天数"} <= set(items)
    groups = [group["name"] for group in menu_for(world[TOWN])]
    assert groups.index("驻镇服务") == groups.index("论证资助") + 1
    town = [item["label"] for group in menu_for(world[TOWN]) if group["name"] == "驻镇服务" for item in group["items"]]
    assert town[:3] == ["服务活动", "驻镇时间", "驻镇天数"]
    assert not any(group["name"] == "驻镇服务" for group in menu_for(world["expert"]))
