"""An official runs a selection round, locks a pair, re-runs and finalizes."""

import pytest

from tests.e2e.conftest import shot
from portal.testing import CYCLE_YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_runs_locks_reruns_and_finalizes(page_for, live_server, world):
    from matching.models import Pairing, SelectionRound
    from matching.testing import build_selection

    selection = build_selection(world)
    page = page_for("renhua_st")
    page.goto(live_server.url + "/matching/rounds/")
    page.click("[data-testid=open-round]")
    page.wait_for_url("**/matching/rounds/*/")
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=task-status] >> text=已完成")
    page.click("text=查看结果")
    proposal = page.locator("[data-testid=proposal]")
    assert "柑橘团队" in proposal.locator("tr[data-town='440224108'] [data-testid=assigned]").inner_text()
    shot(page, "round-first-run")

    second = selection.teams["柑橘栽培第二团队"]
    row = proposal.locator("tr[data-town='440224108']")
    row.locator(f"[data-testid=adjust-440224108-{second.pk}]").click()
    form = row.locator(f"form:has(input[name=team][value='{second.pk}'])").first
    form.locator("input[name=reason]").fill("遴选会议决定由第二团队帮扶")
    form.locator("[data-testid=lock]").click()
    page.wait_for_selector("text=已锁定")
    page.click("[data-testid=run]")
    page.wait_for_selector("[data-testid=task-status] >> text=已完成")
    page.click("text=查看结果")
    assigned = page.locator("tr[data-town='440224108'] [data-testid=assigned]").inner_text()
    assert "柑橘栽培第二团队" in assigned
    assert "已锁定" in page.locator("tr[data-town='440224108']").inner_text()

    page.fill("#id_meeting_date", f"{CYCLE_YEAR}-02-10")
    page.fill("#id_meeting_participants", "县科技局、县乡村振兴局、评审专家3人")
    page.click("[data-testid=save-meeting]")
    page.wait_for_selector("text=已记录遴选会议")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=finalize]")
    page.wait_for_selector("text=遴选结果已确定")
    shot(page, "round-finalized")
    selection_round = SelectionRound.objects.get()
    assert selection_round.status == "finalized" and selection_round.runs.count() == 2
    pairs = dict(Pairing.objects.values_list("town__name", "team__name"))
    assert pairs["董塘镇"] == "柑橘栽培第二团队"
    assert len(pairs) == 3
