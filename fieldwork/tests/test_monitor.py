"""The compliance monitor (``fieldwork.monitor.run``, scheduled job ``fieldwork_flags``): one flag per pairing and cause,
told to the team's leader, its unit and the organizing S&T office; idempotent; a flag closes by itself when its cause
goes and the same flag reopens when it returns; a pairing that ended has its flags closed; a work team's report of
non-cooperation is never touched by it.

柑橘团队 (world.team) was registered in 董塘镇 (仁化县, county-organized) on 10 January of the cycle's first year, so by
now it is past every window: no stays, no activity, no project, no agreement."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Notification
from core.models import Transition
from core.workflow import transitions_for
from fieldwork import monitor, services
from fieldwork.choices import FlagKind
from fieldwork.models import Flag, Task
from fieldwork.tests.factories import activity_values, field_pairing, stay_values
from matching.models import Pairing
from projects import services as projects
from projects.tests.factories import agreement_values, confirmed_need, make_project

pytestmark = pytest.mark.django_db

AUTOMATIC = {FlagKind.PACE, FlagKind.INACTIVE, FlagKind.PROJECT_LATE, FlagKind.AGREEMENT_MISSING,
             FlagKind.TASKS_OVERDUE}


@pytest.fixture
def field(world):
    pairing, people = field_pairing(world)
    return {"pairing": pairing, "people": people, "world": world}


def overdue_task(world, title="整理贡柑示范园台账"):
    """A task the work team gave; its due date has passed since."""
    task = services.task_save(actor=world["renhua_county_town"], values={
        "title": title, "due_date": timezone.localdate() + dt.timedelta(days=10)})
    Task.objects.filter(pk=task.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    task.refresh_from_db()
    return task


def flags(**filters) -> dict:
    return {flag.kind: flag for flag in Flag.objects.filter(**filters)}


def titles(world, name) -> list[str]:
    return list(Notification.objects.filter(recipient=world[name]).values_list("title", flat=True))


def catch_up_stays(world, people):
    """Two confirmed stays of 92 days for each of the three people, ending yesterday: well above the pace."""
    town = world["renhua_county_town"]
    end = timezone.localdate() - dt.timedelta(days=1)
    for person in people:
        for back in (0, 92):
            last = end - dt.timedelta(days=back)
            stay = services.stay_save(actor=world["leader"], values=stay_values(
                person, last - dt.timedelta(days=91), last))
            services.record_act(actor=town, record=stay, action="confirm")


def recent_activity(world):
    activity = services.activity_save(actor=world["member"], values=activity_values(
        world, date=timezone.localdate() - dt.timedelta(days=3)))
    services.record_act(actor=world["renhua_county_town"], record=activity, action="confirm")


def agreement_confirmed(world, pairing):
    agreement = projects.agreement_create(actor=world["leader"], pairing=pairing, **agreement_values())
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
                              content_type="application/pdf")
    agreement = projects.agreement_sign(actor=world["leader"], agreement=agreement, scan=scan,
                                        signed_on=timezone.localdate())
    projects.agreement_act(actor=world["renhua_county_town"], agreement=agreement, action="confirm")


def project_submitted(world, pairing, people):
    project = make_project(world, pairing, people, [confirmed_need(world)])
    projects.project_submit(actor=world["leader"], project=project, confirmed=True)


def test_each_cause_opens_one_flag_told_to_the_leader_the_unit_and_the_organizer(field):
    world = field["world"]
    overdue_task(world)
    Notification.objects.all().delete()
    assert monitor.run() == {"opened": 5, "reopened": 0, "closed": 0}
    opened = flags()
    assert set(opened) == AUTOMATIC
    for flag in opened.values():
        assert (flag.status, flag.pairing, flag.team_id, flag.home_town_id, flag.organizer_level) == (
            "open", field["pairing"], world.team.pk, world.renhua_county_town.pk, "county")
        assert flag.opened_at is not None
        assert [(t.action, t.to_state, t.actor) for t in transitions_for(flag)] == [("raise", "open", None)]
    assert "已确认驻镇0人天" in opened[FlagKind.PACE].detail
    assert "结对以来" in opened[FlagKind.INACTIVE].detail
    assert "1项逾期" in opened[FlagKind.TASKS_OVERDUE].detail
    for name in ("leader", "unit", "renhua_st"):
        told = titles(world, name)
        assert len(told) == 5 and all(title.startswith("履职预警：") for title in told), (name, told)
        assert any("驻镇天数进度滞后" in title and "柑橘团队" in title for title in told)
    for name in ("member", "nanxiong_st", "city_st", "renhua_county_town", "other_leader"):
        assert titles(world, name) == [], name


def test_running_again_opens_nothing(field):
    world = field["world"]
    overdue_task(world)
    monitor.run()
    before = (Flag.objects.count(), Notification.objects.count(), Transition.objects.count())
    assert monitor.run() == {"opened": 0, "reopened": 0, "closed": 0}
    assert monitor.run() == {"opened": 0, "reopened": 0, "closed": 0}
    assert (Flag.objects.count(), Notification.objects.count(), Transition.objects.count()) == before


def test_a_new_pairing_is_given_its_windows(world):
    """Registered ten days ago: not behind on its days, not idle, its agreement and project not yet due."""
    field_pairing(world, registered=timezone.now() - dt.timedelta(days=10))
    assert monitor.run() == {"opened": 0, "reopened": 0, "closed": 0}
    assert not Flag.objects.exists()


def test_flags_close_themselves_when_the_cause_goes(field):
    world = field["world"]
    task = overdue_task(world)
    monitor.run()
    catch_up_stays(world, field["people"])
    recent_activity(world)
    services.task_act(actor=world["leader"], task=task, action="report", comment="台账已整理")
    services.task_act(actor=world["renhua_county_town"], task=task, action="accept")
    agreement_confirmed(world, field["pairing"])
    project_submitted(world, field["pairing"], field["people"])
    Notification.objects.all().delete()
    assert monitor.run() == {"opened": 0, "reopened": 0, "closed": 5}
    for kind, flag in flags().items():
        assert flag.status == "closed" and flag.closed_at is not None, kind
        assert [t.action for t in transitions_for(flag).order_by("pk")] == ["raise", "clear"]
        assert transitions_for(flag).last().comment == "原因已消除"
    for name in ("leader", "unit", "renhua_st"):
        told = titles(world, name)
        assert len(told) == 5 and all(title.startswith("预警已解除：") for title in told), (name, told)
    assert monitor.run() == {"opened": 0, "reopened": 0, "closed": 0}


def test_a_cause_that_returns_reopens_the_same_flag(field):
    world = field["world"]
    first = overdue_task(world)
    monitor.run()
    flag = Flag.objects.get(kind=FlagKind.TASKS_OVERDUE)
    services.task_act(actor=world["leader"], task=first, action="report", comment="已完成")
    services.task_act(actor=world["renhua_county_town"], task=first, action="accept")
    assert monitor.run()["closed"] == 1
    flag.refresh_from_db()
    assert flag.status == "closed"
    overdue_task(world, "组织冬季清园培训")
    Notification.objects.all().delete()
    assert monitor.run() == {"opened": 0, "reopened": 1, "closed": 0}
    assert Flag.objects.filter(kind=FlagKind.TASKS_OVERDUE).count() == 1
    flag.refresh_from_db()
    assert flag.status == "open" and "1项逾期" in flag.detail
    assert [(t.action, t.from_state, t.to_state) for t in transitions_for(flag).order_by("pk")] == [
        ("raise", "", "open"), ("clear", "open", "closed"), ("reopen", "closed", "open")]
    assert [h.status for h in flag.history.order_by("history_date", "history_id")][-3:] == ["open", "closed", "open"]
    assert any(title.startswith("履职预警：工作任务逾期") for title in titles(world, "leader"))


def test_inactivity_counts_from_the_last_confirmed_activity(field):
    world = field["world"]
    recent_activity(world)
    today = timezone.localdate()
    monitor.run(today=today)
    assert FlagKind.INACTIVE not in flags()
    later = today + dt.timedelta(days=world.cycle.inactivity_days + 5)
    monitor.run(today=later)
    flag = flags()[FlagKind.INACTIVE]
    assert flag.status == "open"
    assert (today - dt.timedelta(days=3)).isoformat() in flag.detail and "预警线60天" in flag.detail


def test_a_pairing_that_ended_has_its_flags_closed_but_not_a_report(field):
    world = field["world"]
    report = services.flag_report(actor=world["renhua_county_town"], detail="多次通知未到镇开展工作。")
    monitor.run()
    assert Flag.objects.filter(status="open").count() == 5  # four causes and the report (no task overdue)
    Pairing.objects.filter(pk=field["pairing"].pk).update(status="ended")
    assert monitor.run() == {"opened": 0, "reopened": 0, "closed": 4}
    for kind, flag in flags(kind__in=AUTOMATIC).items():
        assert flag.status == "closed", kind
        assert transitions_for(flag).last().comment == "结对已不在帮扶中"
    report.refresh_from_db()
    assert report.status == "open"
    assert [t.action for t in transitions_for(report)] == ["report"]


def test_the_monitor_leaves_non_cooperation_reports_alone(field):
    world = field["world"]
    catch_up_stays(world, field["people"])
    recent_activity(world)
    agreement_confirmed(world, field["pairing"])
    project_submitted(world, field["pairing"], field["people"])
    report = services.flag_report(actor=world["renhua_county_town"], detail="不参加镇里组织的培训。")
    assert monitor.run() == {"opened": 0, "reopened": 0, "closed": 0}
    report.refresh_from_db()
    assert report.status == "open" and Flag.objects.count() == 1
    services.flag_act(actor=world["renhua_st"], flag=report, action="resolve", comment="已约谈")
    assert monitor.run() == {"opened": 0, "reopened": 0, "closed": 0}
    report.refresh_from_db()
    assert report.status == "closed"


def test_run_scheduled_runs_the_monitor(field):
    call_command("run_scheduled", "--only", "fieldwork_flags")
    assert set(flags()) == AUTOMATIC - {FlagKind.TASKS_OVERDUE}
    call_command("run_scheduled", "--only", "fieldwork_flags")
    assert Flag.objects.count() == 4
