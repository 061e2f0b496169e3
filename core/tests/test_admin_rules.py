"""The administrator's admin keeps the platform's rules: no workflow state is moved in it, every save goes through
the app's service (a refusal is a form error, nothing saved), and stored files are never linked at /media/."""
import datetime as dt

import pytest
from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from core.admin import ADMIN_REASON, ScopedFileWidget, workflow_fields
from core.models import TaskRun, Transition
from portal.testing import CYCLE_YEAR

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- helpers


def change_url(obj):
    return reverse("admin:%s_%s_change" % (obj._meta.app_label, obj._meta.model_name), args=[obj.pk])


def _add_form(data, form):
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        widget = field.widget
        if isinstance(field, forms.FileField):
            continue
        if isinstance(widget, forms.MultiWidget):  # the admin's split date and time
            parts = value if isinstance(value, (list, tuple)) else widget.decompress(value)
            for index, part in enumerate(parts):
                if part is not None:
                    data["%s_%d" % (key, index)] = str(part)
            continue
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
            continue
        if value is None:
            continue
        data[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)


def posted(response, **changes):
    """What a browser posts back from an admin change page unchanged, with ``changes`` applied."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for form in formset.forms:
            _add_form(data, form)
    data.update(changes)
    return data


def transitions_of(obj):
    return Transition.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk))


def make_pairing(world, status="proposed"):
    from matching.models import Pairing

    return Pairing.objects.create(cycle=world.cycle, town=world.renhua_county_town, team=world.other_team,
                                  organizer_level="county", status=status)


@pytest.fixture
def admin_client(world, login):
    return login("admin")


# ---------------------------------------------------------------- 1. workflow states are read-only


def test_a_pairing_status_posted_to_the_admin_is_ignored_and_records_no_transition(world, admin_client):
    pairing = make_pairing(world)
    page = admin_client.get(change_url(pairing))
    assert page.status_code == 200
    assert "status" not in page.context["adminform"].form.fields
    assert 'name="status"' not in page.content.decode()

    response = admin_client.post(change_url(pairing), posted(page, status="registered", registered_at_0="2025-01-01",
                                                             registered_at_1="10:00:00"))
    assert response.status_code == 302, response.content.decode()[:2000]
    pairing.refresh_from_db()
    assert pairing.status == "proposed" and pairing.registered_at is None
    assert not transitions_of(pairing).exists()


def test_a_history_revert_in_the_admin_does_not_move_the_status_back(world, admin_client):
    pairing = make_pairing(world)
    first = pairing.history.earliest()
    pairing.status = "on_notice"  # as the notice service would (the test only needs a later version)
    pairing.team = world.team  # and a replacement's new team
    pairing.save()
    url = reverse("admin:matching_pairing_simple_history", args=[pairing.pk, first.history_id])
    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(url, posted(page, status="proposed"))
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == "on_notice" and pairing.team == world.team
    assert not transitions_of(pairing).exists()


def _instances(world):
    """One record of each registered model that has a workflow status (the rest use any stored row)."""
    from matching.models import SelectionRound
    from matching.testing import build_selection
    from needs.models import IndustryCategory, Need, SurveyCampaign
    from registrations.models import RegistrationSubmission

    selection = build_selection(world)
    return {
        "cycles.Cycle": world.cycle,
        "units.DispatchingUnit": world.unit,
        "needs.Need": Need.objects.create(cycle=world.cycle, town=world.renhua_city_town, title="需求", description="说明",
                                          category=IndustryCategory.objects.first(), service_types=["guidance"]),
        "needs.SurveyCampaign": SurveyCampaign.objects.create(cycle=world.cycle, title="调研", organizer_level="city",
                                                              city=world.city, due_date=dt.date(CYCLE_YEAR, 6, 1),
                                                              created_by=world["city_st"]),
        "matching.SelectionRound": SelectionRound.objects.create(call=selection.call, cycle=world.cycle, title="遴选"),
        "matching.Pairing": make_pairing(world),
        "registrations.RegistrationSubmission": RegistrationSubmission.objects.create(
            cycle=world.cycle, organizer_level="county", city=world.city, county=world.renhua, recipient="city",
            doc_number="仁科〔2025〕20号"),
        "core.TaskRun": TaskRun.objects.create(kind="test", label="测试任务"),
        "django_tasks_database.DBTaskResult": _task_result(),
        **_project_instances(world),
        **_issue20_instances(world),
    }


def _issue20_instances(world):
    """Issue 20: 仁化县's annual report of the cycle's first year, submitted to the city (reports' admin: read only)."""
    from reports import services as reports

    renhua_st = world["renhua_st"]
    report = reports.report_create(actor=renhua_st, year=CYCLE_YEAR, level="county", county=world.renhua)
    report = reports.report_update(actor=renhua_st, report=report, achievements="<p>全年开展技术服务。</p>")
    return {"reports.AnnualReport": reports.report_submit(actor=renhua_st, report=report)}


def _project_instances(world):
    """A draft agreement, a draft project and a change request of an accepted one (projects' admin), of a team of
    their own (world.team's application is under review in these tests: its members are locked)."""
    from accounts.models import User
    from core.roles import Role
    from projects import services
    from projects.tests.factories import active_pairing, agreement_values, confirmed_need, project_content, staff
    from teams.models import Team

    team = Team.objects.create(cycle=world.cycle, name="水稻团队", lead_unit=world.unit, leader_name="李明")
    leader = User.objects.create(username="rice_leader", role=Role.TEAM_LEADER, team=team, full_name="李明",
                                 must_change_password=False)
    pairing = active_pairing(world, town=world.renhua_city_town, team=team, level="city")
    content = project_content(world, staff(world, team), [confirmed_need(world, world.renhua_city_town)])
    agreement = services.agreement_create(actor=leader, pairing=pairing, **agreement_values())
    draft = services.project_create(actor=leader, pairing=pairing, **content)
    accepted = services.project_accept(actor=world["city_st"], project=services.project_submit(
        actor=leader, project=services.project_create(actor=leader, pairing=pairing, **content), confirmed=True))
    change = services.change_request(actor=leader, project=accepted, reason="增加培训", values={"trainings": 9})
    # The accepted project's expert review with its panel (reviews' admin: statuses read only).
    from reviews import services as reviews
    from reviews.tests.factories import make_pool

    make_pool(world)
    review = reviews.review_start(actor=world["city_st"], project=accepted)
    seat = reviews.panel_fill(actor=world["city_st"], review=review)[0]
    return {"projects.Agreement": agreement, "projects.Project": draft, "projects.ProjectChange": change,
            "reviews.Review": review, "reviews.ReviewSeat": seat, **_fieldwork_instances(world, leader),
            **_issue19_instances(world, pairing, team)}


def _issue19_instances(world, pairing, team):
    """Issue 19's records with a status: the city's case against 水稻团队's pairing and a member change of it, the
    figures of a pairing closed (replacements' admin); an evaluation of the unit's person (evaluations'); the city's
    coordination group with an open follow-up item (coordination's)."""
    import datetime as dt

    from django.utils import timezone

    from coordination import services as coordination
    from evaluations.models import Evaluation
    from replacements import services as replacements
    from replacements.models import MemberChange, PairingFigures
    from teams.models import Commissioner

    today = timezone.localdate()
    city_st = world["city_st"]
    person = Commissioner.objects.filter(memberships__team=team).order_by("pk").last()
    case = replacements.case_open(actor=city_st, pairing=pairing, cause="no_work", summary="连续两月未开展活动。")
    change = MemberChange(leaving=person, effective_date=today, reason="工作调动", size_before=3, size_after=3)
    change.copy_pairing(pairing)
    change.save()
    figures = PairingFigures.objects.create(pairing=pairing, cycle=pairing.cycle, team=team, town=pairing.town,
                                            organizer_level=pairing.organizer_level, ended_on=today, outcome="ended")
    evaluation = Evaluation(unit=person.unit, commissioner=person, team=team, year=CYCLE_YEAR, cycle=world.cycle,
                            grade="pass")
    evaluation.copy_pairing(pairing)
    evaluation.save()
    group = coordination.group_save(actor=city_st, values={"name": "韶关市科技特派员协调指导小组"})
    follow_up = coordination.follow_up_save(actor=city_st, group=group, values={
        "title": "落实驻镇宿舍", "owner_text": "王科长", "due_date": today + dt.timedelta(days=10)})
    return {"replacements.Case": case, "replacements.MemberChange": change, "replacements.PairingFigures": figures,
            "evaluations.Evaluation": evaluation, "coordination.FollowUp": follow_up}


def _fieldwork_instances(world, leader):
    """The field work of 水稻团队 in 黄坑镇 (fieldwork's admin: evidence and statuses read only; an open task and the
    working conditions edited through their services)."""
    import datetime as dt

    from django.utils import timezone

    from fieldwork import services
    from fieldwork.tests.factories import activity_values, photo, stay_values
    from teams.models import Commissioner

    town = world["renhua_city_town"]
    member = Commissioner.objects.filter(memberships__team_id=leader.team_id).order_by("pk").last()
    activity = services.activity_save(actor=leader, values=activity_values(world), photos=[photo()])
    return {
        "fieldwork.Activity": activity,
        "fieldwork.ActivityPhoto": activity.photos.get(),
        "fieldwork.Stay": services.stay_save(actor=leader, values=stay_values(member)),
        "fieldwork.Task": services.task_save(actor=town, values={
            "title": "冬季清园指导", "due_date": timezone.localdate() + dt.timedelta(days=10)}),
        "fieldwork.Flag": services.flag_report(actor=town, detail="多次通知未到镇开展工作。"),
        "fieldwork.WorkingConditions": services.conditions_save(actor=town, values={"note": "提供宿舍两间。"}),
        "fieldwork.ConditionRequest": services.request_save(actor=leader, values={
            "category": "lodging", "title": "宿舍漏雨", "description": "雨天宿舍漏雨。"}),
    }


def _task_result():
    from django.apps import apps
    from django.utils import timezone

    model = apps.get_model("django_tasks_database", "DBTaskResult")
    return model.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="core.tasks.noop",
                                backend_name="default", queue_name="default", run_after=timezone.now(),
                                exception_class_path="", traceback="")


def test_every_registered_model_with_a_workflow_status_shows_it_read_only(world, admin_client):
    request = RequestFactory().get("/admin/")
    request.user = world["admin"]
    instances = _instances(world)
    checked = []
    for model, model_admin in admin.site._registry.items():
        names = [field.name for field in model._meta.concrete_fields if field.name in ("status", "outcome")]
        names = list(dict.fromkeys(names + list(workflow_fields(model))))
        if not names:
            continue
        obj = instances.get(model._meta.label) or model._default_manager.first()
        # The add form and the change form, whoever builds them.
        for target in (None, obj):
            if not model_admin.has_change_permission(request, target) and (
                    target is not None or not model_admin.has_add_permission(request)):
                continue  # a view-only page shows every field read-only
            readonly = set(model_admin.get_readonly_fields(request, target))
            form_fields = set(model_admin.get_form(request, target, change=target is not None).base_fields)
            for name in names:
                assert name in readonly and name not in form_fields, (model._meta.label, name, target)
        # The change page itself.
        assert obj is not None, "build a %s in _instances() to check its change page" % model._meta.label
        page = admin_client.get(change_url(obj))
        assert page.status_code == 200, model._meta.label
        html = page.content.decode()
        for name in names:
            assert 'name="%s"' % name not in html and 'name="%s_0"' % name not in html, (model._meta.label, name)
        checked.append(model._meta.label)
    assert {"matching.Pairing", "matching.SelectionRound", "needs.Need", "cycles.Cycle",
            "registrations.RegistrationSubmission"} <= set(checked)


# ---------------------------------------------------------------- 2. saves go through the services


def test_a_locked_team_cannot_be_edited_in_the_admin(world, admin_client):
    from matching.testing import build_selection
    from teams.selectors import team_locked

    build_selection(world)  # the team's application is accepted: its make-up is under review
    team = world.team
    assert team_locked(team)
    versions = team.history.count()
    page = admin_client.get(change_url(team))
    response = admin_client.post(change_url(team), posted(page, name="改名后的团队"))
    assert response.status_code == 200
    assert "团队的申报正在审核中，暂不能修改团队成员" in response.content.decode()
    team.refresh_from_db()
    assert team.name == "柑橘团队" and team.history.count() == versions


def test_an_admin_save_goes_through_the_service_and_is_recorded_with_the_administrator(world, admin_client):
    unit = world.unit
    page = admin_client.get(change_url(unit))
    response = admin_client.post(change_url(unit), posted(page, contact_name="李联系"))
    assert response.status_code == 302, response.content.decode()[:3000]
    unit.refresh_from_db()
    assert unit.contact_name == "李联系"
    latest = unit.history.first()
    assert latest.history_user == world["admin"] and latest.history_change_reason == ADMIN_REASON


def test_a_service_refusal_is_a_form_error_in_chinese_and_nothing_is_saved(world, admin_client):
    from teams.models import Team

    team = Team.objects.create(cycle=world.cycle, name="未锁定团队", lead_unit=world.unit)
    versions = team.history.count()
    page = admin_client.get(change_url(team))
    response = admin_client.post(change_url(team), posted(page, name="新名称", service_types='["nonsense"]'))
    assert response.status_code == 200
    assert "未知的服务类型：nonsense" in response.content.decode()
    assert response.context["adminform"].form.errors
    team.refresh_from_db()
    assert team.name == "未锁定团队" and team.service_types == [] and team.history.count() == versions


def test_a_sent_submission_cannot_be_changed_in_the_admin(world, admin_client):
    from registrations.models import RegistrationSubmission

    submission = RegistrationSubmission.objects.create(
        cycle=world.cycle, organizer_level="county", city=world.city, county=world.renhua, recipient="city",
        doc_number="仁科〔2025〕20号", status="sent")
    page = admin_client.get(change_url(submission))
    response = admin_client.post(change_url(submission), posted(page, doc_number="仁科〔2025〕21号"))
    assert response.status_code == 200
    assert "不能再修改" in response.content.decode()
    submission.refresh_from_db()
    assert submission.doc_number == "仁科〔2025〕20号" and submission.status == "sent"


def test_full_clean_errors_the_form_does_not_see_are_shown_and_nothing_is_saved(world, admin_client):
    from teams.models import TeamMembership
    from teams.tests.factories import make_commissioner

    team = world.other_team
    TeamMembership.objects.create(team=team, commissioner=make_commissioner(world.other_unit), role="leader")
    member = TeamMembership.objects.create(team=team, commissioner=make_commissioner(world.other_unit), role="member")
    page = admin_client.get(change_url(member))
    # A second leader: the form skips the constraint (the team is read-only here); the service's full_clean checks it.
    response = admin_client.post(change_url(member), posted(page, role="leader"))
    assert response.status_code == 200
    assert "约束" in response.content.decode()
    member.refresh_from_db()
    assert member.role == "member"


def test_a_permission_refusal_is_a_message_on_the_form_not_a_server_error(world, admin_client, monkeypatch):
    import core.admin

    def refuse(**kwargs):
        raise PermissionDenied("不能修改您管辖范围之外的记录。")

    monkeypatch.setattr(core.admin, "record_save", refuse)
    unit = world.unit
    page = admin_client.get(change_url(unit))
    response = admin_client.post(change_url(unit), posted(page, contact_name="不应保存"))
    assert response.status_code == 200
    assert "不能修改您管辖范围之外的记录。" in response.content.decode()
    unit.refresh_from_db()
    assert unit.contact_name != "不应保存"


def test_work_team_members_are_added_and_removed_through_the_services_in_the_admin(world, admin_client):
    from regions.models import WorkTeamMember

    work_team = world.renhua_city_town.work_team
    page = admin_client.get(change_url(work_team))
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    response = admin_client.post(change_url(work_team), posted(page, **{
        "%s-0-name" % prefix: "  王队员 ", "%s-0-position" % prefix: "队员"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    member = WorkTeamMember.objects.get(work_team=work_team)
    assert member.name == "王队员"  # work_team_member_add trims it

    page = admin_client.get(change_url(work_team))
    response = admin_client.post(change_url(work_team), posted(page, **{"%s-0-DELETE" % prefix: "on"}))
    assert response.status_code == 302
    assert not WorkTeamMember.objects.filter(work_team=work_team).exists()


def test_an_inline_row_refused_by_its_service_is_a_form_error_and_nothing_is_saved(world, admin_client, monkeypatch):
    from django.core.exceptions import ValidationError

    from regions import services
    from regions.models import WorkTeamMember

    def refuse(**kwargs):
        raise ValidationError({"name": "该队员已在其他镇的工作队中。"})

    monkeypatch.setattr(services, "work_team_member_add", refuse)
    work_team = world.renhua_city_town.work_team
    page = admin_client.get(change_url(work_team))
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    response = admin_client.post(change_url(work_team), posted(page, leader_name="新队长", **{
        "%s-0-name" % prefix: "王队员"}))
    assert response.status_code == 200
    assert "姓名：该队员已在其他镇的工作队中。" in response.content.decode()
    work_team.refresh_from_db()
    assert work_team.leader_name != "新队长" and not WorkTeamMember.objects.filter(work_team=work_team).exists()


def test_need_and_round_admins_use_their_app_services(world, admin_client):
    from matching.models import SelectionRound
    from matching.testing import build_selection
    from needs.models import IndustryCategory, Need

    need = Need.objects.create(cycle=world.cycle, town=world.renhua_city_town, title="旧标题", description="说明",
                               category=IndustryCategory.objects.first(), service_types=["guidance"])
    page = admin_client.get(change_url(need))
    assert "town" not in page.context["adminform"].form.fields  # a need stays in its town (need_update)
    response = admin_client.post(change_url(need), posted(page, title="新标题"))
    assert response.status_code == 302, response.content.decode()[:3000]
    need.refresh_from_db()
    assert need.title == "新标题" and need.history.first().history_user == world["admin"]

    selection = build_selection(world)
    selection_round = SelectionRound.objects.create(call=selection.call, cycle=world.cycle, title="遴选")
    page = admin_client.get(change_url(selection_round))
    # meeting_record: a meeting needs its participants.
    response = admin_client.post(change_url(selection_round), posted(page, meeting_date="%d-05-01" % CYCLE_YEAR))
    assert response.status_code == 200 and "请填写参会人员。" in response.content.decode()
    selection_round.refresh_from_db()
    assert selection_round.meeting_date is None
    response = admin_client.post(change_url(selection_round), posted(
        page, meeting_date="%d-05-01" % CYCLE_YEAR, meeting_participants="张三、李四"))
    assert response.status_code == 302
    selection_round.refresh_from_db()
    assert selection_round.meeting_participants == "张三、李四"


def test_an_annual_report_is_read_only_in_the_admin(world, admin_client):
    """A report is written by its author and moved by its receiver on the pages: the administrator reads it, with its
    narrative escaped; a posted change is refused and changes nothing."""
    from reports import services as reports

    renhua_st = world["renhua_st"]
    report = reports.report_create(actor=renhua_st, year=CYCLE_YEAR, level="county", county=world.renhua)
    report = reports.report_update(actor=renhua_st, report=report, achievements="<p>成效<strong>显著</strong></p>")
    page = admin_client.get(change_url(report))
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;strong&gt;显著&lt;/strong&gt;" in html and 'name="achievements"' not in html
    assert reverse("admin:reports_annualreport_add") not in html
    versions = report.history.count()
    response = admin_client.post(change_url(report), {"title": "改名", "status": "accepted"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert (report.title, report.status, report.history.count()) == (
        "仁化县%d年农村科技特派员驻镇帮镇扶村工作总结" % CYCLE_YEAR, "draft", versions)
    assert admin_client.get(reverse("admin:reports_annualreport_add")).status_code == 403
    assert admin_client.post(reverse("admin:reports_annualreport_delete", args=[report.pk]), {"post": "yes"}) \
        .status_code == 403
    assert type(report).objects.filter(pk=report.pk).exists()


# ---------------------------------------------------------------- 3. files are never linked at /media/


def test_every_admin_file_field_uses_the_scoped_widget(world):
    request = RequestFactory().get("/admin/")
    request.user = world["admin"]
    for model, model_admin in admin.site._registry.items():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and hasattr(model_admin, "file_download_urls"):
                formfield = model_admin.formfield_for_dbfield(field, request)
                assert isinstance(formfield.widget, ScopedFileWidget), (model._meta.label, field.name)


def test_the_meeting_minutes_show_no_media_link_but_the_scoped_download(world, admin_client):
    from matching.models import SelectionRound
    from matching.testing import build_selection

    selection = build_selection(world)
    selection_round = SelectionRound.objects.create(call=selection.call, cycle=world.cycle, title="仁化遴选")
    selection_round.meeting_minutes.save("纪要.pdf", ContentFile(b"%PDF-1.4 minutes"))
    html = admin_client.get(change_url(selection_round)).content.decode()
    assert "/media/" not in html
    download = reverse("matching:minutes", args=[selection_round.pk])
    assert 'href="%s"' % download in html
    response = admin_client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 minutes"


# ---------------------------------------------------------------- every page of the admin


def test_every_admin_page_opens_and_posts_back_unchanged(world, admin_client):
    """Each registered model's list, add and change pages open; its change form posted back unchanged saves (or is
    refused by its service with a reason), never a server error."""
    from teams.models import Commissioner
    from teams.tests.factories import make_commissioner

    instances = _instances(world)
    make_commissioner(world.unit)
    request = RequestFactory().get("/admin/")
    request.user = world["admin"]
    outcomes = {}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        opts = model._meta
        changelist = reverse("admin:%s_%s_changelist" % (opts.app_label, opts.model_name))
        assert admin_client.get(changelist).status_code == 200
        if model_admin.has_add_permission(request):
            assert admin_client.get(reverse("admin:%s_%s_add" % (opts.app_label, opts.model_name))).status_code == 200
        obj = instances.get(label) or model._default_manager.first()
        if obj is None:
            continue
        page = admin_client.get(change_url(obj))
        assert page.status_code == 200, label
        if not model_admin.has_change_permission(request, obj) or "adminform" not in page.context:
            continue
        response = admin_client.post(change_url(obj), posted(page))
        assert response.status_code in (200, 302), label
        errors = response.context["adminform"].form.errors if response.status_code == 200 else None
        outcomes[label] = errors
    refused = {label: errors for label, errors in outcomes.items() if errors is not None}
    # The team's application is under review (build_selection); a submission needs its pairings: both refused.
    assert set(refused) == {"teams.Team", "registrations.RegistrationSubmission"}, refused
    assert len(outcomes) > 15
    assert Commissioner.objects.exists()


def test_records_added_in_the_admin_go_through_the_create_services(world, admin_client):
    from accounts.models import User
    from regions.models import Village

    response = admin_client.post(reverse("admin:regions_village_add"), {"town": world.renhua_city_town.pk,
                                                                         "name": "新村", "code": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    village = Village.objects.get(town=world.renhua_city_town, name="新村")
    assert village.history.first().history_user == world["admin"]
    # The same name again: refused with the form's reason, nothing added.
    response = admin_client.post(reverse("admin:regions_village_add"), {"town": world.renhua_city_town.pk,
                                                                         "name": "新村", "code": ""})
    assert response.status_code == 200 and Village.objects.filter(name="新村").count() == 1

    response = admin_client.post(reverse("admin:accounts_user_add"), {
        "username": "new_city", "password1": "Kx9#mR2$vL7q", "password2": "Kx9#mR2$vL7q", "usable_password": "true",
        "role": "city_st", "full_name": "新市局", "city": world.city.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new_city")
    assert user.history.first().history_user == world["admin"]
    # A role without its scope: the model's rule, in Chinese, nothing added.
    response = admin_client.post(reverse("admin:accounts_user_add"), {
        "username": "no_scope", "password1": "Kx9#mR2$vL7q", "password2": "Kx9#mR2$vL7q", "usable_password": "true",
        "role": "county_st", "full_name": "无范围"})
    assert response.status_code == 200 and "必须指定" in response.content.decode()
    assert not User.objects.filter(username="no_scope").exists()
