"""Cross-record rules declared on the workflows (core.workflow guards), each with its own test.

No withdrawal once a pairing exists; no cancelling a call with pairings; no selection before the call closes unless a
recorded reason says so; no acceptance with required attachments missing; a deadline moved earlier is "提前截止" and
is refused once applications exist. Pages show the refused step disabled with its reason.
"""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from calls import services as calls
from calls.choices import APPLICATION_WORKFLOW, AmendmentKind, ApplicationStatus, CallStatus
from calls.tests.factories import complete_application, make_call, pdf_file, staff_team
from core.models import Transition
from portal.testing import CYCLE_YEAR
from core.workflow import action_choices, apply_transition
from matching import services
from matching.choices import PAIRING_WORKFLOW
from matching.models import Pairing


def _finalized(world, selection):
    opened = services.round_open(actor=world["renhua_st"], call=selection.call)
    run = services.run_execute(services.run_create(actor=world["renhua_st"], selection_round=opened))
    services.meeting_record(actor=world["renhua_st"], selection_round=opened, meeting_date=dt.date(CYCLE_YEAR, 2, 10),
                            participants="县科技局、专家3人")
    return services.finalize(actor=world["renhua_st"], selection_round=opened, run=run)


def test_a_paired_team_cannot_withdraw_its_application(world, selection, client):
    pairings = _finalized(world, selection)
    citrus = next(p for p in pairings if p.team == world.team)
    application = selection.applications[world.team.name]
    with pytest.raises(ValidationError) as refused:
        calls.application_withdraw(actor=world["leader"], application=application)
    assert "已与董塘镇结对" in refused.value.messages[0]
    application.refresh_from_db()
    citrus.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED and citrus.status == "proposed"
    # The page shows the step disabled with the reason.
    choices = {name: refusal for name, _step, refusal in action_choices(APPLICATION_WORKFLOW, application, world["leader"])}
    assert "已与董塘镇结对" in choices["withdraw"]
    client.force_login(world["leader"])
    page = client.get(application.get_absolute_url()).content.decode()
    assert 'data-testid="refusal-withdraw"' in page and "已与董塘镇结对" in page


def test_an_unpaired_team_may_still_withdraw(world, selection):
    _finalized(world, selection)
    unpaired = next(a for a in selection.applications.values()
                    if not Pairing.objects.filter(team=a.team).exists())
    leader_user = world["other_leader"] if unpaired.team == world.other_team else None
    if leader_user is None:  # the teams without accounts: the system administrator acts for the test
        leader_user = world["admin"]
    calls.application_withdraw(actor=leader_user, application=unpaired)
    unpaired.refresh_from_db()
    assert unpaired.status == ApplicationStatus.WITHDRAWN


def test_a_call_with_pairings_cannot_be_cancelled(world, selection):
    _finalized(world, selection)
    with pytest.raises(ValidationError) as refused:
        calls.call_transition(actor=world["renhua_st"], call=selection.call, action="cancel", comment="不再需要")
    assert "已产生 3 个结对" in refused.value.messages[0]
    selection.call.refresh_from_db()
    assert selection.call.status == CallStatus.PUBLISHED


def test_a_call_with_an_open_round_cannot_be_cancelled(world, selection):
    services.round_open(actor=world["renhua_st"], call=selection.call)
    with pytest.raises(ValidationError, match="进行中的遴选"):
        calls.call_transition(actor=world["renhua_st"], call=selection.call, action="cancel", comment="不再需要")


def test_selection_waits_for_the_call_to_close_unless_a_reason_is_recorded(world):
    call = make_call(world)  # open for another 30 days
    with pytest.raises(ValidationError) as refused:
        services.round_open(actor=world["renhua_st"], call=call)
    assert "early_reason" in refused.value.message_dict
    selection_round = services.round_open(actor=world["renhua_st"], call=call, early_reason="县委决定提前启动遴选")
    opening = Transition.objects.get(object_id=str(selection_round.pk), action="open")
    assert "县委决定提前启动遴选" in opening.comment and opening.actor == world["renhua_st"]


def test_selection_after_the_call_closed_needs_no_reason(world, selection):
    selection_round = services.round_open(actor=world["renhua_st"], call=selection.call)
    assert Transition.objects.get(object_id=str(selection_round.pk), action="open").comment == ""


def test_an_application_missing_a_required_letter_is_not_accepted(world):
    call = make_call(world)
    staff_team(world)
    application = complete_application(world, call)
    calls.application_submit(actor=world["leader"], application=application)
    # The cycle starts requiring the work team leader's letter after the application was submitted.
    world.cycle.require_recommendation_letter = True
    world.cycle.save()
    application.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        calls.application_review(actor=world["renhua_st"], application=application, action="accept")
    assert "驻镇工作队队长推荐函" in refused.value.messages[0]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    # Returning it for the letter is still possible.
    calls.application_review(actor=world["renhua_st"], application=application, action="return", comment="请补推荐函")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED


def test_a_deadline_moved_earlier_is_shortening_and_refused_once_teams_applied(world):
    call = make_call(world, days_open=30)
    earlier = timezone.localdate() + dt.timedelta(days=10)
    amendment = calls.call_amend(actor=world["renhua_st"], call=call, summary="提前截止", close_date=earlier,
                                 confirmed=True)
    assert amendment.kind == AmendmentKind.SHORTEN and amendment.get_kind_display() == "提前截止"
    staff_team(world)
    complete_application(world, call)
    with pytest.raises(ValidationError) as refused:
        calls.call_amend(actor=world["renhua_st"], call=call, summary="再提前", close_date=earlier - dt.timedelta(days=5))
    assert "已有 1 个团队申报，不能提前截止" in refused.value.message_dict["close_date"][0]
    call.refresh_from_db()
    assert call.close_date == earlier
    # Extending is still allowed and is "延期".
    assert calls.call_amend(actor=world["renhua_st"], call=call, summary="延期",
                            close_date=earlier + dt.timedelta(days=20)).kind == AmendmentKind.EXTEND


def test_system_steps_cannot_be_taken_by_hand(world, selection):
    pairing = next(p for p in _finalized(world, selection))
    with pytest.raises(PermissionDenied, match="由系统自动完成"):
        apply_transition(workflow=PAIRING_WORKFLOW, obj=pairing, action="notice", actor=world["admin"])
    pairing.refresh_from_db()
    assert pairing.status == "proposed"
    assert action_choices(PAIRING_WORKFLOW, pairing, world["admin"]) == []


def test_a_user_step_cannot_be_taken_as_a_system_step(world):
    call = make_call(world, publish=False)
    from calls.choices import CALL_WORKFLOW

    with pytest.raises(PermissionDenied):
        apply_transition(workflow=CALL_WORKFLOW, obj=call, action="publish", actor=world["leader"], system=True)


def test_pdf_helper_still_valid():
    assert pdf_file().read().startswith(b"%PDF")


def test_a_team_already_paired_through_another_call_is_not_accepted_nor_told_so(world):
    from accounts.models import Notification

    call = make_call(world)
    staff_team(world)
    application = complete_application(world, call)
    calls.application_submit(actor=world["leader"], application=application)
    # The team was paired with the city's town through the city's call this cycle.
    Pairing.objects.create(cycle=world.cycle, town=world.renhua_city_town, team=world.team, organizer_level="city",
                           status="active")
    application.refresh_from_db()
    refusal = dict((name, reason) for name, step, reason in
                   action_choices(APPLICATION_WORKFLOW, application, world["renhua_st"]))["accept"]
    assert "本周期已与黄坑镇结对" in refusal  # the button is disabled with the reason
    with pytest.raises(ValidationError):
        calls.application_review(actor=world["renhua_st"], application=application, action="accept")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Notification.objects.filter(recipient=world["leader"], title__contains="受理").exists()
