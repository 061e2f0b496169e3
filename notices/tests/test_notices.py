"""Public notices: working-day periods, objections, upholding and replacement, closing, public pages, scope."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.utils import timezone

from core.china import SHANGHAI
from core.models import SensitiveAccess
from matching.models import Pairing
from notices.models import Objection, PublicNotice
from notices.services import (
    notice_publish, notice_refresh, notices_close_due, objection_file, objection_handle, replacement_propose,
)


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_the_period_counts_working_days_across_national_day_and_make_up_days(published):
    # 2024-09-27 Fri; 09-29 (Sun) is a make-up working day; 10-01..10-07 holiday; 10-12 (Sat) make-up.
    assert published.first_day == dt.date(2024, 9, 27)
    assert published.last_day == dt.date(2024, 10, 9)
    assert published.ends_at == at(2024, 10, 9, 23, 59, 59)
    assert not published.uses_fallback_calendar


def test_spring_festival_and_an_uncovered_year(world, proposed):
    notice = notice_publish(actor=world["city_st"], cycle=world.cycle, pairings=[proposed["city"]], title="市级公示",
                            start_date=dt.date(2025, 1, 27), contact="市科技局", today=dt.date(2025, 1, 27))
    # 2025-01-26 (Sun) is a make-up day before; 01-28..02-04 holiday; 02-08 (Sat) is a make-up working day.
    assert (notice.first_day, notice.last_day) == (dt.date(2025, 1, 27), dt.date(2025, 2, 8))
    later = Pairing.objects.create(cycle=world.cycle, town=world.nanxiong_city_town, team=proposed["spare"],
                                   organizer_level="city", status="proposed")
    future = notice_publish(actor=world["city_st"], cycle=world.cycle, pairings=[later], title="未来公示",
                            start_date=dt.date(2031, 3, 7), contact="市科技局")
    assert future.uses_fallback_calendar and future.last_day == dt.date(2031, 3, 13)


def test_publishing_moves_pairings_on_notice_and_lists_them(published, proposed):
    pairing = Pairing.objects.get(pk=proposed["county"].pk)
    assert pairing.status == "on_notice" and pairing.notice_started_at
    entry = published.entries.get()
    assert (entry.team_name, entry.town_label, entry.county_name) == ("柑橘团队", "董塘镇", "仁化县")
    assert "5个工作日" in published.body and "2024年10月9日" in published.body


def test_a_backdated_notice_is_refused_with_the_field_named(world, proposed):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="补登公示",
                       start_date=yesterday, contact="县科技局")
    assert "start_date" in refused.value.message_dict
    assert "不能早于今天" in refused.value.message_dict["start_date"][0]
    assert not PublicNotice.objects.exists()
    assert Pairing.objects.get(pk=proposed["county"].pk).status == "proposed"


def test_a_period_shorter_than_the_cycles_is_refused(world, proposed):
    with pytest.raises(ValidationError) as refused:
        notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="短公示",
                       start_date=timezone.localdate(), contact="县科技局", working_days=3)
    assert "不得少于本周期规定的5个工作日" in refused.value.message_dict["working_days"][0]
    assert not PublicNotice.objects.exists()


def test_publishing_tells_the_town_its_county_and_the_team(world, proposed):
    from accounts.models import Notification

    notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="公示",
                   start_date=timezone.localdate(), contact="县科技局")
    told = set(Notification.objects.filter(title__startswith="结对公示中").values_list("recipient__username", flat=True))
    assert {"renhua_county_town", "renhua_st", "renhua_rural"} <= told
    assert "nanxiong_st" not in told and "renhua_city_town" not in told
    link = Notification.objects.filter(recipient__username="renhua_county_town").latest("pk").link
    assert link == proposed["county"].get_absolute_url()


def test_only_the_organizer_publishes_its_own_pairings(world, proposed):
    with pytest.raises(ValidationError):
        notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["city"]], title="x",
                       start_date=dt.date(2025, 1, 6), contact="x", today=dt.date(2025, 1, 6))
    with pytest.raises(PermissionDenied):
        notice_publish(actor=world["renhua_rural"], cycle=world.cycle, pairings=[proposed["county"]], title="x",
                       start_date=dt.date(2025, 1, 6), contact="x", today=dt.date(2025, 1, 6))


def test_an_objection_during_the_period_gets_a_receipt(published):
    entry = published.entries.get()
    objection = objection_file(notice=published, entry=entry, name="张三", phone="13800138000", grounds="该团队负责人已调离",
                               ip="1.2.3.4", now=at(2024, 10, 8, 10))
    assert objection.receipt_number.startswith("YY") and objection.status == "received"


@pytest.mark.parametrize("now,message", [
    (at(2024, 10, 10, 0, 0, 1), "公示期已于2024年10月9日 24时结束"),
    (at(2024, 9, 26, 9), "尚不能提交异议"),
])
def test_late_and_early_objections_are_refused_with_the_reason(published, now, message):
    with pytest.raises(ValidationError) as error:
        objection_file(notice=published, entry=published.entries.get(), name="张三", phone="13800138000",
                       grounds="理由", now=now)
    assert message in error.value.messages[0]


def test_no_grounds_bad_phone_and_a_fake_file_are_refused(published):
    entry = published.entries.get()
    with pytest.raises(ValidationError) as error:
        objection_file(notice=published, entry=entry, name="张三", phone="123", grounds=" ", now=at(2024, 10, 8))
    assert {"grounds", "phone"} <= set(error.value.message_dict)
    fake = SimpleUploadedFile("证据.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    with pytest.raises(ValidationError):
        objection_file(notice=published, entry=entry, name="张三", phone="13800138000", grounds="理由", evidence=fake,
                       now=at(2024, 10, 8))
    assert not Objection.objects.exists()


def test_a_flood_from_one_address_is_stopped(published):
    entry = published.entries.get()
    for _ in range(5):
        objection_file(notice=published, entry=entry, name="张三", phone="13800138000", grounds="理由", ip="9.9.9.9",
                       now=at(2024, 10, 8))
    with pytest.raises(ValidationError) as error:
        objection_file(notice=published, entry=entry, name="张三", phone="13800138000", grounds="理由", ip="9.9.9.9",
                       now=at(2024, 10, 8))
    assert "过于频繁" in error.value.messages[0]
    assert Objection.objects.count() == 5


def test_upholding_removes_the_team_and_the_replacement_goes_on_a_new_notice(world, published, proposed):
    entry = published.entries.get()
    objection = objection_file(notice=published, entry=entry, name="张三", phone="13800138000", grounds="弄虚作假",
                               now=at(2024, 10, 8))
    with pytest.raises(PermissionDenied):
        objection_handle(actor=world["nanxiong_st"], objection=objection, action="uphold", finding="x")
    with pytest.raises(ValidationError):
        objection_handle(actor=world["renhua_st"], objection=objection, action="uphold", finding="")
    objection_handle(actor=world["renhua_st"], objection=objection, action="investigate")
    objection_handle(actor=world["renhua_st"], objection=objection, action="uphold", finding="经核实，申报材料不实")
    old = Pairing.objects.get(pk=proposed["county"].pk)
    assert old.status == "withdrawn" and old.get_status_display() == "已撤销" and "申报材料不实" in old.end_reason
    entry.refresh_from_db()
    assert entry.outcome == "removed"
    with pytest.raises(ValidationError):
        replacement_propose(actor=world["renhua_st"], pairing=old, team_id=world.team.pk)
    new = replacement_propose(actor=world["renhua_st"], pairing=old, team_id=proposed["spare"].pk)
    assert (new.status, new.town, new.replaces) == ("proposed", world.renhua_county_town, old)
    old.refresh_from_db()
    assert old.status == "replaced" and "申报材料不实" in old.end_reason  # 已更换 now that a team took its place
    with pytest.raises(ValidationError):  # a second click finds it already filled
        replacement_propose(actor=world["renhua_st"], pairing=old, team_id=proposed["spare"].pk)
    second = notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[new], title="递补公示",
                            start_date=dt.date(2024, 10, 14), contact="县科技局", today=dt.date(2024, 10, 14))
    assert [e.team_name for e in second.entries.all()] == ["备选柑橘团队"]


def test_the_notice_closes_after_the_period_only_when_no_objection_is_open(world, published, proposed):
    entry = published.entries.get()
    objection = objection_file(notice=published, entry=entry, name="张三", phone="13800138000", grounds="理由",
                               now=at(2024, 10, 8))
    assert notice_refresh(published, now=at(2024, 10, 9, 23)).status == "published"
    assert notice_refresh(published, now=at(2024, 10, 10, 9)).status == "awaiting"
    objection_handle(actor=world["renhua_st"], objection=objection, action="dismiss", finding="反映情况不属实")
    published.refresh_from_db()
    assert published.status == "closed"
    entry.refresh_from_db()
    assert entry.outcome == "cleared"
    assert Pairing.objects.get(pk=proposed["county"].pk).status == "notice_cleared"


def test_the_scheduled_command_closes_due_notices_and_can_run_again(published, proposed):
    call_command("run_scheduled", only=["close_due_notices"])
    call_command("run_scheduled", only=["close_due_notices"])
    assert PublicNotice.objects.get().status == "closed"
    assert Pairing.objects.get(pk=proposed["county"].pk).status == "notice_cleared"
    assert notices_close_due() == 0


def test_the_public_pages_work_without_login_and_escape_script(world, client, proposed):
    import datetime as dt

    from django.utils import timezone

    from core.china import is_working_day

    # Published on the latest working day (a notice's period begins on a working day; on a weekend "today" is not one).
    day = timezone.localdate()
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    notice = notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="公示",
                            start_date=day, contact="县科技局", today=day)
    assert "公示" in client.get("/public/notices/").content.decode()
    page = client.get(notice.get_public_url()).content.decode()
    assert "柑橘团队" in page and "提交异议" in page and "captcha" in page
    objection_file(notice=notice, entry=notice.entries.get(), name="<script>alert(1)</script>", phone="13800138000",
                   grounds="<script>alert('x')</script>")
    objection = Objection.objects.get()
    response = client.post("/public/objections/receipt/", {"receipt_number": objection.receipt_number,
                                                            "phone": "13800138000"})
    assert "已受理" in response.content.decode()
    assert "<script>" not in login_page(world, objection)


def login_page(world, objection):
    from django.test import Client

    client = Client()
    client.force_login(world["renhua_st"])
    return client.get(objection.get_absolute_url()).content.decode()


def test_the_public_form_needs_the_captcha(world, client, proposed):
    from django.utils import timezone

    notice = notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="公示",
                            start_date=timezone.localdate(), contact="县科技局")
    response = client.post(notice.get_public_url(), {"entry": notice.entries.get().pk, "name": "张三",
                                                      "phone": "13800138000", "grounds": "理由",
                                                      "captcha_0": "x", "captcha_1": "wrong"})
    assert "验证码不正确" in response.content.decode()
    assert not Objection.objects.exists()


def test_objector_details_are_masked_except_for_the_handling_officials(world, published, login, assert_denied):
    objection = objection_file(notice=published, entry=published.entries.get(), name="张三丰", phone="13800138000",
                               grounds="理由", now=at(2024, 10, 8))
    url = objection.get_absolute_url()
    city_page = login("city_st").get(url).content.decode()
    assert "张**" in city_page and "138****8000" in city_page and "13800138000" not in city_page
    county_page = login("renhua_st").get(url).content.decode()
    assert "13800138000" in county_page
    assert SensitiveAccess.objects.filter(user=world["renhua_st"], field="name,phone").count() == 1
    assert_denied(url, allowed=["province", "city_st", "city_rural", "renhua_st", "renhua_rural"])
    assert_denied(published.get_absolute_url(), allowed=["province", "city_st", "city_rural", "renhua_st", "renhua_rural"])


def test_the_official_pages_publish_and_handle(world, proposed, login):
    client = login("renhua_st")
    response = client.post("/notices/new/", {"pairings": [proposed["county"].pk], "title": "仁化县公示", "doc_number": "",
                                             "start_date": timezone.localdate().isoformat(), "working_days": 5,
                                             "contact": "县科技局", "body": ""})
    assert response.status_code == 302
    notice = PublicNotice.objects.get()
    shown = [str(m) for m in get_messages(client.get(response.url).wsgi_request)]
    assert shown == ["公示草稿已保存（尚未公开）。请核对名单和公示期，确认无误后点击“发布公示”。"]  # one message, not two
    # A draft: not public, pairings still proposed, until the organizer publishes it.
    assert notice.status == "draft" and Pairing.objects.get(pk=proposed["county"].pk).status == "proposed"
    assert client.get(f"/public/notices/{notice.pk}/").status_code == 404
    assert client.get(f"/public/notices/{notice.pk}/notice.pdf").status_code == 404
    assert login("nanxiong_st").post(f"/notices/{notice.pk}/act/publish/").status_code == 404
    assert PublicNotice.objects.get().status == "draft"
    client = login("renhua_st")
    assert client.post(f"/notices/{notice.pk}/act/publish/", {"comment": ""}).status_code == 302
    notice = PublicNotice.objects.get()
    assert notice.status == "published" and Pairing.objects.get(pk=proposed["county"].pk).status == "on_notice"
    assert login("nanxiong_st").get(notice.get_absolute_url()).status_code == 404
    first = notice.first_day
    objection = objection_file(notice=notice, entry=notice.entries.get(), name="张三", phone="13800138000",
                               grounds="理由", now=at(first.year, first.month, first.day, 10))
    client = login("renhua_st")
    client.post(f"/notices/objections/{objection.pk}/act/uphold/", {"comment": "经核实，反映情况属实"})
    assert Objection.objects.get().status == "upheld"
    client.post(f"/notices/pairings/{proposed['county'].pk}/replace/", {"team": proposed["spare"].pk})
    assert Pairing.objects.filter(status="proposed", team=proposed["spare"]).exists()


def test_the_notice_prints_as_a_pdf_without_login(client, published):
    response = client.get(f"/public/notices/{published.pk}/notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# ---------------------------------------------------------------- reading never writes: the effective status


def _writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_due_notice_reads_as_closed_and_only_the_scheduled_job_closes_it(world, client, published, proposed, login):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.models import Transition

    # The period ended on 2024-10-09; the scheduled job has not run yet.
    assert published.status == "published" and published.effective_status() == "closed"
    assert published.effective_status(now=at(2024, 10, 9, 23)) == "published"
    assert not published.open_for_objections()
    transitions = Transition.objects.count()  # publishing's own ("on notice")
    with CaptureQueriesContext(connection) as public_reads:
        listing = client.get("/public/notices/").content.decode()
        page = client.get(published.get_public_url()).content.decode()
    current, past = listing.split("往期公示与结果")
    assert published.title not in current and published.title in past and "已结束" in past
    assert "公示期已结束，不再受理异议" in page and 'data-testid="file-objection"' not in page
    assert 'data-testid="result"' in page and "柑橘团队" in page.split('data-testid="result"')[1]
    staff = login("renhua_st")
    with CaptureQueriesContext(connection) as official_reads:
        assert "已结束" in staff.get(published.get_absolute_url()).content.decode()
        assert "公示无异议" in staff.get(published.get_absolute_url()).content.decode()
        assert published.title in staff.get("/notices/?status=closed").content.decode()
        assert published.title not in staff.get("/notices/?status=published").content.decode()
    assert _writes(public_reads.captured_queries) == [] and _writes(official_reads.captured_queries) == []
    published.refresh_from_db()
    assert (published.status, published.closed_at) == ("published", None)
    assert Transition.objects.count() == transitions
    assert Pairing.objects.get(pk=proposed["county"].pk).status == "on_notice"

    # A late objection (a POST) is still refused.
    client.post(published.get_public_url(), {"entry": published.entries.get().pk, "name": "张三",
                                             "phone": "13800138000", "grounds": "理由"})
    assert not Objection.objects.exists()

    # The scheduled job records the closing, with its transitions.
    call_command("run_scheduled", only=["close_due_notices"])
    published.refresh_from_db()
    assert published.status == "closed" and published.closed_at is not None
    notice_type = ContentType.objects.get_for_model(PublicNotice)
    # The notice's steps: published on purpose (the organizer), then closed by the job.
    publish, close = Transition.objects.filter(content_type=notice_type, object_id=str(published.pk)).order_by("pk")
    assert (publish.from_state, publish.to_state) == ("draft", "published")
    assert (close.action, close.from_state, close.to_state) == ("close", "published", "closed")
    clear = Transition.objects.get(content_type=ContentType.objects.get_for_model(Pairing), action="clear")
    assert clear.object_id == str(proposed["county"].pk)
    assert Pairing.objects.get(pk=proposed["county"].pk).status == "notice_cleared"
    assert published.entries.get().outcome == "cleared"
    page = client.get(published.get_public_url()).content.decode()
    assert "柑橘团队" in page.split('data-testid="result"')[1]


def test_a_due_notice_with_an_open_objection_reads_as_awaiting_until_the_job_records_it(world, client, published):
    from core.models import Transition

    objection_file(notice=published, entry=published.entries.get(), name="张三", phone="13800138000", grounds="理由",
                   now=at(2024, 10, 8))
    published.refresh_from_db()
    assert published.status == "published" and published.effective_status() == "awaiting"
    page = client.get(published.get_public_url()).content.decode()
    assert "正在核实已受理的异议" in page and 'data-testid="result"' not in page
    assert "期满待处理异议" in client.get("/public/notices/").content.decode()
    published.refresh_from_db()
    assert published.status == "published" and not Transition.objects.filter(action="expire").exists()
    assert notices_close_due() == 0
    published.refresh_from_db()
    assert published.status == "awaiting"
    assert Transition.objects.filter(action="expire", object_id=str(published.pk)).count() == 1


def test_a_pairing_reads_as_cleared_once_its_notice_period_ended_and_only_the_job_records_it(world, proposed, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matching.selectors import effective_status

    start = timezone.localdate() - dt.timedelta(days=30)
    notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="公示",
                   start_date=start, contact="县科技局", today=start)
    pairing = Pairing.objects.get(pk=proposed["county"].pk)
    assert pairing.status == "on_notice" and effective_status(pairing) == "notice_cleared"
    client = login("renhua_st")
    with CaptureQueriesContext(connection) as queries:
        detail = client.get(pairing.get_absolute_url()).content.decode()
        listing = client.get("/matching/pairings/?status=notice_cleared").content.decode()
    assert "公示无异议" in detail and "董塘镇" in listing
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                and "django_session" not in q["sql"]]
    assert Pairing.objects.get(pk=pairing.pk).status == "on_notice"
    call_command("run_scheduled", only=["close_due_notices"])
    assert Pairing.objects.get(pk=pairing.pk).status == "notice_cleared"


def test_an_open_objection_keeps_the_pairing_on_notice_after_the_period(world, proposed):
    from matching.selectors import effective_status

    start = timezone.localdate() - dt.timedelta(days=30)
    notice = notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="公示",
                            start_date=start, contact="县科技局", today=start)
    objection_file(notice=notice, entry=notice.entries.get(), name="张三", phone="13800138000", grounds="理由",
                   now=at(notice.first_day.year, notice.first_day.month, notice.first_day.day, 10))
    assert effective_status(Pairing.objects.get(pk=proposed["county"].pk)) == "on_notice"


def test_a_draft_shows_its_text_to_read_over_and_its_list_as_not_yet_public(world, proposed, login):
    from notices.services import notice_prepare

    draft = notice_prepare(actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="仁化县公示",
                           start_date=timezone.localdate(), contact="县科技局 0751-6381234")
    page = login("renhua_st").get(draft.get_absolute_url()).content.decode()
    assert 'data-testid="draft-body"' in page and "公示期" in page and "待发布" in page
    assert 'data-testid="action-publish"' in page


def test_the_public_list_of_a_notice_reads_as_cards_on_a_phone(client, published):
    page = client.get(published.get_public_url()).content.decode()
    assert 'data-testid="public-entry-cards"' in page and "董塘镇（仁化县）" in page


def test_the_pairing_page_says_withdrawn_until_a_replacement_and_then_links_both(world, published, proposed, login):
    entry = published.entries.get()
    objection = objection_file(notice=published, entry=entry, name="张三", phone="13800138000", grounds="弄虚作假",
                               now=at(2024, 10, 8))
    objection_handle(actor=world["renhua_st"], objection=objection, action="investigate")
    objection_handle(actor=world["renhua_st"], objection=objection, action="uphold", finding="经核实，申报材料不实")
    old = Pairing.objects.get(pk=proposed["county"].pk)
    client = login("renhua_st")
    page = client.get(old.get_absolute_url()).content.decode()
    assert 'data-testid="withdrawn"' in page and "已撤销" in page and "尚未确定递补团队" in page
    assert published.get_absolute_url() in page and "已更换" not in page
    new = replacement_propose(actor=world["renhua_st"], pairing=old, team_id=proposed["spare"].pk)
    page = client.get(old.get_absolute_url()).content.decode()
    assert 'data-testid="withdrawn"' not in page and "已更换" in page
    assert 'data-testid="replacement"' in page and new.get_absolute_url() in page
    page = client.get(new.get_absolute_url()).content.decode()
    assert 'data-testid="replaces"' in page and old.get_absolute_url() in page and "申报材料不实" in page


def test_the_receipt_look_up_stops_guessing_the_phone_and_logs_the_public_evidence_download(world, client, published):
    from django.core.cache import cache

    cache.clear()
    evidence = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    objection = objection_file(notice=published, entry=published.entries.get(), name="张三", phone="13800138000",
                               grounds="理由", evidence=evidence, now=at(2024, 10, 8))
    for guess in range(5):  # five wrong phones for this receipt number
        page = client.post("/public/objections/receipt/", {"receipt_number": objection.receipt_number,
                                                            "phone": "1380013%04d" % guess}).content.decode()
        assert "未找到该回执号" in page
    # The sixth try is refused without being checked, even with the right phone, and so is the evidence.
    page = client.post("/public/objections/receipt/", {"receipt_number": objection.receipt_number,
                                                        "phone": "13800138000"}).content.decode()
    assert "查询失败次数过多" in page and 'data-testid="outcome"' not in page
    assert client.post("/public/objections/receipt/evidence/", {"receipt_number": objection.receipt_number,
                                                                 "phone": "13800138000"}).status_code == 404
    cache.clear()
    response = client.post("/public/objections/receipt/evidence/", {"receipt_number": objection.receipt_number,
                                                                      "phone": "13800138000"})
    assert response.status_code == 200
    logged = SensitiveAccess.objects.get(object_id=str(objection.pk), field="evidence")
    assert logged.user is None and "凭回执号" in logged.purpose


def test_a_county_reading_the_citys_notice_sees_neither_its_objections_nor_their_count_nor_its_drafts(world, proposed,
                                                                                                    login):
    from notices.services import notice_prepare

    draft = notice_prepare(actor=world["city_st"], cycle=world.cycle, pairings=[proposed["city"]], title="市级公示",
                           start_date=timezone.localdate(), contact="市科技局")
    assert login("renhua_st").get(draft.get_absolute_url()).status_code == 404  # the city's draft is its own
    from notices.services import notice_release

    notice = notice_release(actor=world["city_st"], notice=draft)
    first = notice.first_day
    objection_file(notice=notice, entry=notice.entries.get(), name="李四", phone="13900139000", grounds="理由",
                   now=at(first.year, first.month, first.day, 10))
    receipt = Objection.objects.get().receipt_number
    county = login("renhua_st")
    page = county.get(notice.get_absolute_url()).content.decode()
    assert receipt not in page and "异议（0）" in page
    listing = county.get("/notices/")
    row = next(r for r in listing.context["table"].rows if r.record.pk == notice.pk)
    assert row.record.objection_count == 0
    city = login("city_st")
    assert receipt in city.get(notice.get_absolute_url()).content.decode()
    assert next(r for r in city.get("/notices/").context["table"].rows if r.record.pk == notice.pk).record.objection_count == 1


def test_a_finding_is_the_organizers_and_says_something(world, published):
    objection = objection_file(notice=published, entry=published.entries.get(), name="张三", phone="13800138000",
                               grounds="理由", now=at(2024, 10, 8))
    objection_handle(actor=world["renhua_st"], objection=objection, action="investigate")
    with pytest.raises(PermissionDenied) as error:
        objection_handle(actor=world["admin"], objection=objection, action="dismiss", finding="经核实，反映情况不属实")
    assert "由公示单位作出" in str(error.value)
    with pytest.raises(ValidationError) as error:
        objection_handle(actor=world["renhua_st"], objection=objection, action="dismiss", finding="x")
    assert "不少于6个字" in error.value.message_dict["comment"][0]
    objection.refresh_from_db()
    assert objection.status == "investigating" and objection.finding == ""


def test_the_public_list_pages_the_past_notices(world, client):
    """Twenty past notices a page; those in their period are all on the first."""
    import datetime as dt
    import re

    from django.utils import timezone

    from notices.models import PublicNotice

    day = dt.date(2024, 1, 2)
    PublicNotice.objects.bulk_create([PublicNotice(
        cycle=world.cycle, organizer_level="city", city=world.city, issuer="韶关市科学技术局", title="往期公示%02d" % n,
        working_days=5, start_date=day, first_day=day, last_day=day, ends_at=timezone.now() - dt.timedelta(days=n + 1),
        status="closed", closed_at=timezone.now() - dt.timedelta(days=n)) for n in range(25)])
    first = client.get("/public/notices/").content.decode()
    second = client.get("/public/notices/?page=2").content.decode()
    assert len(re.findall(r"往期公示\d\d", first)) == 20 and "第 1 / 2 页" in first
    assert len(re.findall(r"往期公示\d\d", second)) == 5 and "第 2 / 2 页" in second
    assert client.get("/public/notices/?page=abc").status_code == 200
