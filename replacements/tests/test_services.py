"""Adjustment and replacement (调整更换), member changes and the end of a cycle, through the services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fieldwork import services as field
from fieldwork.selectors import stationed_days
from fieldwork.tests.factories import activity_values, day, field_pairing, stay_values
from matching.models import Pairing
from replacements import services
from replacements.models import Case, MemberChange, PairingFigures
from teams.models import Team, TeamMembership
from teams.tests.factories import make_commissioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    pairing, people = field_pairing(world)
    alternate = Team.objects.create(cycle=world.cycle, name="蔬菜团队", lead_unit=world.other_unit, leader_name="李明")
    pairing.alternates = [{"team_id": alternate.pk, "team_name": alternate.name, "score": 0.8}]
    pairing.save(update_fields=["alternates"])
    return world, pairing, people, alternate


def _confirmed_stay(world, person, start, end):
    stay = field.stay_save(actor=world["leader"], values=stay_values(person, start, end))
    return field.record_act(actor=world["renhua_county_town"], record=stay, action="confirm")


def _open(world, pairing, answered=True, **kw):
    """A case opened by the county; answered by the team's leader unless told otherwise (a decision waits for it)."""
    values = {"cause": "no_work", "summary": "连续两个月未开展服务活动。"}
    values.update(kw)
    case = services.case_open(actor=world["renhua_st"], pairing=pairing, **values)
    if answered:
        case = services.case_answer(actor=world["leader"], case=case, answer="已说明情况。")
    return case


def test_only_the_organizer_of_the_town_opens_a_case(setup):
    world, pairing, people, alternate = setup
    for name in ("city_st", "nanxiong_st", "leader", "renhua_rural", "renhua_county_town", "unit"):
        with pytest.raises(PermissionDenied):
            _open(world, pairing) if name == "renhua_st" else services.case_open(
                actor=world[name], pairing=pairing, cause="no_work", summary="x")
    case = _open(world, pairing, answered=False)
    assert case.status == "open" and case.organizer_level == "county" and case.team == world.team
    assert case.evidence["days"]["required"] == world.cycle.required_stationed_days
    assert case.answer_due > timezone.localdate()


def test_a_case_needs_a_cause_a_summary_and_one_open_case_per_pairing(setup):
    world, pairing, people, alternate = setup
    with pytest.raises(ValidationError) as error:
        services.case_open(actor=world["renhua_st"], pairing=pairing, cause="bad", summary="  ")
    assert "cause" in error.value.message_dict and "summary" in error.value.message_dict
    assert not Case.objects.exists()
    _open(world, pairing)
    with pytest.raises(ValidationError) as error:
        _open(world, pairing)
    assert "未办结" in str(error.value)


def test_the_team_leader_answers_and_a_member_cannot(setup):
    world, pairing, people, alternate = setup
    case = _open(world, pairing, answered=False)
    with pytest.raises(PermissionDenied):
        services.case_answer(actor=world["member"], case=case, answer="我们有开展")
    with pytest.raises(ValidationError):
        services.case_answer(actor=world["leader"], case=case, answer="  ")
    case = services.case_answer(actor=world["leader"], case=case, answer="因汛期道路中断，已补充记录。")
    assert case.status == "answered" and case.answered_by == world["leader"]


def test_a_replacement_keeps_the_old_teams_days_and_proposes_the_alternate(setup):
    world, pairing, people, alternate = setup
    _confirmed_stay(world, people[0], day(3, 1), day(3, 10))  # 10 days before the switch
    act = field.activity_save(actor=world["member"], values=activity_values(world, date=day(3, 5)))
    field.record_act(actor=world["renhua_county_town"], record=act, action="confirm")
    before = stationed_days(world.cycle, pairing_ids=[pairing.pk], by="pairing")[pairing.pk].own
    case = _open(world, pairing, cause="noncooperation")
    case = services.case_decide(actor=world["renhua_st"], case=case, decision="replacement", reason="多次不配合工作队安排",
                                doc_number="仁科〔2026〕9号", end_date=day(3, 20), new_team=alternate.pk)
    pairing.refresh_from_db()
    assert case.status == "decided" and case.decision == "replacement" and case.end_date == day(3, 20)
    assert pairing.status == "replaced" and pairing.ended_on == day(3, 20)
    new = case.new_pairing
    assert new.team == alternate and new.status == "proposed" and new.replaces == pairing
    figures = PairingFigures.objects.get(pairing=pairing)
    assert figures.stationed_days == before == 10 and figures.activities == 1 and figures.outcome == "replaced"
    # The days stay with the old pairing; the new one starts at zero.
    days = stationed_days(world.cycle, pairing_ids=[pairing.pk, new.pk], by="pairing")
    assert days[pairing.pk].own == 10 and new.pk not in days
    # One live pairing for the town at every instant.
    assert Pairing.objects.filter(town=pairing.town, status__in=("proposed", "active", "registered")).count() == 1


def test_a_replaced_team_is_never_paired_with_the_town_again_in_the_cycle(setup):
    world, pairing, people, alternate = setup
    case = _open(world, pairing)
    services.case_decide(actor=world["renhua_st"], case=case, decision="replacement", reason="未实际开展帮扶",
                         end_date=day(3, 20), via_new_call=True)
    again = Pairing(cycle=world.cycle, town=pairing.town, team=world.team, organizer_level="county", status="proposed")
    with pytest.raises(ValidationError) as error:
        again.full_clean()
    assert "不能再与该镇结对" in str(error.value)
    from matching.services import replaced_pairs

    assert (pairing.town.code, world.team.pk) in replaced_pairs(world.cycle)


@pytest.mark.parametrize("kwargs, key, words", [
    ({"end_date": day(3, 20)}, "new_team", "递补团队"),
    ({"end_date": day(3, 20), "new_team": "alt", "via_new_call": True}, "new_team", "选择一种"),
    ({"new_team": "alt"}, "end_date", "截止日期"),
    ({"end_date": dt.date(2000, 1, 1), "new_team": "alt"}, "end_date", "不能早于"),
    ({"end_date": "2025-13-01", "new_team": "alt"}, "end_date", "格式"),
    ({"end_date": day(3, 20), "new_team": "other"}, "new_team", "备选团队"),
])
def test_bad_replacements_are_refused_and_nothing_is_saved(setup, kwargs, key, words):
    world, pairing, people, alternate = setup
    case = _open(world, pairing)
    if kwargs.get("new_team") == "alt":
        kwargs = dict(kwargs, new_team=alternate.pk)
    elif kwargs.get("new_team") == "other":
        kwargs = dict(kwargs, new_team=world.other_team.pk)
    with pytest.raises(ValidationError) as error:
        services.case_decide(actor=world["renhua_st"], case=case, decision="replacement", reason="理由", **kwargs)
    assert key in error.value.message_dict and words in " ".join(error.value.message_dict[key])
    pairing.refresh_from_db()
    case.refresh_from_db()
    assert pairing.status == "active" and case.status == "answered"
    assert Pairing.objects.count() == 1 and not PairingFigures.objects.exists()


def test_the_end_date_cannot_cut_the_old_teams_records(setup):
    world, pairing, people, alternate = setup
    _confirmed_stay(world, people[0], day(3, 1), day(3, 10))
    case = _open(world, pairing)
    with pytest.raises(ValidationError) as error:
        services.case_decide(actor=world["renhua_st"], case=case, decision="replacement", reason="理由",
                             end_date=day(3, 5), new_team=alternate.pk)
    assert "1条" in error.value.message_dict["end_date"][0]


def test_only_the_organizer_decides_and_a_warning_takes_no_replacement_fields(setup):
    world, pairing, people, alternate = setup
    case = _open(world, pairing)
    for name in ("leader", "nanxiong_st", "city_rural"):
        with pytest.raises(PermissionDenied):
            services.case_decide(actor=world[name], case=case, decision="warning", reason="提醒")
    with pytest.raises(ValidationError):
        services.case_decide(actor=world["renhua_st"], case=case, decision="warning", reason="提醒",
                             end_date=day(3, 20))
    case = services.case_decide(actor=world["renhua_st"], case=case, decision="warning", reason="提醒整改")
    pairing.refresh_from_db()
    assert case.status == "decided" and pairing.status == "active"
    with pytest.raises(ValidationError):  # decided once
        services.case_decide(actor=world["renhua_st"], case=case, decision="no_action", reason="再议")


def _grant(world, pairing, amount="50000.00"):
    from reviews.models import Envelope, Grant, Review
    from projects.models import Project

    project = Project.objects.create(pairing=pairing, cycle=pairing.cycle, town=pairing.town, team=pairing.team,
                                     organizer_level="county", title="贡柑项目", status="approved",
                                     start_date=day(2, 1), end_date=day(12, 1), total_budget=Decimal(amount), due_date=day(3, 1))
    review = Review.objects.create(project=project, cycle=pairing.cycle, town=pairing.town, team=pairing.team,
                                   organizer_level="county", status="approved",
                                   approved_amount=Decimal(amount))
    Envelope.objects.create(organizer_level="county", city=world.city, county=world.renhua,
                            fiscal_year=day().year, budgeted=Decimal("1000000"))
    return Grant.objects.create(review=review, project=project, cycle=pairing.cycle, town=pairing.town,
                                team=pairing.team, organizer_level="county", city=world.city, county=world.renhua,
                                project_number="KTP-T-001", fiscal_year=day().year, budget_source="county",
                                amount=Decimal(amount), granted_on=day(2, 10))


def test_funding_is_settled_with_a_recorded_amount(setup):
    world, pairing, people, alternate = setup
    grant = _grant(world, pairing)
    case = _open(world, pairing)
    with pytest.raises(ValidationError) as error:
        services.case_decide(actor=world["renhua_st"], case=case, decision="replacement", reason="更换",
                             end_date=day(3, 20), new_team=alternate.pk)
    assert "funding_action" in error.value.message_dict
    with pytest.raises(ValidationError) as error:  # above what was granted
        services.case_decide(actor=world["renhua_st"], case=case, decision="replacement", reason="更换",
                             end_date=day(3, 20), new_team=alternate.pk, funding_action="settled",
                             settlements={grant.pk: "60000"})
    pairing.refresh_from_db()
    assert pairing.status == "active"
    case = services.case_decide(actor=world["renhua_st"], case=case, decision="replacement", reason="更换",
                                end_date=day(3, 20), new_team=alternate.pk, funding_action="settled",
                                settlements={grant.pk: "20000"})
    grant.refresh_from_db()
    assert grant.closure == "settled" and grant.amount == Decimal("20000") and grant.amount_granted == Decimal("50000")
    assert case.settled_amount == Decimal("20000")


def test_stopping_funding_keeps_what_was_paid(setup):
    world, pairing, people, alternate = setup
    grant = _grant(world, pairing)
    from reviews.models import Disbursement

    Disbursement.objects.create(grant=grant, amount=Decimal("15000"), paid_on=day(2, 20), voucher="v.pdf")
    case = _open(world, pairing)
    services.case_decide(actor=world["renhua_st"], case=case, decision="replacement", reason="更换",
                         end_date=day(3, 20), via_new_call=True, funding_action="stopped")
    grant.refresh_from_db()
    assert grant.closure == "stopped" and grant.amount == Decimal("15000")


# ------------------------------------------------------------------------------------------------ member changes
def test_a_member_change_keeps_the_size_bounds(setup):
    world, pairing, people, alternate = setup
    world.cycle.team_size_min = world.cycle.team_size_max = 3
    world.cycle.save()
    with pytest.raises(ValidationError) as error:
        services.member_change_record(actor=world["renhua_st"], pairing=pairing, effective_date=day(3, 1),
                                      reason="调离", leaving=people[2].pk)
    assert "不符合本周期团队人数要求" in str(error.value)
    assert TeamMembership.objects.filter(team=world.team).count() == 3
    newcomer = make_commissioner(world.unit, name="新成员")
    change = services.member_change_record(
        actor=world["renhua_st"], pairing=pairing, effective_date=day(3, 1), reason="工作调动", leaving=people[2].pk,
        joining_id_number=newcomer.id_number, joining_name=newcomer.name, joining_phone=newcomer.phone)
    members = set(TeamMembership.objects.filter(team=world.team).values_list("commissioner_id", flat=True))
    assert newcomer.pk in members and people[2].pk not in members and len(members) == 3
    assert change.status == "pending" and change.size_before == change.size_after == 3


def test_a_leader_cannot_leave_and_the_joining_person_must_match_the_registry(setup):
    world, pairing, people, alternate = setup
    newcomer = make_commissioner(world.unit, name="新成员")
    with pytest.raises(ValidationError) as error:
        services.member_change_record(actor=world["renhua_st"], pairing=pairing, effective_date=day(3, 1),
                                      reason="x", leaving=people[0].pk, joining_id_number=newcomer.id_number,
                                      joining_name=newcomer.name, joining_phone=newcomer.phone)
    assert "leaving" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.member_change_record(actor=world["renhua_st"], pairing=pairing, effective_date=day(3, 1),
                                      reason="x", leaving=people[2].pk, joining_id_number=newcomer.id_number,
                                      joining_name="别人", joining_phone=newcomer.phone)
    assert "joining_id_number" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.member_change_record(actor=world["leader"], pairing=pairing, effective_date=day(3, 1), reason="x",
                                      leaving=people[2].pk)


def test_a_county_change_is_confirmed_by_the_city_then_the_province(setup):
    world, pairing, people, alternate = setup
    newcomer = make_commissioner(world.unit, name="新成员")
    change = services.member_change_record(
        actor=world["renhua_st"], pairing=pairing, effective_date=day(3, 1), reason="工作调动", leaving=people[2].pk,
        joining_id_number=newcomer.id_number, joining_name=newcomer.name, joining_phone=newcomer.phone)
    with pytest.raises(ValidationError):
        services.member_change_confirm(actor=world["province"], change=change, action="confirm_province")
    with pytest.raises(PermissionDenied):
        services.member_change_confirm(actor=world["renhua_st"], change=change, action="confirm_city")
    change = services.member_change_confirm(actor=world["city_st"], change=change, action="confirm_city")
    change = services.member_change_confirm(actor=world["province"], change=change, action="confirm_province")
    assert change.status == "registered" and change.registered_at


# ------------------------------------------------------------------------------------------------ end of a cycle
def test_the_end_of_a_cycle_ends_its_pairings_once_with_their_figures(setup):
    world, pairing, people, alternate = setup
    _confirmed_stay(world, people[0], day(3, 1), day(3, 4))
    assert services.cycle_end_pairings(cycle=world.cycle, today=world.cycle.end_date) == 0  # not yet over
    after = world.cycle.end_date + dt.timedelta(days=1)
    assert services.cycle_end_pairings(cycle=world.cycle, today=after) == 1
    assert services.cycle_end_pairings(cycle=world.cycle, today=after) == 0
    pairing.refresh_from_db()
    assert pairing.status == "ended" and pairing.ended_on == world.cycle.end_date
    assert PairingFigures.objects.get(pairing=pairing).stationed_days == 4
    from core.models import Transition

    step = Transition.objects.filter(object_id=pairing.pk, action="end").get()
    assert step.actor is None


def test_only_the_city_ends_a_cycle_by_hand_and_only_after_it(setup):
    world, pairing, people, alternate = setup
    with pytest.raises(PermissionDenied):
        services.cycle_end(actor=world["renhua_st"], cycle=world.cycle)
    with pytest.raises(ValidationError):
        services.cycle_end(actor=world["city_st"], cycle=world.cycle)


def test_open_items_are_scoped(setup):
    world, pairing, people, alternate = setup
    _open(world, pairing)
    from replacements.selectors import open_items

    assert open_items(world["renhua_st"], world.cycle)["cases"].count() == 1
    assert open_items(world["nanxiong_st"], world.cycle)["cases"].count() == 0
    assert MemberChange.objects.count() == 0


def test_a_replacement_settles_the_old_pairings_open_flags(setup):
    world, pairing, people, alternate = setup
    report = field.flag_report(actor=world["renhua_county_town"], detail="多次通知未到镇开展工作。")
    case = _open(world, pairing, cause="noncooperation", flag_ids=[report.pk])
    services.case_decide(actor=world["renhua_st"], case=case, decision="replacement", reason="不配合",
                         end_date=day(3, 20), new_team=alternate.pk)
    report.refresh_from_db()
    assert report.status == "closed"
    from core.models import Transition

    step = Transition.objects.filter(object_id=report.pk, action="clear").get()
    assert step.actor == world["renhua_st"] and "调整更换" in step.comment


def test_a_cycle_with_working_pairings_is_not_closed(setup):
    world, pairing, people, alternate = setup
    from cycles.services import cycle_transition

    with pytest.raises(ValidationError) as error:
        cycle_transition(actor=world["city_st"], cycle=world.cycle, action="close", comment="结束")
    assert "仍有1个结对在帮扶中" in str(error.value)
    services.cycle_end_pairings(cycle=world.cycle, today=world.cycle.end_date + dt.timedelta(days=1))
    world.cycle.refresh_from_db()
    assert cycle_transition(actor=world["city_st"], cycle=world.cycle, action="close", comment="结束").status == "closed"


def test_a_decision_waits_for_the_answer_or_its_deadline(setup):
    world, pairing, people, alternate = setup
    case = _open(world, pairing, answered=False)
    with pytest.raises(ValidationError) as error:
        services.case_decide(actor=world["renhua_st"], case=case, decision="warning", reason="提醒")
    assert "团队尚未答复" in str(error.value)
    case.answer_due = timezone.localdate() - dt.timedelta(days=1)  # the deadline has passed
    case.save(update_fields=["answer_due"])
    assert services.case_decide(actor=world["renhua_st"], case=case, decision="warning", reason="提醒").status == \
        "decided"


def test_the_answer_deadline_is_bounded(setup):
    world, pairing, people, alternate = setup
    with pytest.raises(ValidationError) as error:
        _open(world, pairing, answered=False, answer_due="2099-01-01")
    assert "answer_due" in error.value.message_dict
