"""The fieldwork services: who logs, who confirms, what is refused (in Chinese, naming the field), what is never
half-saved, who is told. 柑橘团队 (world.team) is active in 董塘镇 (仁化县); ``leader`` and ``member`` are its first two
people; the work team of 董塘镇 is ``renhua_county_town``."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from core.scoping import VIEW, restrict
from core.workflow import transitions_for
from fieldwork import selectors, services
from fieldwork.choices import FlagKind
from fieldwork.models import Activity, ActivityPhoto, ConditionRequest, Flag, Stay, Task, WorkingConditions
from fieldwork.tests.factories import activity_values, day, field_pairing, photo, stay_values
from projects.tests.factories import active_pairing, confirmed_need, make_project, staff
from regions.models import Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def field(world):
    pairing, people = field_pairing(world)
    return {"pairing": pairing, "people": people, "world": world}


@pytest.fixture
def other(world):
    """茶叶团队 (other_leader's) active in 珠玑镇 (南雄市) with its three people."""
    pairing = active_pairing(world, town=world.nanxiong_county_town, team=world.other_team)
    return {"pairing": pairing, "people": staff(world, world.other_team)}


def log(world, actor="leader", **overrides):
    return services.activity_save(actor=world[actor], values=activity_values(world, **overrides))


def stay(world, person, actor="leader", start=None, end=None, **overrides):
    return services.stay_save(actor=world[actor], values=stay_values(person, start, end, **overrides))


def messages(error: ValidationError, field=None) -> str:
    if field is None:
        return " ".join(error.messages)
    return " ".join(error.message_dict.get(field, []))


def inbox(world, name) -> list[str]:
    return list(Notification.objects.filter(recipient=world[name]).values_list("title", flat=True))


def stored_files() -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


def actions(record) -> list[str]:
    return [t.action for t in transitions_for(record).order_by("pk")]


# ------------------------------------------------------------------------------------------------ activities
def test_a_member_logs_an_activity_in_the_own_town(field):
    world = field["world"]
    people = field["people"]
    activity = services.activity_save(actor=world["member"], values=activity_values(world),
                                      participants=people[:2])
    assert (activity.cycle_id, activity.team_id, activity.home_town_id, activity.town_id) == (
        world.cycle.pk, world.team.pk, world.renhua_county_town.pk, world.renhua_county_town.pk)
    assert activity.cross_town is False and activity.status == "submitted"
    assert activity.created_by == world["member"] and activity.pairing == field["pairing"]
    assert set(activity.participants.all()) == set(people[:2])
    assert actions(activity) == ["submit"]
    assert any("服务活动待确认" in title for title in inbox(world, "renhua_county_town"))


def test_cross_town_work_in_another_countys_town_is_marked_and_read_by_both(field):
    world = field["world"]
    activity = log(world, town=world.nanxiong_city_town)
    assert activity.cross_town is True and activity.home_town_id == world.renhua_county_town.pk
    assert any("服务活动待确认" in title for title in inbox(world, "nanxiong_city_town"))
    assert not inbox(world, "renhua_county_town")
    for name in ("nanxiong_city_town", "renhua_county_town", "renhua_st", "nanxiong_st", "city_st", "leader",
                 "member", "unit"):
        assert restrict(Activity, world[name], VIEW).filter(pk=activity.pk).exists(), name
    for name in ("renhua_city_town", "nanxiong_county_town", "other_leader", "expert"):
        assert not restrict(Activity, world[name], VIEW).filter(pk=activity.pk).exists(), name


def test_only_team_people_log_and_only_for_their_own_team(field, other):
    world = field["world"]
    for name in ("renhua_county_town", "renhua_st", "unit", "expert"):
        with pytest.raises(PermissionDenied):
            log(world, name)
    # 茶叶团队's leader logs for 茶叶团队 (its own pairing), never for 柑橘团队.
    theirs = log(world, "other_leader", title="茶园修剪指导")
    assert (theirs.team_id, theirs.home_town_id) == (world.other_team.pk, world.nanxiong_county_town.pk)
    ours = log(world)
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=world["other_leader"], activity=ours, values={"title": "改掉"})
    with pytest.raises(PermissionDenied):
        services.record_act(actor=world["other_leader"], record=ours, action="withdraw", comment="撤回")
    # Nor may 茶叶团队 name 柑橘团队's people as its participants.
    with pytest.raises(ValidationError) as error:
        services.activity_save(actor=world["other_leader"], values=activity_values(world),
                               participants=[field["people"][0]])
    assert "须是本团队成员" in messages(error.value, "participants")
    assert field["people"][0].name in messages(error.value, "participants")
    ours.refresh_from_db()
    assert ours.title == activity_values(world)["title"]
    assert Activity.objects.filter(team=world.team).count() == 1


def test_a_team_without_a_working_pairing_cannot_log(world):
    with pytest.raises(ValidationError) as error:
        log(world, "other_leader")
    assert "没有已备案或帮扶中的结对" in messages(error.value)
    assert not Activity.objects.exists()


def test_participants_must_be_team_members(field, other):
    world = field["world"]
    stranger = other["people"][0]
    with pytest.raises(ValidationError) as error:
        services.activity_save(actor=world["leader"], values=activity_values(world),
                               participants=[field["people"][0], stranger])
    assert "参加成员须是本团队成员：%s不是" % stranger.name in messages(error.value, "participants")
    assert not Activity.objects.exists()


def test_a_project_or_task_of_another_pairing_is_refused(field, other):
    world = field["world"]
    need = confirmed_need(world, town=world.nanxiong_county_town)
    theirs = make_project(world, other["pairing"], other["people"], [need], actor="other_leader")
    with pytest.raises(ValidationError) as error:
        log(world, project=theirs)
    assert "不是本团队在本结对中的帮扶项目" in messages(error.value, "project")
    task = services.task_save(actor=world["nanxiong_county_town"], values={
        "title": "茶园春管培训", "due_date": timezone.localdate() + dt.timedelta(days=20)})
    with pytest.raises(ValidationError) as error:
        log(world, task=task)
    assert "不是本镇驻镇工作队交给本团队的任务" in messages(error.value, "task")
    assert not Activity.objects.filter(team=world.team).exists()
    # Its own project and task are fine.
    ours = make_project(world, field["pairing"], field["people"], [confirmed_need(world)])
    own_task = services.task_save(actor=world["renhua_county_town"], values={
        "title": "贡柑春梢管理", "due_date": timezone.localdate() + dt.timedelta(days=20)})
    activity = log(world, project=ours, task=own_task)
    assert (activity.project, activity.task) == (ours, own_task)


def test_a_village_of_another_town_is_refused(field):
    world = field["world"]
    elsewhere = Village.objects.create(town=world.renhua_city_town, name="黄坑村")
    with pytest.raises(ValidationError) as error:
        log(world, village=elsewhere)
    assert "所选行政村不属于董塘镇" in messages(error.value, "village")
    home = Village.objects.create(town=world.renhua_county_town, name="董塘村")
    assert log(world, village=home).place == "董塘镇董塘村"


@pytest.mark.parametrize("when, words", [
    ("future", "活动日期不能晚于今天"),
    ("before", "活动日期应在帮扶周期"),
])
def test_dates_in_the_future_or_outside_the_cycle_are_refused_on_the_date(field, when, words):
    world = field["world"]
    date = {"future": timezone.localdate() + dt.timedelta(days=1),
            "before": world.cycle.start_date - dt.timedelta(days=1)}[when]
    with pytest.raises(ValidationError) as error:
        log(world, date=date)
    assert words in messages(error.value, "date")
    assert len(error.value.message_dict["date"]) == 1  # one message, not the field validator's as well
    assert not Activity.objects.exists()


def test_one_bad_photo_of_three_saves_nothing(field):
    world = field["world"]
    bad = SimpleUploadedFile("会议记录.jpg", b"this is not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        services.activity_save(actor=world["leader"], values=activity_values(world),
                               participants=field["people"][:1],
                               photos=[photo("IMG_1.jpg"), bad, photo("IMG_3.jpg")])
    assert "“会议记录.jpg”不是可识别的图片" in messages(error.value, "photos")
    assert (Activity.objects.count(), ActivityPhoto.objects.count()) == (0, 0)
    assert stored_files() == []
    assert not Notification.objects.exists()
    # The same three without the bad one: one activity, two processed photos.
    activity = services.activity_save(actor=world["leader"], values=activity_values(world),
                                      photos=[photo("IMG_1.jpg"), photo("IMG_3.jpg")])
    assert activity.photos.filter(processed=True).count() == 2


def test_a_confirmed_activity_is_no_longer_edited(field):
    world = field["world"]
    activity = log(world)
    services.record_act(actor=world["renhua_county_town"], record=activity, action="confirm")
    with pytest.raises(ValidationError) as error:
        services.activity_save(actor=world["leader"], activity=activity, values={"title": "改名"})
    assert "已确认" in messages(error.value)


# ------------------------------------------------------------------------------------------------ confirmations
def test_only_the_town_where_the_work_was_done_confirms(field):
    world = field["world"]
    activity = log(world, town=world.nanxiong_city_town)
    for name in ("renhua_county_town", "renhua_st", "nanxiong_st", "leader", "renhua_city_town"):
        with pytest.raises(PermissionDenied):
            services.record_act(actor=world[name], record=activity, action="confirm")
    done = services.record_act(actor=world["nanxiong_city_town"], record=activity, action="confirm")
    assert done.status == "confirmed" and done.confirmed_by == world["nanxiong_city_town"]
    assert done.confirmed_at is not None
    assert actions(done) == ["submit", "confirm"]


def test_a_query_needs_a_reason_tells_the_team_and_a_resubmission_goes_back(field):
    world = field["world"]
    activity = log(world, "member")
    with pytest.raises(ValidationError) as error:
        services.record_act(actor=world["renhua_county_town"], record=activity, action="query", comment="  ")
    assert "请填写" in messages(error.value)
    activity.refresh_from_db()
    assert activity.status == "submitted"
    services.record_act(actor=world["renhua_county_town"], record=activity, action="query",
                        comment="照片与活动地点不符，请补充")
    activity.refresh_from_db()
    assert activity.status == "queried" and activity.query_reason == "照片与活动地点不符，请补充"
    for name in ("leader", "member"):
        assert any("被询问" in title for title in inbox(world, name)), name
    # The team edits it: saved, back to the town.
    Notification.objects.all().delete()
    edited = services.activity_save(actor=world["member"], activity=activity, values={"village_name": "石塘村"})
    assert edited.status == "submitted" and edited.village_name == "石塘村"
    assert actions(edited) == ["submit", "query", "resubmit"]
    assert any("已修改，待确认" in title for title in inbox(world, "renhua_county_town"))


def test_a_second_confirmation_reads_that_someone_else_handled_it(field):
    world = field["world"]
    activity = log(world)
    page = Activity.objects.get(pk=activity.pk)  # the page the second official still has open
    services.record_act(actor=world["renhua_county_town"], record=activity, action="confirm")
    with pytest.raises(ValidationError) as error:
        services.record_act(actor=world["renhua_county_town"], record=page, action="confirm")
    text = messages(error.value)
    assert "已被他人处理" in text or "当前状态为“已确认”" in text
    with pytest.raises(ValidationError):
        services.record_act(actor=world["renhua_county_town"], record=page, action="query", comment="重复")
    assert actions(activity) == ["submit", "confirm"]


def test_bulk_confirm_skips_out_of_scope_and_handled_records(field):
    world = field["world"]
    first, second, handled = log(world), log(world, title="第二次"), log(world, title="第三次")
    services.record_act(actor=world["renhua_county_town"], record=handled, action="confirm")
    elsewhere = log(world, town=world.nanxiong_city_town)
    count, problems = services.bulk_confirm(actor=world["renhua_county_town"], model=Activity,
                                            ids=[first.pk, str(second.pk), handled.pk, elsewhere.pk, 999999, "abc"])
    assert count == 2
    assert set(Activity.objects.filter(status="confirmed").values_list("pk", flat=True)) == {
        first.pk, second.pk, handled.pk}
    assert Activity.objects.get(pk=elsewhere.pk).status == "submitted"
    assert any("已确认" in problem for problem in problems)
    assert "编号%d：不在本镇范围内或不存在" % elsewhere.pk in problems and "编号999999：不在本镇范围内或不存在" in problems
    assert len(problems) == 3  # the one already confirmed and the two out of reach: one line each
    with pytest.raises(PermissionDenied):
        services.bulk_confirm(actor=world["leader"], model=Activity, ids=[elsewhere.pk])


# ------------------------------------------------------------------------------------------------ stays
def test_a_member_records_only_their_own_stay_the_leader_anyones(field):
    world = field["world"]
    leader, member, third = field["people"]
    mine = stay(world, member, "member")
    assert (mine.commissioner, mine.days, mine.cross_town, mine.status) == (member, 7, False, "submitted")
    assert (mine.first_day, mine.last_day) == (mine.start_date.toordinal(), mine.end_date.toordinal())
    with pytest.raises(ValidationError) as error:
        stay(world, third, "member", start=day(4, 1))
    assert "只能填报本人的驻镇时间" in messages(error.value, "commissioner")
    assert stay(world, third, "leader", start=day(4, 1)).commissioner == third
    with pytest.raises(ValidationError) as error:
        stay(world, field["people"][0], "other_leader", start=day(5, 1))
    assert "没有已备案或帮扶中的结对" in messages(error.value)
    assert Stay.objects.count() == 2


def test_a_stay_of_another_teams_person_is_refused(field, other):
    world = field["world"]
    with pytest.raises(ValidationError) as error:
        stay(world, other["people"][0])
    assert "驻镇成员须是本团队成员" in messages(error.value, "commissioner")


def test_an_overlapping_stay_is_refused_naming_the_other(field):
    world = field["world"]
    person = field["people"][1]
    first = stay(world, person, start=day(3, 1), end=day(3, 10))
    with pytest.raises(ValidationError) as error:
        stay(world, person, start=day(3, 10), end=day(3, 12), town=world.nanxiong_city_town)
    text = messages(error.value, "start_date")
    assert "%s 至 %s" % (day(3, 1).isoformat(), day(3, 10).isoformat()) in text and "董塘镇" in text
    assert "待确认" in text and "同一人同一天只能有一条驻镇记录" in text
    # A queried stay still blocks; a withdrawn one does not.
    services.record_act(actor=world["renhua_county_town"], record=first, action="query", comment="日期请核实")
    with pytest.raises(ValidationError) as error:
        stay(world, person, start=day(3, 5), end=day(3, 6))
    assert "被询问" in messages(error.value, "start_date")
    services.record_act(actor=world["leader"], record=first, action="withdraw", comment="日期填错")
    again = stay(world, person, start=day(3, 5), end=day(3, 6))
    assert again.status == "submitted"
    # Another person on the same days is fine; an edit of a stay does not clash with itself.
    stay(world, field["people"][2], start=day(3, 5), end=day(3, 6))
    services.stay_save(actor=world["leader"], stay=again, values={"end_date": day(3, 8)})
    assert Stay.objects.get(pk=again.pk).end_date == day(3, 8)


@pytest.mark.parametrize("days, field_name, words", [
    (400, "end_date", "超过92天"),
    (-3, "end_date", "结束日期不能早于开始日期"),
])
def test_a_long_or_backwards_stay_is_refused(field, days, field_name, words):
    world = field["world"]
    start = day(1, 20)
    with pytest.raises(ValidationError) as error:
        stay(world, field["people"][0], start=start, end=start + dt.timedelta(days=days))
    assert words in messages(error.value, field_name)
    assert list(error.value.message_dict) == [field_name]  # no generic "约束…是无效的" beside it
    assert len(error.value.message_dict[field_name]) == 1
    assert not Stay.objects.exists()


def test_a_stay_in_the_future_is_refused(field):
    world = field["world"]
    start = timezone.localdate() - dt.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        stay(world, field["people"][0], start=start, end=start + dt.timedelta(days=5))
    assert "结束日期不能晚于今天" in messages(error.value, "end_date")
    assert len(error.value.message_dict["end_date"]) == 1


def test_only_confirmed_stays_count(field):
    world = field["world"]
    leader, member, third = field["people"]
    confirmed = stay(world, leader, start=day(3, 1), end=day(3, 10))
    stay(world, member, start=day(3, 1), end=day(3, 10))
    queried = stay(world, third, start=day(3, 1), end=day(3, 10))
    elsewhere = stay(world, leader, start=day(4, 1), end=day(4, 3), town=world.nanxiong_city_town)
    services.record_act(actor=world["renhua_county_town"], record=confirmed, action="confirm")
    services.record_act(actor=world["renhua_county_town"], record=queried, action="query", comment="请补充")
    assert selectors.stationed_days(world.cycle) == {
        world.team.pk: selectors.TeamDays(people={leader.pk: selectors.PersonDays(10, 10)})}
    with pytest.raises(PermissionDenied):  # the paired town does not confirm a stay elsewhere
        services.record_act(actor=world["renhua_county_town"], record=elsewhere, action="confirm")
    services.record_act(actor=world["nanxiong_city_town"], record=elsewhere, action="confirm")
    days = selectors.stationed_days(world.cycle)[world.team.pk]
    assert (days.own, days.all, days.cross) == (10, 13, 3)
    assert days.counted(world.cycle) == 10


# ------------------------------------------------------------------------------------------------ tasks
def test_the_work_team_assigns_a_task_the_team_reports_the_town_accepts(field):
    world = field["world"]
    due = timezone.localdate() + dt.timedelta(days=14)
    for name in ("leader", "renhua_st"):
        with pytest.raises(PermissionDenied):
            services.task_save(actor=world[name], values={"title": "任务", "due_date": due})
    with pytest.raises(ValidationError) as error:  # 黄坑镇 has no working pairing
        services.task_save(actor=world["renhua_city_town"], values={"title": "任务", "due_date": due})
    assert "没有已备案或帮扶中的结对团队" in messages(error.value)
    with pytest.raises(ValidationError) as error:
        services.task_save(actor=world["renhua_county_town"], values={
            "title": "任务", "due_date": timezone.localdate() - dt.timedelta(days=1)})
    assert "完成期限不能早于今天" in messages(error.value, "due_date")
    task = services.task_save(actor=world["renhua_county_town"], values={
        "title": "组织一次贡柑采后处理培训", "description": "面向合作社社员", "due_date": due})
    assert (task.team_id, task.home_town_id, task.status) == (world.team.pk, world.renhua_county_town.pk, "open")
    assert any("布置了任务" in title for title in inbox(world, "leader"))
    with pytest.raises(PermissionDenied):
        services.task_act(actor=world["nanxiong_county_town"], task=task, action="accept")
    with pytest.raises(ValidationError):
        services.task_act(actor=world["member"], task=task, action="report", comment="")
    services.task_act(actor=world["member"], task=task, action="report", comment="已于本周完成培训，35人参加")
    assert any("报告了任务完成情况" in title for title in inbox(world, "renhua_county_town"))
    with pytest.raises(PermissionDenied):
        services.task_act(actor=world["leader"], task=task, action="accept")
    services.task_act(actor=world["renhua_county_town"], task=task, action="reopen", comment="请附培训签到表")
    assert Task.objects.get(pk=task.pk).status == "open"
    services.task_act(actor=world["leader"], task=task, action="report", comment="签到表已上传")
    done = services.task_act(actor=world["renhua_county_town"], task=task, action="accept")
    assert done.status == "done" and done.done_at is not None and done.report == "签到表已上传"
    with pytest.raises(ValidationError):
        services.task_save(actor=world["renhua_county_town"], task=done, values={"title": "改"})
    assert actions(done) == ["assign", "report", "reopen", "report", "accept"]


# ------------------------------------------------------------------------------------------------ flags
def test_a_non_cooperation_report_is_told_and_resolved_by_hand(field):
    world = field["world"]
    with pytest.raises(ValidationError) as error:
        services.flag_report(actor=world["renhua_county_town"], detail=" ")
    assert error.value.message_dict == {"detail": ["请说明团队不配合的具体情况（时间、事项、经过）。"]}
    with pytest.raises(PermissionDenied):
        services.flag_report(actor=world["leader"], detail="自己举报自己")
    flag = services.flag_report(actor=world["renhua_county_town"], detail="3月以来多次通知未到镇开展工作。")
    assert (flag.kind, flag.status, flag.organizer_level) == ("noncooperation", "open", "county")
    for name in ("leader", "unit", "renhua_st"):
        assert any("驻镇工作队反映不配合" in title for title in inbox(world, name)), name
    assert not inbox(world, "nanxiong_st")
    for name in ("leader", "nanxiong_st"):
        with pytest.raises(PermissionDenied):
            services.flag_act(actor=world[name], flag=flag, action="resolve", comment="已处理")
    with pytest.raises(ValidationError):
        services.flag_act(actor=world["renhua_st"], flag=flag, action="resolve", comment="")
    closed = services.flag_act(actor=world["renhua_st"], flag=flag, action="resolve", comment="已约谈团队负责人")
    assert closed.status == "closed" and closed.closed_at is not None
    # A second report is a second flag (reports are not one per pairing).
    services.flag_report(actor=world["renhua_county_town"], detail="4月仍未到岗。")
    assert Flag.objects.filter(kind="noncooperation").count() == 2


def test_a_monitor_flag_is_not_resolved_by_hand(field):
    world = field["world"]
    flag = Flag(kind=FlagKind.PACE, detail="进度滞后", opened_at=timezone.now())
    flag.copy_pairing(field["pairing"])
    flag.save()
    with pytest.raises(ValidationError) as error:
        services.flag_act(actor=world["renhua_st"], flag=flag, action="resolve", comment="已处理")
    assert "原因消除后自动解除" in messages(error.value)
    with pytest.raises(PermissionDenied):
        services.flag_act(actor=world["renhua_st"], flag=flag, action="clear", comment="手动解除")
    assert Flag.objects.get(pk=flag.pk).status == "open"


# ------------------------------------------------------------------------------------------------ conditions
def test_working_conditions_are_one_record_per_pairing(field):
    world = field["world"]
    with pytest.raises(PermissionDenied):
        services.conditions_save(actor=world["leader"], values={"office": "none"})
    first = services.conditions_save(actor=world["renhua_county_town"], values={
        "office": "provided", "lodging": "partial", "lodging_note": "两人一间", "transport": "none"})
    second = services.conditions_save(actor=world["renhua_county_town"], values={"transport": "partial",
                                                                                  "transport_note": "镇里派车"})
    assert first.pk == second.pk and WorkingConditions.objects.count() == 1
    saved = WorkingConditions.objects.get()
    assert (saved.lodging, saved.transport, saved.transport_note) == ("partial", "partial", "镇里派车")
    assert (saved.pairing, saved.team_id) == (field["pairing"], world.team.pk)
    with pytest.raises(ValidationError) as error:
        services.conditions_save(actor=world["renhua_county_town"], values={"meals": "sometimes"})
    assert "meals" in error.value.message_dict


# ------------------------------------------------------------------------------------------------ requests
def test_a_request_is_answered_by_the_town_and_the_rural_offices_only(field):
    world = field["world"]
    values = {"category": "lodging", "title": "宿舍漏水", "description": "驻镇宿舍屋顶漏水，雨天无法住宿。"}
    with pytest.raises(PermissionDenied):
        services.request_save(actor=world["renhua_county_town"], values=values)
    with pytest.raises(ValidationError) as error:
        services.request_save(actor=world["leader"], values={**values, "category": "weather"})
    assert "category" in error.value.message_dict
    request = services.request_save(actor=world["member"], values=values)
    assert (request.status, request.team_id, request.home_town_id) == ("open", world.team.pk,
                                                                        world.renhua_county_town.pk)
    for name in ("renhua_county_town", "renhua_rural", "city_rural"):
        assert any("团队反映问题" in title for title in inbox(world, name)), name
    assert not inbox(world, "nanxiong_rural")
    for name in ("nanxiong_rural", "renhua_st", "nanxiong_county_town", "leader"):
        with pytest.raises(PermissionDenied):
            services.request_act(actor=world[name], request=request, action="answer", comment="答复")
    answered = services.request_act(actor=world["renhua_county_town"], request=request, action="answer",
                                    comment="本周内维修")
    assert answered.status == "answered" and answered.answered_by == world["renhua_county_town"]
    assert any("问题已答复" in title for title in inbox(world, "member"))
    services.request_act(actor=world["leader"], request=request, action="reopen", comment="仍在漏水")
    services.request_act(actor=world["renhua_rural"], request=request, action="answer", comment="县里协调维修资金")
    closed = services.request_act(actor=world["leader"], request=request, action="close")
    assert closed.status == "closed" and closed.closed_at is not None
    # The city's rural office answers too.
    second = services.request_save(actor=world["leader"], values={**values, "title": "缺少办公电脑"})
    assert services.request_act(actor=world["city_rural"], request=second, action="answer",
                                comment="已协调").status == "answered"
    assert ConditionRequest.objects.count() == 2
