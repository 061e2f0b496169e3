"""From finalized pairings to registered: notice, an upheld objection and its replacement, closing, registration."""
import datetime as dt

import pytest

from tests.e2e.conftest import shot
from portal.testing import CYCLE_YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finalized_pairings_go_through_notice_objection_replacement_and_registration(browser, page_for, live_server, world):
    from captcha.models import CaptchaStore
    from django.utils import timezone

    from matching import services as selection
    from matching.models import Pairing
    from matching.testing import build_selection
    from notices.models import Objection
    from notices.services import notices_close_due

    data = build_selection(world)
    selection_round = selection.round_open(actor=world["renhua_st"], call=data.call)
    run = selection.run_execute(selection.run_create(actor=world["renhua_st"], selection_round=selection_round))
    selection.meeting_record(actor=world["renhua_st"], selection_round=selection_round, meeting_date=dt.date(CYCLE_YEAR, 2, 10),
                             participants="县科技局、专家")
    selection.finalize(actor=world["renhua_st"], selection_round=selection_round, run=run)
    dongtang = Pairing.objects.get(town__name="董塘镇")
    assert dongtang.team.name == "柑橘团队"

    # 1. The county publishes the notice of its three proposed pairings.
    page = page_for("renhua_st")
    page.goto(live_server.url + "/notices/new/")
    for box in page.locator("input[name=pairings]").all():
        box.check()
    page.fill("#id_start_date", timezone.localdate().isoformat())
    page.fill("#id_contact", "仁化县科学技术局农村科技股 0751-6381234")
    page.click("button[type=submit]")
    page.wait_for_url("**/notices/*/")
    # A draft first: nothing is public until the organizer publishes it on purpose.
    assert page.locator("[data-testid=draft]").is_visible()
    assert set(Pairing.objects.values_list("status", flat=True)) == {"proposed"}
    shot(page, "notice-draft")
    page.click("[data-testid=action-publish]")
    page.click("[data-testid=confirm-publish]")
    page.wait_for_url("**/notices/*/")
    assert set(Pairing.objects.values_list("status", flat=True)) == {"on_notice"}
    # On a weekend or a holiday the period begins on the next working day: the test's clock stands on the latest
    # working day instead, so the public may object now (the period's last day is left as published).
    from core.china import is_working_day
    from notices.models import PublicNotice

    day = timezone.localdate()
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    PublicNotice.objects.filter(first_day__gt=day).update(first_day=day)

    # 2. A member of the public objects on the public page (no login), with the local CAPTCHA.
    public = browser.new_page(viewport={"width": 390, "height": 844})
    public.goto(live_server.url + "/public/notices/")
    public.click("[data-testid=current] a")
    public.select_option("#id_entry", label="柑橘团队（仁化县董塘镇）")
    public.fill("#id_name", "李四")
    public.fill("#id_phone", "13900139000")
    public.fill("#id_grounds", "该团队负责人已调往外省工作，无法驻镇。")
    public.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=public.input_value("input[name=captcha_0]")).response)
    public.click("[data-testid=file-objection]")
    receipt = public.inner_text("[data-testid=receipt]")
    assert "受理回执号" in receipt
    shot(public, "objection-filed-phone")

    # 3. The county upholds it, and fills the town from the round's alternates.
    objection = Objection.objects.get()
    page.goto(live_server.url + objection.get_absolute_url())
    assert "13900139000" in page.inner_text("[data-testid=objector]")
    page.click("[data-testid=action-uphold]")
    page.fill("#comment-uphold", "经核实，团队负责人已调离，异议成立。")
    page.click("[data-testid=confirm-uphold]")
    page.wait_for_selector("text=已认定异议成立")
    page.goto(live_server.url + objection.notice.get_absolute_url())
    page.select_option("[data-testid=replacement-team]", label="柑橘栽培第二团队（%.3f）" % next(
        alt["score"] for alt in Pairing.objects.get(pk=dongtang.pk).alternates if alt["team_name"] == "柑橘栽培第二团队"))
    page.click("[data-testid=replace]")
    page.wait_for_selector("text=已确定董塘镇的递补团队")
    shot(page, "notice-replacement")
    replacement = Pairing.objects.get(town__name="董塘镇", status="proposed")
    assert replacement.team.name == "柑橘栽培第二团队" and Pairing.objects.get(pk=dongtang.pk).status == "replaced"

    # 4. Only the replacement goes on a new notice.
    page.goto(live_server.url + "/notices/new/")
    assert page.locator("input[name=pairings]").count() == 1
    page.locator("input[name=pairings]").check()
    page.fill("#id_title", "仁化县农村科技特派员团队递补名单公示")
    page.fill("#id_start_date", timezone.localdate().isoformat())
    page.fill("#id_contact", "仁化县科学技术局 0751-6381234")
    page.click("button[type=submit]")
    page.wait_for_url("**/notices/*/")
    page.click("[data-testid=action-publish]")
    page.click("[data-testid=confirm-publish]")
    page.wait_for_url("**/notices/*/")

    # 5. The periods end (the scheduled job runs after them): every remaining pairing is 公示无异议.
    notices_close_due(now=timezone.now() + dt.timedelta(days=30))
    assert set(Pairing.objects.exclude(pk=dongtang.pk).values_list("status", flat=True)) == {"notice_cleared"}

    # 6. Registration: to the city and to the province, each confirmed in the platform with its own account.
    for recipient in ("city", "province"):
        page.goto(live_server.url + "/registrations/new/")
        page.select_option("#id_recipient", recipient)
        for box in page.locator("input[name=pairings]").all():
            box.check()
        page.fill("#id_doc_number", "仁科〔2025〕2%d号" % (1 if recipient == "city" else 2))
        page.click("button[type=submit]")
        page.wait_for_url("**/registrations/*/")
        page.locator("[data-testid=act-send] button").click()
        page.wait_for_selector("text=已报送")
        receiver = page_for("city_st" if recipient == "city" else "province")
        receiver.goto(page.url)
        receiver.fill("#confirmed_on", timezone.localdate().isoformat())
        receiver.fill("#reference_number", "韶科备〔2025〕8号" if recipient == "city" else "粤科备〔2025〕31号")
        receiver.locator("[data-testid=act-confirm] button").click()
        receiver.wait_for_selector("text=已确认")
    shot(page, "registration-confirmed")
    statuses = dict(Pairing.objects.values_list("town__name", "status").exclude(pk=dongtang.pk))
    assert statuses == {"董塘镇": "active", "红山镇": "active", "石塘镇": "active"}
    page.goto(live_server.url + "/registrations/dashboard/")
    shot(page, "deadline-dashboard")
    assert "仁化县" in page.inner_text("main")
