"""Applications: towns in rank order, completeness, dates, uploads by content, the review workflow and who sees it."""
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Notification
from calls.models import Application
from calls.tests.factories import complete_application, fake_pdf, make_call, staff_team
from core.workflow import transitions_for


def test_it_refuses_a_town_the_call_does_not_cover(world, login):
    staff_team(world)
    call = make_call(world)
    application = Application.objects.create(call=call, team=world.team)
    page = login("leader").post("/calls/applications/%d/towns/add/" % application.pk, {
        "town": world.nanxiong_county_town.pk, "rank": 1, "visits": 0, "years": 0}).content.decode()
    assert "珠玑镇不在本次征集范围内" in page
    assert not application.towns.exists()


def test_it_lists_what_is_missing_and_refuses_to_submit_an_incomplete_application(world, login):
    staff_team(world, size=2)
    call = make_call(world)
    application = Application.objects.create(call=call, team=world.team)
    client = login("leader")
    page = client.get(application.get_absolute_url()).content.decode()
    for text in ("请至少填写一个意向镇", "请填写帮扶思路", "请上传派出单位推荐意见", "团队现有2人，本周期要求3至3人"):
        assert text in page
    # The button is disabled while anything is missing, and says why.
    assert 'data-testid="refusal-submit"' in page and "请先完成“提交前还需完成”所列的4项" in page
    response = client.post("/calls/applications/%d/act/submit/" % application.pk, {"comment": ""}, follow=True)
    assert "请至少填写一个意向镇" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"


def test_it_checks_uploads_by_content_and_size(world, login, settings):
    staff_team(world)
    call = make_call(world)
    application = Application.objects.create(call=call, team=world.team)
    client = login("leader")
    url = "/calls/applications/%d/edit/" % application.pk
    page = client.post(url, {"service_plan": "思路", "unit_endorsement": fake_pdf()}).content.decode()
    assert "“派出单位推荐意见”文件类型不符" in page
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    page = client.post(url, {"service_plan": "思路", "unit_endorsement": big}).content.decode()
    assert "“派出单位推荐意见”文件过大" in page
    application.refresh_from_db()
    assert application.service_plan == "" and not application.unit_endorsement
    # An image renamed .pdf is accepted as what it is: content decides.
    png = SimpleUploadedFile("盖章.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    assert client.post(url, {"service_plan": "思路", "unit_endorsement": png}).status_code == 302
    application.refresh_from_db()
    assert application.unit_endorsement.name.endswith(".png")


def test_it_refuses_a_submission_after_the_close_date(world, login):
    staff_team(world)
    call = make_call(world)
    application = complete_application(world, call)
    call.close_date = dt.date.today() - dt.timedelta(days=1)
    call.save()
    response = login("leader").post("/calls/applications/%d/act/submit/" % application.pk, {"comment": ""}, follow=True)
    assert "申报已于%s截止，不能再提交" % call.close_date.isoformat() in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"


def test_it_requires_the_recommendation_letter_where_the_cycle_asks(world, login):
    world.cycle.require_recommendation_letter = True
    world.cycle.save()
    staff_team(world)
    application = complete_application(world, make_call(world))
    response = login("leader").post("/calls/applications/%d/act/submit/" % application.pk, {}, follow=True)
    assert "本周期要求上传驻镇工作队队长推荐函" in response.content.decode()


def test_the_review_workflow_from_submission_to_acceptance(world, login, client):
    staff_team(world, verified=False)
    call = make_call(world)
    application = complete_application(world, call)
    login("leader").post("/calls/applications/%d/act/submit/" % application.pk, {"comment": ""})
    application.refresh_from_db()
    assert application.status == "submitted" and application.submitted_at
    assert Notification.objects.filter(recipient=world["renhua_st"], title__contains="新的申报待审核").exists()
    client.logout()
    # The organizer returns it with a reason; the leader sees the reason in the inbox and on the page.
    official = login("renhua_st")
    official.post("/calls/applications/%d/act/return/" % application.pk, {"comment": "请补充前期对接佐证材料"})
    application.refresh_from_db()
    assert application.status == "returned"
    client.logout()
    leader = login("leader")
    assert Notification.objects.filter(recipient=world["leader"], body__contains="请补充前期对接佐证材料").exists()
    assert "请补充前期对接佐证材料" in leader.get(application.get_absolute_url()).content.decode()
    leader.post("/calls/applications/%d/act/resubmit/" % application.pk, {"comment": ""})
    application.refresh_from_db()
    assert application.status == "submitted"
    client.logout()
    # Acceptance waits for the leader's account to be verified.
    official = login("renhua_st")
    response = official.post("/calls/applications/%d/act/accept/" % application.pk, {"comment": ""}, follow=True)
    assert "团队负责人账号尚未经派出单位或组织单位核验" in response.content.decode()
    client.logout()
    leader_person = application.team.memberships.get(role="leader").commissioner
    login("unit").post("/teams/commissioners/%d/verify/" % leader_person.pk)
    leader_person.refresh_from_db()
    assert leader_person.verified_by == world["unit"]
    client.logout()
    login("renhua_st").post("/calls/applications/%d/act/accept/" % application.pk, {"comment": ""})
    application.refresh_from_db()
    assert application.status == "accepted"
    assert [t.action for t in transitions_for(application)] == ["submit", "return", "resubmit", "accept"]


def test_the_leader_withdraws_and_others_cannot_act(world, login, client):
    staff_team(world)
    call = make_call(world)
    application = complete_application(world, call)
    login("leader").post("/calls/applications/%d/act/submit/" % application.pk)
    client.logout()
    # The city reads the county's application but may not review it; another county does not even see it.
    page = login("city_st").post("/calls/applications/%d/act/return/" % application.pk, {"comment": "x"},
                                 follow=True).content.decode()
    assert "您无权处理该记录" in page
    application.refresh_from_db()
    assert application.status == "submitted"
    client.logout()
    assert login("nanxiong_st").post("/calls/applications/%d/act/return/" % application.pk,
                                     {"comment": "x"}).status_code == 404
    client.logout()
    login("member").post("/calls/applications/%d/act/withdraw/" % application.pk)
    application.refresh_from_db()
    assert application.status == "submitted"
    client.logout()
    login("leader").post("/calls/applications/%d/act/withdraw/" % application.pk)
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_a_team_cannot_read_another_teams_application(world, assert_denied):
    staff_team(world)
    application = complete_application(world, make_call(world))
    allowed = ["leader", "member", "unit", "renhua_st", "renhua_rural", "city_st", "city_rural", "province"]
    assert_denied(application.get_absolute_url(), allowed=allowed)
    assert_denied("/calls/applications/%d/print.pdf" % application.pk, allowed=allowed)
    assert_denied("/calls/applications/%d/files/unit_endorsement/" % application.pk, allowed=allowed)
    assert_denied("/api/v1/applications/%d/" % application.pk, allowed=allowed)


def test_the_api_lists_only_applications_in_scope(world, login):
    staff_team(world)
    complete_application(world, make_call(world))
    assert len(login("leader").get("/api/v1/applications/").json()["results"]) == 1
    assert login("other_leader").get("/api/v1/applications/").json()["results"] == []


def test_a_reviewer_sees_that_the_team_applied_to_another_call_and_confirms_a_second_acceptance(world, login):
    from calls import services

    staff_team(world)
    county_call = make_call(world)
    city_call = make_call(world, actor="city_st", towns=[world.renhua_city_town], title="韶关市农村科技特派员团队征集通知",
                          issuer="韶关市科学技术局", doc_number="韶科〔2025〕3号")
    first = complete_application(world, county_call)
    second = complete_application(world, city_call)
    services.application_submit(actor=world["leader"], application=first)
    services.application_submit(actor=world["leader"], application=second)
    services.application_review(actor=world["city_st"], application=second, action="accept")
    client = login("renhua_st")
    # The list flags it (one EXISTS per page, not per row) and the application says where else.
    listing = client.get("/calls/applications/").content.decode()
    assert 'data-testid="applied-elsewhere"' in listing
    page = client.get(first.get_absolute_url()).content.decode()
    assert "该团队本周期还申报了" in page and "韶关市农村科技特派员团队征集通知" in page and "已受理" in page
    assert 'data-testid="warning-accept"' in page
    # Accepting it too needs the tick: without it nothing changes.
    refused = client.post("/calls/applications/%d/act/accept/" % first.pk, {"comment": ""}, follow=True)
    assert "将同时进入两次遴选" in refused.content.decode()
    first.refresh_from_db()
    assert first.status == "submitted"
    client.post("/calls/applications/%d/act/accept/" % first.pk, {"comment": "", "confirm_warning": "1"})
    first.refresh_from_db()
    assert first.status == "accepted"


def test_an_application_alone_in_its_cycle_has_no_hint(world, login):
    staff_team(world)
    application = complete_application(world, make_call(world))
    page = login("renhua_st").get(application.get_absolute_url()).content.decode()
    assert "该团队本周期还申报了" not in page
    assert 'data-testid="applied-elsewhere"' not in login("renhua_st").get("/calls/applications/").content.decode()
