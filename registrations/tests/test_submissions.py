"""Registration submissions: recipients, bad input, the county → city round trip, the province's confirmation."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Notification
from core.workflow import transitions_for
from matching.pairings import recipients_for
from registrations import services
from registrations.models import RegistrationSubmission, SubmissionItem
from registrations.tests.factories import city_pairing, cleared_pairing, county_pairing, prepare

TODAY = timezone.localdate()


def test_it_requires_the_province_for_a_city_pairing_and_city_and_province_for_a_county_pairing(world):
    assert recipients_for(city_pairing(world)) == ["province"]
    assert recipients_for(county_pairing(world)) == ["city", "province"]


def test_it_refuses_to_send_a_city_pairing_to_the_city(world):
    with pytest.raises(ValidationError) as error:
        prepare(world, "city_st", [city_pairing(world)], "city", number="韶科〔2025〕30号")
    assert error.value.message_dict["recipient"] == ["市级组织的结对只需报送省科技厅备案。"]
    assert not RegistrationSubmission.objects.exists()


def test_it_refuses_a_pairing_whose_notice_has_not_closed(world):
    pairing = cleared_pairing(world, world.renhua_county_town, world.team, "county", status="on_notice")
    with pytest.raises(ValidationError) as error:
        prepare(world, "renhua_st", [pairing], "city")
    assert "当前为“公示中”：公示期满且无异议（公示无异议）后方可报送备案" in error.value.message_dict["pairings"][0]
    assert not RegistrationSubmission.objects.exists() and not SubmissionItem.objects.exists()


def test_it_refuses_a_pairing_of_another_organizer(world):
    other_county = cleared_pairing(world, world.nanxiong_county_town, world.team, "county")
    with pytest.raises(ValidationError) as error:
        prepare(world, "renhua_st", [other_county], "city")
    assert error.value.message_dict["pairings"] == ["结对“珠玑镇 — 柑橘团队”不由本单位组织，不能由本单位报送备案。"]
    with pytest.raises(ValidationError) as error:
        prepare(world, "renhua_st", [city_pairing(world)], "province")
    assert "不由本单位组织" in error.value.message_dict["pairings"][0]
    assert not RegistrationSubmission.objects.exists()


def test_it_refuses_a_bad_number_and_the_same_pairing_twice_to_one_recipient(world):
    pairing = county_pairing(world)
    with pytest.raises(ValidationError) as error:
        prepare(world, "renhua_st", [pairing], "city", number="仁科[2025]020号")
    assert "报送函文号格式" in error.value.message_dict["doc_number"][0]
    prepare(world, "renhua_st", [pairing], "city")
    with pytest.raises(ValidationError) as error:
        prepare(world, "renhua_st", [pairing], "city", number="仁科〔2025〕21号")
    assert error.value.message_dict["pairings"] == ["结对“董塘镇 — 柑橘团队”已在报送市科技局的备案（仁科〔2025〕20号）中，不能重复报送。"]
    prepare(world, "renhua_st", [pairing], "province", number="仁科〔2025〕21号")  # the other recipient is fine
    assert SubmissionItem.objects.count() == 2


def test_a_county_submission_goes_to_the_city_is_returned_resubmitted_and_confirmed(world, login, client):
    pairing = county_pairing(world)
    client = login("renhua_st")
    response = client.post("/registrations/new/", {"recipient": "city", "pairings": [pairing.pk],
                                                   "doc_number": "仁科〔2025〕20号", "contact": "李明 0751-6388888"})
    submission = RegistrationSubmission.objects.get()
    assert response.status_code == 302 and response["Location"] == submission.get_absolute_url()
    assert submission.county == world.renhua and submission.status == "draft"

    client.post("/registrations/%d/act/send/" % submission.pk, {"sent_on": TODAY.isoformat()})
    submission.refresh_from_db()
    assert submission.status == "sent" and submission.sent_on == TODAY
    note = Notification.objects.get(recipient=world["city_st"])
    assert note.title == "仁化县报送备案待确认：仁科〔2025〕20号" and note.link == submission.get_absolute_url()
    assert not Notification.objects.filter(recipient=world["nanxiong_st"]).exists()
    client.logout()

    client = login("city_st")
    assert "待确认的县级备案报送" in client.get("/home/").content.decode()
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "确认备案" in page and "退回修改" in page
    response = client.post("/registrations/%d/act/return/" % submission.pk, {"comment": "  "}, follow=True)
    assert "请填写退回意见，说明需要修改的内容。" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == "sent"
    client.post("/registrations/%d/act/return/" % submission.pk, {"comment": "联系电话缺区号，请补充。"})
    submission.refresh_from_db()
    assert submission.status == "returned" and submission.return_comment == "联系电话缺区号，请补充。"
    client.logout()

    client = login("renhua_st")
    assert Notification.objects.get(recipient=world["renhua_st"]).body == "退回意见：联系电话缺区号，请补充。"
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "市科技局退回意见" in page and "联系电话缺区号，请补充。" in page
    assert "被退回待修改的备案报送" in client.get("/home/").content.decode()
    client.post("/registrations/%d/edit/" % submission.pk, {"pairings": [pairing.pk], "doc_number": "仁科〔2025〕20号",
                                                              "contact": "李明 0751-6388888"})
    client.post("/registrations/%d/act/resubmit/" % submission.pk, {"comment": "已补充联系电话"})
    submission.refresh_from_db()
    assert submission.status == "sent"
    assert Notification.objects.filter(recipient=world["city_st"]).count() == 2
    # the county cannot confirm its own submission to the city
    response = client.post("/registrations/%d/act/confirm/" % submission.pk,
                           {"confirmed_on": TODAY.isoformat(), "reference_number": "韶科备〔2025〕1号"}, follow=True)
    assert "报送市科技局的备案由市科技局确认。" in response.content.decode()
    client.logout()

    client = login("city_st")
    response = client.post("/registrations/%d/act/confirm/" % submission.pk, {"confirmed_on": TODAY.isoformat()},
                           follow=True)
    assert "请填写备案文号。" in response.content.decode()
    client.post("/registrations/%d/act/confirm/" % submission.pk,
                {"confirmed_on": TODAY.isoformat(), "reference_number": "韶科备〔2025〕1号"})
    submission.refresh_from_db()
    assert (submission.status, submission.reference_number, submission.confirmed_by) == (
        "confirmed", "韶科备〔2025〕1号", world["city_st"])
    steps = [(t.action, t.from_state, t.to_state, t.actor.username) for t in transitions_for(submission)]
    assert steps == [("send", "draft", "sent", "renhua_st"), ("return", "sent", "returned", "city_st"),
                     ("resubmit", "returned", "sent", "renhua_st"), ("confirm", "sent", "confirmed", "city_st")]
    pairing.refresh_from_db()
    assert pairing.status == "notice_cleared"  # the province has not confirmed yet


def test_the_pairing_is_registered_then_active_only_after_every_required_confirmation(world):
    pairing = county_pairing(world)
    county, city = world["renhua_st"], world["city_st"]
    to_city = prepare(world, "renhua_st", [pairing], "city")
    to_province = prepare(world, "renhua_st", [pairing], "province", number="仁科〔2025〕21号")
    services.submission_send(actor=county, submission=to_city)
    services.submission_send(actor=county, submission=to_province)
    services.submission_confirm(actor=world["province"], submission=to_province, confirmed_on=TODAY,
                                reference_number="粤科备2025-8")
    pairing.refresh_from_db()
    assert pairing.status == "notice_cleared"
    with pytest.raises(PermissionDenied):
        services.submission_confirm(actor=world["nanxiong_st"], submission=to_city, confirmed_on=TODAY,
                                    reference_number="x")
    done = services.submission_confirm(actor=city, submission=to_city, confirmed_on=TODAY,
                                       reference_number="韶科备〔2025〕1号")
    pairing.refresh_from_db()
    assert done.registered_now == [pairing] and pairing.status == "active"
    assert pairing.registered_at is not None and pairing.active_from is not None
    moves = [(t.action, t.from_state, t.to_state, t.actor) for t in transitions_for(pairing)]
    assert moves == [("register", "notice_cleared", "registered", city), ("activate", "registered", "active", city)]
    assert "韶科备〔2025〕1号" in transitions_for(pairing)[0].comment and "粤科备2025-8" in transitions_for(pairing)[0].comment


def test_the_organizer_records_the_province_confirmation_once(world, login):
    from accounts.models import User

    User.objects.filter(role="province").update(is_active=False)  # a province that does not use the platform
    pairing = city_pairing(world)
    submission = prepare(world, "city_st", [pairing], "province", number="韶科〔2025〕30号")
    client = login("city_st")
    client.post("/registrations/%d/act/send/" % submission.pk, {"sent_on": TODAY.isoformat()})
    response = client.post("/registrations/%d/act/confirm/" % submission.pk,
                           {"confirmed_on": (TODAY - dt.timedelta(days=1)).isoformat(), "reference_number": "粤科备1号"},
                           follow=True)
    assert "确认日期不能早于报送日期" in response.content.decode()
    response = client.post("/registrations/%d/act/confirm/" % submission.pk,
                           {"confirmed_on": TODAY.isoformat(), "reference_number": "粤科备1号"}, follow=True)
    assert "1个结对已完成全部备案" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.status == "active"
    with pytest.raises(ValidationError) as error:
        services.submission_confirm(actor=world["city_st"], submission=submission, confirmed_on=TODAY,
                                    reference_number="粤科备2号")
    assert error.value.messages == ["当前状态为“已确认备案”，不能执行“确认备案”。"]
    submission.refresh_from_db()
    assert submission.reference_number == "粤科备1号"
    assert not Notification.objects.filter(recipient=world["city_st"]).exists()  # nothing lands in the city's inbox


def test_it_does_not_send_a_submission_whose_pairing_was_replaced_meanwhile(world):
    from matching.pairings import pairing_move

    pairing = county_pairing(world)
    submission = prepare(world, "renhua_st", [pairing], "city")
    pairing_move(pairing=pairing, move="replace", actor=world["renhua_st"], comment="异议成立")
    with pytest.raises(ValidationError) as error:
        services.submission_send(actor=world["renhua_st"], submission=submission)
    assert "当前为“已更换”" in error.value.message_dict["pairings"][0]
    submission.refresh_from_db()
    assert submission.status == "draft" and submission.sent_on is None


def test_submissions_are_scoped(world, assert_denied, login, client):
    to_city = prepare(world, "renhua_st", [county_pairing(world)], "city")
    to_province = prepare(world, "city_st", [city_pairing(world)], "province", number="韶科〔2025〕30号")
    county_viewers = ["city_st", "city_rural", "renhua_st", "renhua_rural"]
    for suffix in ("", "package/table.xlsx", "package/letter.docx"):
        assert_denied("/registrations/%d/%s" % (to_city.pk, suffix), allowed=county_viewers)
    assert_denied(to_province.get_absolute_url(), allowed=["city_st", "city_rural"])  # a draft: not the province's yet
    services.submission_send(actor=world["city_st"], submission=to_province, sent_on=TODAY)
    assert_denied(to_province.get_absolute_url(), allowed=["city_st", "city_rural", "province"])
    assert_denied("/registrations/", allowed=county_viewers + ["province", "nanxiong_st", "nanxiong_rural"])
    assert_denied("/api/v1/registration-submissions/%d/" % to_city.pk, allowed=county_viewers)
    page = login("nanxiong_st").get("/registrations/").content.decode()
    assert "仁科〔2025〕20号" not in page and "韶科〔2025〕30号" not in page
    client.logout()
    listed = login("renhua_st").get("/api/v1/registration-submissions/").json()
    assert [row["doc_number"] for row in listed["results"]] == ["仁科〔2025〕20号"]
    # another county acting on it gets 404, and nothing changes
    client.logout()
    assert login("nanxiong_st").post("/registrations/%d/act/send/" % to_city.pk).status_code == 404
    to_city.refresh_from_db()
    assert to_city.status == "draft"


def test_the_api_creates_sends_and_confirms(world, login):
    pairing = city_pairing(world)
    client = login("city_st")
    response = client.post("/api/v1/registration-submissions/", {"cycle": world.cycle.pk, "recipient": "province",
                                                                  "pairings": [pairing.pk], "doc_number": "韶科〔2025〕30号"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    url = "/api/v1/registration-submissions/%d/act/" % pk
    assert client.post(url, {"action": "send"}, content_type="application/json").json()["status"] == "sent"
    client = login("province")  # the province confirms with its own account
    response = client.post(url, {"action": "confirm", "confirmed_on": TODAY.isoformat()}, content_type="application/json")
    assert response.status_code == 400 and response.json() == {"reference_number": ["请填写备案文号。"]}
    response = client.post(url, {"action": "confirm", "confirmed_on": TODAY.isoformat(), "reference_number": "粤科备1号"},
                           content_type="application/json")
    assert response.json()["registered_pairings"] == [pairing.pk]
    transitions = client.get("/api/v1/registration-submissions/%d/transitions/" % pk).json()
    assert [t["action"] for t in transitions] == ["send", "confirm"]


def test_the_home_page_lists_cleared_pairings_until_every_recipient_has_a_submission(world, login, client):
    pairing = county_pairing(world)
    client = login("renhua_st")
    assert "公示无异议尚未报送备案的结对" in client.get("/home/").content.decode()
    form = client.get("/registrations/new/").content.decode()
    assert "董塘镇 — 柑橘团队" in form and "黄坑镇" not in form
    prepare(world, "renhua_st", [pairing], "city")
    assert "公示无异议尚未报送备案的结对" in client.get("/home/").content.decode()  # the province is still missing
    prepare(world, "renhua_st", [pairing], "province", number="仁科〔2025〕21号")
    page = client.get("/home/").content.decode()
    assert "公示无异议尚未报送备案的结对" not in page
    listing = client.get("/registrations/?recipient=province").content.decode()
    assert "仁科〔2025〕21号" in listing and "仁科〔2025〕20号" not in listing
    client.logout()
    assert login("nanxiong_st").get("/registrations/new/").status_code == 200
    assert client.get("/registrations/%d/edit/" % RegistrationSubmission.objects.first().pk).status_code == 404
    client.logout()
    assert login("leader").get("/registrations/new/").status_code == 404


def test_the_team_table_shows_the_leaders_phone_only_to_those_handling_the_registration(world, login, client):
    import io

    from openpyxl import load_workbook

    from calls.tests.factories import staff_team

    leader = staff_team(world)
    to_city = prepare(world, "renhua_st", [county_pairing(world)], "city")
    url = "/registrations/%d/package/table.xlsx" % to_city.pk

    def cells(name):
        client.logout()
        content = login(name).get(url).content
        return " ".join(str(c) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
                        for c in row if c is not None)

    assert leader.phone in cells("renhua_st")
    for name in ["renhua_rural", "city_rural"]:
        text = cells(name)
        assert leader.phone not in text and leader.phone[:3] + "****" + leader.phone[7:] in text, name


def test_the_province_confirms_with_its_own_account_and_is_told_first(world, login):
    pairing = city_pairing(world)
    submission = prepare(world, "city_st", [pairing], "province", number="韶科〔2025〕31号")
    login("city_st").post("/registrations/%d/act/send/" % submission.pk, {"sent_on": TODAY.isoformat()})
    assert Notification.objects.filter(recipient=world["province"], link=submission.get_absolute_url()).exists()
    page = login("province").get(submission.get_absolute_url()).content.decode()
    assert 'data-testid="act-confirm"' in page and 'data-testid="act-return"' in page
    # Other roles that read it (the city's rural office) are offered nothing and refused.
    assert 'data-testid="act-confirm"' not in login("city_rural").get(submission.get_absolute_url()).content.decode()
    response = login("province").post("/registrations/%d/act/confirm/" % submission.pk,
                                      {"confirmed_on": TODAY.isoformat(), "reference_number": "粤科备9号"}, follow=True)
    assert "1个结对已完成全部备案" in response.content.decode()
    submission.refresh_from_db()
    assert (submission.status, submission.confirmed_by) == ("confirmed", world["province"])
    step = transitions_for(submission).filter(to_state="confirmed").get()
    assert step.actor == world["province"] and "代为登记" not in step.comment
    assert Notification.objects.filter(recipient=world["city_st"], title__contains="省科技厅已确认备案").exists()


def test_the_province_returns_and_an_organizer_record_for_the_province_says_so(world):
    pairing = city_pairing(world)
    submission = prepare(world, "city_st", [pairing], "province", number="韶科〔2025〕32号")
    services.submission_send(actor=world["city_st"], submission=submission, sent_on=TODAY)
    services.submission_return(actor=world["province"], submission=submission, comment="请补充团队成员职称。")
    submission.refresh_from_db()
    assert submission.status == "returned"
    # The city organized it: the city is told (a city submission has no county).
    assert Notification.objects.filter(recipient=world["city_st"], title__contains="备案报送被退回").exists()
    services.submission_send(actor=world["city_st"], submission=submission, sent_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.submission_confirm(actor=world["city_rural"], submission=submission, confirmed_on=TODAY,
                                    reference_number="粤科备10号")
    # While the province confirms in the platform, nobody records it on its behalf (nor is it offered).
    with pytest.raises(PermissionDenied) as error:
        services.submission_confirm(actor=world["city_st"], submission=submission, confirmed_on=TODAY,
                                    reference_number="粤科备10号")
    assert "省科技厅已在平台开通账号" in str(error.value)
    from registrations.selectors import actions_for

    assert "confirm" not in actions_for(world["city_st"], submission)
    from accounts.models import User

    User.objects.filter(role="province").update(is_active=False)
    submission.refresh_from_db()
    assert "confirm" in actions_for(world["city_st"], submission)
    services.submission_confirm(actor=world["city_st"], submission=submission, confirmed_on=TODAY,
                                reference_number="粤科备10号")
    step = transitions_for(submission).filter(to_state="confirmed").get()
    assert "报送单位代为登记省科技厅的确认" in step.comment


def test_the_form_offers_only_the_recipients_above_the_organizer(world, login):
    city_pairing(world)
    county_pairing(world)
    city_page = login("city_st").get("/registrations/new/").content.decode()
    assert 'value="province"' in city_page and 'value="city"' not in city_page  # never the city itself
    county_page = login("renhua_st").get("/registrations/new/").content.decode()
    assert 'value="province"' in county_page and 'value="city"' in county_page


def test_the_form_says_why_nothing_can_be_submitted_yet(world, login):
    cleared_pairing(world, world.renhua_county_town, world.team, "county", status="proposed")
    page = login("renhua_st").get("/registrations/new/").content.decode()
    assert 'data-testid="form-notice"' in page and "1 个拟结对尚未公示" in page
    assert 'type="submit" disabled' in page
    empty = login("nanxiong_st").get("/registrations/new/").content.decode()
    assert "本周期暂无可报送的结对" in empty


def test_a_pairing_whose_notice_ended_unrecorded_is_offered_and_recorded_on_saving(world, login):
    import datetime as dt_

    from matching.models import Pairing
    from notices.services import notice_publish

    pairing = cleared_pairing(world, world.renhua_county_town, world.team, "county", status="proposed")
    start = TODAY - dt_.timedelta(days=30)
    notice = notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[pairing], title="仁化县选派名单公示",
                            start_date=start, contact="仁化县科学技术局 0751-6381234", today=start)
    pairing.refresh_from_db()
    assert pairing.status == "on_notice"  # the period is over, the scheduled job has not run
    client = login("renhua_st")
    page = client.get("/registrations/new/").content.decode()
    assert 'name="pairings" value="%d"' % pairing.pk in page and 'data-testid="form-notice"' not in page
    client.post("/registrations/new/", {"recipient": "city", "pairings": [pairing.pk], "doc_number": "仁科〔2025〕20号",
                                        "contact": ""})
    pairing.refresh_from_db()
    notice.refresh_from_db()
    assert pairing.status == "notice_cleared" and notice.status == "closed"
    assert RegistrationSubmission.objects.get().pairings.get() == pairing


def test_a_send_date_before_the_submission_was_prepared_is_refused(world):
    submission = prepare(world, "renhua_st", [county_pairing(world)], "city")
    with pytest.raises(ValidationError) as error:
        services.submission_send(actor=world["renhua_st"], submission=submission, sent_on=dt.date(2000, 1, 1))
    assert "报送日期不能早于报送材料的拟定日期" in error.value.message_dict["sent_on"][0]
    submission.refresh_from_db()
    assert submission.status == "draft"
