"""Adjustment and replacement in the browser (issue 19): the monitor's flags and the work team's report are the
evidence; the county opens a case, the team's leader answers on a phone, the county decides a replacement with the
round's alternate, and the new team goes through a new public notice and registration — the town is never without
exactly one live pairing, and the old team's days stay with it.

Screenshots go to ``screenshots/replace19/`` (ignored by git)."""
import datetime as dt

import pytest

from tests.e2e.conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT_DIR = SHOTS / "replace19"


def shot(page, name):
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT_DIR / f"{name}.png"), full_page=True)


def test_flags_case_answer_replacement_notice_and_registration(page_for, live_server, world):
    from django.utils import timezone

    from fieldwork import services as field
    from fieldwork.monitor import run as monitor_run
    from fieldwork.tests.factories import field_pairing, stay_values
    from matching.models import Pairing
    from notices.services import notices_close_due
    from replacements.models import Case, PairingFigures
    from teams.models import Team

    today = timezone.localdate()
    pairing, people = field_pairing(world, registered=timezone.now() - dt.timedelta(days=120))
    alternate = Team.objects.create(cycle=world.cycle, name="柑橘栽培第二团队", lead_unit=world.other_unit,
                                    leader_name="李明")
    pairing.alternates = [{"team_id": alternate.pk, "team_name": alternate.name, "score": 0.74}]
    pairing.save(update_fields=["alternates"])
    stay = field.stay_save(actor=world["leader"], values=stay_values(
        people[0], today - dt.timedelta(days=100), today - dt.timedelta(days=91)))
    field.record_act(actor=world["renhua_county_town"], record=stay, action="confirm")
    # The evidence: the monitor flags the team (behind its pace, no activity), the work team reports it.
    monitor_run(today=today)
    field.flag_report(actor=world["renhua_county_town"], detail="多次通知未到镇开展工作，电话不接。")

    # 1. The county opens a case against the pairing, attaching the flags.
    county = page_for("renhua_st")
    county.goto(live_server.url + "/cases/new/?pairing=%d" % pairing.pk)
    county.check("input[name=cause][value=noncooperation]")
    county.fill("#id_summary", "团队近三个月未到镇开展服务，驻镇工作队多次通知未果。")
    for box in county.locator("input[name=flags]").all():
        box.check()
    shot(county, "1-open-case")
    county.locator("[data-testid=case-form] button[type=submit]").click()
    county.wait_for_url("**/cases/*/")
    case = Case.objects.get()
    assert case.status == "open" and case.flags.count() >= 2
    assert case.evidence["days"]["counted"] == 10

    # 2. The team's leader answers on a phone.
    leader = page_for("leader", width=390, height=844)
    leader.goto(live_server.url + case.get_absolute_url())
    leader.fill("#id_answer", "因汛期道路中断未能到镇，已安排成员下周驻镇。")
    leader.locator("[data-testid=answer-form] button[type=submit]").click()
    leader.wait_for_selector("[data-testid=answer]")
    shot(leader, "2-answered-390")
    case.refresh_from_db()
    assert case.status == "answered"

    # 3. The county decides a replacement with the round's alternate.
    county.goto(live_server.url + "/cases/%d/decide/" % case.pk)
    county.check("input[name=decision][value=replacement]")
    county.fill("#id_reason", "经核实，团队长期未到岗，不配合驻镇工作队安排。")
    county.fill("#id_doc_number", "仁科〔%d〕9号" % today.year)
    county.fill("#id_end_date", today.isoformat())
    county.check("input[name=new_team][value='%d']" % alternate.pk)
    shot(county, "3-decide")
    county.locator("[data-testid=decide-submit]").click()
    county.wait_for_selector("[data-testid=replacement-outcome]")
    shot(county, "4-decided")
    pairing.refresh_from_db()
    new = Pairing.objects.get(town=pairing.town, status="proposed")
    assert pairing.status == "replaced" and pairing.ended_on == today and new.team == alternate
    assert PairingFigures.objects.get(pairing=pairing).stationed_days == 10
    # The decision in official layout.
    with county.expect_download() as download:
        county.click("[data-testid=decision-docx]")
    assert download.value.suggested_filename.endswith(".docx")

    # 4. The new team goes on a new public notice, then registration.
    county.goto(live_server.url + "/notices/new/")
    assert county.locator("input[name=pairings]").count() == 1
    county.locator("input[name=pairings]").check()
    county.fill("#id_title", "仁化县农村科技特派员团队调整更换公示")
    county.fill("#id_start_date", today.isoformat())
    county.fill("#id_contact", "仁化县科学技术局 0751-6381234")
    county.click("button[type=submit]")
    county.wait_for_url("**/notices/*/")
    county.click("[data-testid=action-publish]")
    county.click("[data-testid=confirm-publish]")
    county.wait_for_url("**/notices/*/")
    notices_close_due(now=timezone.now() + dt.timedelta(days=30))
    new.refresh_from_db()
    assert new.status == "notice_cleared"
    for recipient in ("city", "province"):
        county.goto(live_server.url + "/registrations/new/")
        county.select_option("#id_recipient", recipient)
        for box in county.locator("input[name=pairings]").all():
            box.check()
        county.fill("#id_doc_number", "仁科〔%d〕1%d号" % (today.year, 1 if recipient == "city" else 2))
        county.click("button[type=submit]")
        county.wait_for_url("**/registrations/*/")
        county.locator("[data-testid=act-send] button").click()
        county.wait_for_selector("text=已报送")
        receiver = page_for("city_st" if recipient == "city" else "province")
        receiver.goto(county.url)
        receiver.fill("#confirmed_on", today.isoformat())
        receiver.fill("#reference_number", "备〔%d〕%d号" % (today.year, 8 if recipient == "city" else 31))
        receiver.locator("[data-testid=act-confirm] button").click()
        receiver.wait_for_selector("text=已确认")
    new.refresh_from_db()
    assert new.status == "active" and new.replaces_id == pairing.pk
    # One team a day: the new team starts the day after the old team's last day.
    assert new.active_from == today + dt.timedelta(days=1)
    assert Pairing.objects.filter(town=pairing.town, status__in=("proposed", "on_notice", "notice_cleared",
                                                                 "registered", "active")).count() == 1
    # The town's story tells it.
    county.goto(live_server.url + "/story/town/%d/" % pairing.town_id)
    text = county.inner_text("main")
    assert "调整更换决定" in text and "柑橘栽培第二团队" in text
    shot(county, "5-town-story")
