"""The home to-dos of the field service: the work team confirms what its team logged in its town (cross-town work
included) and handles reported tasks and open requests; the team fixes what was queried, does its tasks, closes
answered requests and sees its flags; the organizing S&T office, the rural offices and the unit see theirs — each
counted in its own scope, linking to the record or the filtered list, and gone once handled."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dashboard import todo_for
from fieldwork import services
from fieldwork.models import Activity, Flag, Stay, Task
from fieldwork.tests.factories import activity_values, day, field_pairing, stay_values

pytestmark = pytest.mark.django_db

TOWN = "renhua_county_town"


def todos(user, cycle=None):
    from fieldwork.dashboard import todo

    return {item.label: (item.count, item.url) for item in todo(user, cycle) if item.count}


def hints(user, cycle=None):
    from fieldwork.dashboard import todo

    return {item.label: item.hint for item in todo(user, cycle)}


def url(name, **params):
    return reverse("fieldwork:%s" % name) + "?" + "&".join("%s=%s" % item for item in params.items())


@pytest.fixture
def team(world):
    return field_pairing(world)


def test_the_work_team_confirms_what_was_logged_in_its_town(world, team):
    pairing, people = team
    assert todos(world[TOWN], world.cycle) == {}
    services.activity_save(actor=world["member"], values=activity_values(world))
    services.activity_save(actor=world["member"], values=activity_values(world, title="测土配方施肥指导"))
    services.stay_save(actor=world["member"], values=stay_values(people[1]))
    # Cross-town work in 黄坑镇: that town confirms it, not 董塘镇.
    services.activity_save(actor=world["leader"], values=activity_values(world, town=world.renhua_city_town,
                                                                          title="黄坑镇茶园病虫害诊断"))
    items = todos(world[TOWN], world.cycle)
    assert items["待确认的服务活动"] == (2, url("activity_list", status="submitted", mine=1))
    assert items["待确认的驻镇记录"] == (1, url("stay_list", status="submitted", mine=1))
    assert todos(world["renhua_city_town"], world.cycle)["待确认的服务活动"][0] == 1
    assert todos(world["nanxiong_county_town"], world.cycle) == {}
    # The same without a cycle (every cycle's).
    assert todos(world[TOWN])["待确认的服务活动"][0] == 2

    services.bulk_confirm(actor=world[TOWN], model=Activity, ids=[a.pk for a in Activity.objects.filter(
        town=world.renhua_county_town)])
    services.record_act(actor=world[TOWN], record=Stay.objects.get(), action="query", comment="请补充驻点地点")
    items = todos(world[TOWN], world.cycle)
    assert "待确认的服务活动" not in items and "待确认的驻镇记录" not in items
    # The query goes to the team: one record links to itself.
    stay = Stay.objects.get()
    for name in ("leader", "member"):
        assert todos(world[name], world.cycle)["被询问待修改的驻镇记录"] == (1, stay.get_absolute_url())
    assert "被询问待修改的服务活动" not in todos(world["leader"], world.cycle)
    services.stay_save(actor=world["member"], values={"place": "董塘镇新塘村委会"}, stay=stay)
    assert "被询问待修改的驻镇记录" not in todos(world["leader"], world.cycle)
    assert todos(world[TOWN], world.cycle)["待确认的驻镇记录"][0] == 1


def test_tasks_show_on_both_sides_open_overdue_reported(world, team):
    town, leader = world[TOWN], world["leader"]
    soon = timezone.localdate() + dt.timedelta(days=7)
    task = services.task_save(actor=town, values={"title": "组织培训", "due_date": soon})
    late = services.task_save(actor=town, values={"title": "整理台账", "due_date": soon})
    Task.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    items = todos(leader, world.cycle)
    assert items["待完成的工作任务"] == (1, task.get_absolute_url())
    assert items["逾期未完成的工作任务"] == (1, late.get_absolute_url())
    assert soon.isoformat() in hints(leader, world.cycle)["待完成的工作任务"]
    assert todos(world["other_leader"], world.cycle) == {}
    assert todos(town, world.cycle) == {}

    services.task_act(actor=leader, task=task, action="report", comment="已完成培训")
    services.task_act(actor=world["member"], task=late, action="report", comment="台账已整理")
    assert todos(leader, world.cycle) == {}
    assert todos(town, world.cycle)["团队已报告完成待确认的任务"] == (2, url("task_list", status="reported", mine=1))
    assert todos(world["renhua_city_town"], world.cycle) == {}
    services.task_act(actor=town, task=task, action="accept")
    assert todos(town, world.cycle)["团队已报告完成待确认的任务"] == (1, late.get_absolute_url())
    services.task_act(actor=town, task=late, action="reopen", comment="请附签到表")
    assert todos(town, world.cycle) == {}
    assert todos(leader, world.cycle)["逾期未完成的工作任务"][0] == 1


def test_requests_wait_for_the_town_and_the_rural_offices_then_for_the_team(world, team):
    request = services.request_save(actor=world["member"], values={
        "category": "transport", "title": "下村没有交通工具", "description": "示范点离镇区20公里。"})
    link = request.get_absolute_url()
    for name in (TOWN, "renhua_rural", "city_rural"):
        assert todos(world[name], world.cycle)["团队反映的待答复问题"] == (1, link), name
    for name in ("nanxiong_rural", "renhua_city_town", "renhua_st"):
        assert "团队反映的待答复问题" not in todos(world[name], world.cycle), name
    services.request_save(actor=world["leader"], values={"category": "office", "title": "办公室没有网络",
                                                         "description": "影响填报。"})
    assert todos(world["renhua_rural"], world.cycle)["团队反映的待答复问题"] == (
        2, url("request_list", status="open", mine=1))

    services.request_act(actor=world["renhua_rural"], request=request, action="answer", comment="已协调镇里派车")
    assert todos(world[TOWN], world.cycle)["团队反映的待答复问题"][0] == 1
    assert todos(world["member"], world.cycle)["已答复待办结的问题"] == (1, link)
    services.request_act(actor=world["member"], request=request, action="close")
    assert "已答复待办结的问题" not in todos(world["member"], world.cycle)


def test_flags_reach_the_organizer_the_team_and_the_unit(world, team):
    pairing, _people = team
    monitor_flag = Flag(kind="pace", detail="驻镇天数不足", opened_at=timezone.now())
    monitor_flag.copy_pairing(pairing)
    monitor_flag.save()
    report = services.flag_report(actor=world[TOWN], detail="团队长期不驻镇")
    # 董塘镇 is county-organized: 仁化县's S&T office handles it, the city reads it but does not handle it.
    items = todos(world["renhua_st"], world.cycle)
    assert items["履职预警"] == (2, url("flag_list", status="open", mine=1))
    hint = hints(world["renhua_st"], world.cycle)["履职预警"]
    assert "驻镇天数进度滞后 1 条" in hint and "驻镇工作队反映不配合 1 条" in hint
    for name in ("city_st", "nanxiong_st", TOWN, "other_leader"):
        assert "履职预警" not in todos(world[name], world.cycle), name
    assert todos(world["leader"], world.cycle)["本团队的履职预警"] == (2, url("flag_list", status="open"))
    assert todos(world["unit"], world.cycle)["本单位团队的履职预警"][0] == 2

    services.flag_act(actor=world["renhua_st"], flag=report, action="resolve", comment="已约谈")
    assert todos(world["renhua_st"], world.cycle)["履职预警"] == (1, monitor_flag.get_absolute_url())
    assert todos(world["member"], world.cycle)["本团队的履职预警"] == (1, monitor_flag.get_absolute_url())
    Flag.objects.filter(pk=monitor_flag.pk).update(status="closed")
    for name in ("renhua_st", "leader", "unit"):
        assert todos(world[name], world.cycle) == {}, name


def test_the_home_page_shows_them(world, team, login):
    services.activity_save(actor=world["member"], values=activity_values(world, date=day(4, 2)))
    labels = [item.label for item in todo_for(world[TOWN], world.cycle)]
    assert "待确认的服务活动" in labels
    page = login(TOWN).get(reverse("portal:home")).content.decode()
    assert "待确认的服务活动" in page
