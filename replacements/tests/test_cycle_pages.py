"""The end of a cycle: the page shows the cycle's state and the open items in scope; the city S&T bureau ends the
pairings only after the last day (figures kept); a grant still open is stopped or settled from the page; the figures
list is scoped and exported. The grant settlement on the decide form is tested here too (it needs a funded pairing)."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cycles.models import Cycle
from matching.models import Pairing
from replacements.models import PairingFigures
from replacements.tests.factories import case_world, case_world_with_grant, let_deadline_pass, open_case

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def _end_cycle_yesterday(world):
    Cycle.objects.filter(pk=world.cycle.pk).update(end_date=timezone.localdate() - dt.timedelta(days=1))


def test_the_page_lists_the_open_items_in_scope(world, login):
    case_world(world)
    open_case(world)
    url = reverse("replacements:cycle_end") + "?cycle=%d" % world.cycle.pk
    page = html(login("renhua_st").get(url))
    assert 'data-testid="count-cases">1<' in page and 'data-testid="count-pairings">1<' in page
    assert 'data-testid="end-cycle"' not in page and "尚未届满" in page
    page = html(login("nanxiong_st").get(url))
    assert 'data-testid="count-cases">0<' in page and 'data-testid="count-pairings">0<' in page
    for name in ("renhua_county_town", "expert", "leader", "unit"):
        assert login(name).get(url).status_code == 403


def test_the_city_ends_the_pairings_only_after_the_last_day(world, login):
    cw = case_world(world)
    client = login("city_st")
    action = reverse("replacements:cycle_end_action", args=[world.cycle.pk])
    client.post(action)
    cw.pairing.refresh_from_db()
    assert cw.pairing.status == "active"  # not yet: the cycle runs on
    assert login("renhua_st").post(action).status_code == 403
    _end_cycle_yesterday(world)
    page = html(login("city_st").get(reverse("replacements:cycle_end") + "?cycle=%d" % world.cycle.pk))
    assert 'data-testid="end-cycle"' in page
    assert 'data-testid="end-cycle"' not in html(login("renhua_st").get(
        reverse("replacements:cycle_end") + "?cycle=%d" % world.cycle.pk))
    response = login("city_st").post(action)
    assert response.status_code == 302
    pairing = Pairing.objects.get(pk=cw.pairing.pk)
    cycle = Cycle.objects.get(pk=world.cycle.pk)
    assert pairing.status == "ended" and pairing.ended_on == cycle.end_date
    figures = PairingFigures.objects.get(pairing=pairing)
    assert figures.outcome == "ended" and figures.required_days == cycle.required_stationed_days


def test_the_figures_list_is_scoped_and_exported(world, login):
    case_world(world)
    _end_cycle_yesterday(world)
    login("city_st").post(reverse("replacements:cycle_end_action", args=[world.cycle.pk]))
    url = reverse("replacements:figures_list") + "?cycle=%d" % world.cycle.pk
    assert "柑橘团队" in html(login("renhua_st").get(url))
    assert "柑橘团队" in html(login("leader").get(url))
    assert "柑橘团队" not in html(login("nanxiong_st").get(url))
    assert "柑橘团队" not in html(login("other_leader").get(url))
    assert login("expert").get(url).status_code == 403
    sheet = load_workbook(io.BytesIO(login("renhua_st").get(url + "&export=xlsx").content)).active
    assert sheet.max_row == 2 and sheet[2][1].value == "柑橘团队"


def test_a_grant_is_settled_from_the_cycle_end_page(world, login):
    cw, grant = case_world_with_grant(world)
    url = reverse("replacements:cycle_end") + "?cycle=%d" % world.cycle.pk
    page = html(login("renhua_st").get(url))
    assert 'data-testid="grant-close-%d"' % grant.pk in page
    assert 'data-testid="grant-close-%d"' % grant.pk not in html(login("city_st").get(url))  # not its funder
    close = reverse("replacements:grant_close", args=[grant.pk])
    assert login("nanxiong_st").post(close, {"closure": "stopped", "reason": "x"}).status_code == 404
    assert login("leader").post(close, {"closure": "stopped", "reason": "x"}).status_code == 403
    client = login("renhua_st")
    response = client.post(close, {"closure": "settled", "amount": "99999999", "reason": "周期结束结算"}, follow=True)
    assert "结算金额应在已拨付金额" in html(response)
    grant.refresh_from_db()
    assert grant.closure == ""
    client.post(close, {"closure": "settled", "amount": "0", "reason": "周期结束结算"})
    grant.refresh_from_db()
    assert grant.closure == "settled" and grant.amount == 0


def test_the_decide_form_settles_the_old_teams_grants(world, login):
    cw, grant = case_world_with_grant(world)
    case = let_deadline_pass(open_case(world, pairing=cw.pairing))
    client = login("renhua_st")
    page = html(client.get(case.get_absolute_url()))
    assert 'name="settle-%d"' % grant.pk in page and "KTP-RH-1" in page
    data = {"decision": "replacement", "reason": "未开展帮扶。", "end_date": timezone.localdate().isoformat(),
            "new_team": str(cw.alternate.pk), "funding_action": "settled"}
    page = html(client.post(reverse("replacements:case_decide", args=[case.pk]), data))
    assert "请填写“KTP-RH-1”的结算金额。" in page
    cw.pairing.refresh_from_db()
    assert cw.pairing.status == "active"
    response = client.post(reverse("replacements:case_decide", args=[case.pk]), dict(data, **{
        "settle-%d" % grant.pk: "0"}))
    assert response.status_code == 302
    grant.refresh_from_db()
    case.refresh_from_db()
    assert grant.closure == "settled" and case.funding_action == "settled" and case.settled_amount == 0
