"""Input limits: every free text has a maximum length named in Chinese, dates typed by users fall in sensible
years (and in their cycle), and what an upload form states as its size limit is the limit enforced."""
import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from calls import services as call_services
from calls.forms import ApplicationForm, CallAmendForm, CallAttachmentForm
from calls.models import Application
from calls.tests.factories import make_call, staff_team
from calls.uploads import check_upload
from core.china import SHANGHAI
from core.fields import BoundedDateField, LimitedTextField
from core.forms import CommentForm, ImportForm
from core.workflow import apply_transition
from cycles.services import cycle_create
from matching import services as matching_services
from matching.forms import MeetingForm
from matching.models import Pairing
from matching.tests.conftest import selection  # noqa: F401 - shared fixture
from needs.choices import NEED_WORKFLOW
from needs.models import Need
from needs.services import campaign_open, need_create, need_transition
from needs.tests.conftest import categories, make_need  # noqa: F401 - shared fixtures
from notices.forms import NoticeForm, ObjectionForm
from notices.services import objection_file
from notices.tests.conftest import proposed, published  # noqa: F401 - shared fixtures
from portal.testing import CYCLE_YEAR

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def project_models():
    for config in apps.get_app_configs():
        if Path(config.path).resolve().is_relative_to(ROOT) and ".venv" not in Path(config.path).parts:
            yield from config.get_models()


# ---------------------------------------------------------------- free text


def stored_file_name(model, field) -> bool:
    """django-simple-history keeps a FileField's file name in a TextField: a name, not free text."""
    original = getattr(model, "instance_type", None)
    try:
        return original is not None and isinstance(original._meta.get_field(field.name), models.FileField)
    except FieldDoesNotExist:
        return False


def test_every_text_field_in_every_app_has_a_limit():
    unlimited = [f"{model._meta.label}.{field.name}" for model in project_models() for field in model._meta.fields
                 if isinstance(field, models.TextField) and not stored_file_name(model, field)
                 and not (isinstance(field, LimitedTextField) and field.max_length)]
    assert unlimited == []
    no_length = [f"{model._meta.label}.{field.name}" for model in project_models() for field in model._meta.fields
                 if isinstance(field, models.CharField) and not field.max_length]
    assert no_length == []


def test_a_120000_character_need_description_is_refused_in_the_service_the_form_and_the_api(world, categories, login):  # noqa: F811
    with pytest.raises(ValidationError) as error:
        need_create(actor=world["renhua_st"], cycle=world.cycle, town=world.renhua_county_town, title="贡柑",
                    description="描" * 120_000, category=categories["果树"], service_types=["guidance"])
    assert error.value.message_dict["description"] == ["需求描述不超过 2000 字（现有 120000 字）。"]
    client = login("renhua_st")
    page = client.get("/needs/new/").content.decode()
    assert 'maxlength="2000"' in page
    page = client.post("/needs/new/", {"town": world.renhua_county_town.pk, "title": "贡柑", "description": "描" * 120_000,
                                       "category": categories["果树"].pk, "service_types": ["guidance"],
                                       "priority": "medium"}).content.decode()
    assert "需求描述不超过 2000 字（现有 120000 字）。" in page
    response = client.post("/api/v1/needs/", {"cycle": world.cycle.pk, "town": world.renhua_county_town.pk,
                                              "title": "贡柑", "description": "描" * 120_000,
                                              "category": categories["果树"].pk, "service_types": ["guidance"]},
                           content_type="application/json")
    assert response.status_code == 400 and "description" in response.json()
    assert not Need.objects.exists()
    # 2000 characters, line breaks sent as CR LF by the browser counted once, as its maxlength counts them.
    need = need_create(actor=world["renhua_st"], cycle=world.cycle, town=world.renhua_county_town, title="贡柑",
                       description="描" * 1000 + "\r\n" * 500 + "述" * 499, category=categories["果树"],
                       service_types=["guidance"])
    assert need.pk


def test_plain_forms_carry_the_models_limits(world):
    form = ApplicationForm(data={"service_plan": "思" * 5001})
    assert form.errors["service_plan"] == ["帮扶思路不超过 5000 字（现有 5001 字）。"]
    assert 'maxlength="5000"' in str(form["service_plan"])
    form = CallAmendForm(data={"summary": "变" * 1001})
    assert form.errors["summary"] == ["变更说明不超过 1000 字（现有 1001 字）。"]
    form = MeetingForm(data={"meeting_date": f"{CYCLE_YEAR}-02-10", "meeting_participants": "人" * 1001})
    assert form.errors["meeting_participants"] == ["参会人员不超过 1000 字（现有 1001 字）。"]


def test_workflow_comments_are_limited_to_1000_characters(world, make_need, login):  # noqa: F811
    need = make_need()
    form = CommentForm(data={"comment": "意" * 1001})
    assert form.errors["comment"] == ["意见不超过 1000 字（现有 1001 字）。"]
    assert 'maxlength="1000"' in str(CommentForm()["comment"])
    with pytest.raises(ValidationError) as error:
        apply_transition(workflow=NEED_WORKFLOW, obj=need, action="return", actor=world["renhua_st"], comment="意" * 1001)
    assert error.value.message_dict["comment"] == ["意见不超过 1000 字（现有 1001 字）。"]
    need.refresh_from_db()
    assert need.status == "submitted"
    page = login("renhua_st").post("/needs/%d/act/return/" % need.pk, {"comment": "意" * 1001}, follow=True)
    assert "意见不超过 1000 字" in page.content.decode()
    need.refresh_from_db()
    assert need.status == "submitted"
    need_transition(actor=world["renhua_st"], need=need, action="return", comment="意" * 1000)
    need.refresh_from_db()
    assert need.status == "returned" and len(need.status_reason) == 1000


# ---------------------------------------------------------------- dates


def test_every_date_users_type_is_bounded():
    typed = {"cycles.Cycle": ["start_date", "end_date", "dispatch_deadline", "agreement_due_date"],
             "needs.SurveyCampaign": ["due_date"], "needs.Need": ["surveyed_on"], "calls.Call": ["open_date", "close_date"],
             "matching.SelectionRound": ["meeting_date"], "notices.PublicNotice": ["start_date"],
             "registrations.RegistrationSubmission": ["sent_on", "confirmed_on"]}
    for label, names in typed.items():
        model = apps.get_model(label)
        assert all(isinstance(model._meta.get_field(name), BoundedDateField) for name in names), label


def test_a_survey_due_in_1999_or_outside_the_cycle_is_refused(world):
    def open_survey(due_date):
        return campaign_open(actor=world["renhua_st"], cycle=world.cycle, title="仁化县需求调研", due_date=due_date,
                             towns=[world.renhua_county_town])

    with pytest.raises(ValidationError) as error:
        open_survey(dt.date(1999, 3, 1))
    assert "填报截止日期应在" in error.value.message_dict["due_date"][0]
    with pytest.raises(ValidationError) as error:
        open_survey(dt.date(CYCLE_YEAR + 3, 3, 1))
    assert error.value.message_dict["due_date"] == [
        f"填报截止日期应在帮扶周期“测试周期”内（{CYCLE_YEAR}-01-01 至 {CYCLE_YEAR + 2}-12-31），现为 {CYCLE_YEAR + 3}-03-01。"]
    assert open_survey(dt.date(CYCLE_YEAR, 3, 1)).pk


def test_cycle_call_meeting_and_notice_dates_are_bounded(world):
    with pytest.raises(ValidationError) as error:
        cycle_create(actor=world["city_st"], name="错误周期", start_date=dt.date(1999, 1, 1), end_date=dt.date(2001, 12, 31),
                     dispatch_deadline=dt.date(2000, 3, 31))
    assert error.value.message_dict["start_date"] == ["开始日期应在 2000-01-01 至 2100-12-31 之间（现为 1999-01-01），请检查年份。"]
    with pytest.raises(ValidationError) as error:
        make_call(world, publish=False, open_date=dt.date(CYCLE_YEAR - 1, 12, 1))
    assert error.value.message_dict["open_date"] == [
        f"开始申报日期应在帮扶周期“测试周期”内（{CYCLE_YEAR}-01-01 至 {CYCLE_YEAR + 2}-12-31），现为 {CYCLE_YEAR - 1}-12-01。"]
    with pytest.raises(ValidationError) as error:
        make_call(world, publish=False, close_date=dt.date(2101, 1, 1))
    assert "申报截止日期应在 2000-01-01 至 2100-12-31 之间" in error.value.message_dict["close_date"][0]
    form = MeetingForm(data={"meeting_date": "1999-02-10", "meeting_participants": "县科技局"})
    assert form.errors["meeting_date"] == ["会议日期应在 2000-01-01 至 2100-12-31 之间（现为 1999-02-10），请检查年份。"]
    assert 'min="2000-01-01"' in str(form["meeting_date"]) and 'max="2100-12-31"' in str(form["meeting_date"])
    form = NoticeForm(data={"start_date": "2101-01-04"}, pairings=Pairing.objects.none())
    assert "公示开始日期应在 2000-01-01 至 2100-12-31 之间" in form.errors["start_date"][0]


# ---------------------------------------------------------------- uploads: the stated limit is the enforced one


def pdf_of(size, name="材料.pdf"):
    head = b"%PDF-1.4\n"
    return SimpleUploadedFile(name, head + b"0" * (size - len(head)), content_type="application/pdf")


def test_the_objection_form_says_10_mb_and_refuses_a_file_1_byte_over(world, published, settings):  # noqa: F811
    settings.OBJECTION_UPLOAD_MAX_BYTES = 10 * MB
    form = ObjectionForm(data={"grounds": "理" * 5001}, files={"evidence": pdf_of(10 * MB + 1)}, notice=published)
    assert "不超过10 MB" in form.fields["evidence"].label
    assert form.errors["evidence"] == ["“证明材料”文件过大（10,485,761 字节），上限为10 MB。"]
    assert form.errors["grounds"] == ["异议理由不超过 5000 字（现有 5001 字）。"]
    now = dt.datetime(2024, 10, 8, 10, tzinfo=SHANGHAI)
    with pytest.raises(ValidationError) as error:
        objection_file(notice=published, entry=published.entries.get(), name="张三", phone="13800138000",
                       grounds="该团队负责人已调离", evidence=pdf_of(10 * MB + 1), ip="1.2.3.4", now=now)
    assert error.value.messages == ["“证明材料”文件过大（10,485,761 字节），上限为10 MB。"]
    objection = objection_file(notice=published, entry=published.entries.get(), name="张三", phone="13800138000",
                               grounds="该团队负责人已调离", evidence=pdf_of(10 * MB), ip="1.2.3.5", now=now)
    assert objection.evidence.size == 10 * MB


def test_document_uploads_say_and_enforce_upload_max_bytes(world, login, selection, settings):  # noqa: F811
    settings.UPLOAD_MAX_BYTES = 20 * MB
    for form in (ApplicationForm(), CallAttachmentForm(), MeetingForm()):
        assert all("不超过20 MB" in field.help_text for field in form.fields.values()
                   if field.__class__.__name__ == "FileField")
    with pytest.raises(ValidationError, match="“会议纪要”文件过大（20,971,521 字节），上限为20 MB。"):
        round_ = matching_services.round_open(actor=world["renhua_st"], call=selection.call)
        matching_services.meeting_record(actor=world["renhua_st"], selection_round=round_, meeting_date=dt.date(CYCLE_YEAR, 2, 10),
                                         participants="县科技局", minutes=pdf_of(20 * MB + 1))
    call = make_call(world, publish=False)
    with pytest.raises(ValidationError, match="文件过大（20,971,521 字节），上限为20 MB"):
        call_services.call_attachment_add(actor=world["renhua_st"], call=call, name="申报书模板", file=pdf_of(20 * MB + 1))
    assert call_services.call_attachment_add(actor=world["renhua_st"], call=call, name="申报书模板",
                                             file=pdf_of(20 * MB)).pk
    staff_team(world)
    application = Application.objects.create(call=make_call(world, doc_number="仁科〔2025〕13号"), team=world.team)
    page = login("leader").post("/calls/applications/%d/edit/" % application.pk,
                                {"service_plan": "思路", "unit_endorsement": pdf_of(20 * MB + 1)}).content.decode()
    assert "“派出单位推荐意见”文件过大（20,971,521 字节），上限为20 MB。" in page
    assert check_upload(pdf_of(20 * MB), label="佐证材料") == "pdf"


def test_the_import_form_says_and_enforces_its_limit(settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 20 * MB
    assert "不超过20 MB" in ImportForm().fields["file"].help_text
    over = SimpleUploadedFile("需求.xlsx", b"PK\x03\x04" + b"0" * (20 * MB - 3))
    form = ImportForm(data={}, files={"file": over})
    assert form.errors["file"] == ["“Excel 文件”文件过大（20,971,521 字节），上限为20 MB。"]
    assert ImportForm(data={}, files={"file": SimpleUploadedFile("需求.csv", b"0" * (20 * MB))}).is_valid()


def test_a_long_change_reason_is_cut_not_a_server_error(world):
    from cycles.models import Cycle

    cycle = Cycle.objects.get(pk=world.cycle.pk)
    cycle._change_reason = "修改说明" * 60
    cycle.save()
    reason = cycle.history.first().history_change_reason
    assert len(reason) == 100 and reason.endswith("…")
