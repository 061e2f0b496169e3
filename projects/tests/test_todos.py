"""The home to-dos of agreements and projects: each role its own, counted in its scope, linking to the filtered list."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dashboard import todo_for
from projects import services
from projects.models import Project
from projects.tests.factories import active_pairing, agreement_values, confirmed_need, make_project, staff
from projects.tests.test_agreement_pages import other_pairing, pdf
from teams.models import Team

pytestmark = pytest.mark.django_db


def todos(world, name):
    """``{label: (count, url, hint)}`` of this app's to-dos for the named user."""
    from projects.dashboard import todo

    return {item.label: (item.count, item.url, item.hint) for item in todo(world[name], world.cycle) if item.count}


def test_the_leader_is_asked_to_draft_then_to_sign_with_the_due_date(world):
    pairing = active_pairing(world)
    items = todos(world, "leader")
    count, url, hint = items["起草帮扶协议"]
    assert (count, url) == (1, reverse("projects:agreement_create", args=[pairing.pk]))
    assert (timezone.localdate() + dt.timedelta(days=25)).isoformat() in hint
    assert items["编制帮扶项目"][:2] == (1, reverse("projects:project_create", args=[pairing.pk]))
    assert todos(world, "member") == {} and todos(world, "other_leader") == {}

    agreement = services.agreement_create(actor=world["leader"], pairing=pairing, **agreement_values())
    items = todos(world, "leader")
    assert "起草帮扶协议" not in items
    assert items["待上传签署件的帮扶协议"][:2] == (1, reverse("projects:agreement_list") + "?status=draft&mine=1")

    services.agreement_sign(actor=world["leader"], agreement=agreement, scan=pdf(), signed_on=timezone.localdate())
    assert "待上传签署件的帮扶协议" not in todos(world, "leader")
    services.agreement_return(actor=world["renhua_county_town"], agreement=agreement, comment="缺少驻镇工作队盖章")
    assert todos(world, "leader")["被镇退回的帮扶协议"][:2] == (
        1, reverse("projects:agreement_list") + "?status=returned&mine=1")


def test_the_leader_is_asked_to_submit_draft_and_returned_projects(world):
    pairing = active_pairing(world)
    project = make_project(world, pairing, staff(world), [confirmed_need(world)])
    items = todos(world, "leader")
    assert "编制帮扶项目" not in items
    count, url, hint = items["待报送的帮扶项目"]
    assert (count, url) == (1, reverse("projects:project_list") + "?status=draft&mine=1")
    assert project.due_date.isoformat() in hint
    project = services.project_submit(actor=world["leader"], project=project, confirmed=True)
    assert "待报送的帮扶项目" not in todos(world, "leader")
    services.project_return(actor=world["renhua_st"], project=project, comment="预算测算不清")
    assert todos(world, "leader")["被退回修改的帮扶项目"][0] == 1


def test_the_town_confirms_only_its_own_signed_agreements(world):
    agreement = services.agreement_create(actor=world["leader"], pairing=active_pairing(world), **agreement_values())
    assert todos(world, "renhua_county_town") == {}
    services.agreement_sign(actor=world["leader"], agreement=agreement, scan=pdf(), signed_on=timezone.localdate())
    assert todos(world, "renhua_county_town")["待确认的帮扶协议"][:2] == (
        1, reverse("projects:agreement_list") + "?status=signed&mine=1")
    for name in ("nanxiong_county_town", "renhua_city_town", "leader", "renhua_st"):
        assert "待确认的帮扶协议" not in todos(world, name)
    services.agreement_confirm(actor=world["renhua_county_town"], agreement=agreement)
    assert todos(world, "renhua_county_town") == {}


def test_the_organizing_office_sees_projects_to_accept_and_changes_to_decide(world):
    pairing = active_pairing(world)  # 董塘镇: county-organized, handled by 仁化县
    project = services.project_submit(actor=world["leader"], confirmed=True,
                                      project=make_project(world, pairing, staff(world), [confirmed_need(world)]))
    assert todos(world, "renhua_st")["待受理的帮扶项目"][:2] == (
        1, reverse("projects:project_list") + "?status=submitted&mine=1")
    for name in ("city_st", "nanxiong_st", "renhua_rural", "province"):
        assert "待受理的帮扶项目" not in todos(world, name)
    project = services.project_accept(actor=world["renhua_st"], project=project)
    from projects.services import content_from_snapshot, snapshot

    content = content_from_snapshot(snapshot(project))
    content["values"]["trainings"] = 9
    services.change_request(actor=world["leader"], project=project, reason="增加培训场次", **content)
    assert todos(world, "renhua_st")["待审批的项目变更"][:2] == (
        1, reverse("projects:change_list") + "?status=pending&mine=1")
    assert "待审批的项目变更" not in todos(world, "city_st")
    assert "待审批的项目变更" not in todos(world, "leader")  # the decision is not his


def test_late_agreements_and_projects_go_to_the_office_that_handles_the_town(world):
    # 董塘镇 (仁化, county) 70 days after registration: agreement and project both late; 百顺镇 (南雄, city) 40 days:
    # its agreement is late, its project not yet.
    active_pairing(world, registered=timezone.now() - dt.timedelta(days=70))
    team = Team.objects.create(cycle=world.cycle, name="水稻团队", lead_unit=world.other_unit)
    active_pairing(world, town=world.nanxiong_city_town, team=team, level="city",
                   registered=timezone.now() - dt.timedelta(days=40))
    progress = reverse("projects:progress") + "?cycle=%d#attention" % world.cycle.pk
    renhua = todos(world, "renhua_st")
    assert renhua["帮扶协议逾期未签订的结对"][:2] == (1, progress)
    assert renhua["逾期未报送帮扶项目的结对"][:2] == (1, progress)
    city = todos(world, "city_st")
    assert city["帮扶协议逾期未签订的结对"][0] == 1 and "逾期未报送帮扶项目的结对" not in city
    assert todos(world, "nanxiong_st") == {}
    assert todos(world, "renhua_rural") == {} and todos(world, "unit") == {} and todos(world, "expert") == {}


def test_the_home_page_shows_the_to_dos(world, login):
    other_pairing(world, world.renhua_county_town, "柑橘二队", days=70)  # late, no agreement
    html = login("renhua_st").get(reverse("portal:home")).content.decode()
    assert "帮扶协议逾期未签订的结对" in html and "逾期未报送帮扶项目的结对" in html
    # (The reports app may add its own overdue reminder, 年度报告待建立（已逾期）, depending on today's date.)
    assert [item.label for item in todo_for(world["renhua_st"], world.cycle)
            if "逾期" in item.label and not item.label.startswith("年度报告")] == [
        "帮扶协议逾期未签订的结对", "逾期未报送帮扶项目的结对"]


def test_a_leader_without_a_pairing_and_the_expert_have_nothing_here(world):
    assert todos(world, "leader") == {}
    assert not Project.objects.exists()


def test_a_to_do_past_its_due_date_turns_red_and_says_so(world):
    from projects.dashboard import todo

    active_pairing(world, registered=timezone.now() - dt.timedelta(days=70))
    items = {item.label: item for item in todo(world["leader"], world.cycle)}
    assert items["起草帮扶协议"].level == "danger" and "已逾期" in items["起草帮扶协议"].hint
    assert items["编制帮扶项目"].level == "danger" and "已逾期" in items["编制帮扶项目"].hint
