"""The project workflow, its content rules (needs of its own town, budget lines adding up, Decimal yuan, caps,
targets as numbers, dates in the cycle) and the change request with both versions kept."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Notification
from core.scoping import CHANGE, restrict
from portal.testing import CYCLE_YEAR
from projects import services
from projects.models import BudgetLine, Project, ProjectChange
from projects.tests.factories import (active_pairing, agreement_values, confirmed_need, make_project,
                                      project_content, staff)
from projects.tests.test_agreements import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    pairing = active_pairing(world)
    return pairing, staff(world), [confirmed_need(world)]


def _confirmed_agreement(world, pairing):
    agreement = services.agreement_create(actor=world["leader"], pairing=pairing, **agreement_values())
    services.agreement_sign(actor=world["leader"], agreement=agreement, scan=pdf(), signed_on=timezone.localdate())
    return services.agreement_confirm(actor=world["renhua_county_town"], agreement=agreement)


def _errors(call):
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def test_a_project_is_written_with_its_whole_content(world, setup):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    assert project.status == "draft" and project.version == 1
    assert project.total_budget == Decimal("100000.00")
    assert sum(line.amount for line in project.budget_lines.all()) == project.total_budget
    assert [y.year for y in project.years.all()] == [CYCLE_YEAR + 1]
    assert list(project.needs.all()) == needs
    assert project.members.count() == 2
    assert project.due_date == timezone.localdate() - dt.timedelta(days=5) + dt.timedelta(days=60)


def test_budget_lines_that_do_not_add_up_save_nothing(world, setup):
    pairing, people, needs = setup
    content = project_content(world, people, needs)
    content["budget_lines"][0]["amount"] = Decimal("1.00")
    errors = _errors(lambda: services.project_create(actor=world["leader"], pairing=pairing, **content))
    assert "不一致" in " ".join(errors["budget_lines"])
    assert not Project.objects.exists() and not BudgetLine.objects.exists()


@pytest.mark.parametrize("amount,words", [("-5", "应大于0"), ("0", "应大于0"), ("abc", "应为数字"),
                                          ("99999999", "超过单个项目上限"), ("10.005", "两位小数")])
def test_bad_amounts_are_named_by_row(world, setup, amount, words):
    pairing, people, needs = setup
    content = project_content(world, people, needs)
    content["budget_lines"][1]["amount"] = amount
    errors = _errors(lambda: services.project_create(actor=world["leader"], pairing=pairing, **content))
    assert any(words in message and "第2行" in message for message in errors["budget_lines"]), errors


def test_a_total_over_the_cycles_cap_is_refused(world, setup):
    pairing, people, needs = setup
    content = project_content(world, people, needs, total="600000.00")
    errors = _errors(lambda: services.project_create(actor=world["leader"], pairing=pairing, **content))
    assert "超过本周期单个项目上限" in " ".join(errors["total_budget"])


def test_targets_typed_as_text_and_dates_outside_the_cycle_are_refused_on_their_fields(world, setup):
    pairing, people, needs = setup
    content = project_content(world, people, needs)
    content["values"].update(trainings="六场", end_date=dt.date(CYCLE_YEAR + 4, 1, 1))
    errors = _errors(lambda: services.project_create(actor=world["leader"], pairing=pairing, **content))
    assert "整数" in " ".join(errors["trainings"])
    assert "帮扶周期" in " ".join(errors["end_date"])


def test_a_project_links_only_confirmed_needs_of_its_own_town(world, setup):
    pairing, people, needs = setup
    elsewhere = confirmed_need(world, town=world.nanxiong_county_town, title="南雄烟叶")
    content = project_content(world, people, [elsewhere])
    errors = _errors(lambda: services.project_create(actor=world["leader"], pairing=pairing, **content))
    assert "本镇" in " ".join(errors["needs"])


def test_members_must_be_the_teams_people(world, setup):
    pairing, people, needs = setup
    stranger = staff(world, world.other_team)[0]
    content = project_content(world, people, needs)
    content["members"].append({"commissioner": stranger, "duty": "指导"})
    errors = _errors(lambda: services.project_create(actor=world["leader"], pairing=pairing, **content))
    assert "不是本团队成员" in " ".join(errors["members"])


def test_only_the_leader_writes_and_submits(world, setup):
    pairing, people, needs = setup
    for name in ("member", "other_leader", "renhua_st", "renhua_county_town"):
        with pytest.raises(PermissionDenied):
            make_project(world, pairing, people, needs, actor=name)
    project = make_project(world, pairing, people, needs)
    for name in ("member", "other_leader", "renhua_st"):
        with pytest.raises(PermissionDenied):
            services.project_submit(actor=world[name], project=project, confirmed=True)


def test_submit_asks_to_confirm_an_unsigned_agreement_then_moves_the_needs(world, setup):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    with pytest.raises(ValidationError) as error:
        services.project_submit(actor=world["leader"], project=project)
    assert "帮扶协议尚未经镇确认" in str(error.value)
    project = services.project_submit(actor=world["leader"], project=project, confirmed=True)
    assert project.status == "submitted" and not project.late and project.submitted_at
    needs[0].refresh_from_db()
    assert needs[0].status == "in_assistance"
    assert Notification.objects.filter(recipient=world["renhua_st"], title__contains="帮扶项目待受理").exists()


def test_an_incomplete_project_is_not_submitted(world, setup):
    pairing, people, needs = setup
    _confirmed_agreement(world, pairing)
    content = project_content(world, people, needs)
    content["budget_lines"] = []
    project = services.project_create(actor=world["leader"], pairing=pairing, **content)
    with pytest.raises(ValidationError) as error:
        services.project_submit(actor=world["leader"], project=project)
    assert "预算明细" in str(error.value)


def test_a_late_submission_is_flagged_not_blocked(world):
    pairing = active_pairing(world, registered=timezone.now() - dt.timedelta(days=90))
    people, needs = staff(world), [confirmed_need(world)]
    _confirmed_agreement(world, pairing)
    project = make_project(world, pairing, people, needs)
    with pytest.raises(ValidationError) as error:
        services.project_submit(actor=world["leader"], project=project)
    assert "逾期" in str(error.value)
    project = services.project_submit(actor=world["leader"], project=project, confirmed=True)
    assert project.late and project.status == "submitted"


def test_returned_with_reasons_resubmitted_accepted_by_the_organizing_office_only(world, setup):
    pairing, people, needs = setup
    _confirmed_agreement(world, pairing)
    project = services.project_submit(actor=world["leader"], project=make_project(world, pairing, people, needs))
    for name in ("city_st", "nanxiong_st", "leader", "renhua_rural"):
        with pytest.raises(PermissionDenied):
            services.project_return(actor=world[name], project=project, comment="请细化")
    with pytest.raises(ValidationError):
        services.project_return(actor=world["renhua_st"], project=project, comment="")
    project = services.project_return(actor=world["renhua_st"], project=project, comment="请细化年度计划")
    assert project.status == "returned" and project.return_comment == "请细化年度计划"
    assert Notification.objects.filter(recipient=world["leader"], title__contains="被退回").exists()
    content = project_content(world, people, needs)
    content["years"][0]["plan"] = "一季度建园，二季度培训，三季度观摩，四季度总结。"
    services.project_update(actor=world["leader"], project=project, **content)
    project = services.project_submit(actor=world["leader"], project=project)
    assert project.status == "submitted"
    project = services.project_accept(actor=world["renhua_st"], project=project)
    assert project.status == "accepted" and project.accepted_at
    with pytest.raises(ValidationError):  # accepted: edits go through a change request
        services.project_update(actor=world["leader"], project=project, **project_content(world, people, needs))


def _accepted(world, setup):
    pairing, people, needs = setup
    _confirmed_agreement(world, pairing)
    project = services.project_submit(actor=world["leader"], project=make_project(world, pairing, people, needs))
    return services.project_accept(actor=world["renhua_st"], project=project)


def test_a_change_request_keeps_both_versions_and_applies_on_approval(world, setup):
    project = _accepted(world, setup)
    pairing, people, needs = setup
    content = project_content(world, people, needs, total="120000.00")
    content["values"]["title"] = "贡柑黄龙病绿色防控示范（扩大）"
    change = services.change_request(actor=world["leader"], project=project, reason="扩大示范面积", **content)
    assert change.status == "pending"
    assert change.before["fields"]["total_budget"] == "100000.00"
    assert change.after["fields"]["total_budget"] == "120000.00"
    project.refresh_from_db()
    assert project.total_budget == Decimal("100000.00")  # unchanged until approved
    with pytest.raises(ValidationError):
        services.change_request(actor=world["leader"], project=project, reason="再改", **content)
    with pytest.raises(PermissionDenied):
        services.change_decide(actor=world["nanxiong_st"], change=change, action="approve")
    change = services.change_decide(actor=world["renhua_st"], change=change, action="approve", comment="同意")
    project.refresh_from_db()
    assert change.status == "approved"
    assert project.version == 2 and project.total_budget == Decimal("120000.00")
    assert project.title == "贡柑黄龙病绿色防控示范（扩大）"
    assert sum(b.amount for b in project.budget_lines.all()) == Decimal("120000.00")
    stored = ProjectChange.objects.get(pk=change.pk)
    assert stored.before["fields"]["title"] == "贡柑黄龙病绿色防控示范" and stored.after["fields"]["total_budget"] == "120000.00"


def test_a_change_request_is_checked_like_an_edit_and_may_be_rejected_or_withdrawn(world, setup):
    project = _accepted(world, setup)
    pairing, people, needs = setup
    bad = project_content(world, people, needs)
    bad["budget_lines"][0]["amount"] = Decimal("5")
    errors = _errors(lambda: services.change_request(actor=world["leader"], project=project, reason="x", **bad))
    assert "不一致" in " ".join(errors["budget_lines"])
    same = project_content(world, people, needs)
    with pytest.raises(ValidationError):
        services.change_request(actor=world["leader"], project=project, reason="无变化", **same)
    other = project_content(world, people, needs)
    other["values"]["trainings"] = 8
    change = services.change_request(actor=world["leader"], project=project, reason="增加培训", **other)
    with pytest.raises(ValidationError):
        services.change_decide(actor=world["renhua_st"], change=change, action="reject", comment="")
    change = services.change_decide(actor=world["renhua_st"], change=change, action="reject", comment="理由不足")
    project.refresh_from_db()
    assert change.status == "rejected" and project.trainings == 6 and project.version == 1
    change = services.change_request(actor=world["leader"], project=project, reason="增加培训", **other)
    change = services.change_decide(actor=world["leader"], change=change, action="withdraw")
    assert change.status == "withdrawn"


def test_scope_town_team_and_other_counties(world, setup):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    seen = {name for name in world.users if restrict(Project.objects.all(), world[name]).filter(pk=project.pk)}
    assert seen == {"admin", "province", "city_st", "city_rural", "renhua_st", "renhua_rural", "renhua_county_town",
                    "leader", "member", "unit"}
    changers = {name for name in world.users if restrict(Project.objects.all(), world[name], CHANGE).filter(pk=project.pk)}
    assert changers == {"admin", "leader", "renhua_st"}


def test_a_city_organized_project_is_handled_by_the_city_not_the_county(world):
    pairing = active_pairing(world, town=world.renhua_city_town, team=world.other_team)
    people = staff(world, world.other_team)
    project = services.project_create(actor=world["other_leader"], pairing=pairing,
                                      **project_content(world, people, [confirmed_need(world, world.renhua_city_town)]))
    changers = {name for name in world.users if restrict(Project.objects.all(), world[name], CHANGE).filter(pk=project.pk)}
    assert changers == {"admin", "other_leader", "city_st"}


def test_amounts_written_without_fen_are_the_same_amount(world, setup):
    """"100000" is the 100000.00 stored: a change request repeating the current amounts differently is no change."""
    project = _accepted(world, setup)
    pairing, people, needs = setup
    same = project_content(world, people, needs)
    same["values"]["total_budget"] = "100000"
    same["budget_lines"][0]["amount"] = "50000"
    with pytest.raises(ValidationError) as error:
        services.change_request(actor=world["leader"], project=project, reason="无变化", **same)
    assert "与当前版本相同" in str(error.value)
    bad = project_content(world, people, needs)
    bad["values"]["income_raised"] = "1.005"
    errors = _errors(lambda: services.change_request(actor=world["leader"], project=project, reason="x", **bad))
    assert "两位小数" in " ".join(errors["income_raised"])


def test_a_need_returned_after_linking_stops_the_submission(world, setup):
    from needs.services import need_transition

    pairing, people, needs = setup
    _confirmed_agreement(world, pairing)
    project = make_project(world, pairing, people, needs)
    need_transition(actor=world["renhua_st"], need=needs[0], action="return", comment="请补充受益农户数")
    with pytest.raises(ValidationError) as error:
        services.project_submit(actor=world["leader"], project=project)
    assert "已退回" in str(error.value)
    project.refresh_from_db()
    assert project.status == "draft"


@pytest.mark.parametrize("lists", ["budget_lines", "members", "years", "needs"])
def test_a_change_cannot_empty_an_accepted_project(world, setup, lists):
    project = _accepted(world, setup)
    pairing, people, needs = setup
    content = project_content(world, people, needs)
    content[lists] = []
    errors = _errors(lambda: services.change_request(actor=world["leader"], project=project, reason="删减", **content))
    assert "变更后仍须" in " ".join(errors[lists])
    assert not ProjectChange.objects.exists()


@pytest.mark.parametrize("field,value,message", [("total_budget", "9" * 30, "超出范围"),
                                                 ("income_raised", "1e309", "应为数字"),  # plain digits only
                                                 ("demo_area_mu", "9" * 40, "超出范围")])
def test_absurd_figures_are_refused_not_a_server_error(world, setup, field, value, message):
    pairing, people, needs = setup
    content = project_content(world, people, needs)
    content["values"][field] = value
    errors = _errors(lambda: services.project_create(actor=world["leader"], pairing=pairing, **content))
    assert message in " ".join(errors[field])
    content = project_content(world, people, needs)
    content["budget_lines"][0]["amount"] = "9" * 310
    errors = _errors(lambda: services.project_create(actor=world["leader"], pairing=pairing, **content))
    assert "超出范围" in " ".join(errors["budget_lines"]) and len(" ".join(errors["budget_lines"])) < 200


def test_the_leader_discards_a_draft_never_submitted(world, setup):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    with pytest.raises(PermissionDenied):
        services.project_act(actor=world["renhua_st"], project=project, action="discard")
    project = services.project_act(actor=world["leader"], project=project, action="discard", comment="重复录入")
    assert project.status == "discarded"
    second = make_project(world, pairing, people, needs)
    _confirmed_agreement(world, pairing)
    second = services.project_submit(actor=world["leader"], project=second)
    second = services.project_return(actor=world["renhua_st"], project=second, comment="补充")
    with pytest.raises(ValidationError):  # once submitted it stays on the record
        services.project_act(actor=world["leader"], project=second, action="discard")


def test_an_edit_names_the_parts_it_changed_in_the_history_and_no_change_writes_nothing(world, setup):
    pairing, people, needs = setup
    project = make_project(world, pairing, people, needs)
    rows = project.history.count()
    content = project_content(world, people, needs)
    services.project_update(actor=world["leader"], project=project, **content)
    assert project.history.count() == rows  # the same content: nothing written
    content["budget_lines"][0]["amount"] = Decimal("40000.00")
    content["budget_lines"][1]["amount"] = Decimal("60000.00")
    content["values"]["trainings"] = 9
    services.project_update(actor=world["leader"], project=project, **content)
    reason = project.history.order_by("-history_id").first().history_change_reason
    assert reason == "修改帮扶项目：基本信息和量化指标、预算明细"
