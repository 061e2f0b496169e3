"""The services: a grade outside the list, a person of another unit and a second evaluation of the year are refused
in Chinese; submit and reopen move the status and leave transitions; the figures prefilled equal the records counted
by hand; drafts for everyone; rewards and trainings only for the unit's own people."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from core.models import Transition
from evaluations import selectors, services
from evaluations.models import Evaluation
from evaluations.tests.factories import (YEAR, evaluation, jpeg_upload, other_person, other_unit_user, pdf_upload,
                                         reward, training, unit_people)
from fieldwork import services as field
from fieldwork.tests.factories import activity_values, stay_values
from projects import services as project_services
from projects.tests.factories import confirmed_need, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return unit_people(world)[1]


def test_it_refuses_a_grade_outside_the_list(world, people):
    with pytest.raises(ValidationError) as error:
        evaluation(world, people[0], grade="good")
    assert "考评等次应为优秀、合格、基本合格或不合格" in error.value.message_dict["grade"][0]
    assert not Evaluation.objects.exists()


def test_it_refuses_a_person_of_another_unit(world, people):
    with pytest.raises(ValidationError) as error:
        evaluation(world, other_person(world))
    assert error.value.message_dict["commissioner"] == ["只能考评本单位派出的特派员。"]
    assert not Evaluation.objects.exists()


def test_it_refuses_a_second_evaluation_of_the_year(world, people):
    evaluation(world, people[0])
    with pytest.raises(ValidationError) as error:
        evaluation(world, people[0], grade="pass")
    assert "年度考评已存在" in error.value.message_dict["year"][0]
    assert Evaluation.objects.count() == 1
    evaluation(world, people[0], year=YEAR + 1)  # another year is another evaluation
    assert Evaluation.objects.count() == 2


def test_only_a_unit_evaluates(world, people):
    for name in ("renhua_st", "leader", "renhua_county_town"):
        with pytest.raises(PermissionDenied):
            services.evaluation_save(actor=world[name], values={"grade": "pass"}, commissioner=people[0], year=YEAR)
    other_unit_user(world)
    record = evaluation(world, people[0])
    with pytest.raises(PermissionDenied):
        services.evaluation_save(actor=world["other_unit"], values={"grade": "fail"}, evaluation=record)
    with pytest.raises(PermissionDenied):
        services.evaluation_act(actor=world["other_unit"], evaluation=record, action="submit")


def test_it_copies_the_team_and_its_pairing(world):
    pairing, people = unit_people(world)
    record = evaluation(world, people[1])
    assert (record.team, record.pairing, record.home_town, record.organizer_level, record.cycle) == (
        world.team, pairing, world.renhua_county_town, "county", world.cycle)


def test_submit_and_reopen_move_the_status(world, people):
    record = evaluation(world, people[0], grade="")
    with pytest.raises(ValidationError) as error:
        services.evaluation_act(actor=world["unit"], evaluation=record, action="submit")
    assert "请先选择考评等次" in error.value.messages[0]
    record = services.evaluation_save(actor=world["unit"], values={"grade": "excellent"}, evaluation=record)
    record = services.evaluation_act(actor=world["unit"], evaluation=record, action="submit")
    assert record.status == "submitted" and record.evaluated_on is not None and record.submitted_at is not None
    with pytest.raises(ValidationError) as error:
        services.evaluation_save(actor=world["unit"], values={"grade": "fail"}, evaluation=record)
    assert "已提交" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.evaluation_act(actor=world["unit"], evaluation=record, action="reopen")
    assert "理由" in error.value.messages[0]
    record = services.evaluation_act(actor=world["unit"], evaluation=record, action="reopen", comment="等次需复核")
    assert record.status == "draft"
    assert list(Transition.objects.filter(object_id=str(record.pk)).values_list("action", flat=True)) == [
        "draft", "submit", "reopen"]
    told = Notification.objects.filter(recipient=world["leader"]).values_list("title", flat=True)
    assert "%d年度考评结果：优秀" % YEAR in list(told)  # the person (leader's account) is told when it is submitted


def test_the_figures_are_the_records_counted_by_hand(world):
    pairing, people = unit_people(world)
    person, town = people[1], world["renhua_county_town"]
    for month in (3, 4, 5):  # three confirmed activities with the person, in the year
        done = field.activity_save(actor=world["leader"], values=activity_values(world, date=dt.date(YEAR, month, 2)),
                                   participants=[person, people[0]])
        field.record_act(actor=town, record=done, action="confirm")
    field.activity_save(actor=world["leader"], values=activity_values(world, date=dt.date(YEAR, 6, 2)),
                        participants=[person])  # awaiting confirmation: not counted
    later = field.activity_save(actor=world["leader"], values=activity_values(world, date=dt.date(YEAR + 1, 1, 1)),
                                participants=[person])
    field.record_act(actor=town, record=later, action="confirm")  # another year: not counted
    for start, end in ((dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 7)), (dt.date(YEAR, 12, 25), dt.date(YEAR, 12, 31)),
                       (dt.date(YEAR + 1, 1, 1), dt.date(YEAR + 1, 1, 1))):
        stay = field.stay_save(actor=world["leader"], values=stay_values(person, start, end))
        field.record_act(actor=town, record=stay, action="confirm")
    field.stay_save(actor=world["leader"], values=stay_values(person, dt.date(YEAR, 8, 1), dt.date(YEAR, 8, 5)))
    need = confirmed_need(world)
    project = make_project(world, pairing, people, [need], start_date=dt.date(YEAR, 6, 1),
                           end_date=dt.date(YEAR + 1, 5, 31))
    assert selectors.figures([person.pk], YEAR)[person.pk]["projects"] == 0  # a draft is not counted
    project_services.project_submit(actor=world["leader"], project=project, confirmed=True)

    expected = {"activities": 3, "days": 14, "projects": 1}
    assert selectors.figures([person.pk, people[2].pk], YEAR) == {
        person.pk: expected, people[2].pk: {"activities": 0, "days": 0, "projects": 0}}
    record = evaluation(world, person)
    assert record.figures == expected
    assert Evaluation.objects.get(pk=record.pk).figures == expected


def test_it_generates_a_draft_for_everyone_without_one(world, people):
    evaluation(world, people[0])
    other_person(world)  # another unit's person: not the unit's
    made = services.evaluations_generate(actor=world["unit"], year=YEAR)
    assert made == 2
    drafts = Evaluation.objects.filter(year=YEAR).exclude(commissioner=people[0])
    assert {row.commissioner_id for row in drafts} == {people[1].pk, people[2].pk}
    assert all(row.status == "draft" and row.team == world.team and row.figures == {
        "activities": 0, "days": 0, "projects": 0} for row in drafts)
    assert services.evaluations_generate(actor=world["unit"], year=YEAR) == 0
    with pytest.raises(PermissionDenied):
        services.evaluations_generate(actor=world["renhua_st"], year=YEAR)


def test_a_reward_is_for_the_units_own_people(world, people):
    with pytest.raises(ValidationError) as error:
        reward(world, other_person(world))
    assert error.value.message_dict["commissioner"] == ["只能为本单位派出的特派员记录奖励。"]
    made = reward(world, people[0])
    assert (made.team, made.organizer_level, made.home_town) == (world.team, "county", world.renhua_county_town)
    with pytest.raises(ValidationError) as error:
        services.reward_save(actor=world["unit"], values={}, reward=made, document=_text_upload())
    assert "应为PDF、JPG或PNG文件" in error.value.message_dict["document"][0]
    made = services.reward_save(actor=world["unit"], values={}, reward=made, document=pdf_upload())
    assert made.document.name.startswith("rewards/") and made.document_name == "证书.pdf"


def _text_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("证书.pdf", b"not a pdf at all", content_type="application/pdf")


def test_a_training_lists_only_the_units_people(world, people):
    with pytest.raises(ValidationError) as error:
        training(world, [people[0], other_person(world)])
    assert "韶院特派员不是" in error.value.message_dict["attendees"][0]
    made = training(world, people[:2])
    assert set(made.attendees.all()) == set(people[:2])
    services.material_add(actor=world["unit"], training=made, uploads=[jpeg_upload()])
    assert [m.name for m in made.materials.all()] == ["签到表"]
    with pytest.raises(PermissionDenied):
        services.training_save(actor=world["renhua_st"], values={"topic": "改"}, training=made)
