"""Annual reports in the browser (issue 20): the county writes its summary in the offline rich-text editor, submits it,
the city accepts it; script planted in a narrative (straight into the database, past the sanitizer) never runs on
the county's, the city's or the province's page.

Screenshots go to ``screenshots/reports20/`` (ignored by git)."""
import pytest

from tests.e2e.conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT_DIR = SHOTS / "reports20"
PLANTED = ('<p>成效<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script></p>'
           '<svg onload="window.__pwned=3"></svg><a href="javascript:window.__pwned=4">链接</a>'
           '<iframe srcdoc="<script>parent.__pwned=5</script>"></iframe>')


def shot(page, name):
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT_DIR / f"{name}.png"), full_page=True)


def test_county_writes_in_the_editor_city_accepts_and_planted_script_never_runs(page_for, live_server, world):
    from reports import services
    from reports.models import AnnualReport

    report = services.report_create(actor=world["renhua_st"], year=2024, level="county", county=world.renhua)

    # 1. The county types its summary in the editor: bold and a second paragraph, saved sanitized.
    county = page_for("renhua_st")
    county.goto(live_server.url + "/reports/%d/edit/" % report.pk)
    editor = county.locator(".ProseMirror >> visible=true").first
    editor.wait_for(state="visible")
    editor.click()
    county.keyboard.type("全年服务农户")
    county.keyboard.press("Control+b")
    county.keyboard.type("三千余户")
    county.keyboard.press("Control+b")
    county.keyboard.press("Enter")
    county.keyboard.type("示范推广贡柿新品种")
    shot(county, "1-editor")
    county.locator("[data-testid=report-form] button[type=submit]").click()
    county.wait_for_url("**/reports/%d/" % report.pk)
    report.refresh_from_db()
    assert "<strong>三千余户</strong>" in report.achievements
    assert "示范推广贡柿新品种" in report.achievements

    # 2. Script planted past the service, then the report goes up and the city reads it.
    AnnualReport.objects.filter(pk=report.pk).update(achievements=PLANTED, problems=PLANTED)
    report.refresh_from_db()
    dialogs = []
    for page in (county,):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    county.goto(live_server.url + "/reports/%d/" % report.pk)
    county.wait_for_load_state("networkidle")
    assert county.evaluate("window.__pwned") is None
    services.report_submit(actor=world["renhua_st"], report=report)
    report.refresh_from_db()
    assert "onerror" in report.problems  # the planted text is still in the row: only the page's rendering stands

    for username in ("city_st", "province"):
        page = page_for(username)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(live_server.url + "/reports/%d/" % report.pk)
        page.wait_for_load_state("networkidle")
        assert page.locator("text=成效").first.is_visible()
        assert page.evaluate("window.__pwned") is None, username
        html = page.content()
        assert "onerror" not in html and "<script>window.__pwned" not in html and "javascript:window" not in html
        shot(page, "2-%s" % username)
    assert dialogs == []

    # 3. The city accepts it on its page.
    city = page_for("city_st")
    city.goto(live_server.url + "/reports/%d/" % report.pk)
    city.locator("[data-testid=action-accept]").click()
    city.locator("[data-testid=confirm-accept]").click()
    city.wait_for_load_state("networkidle")
    city.locator("text=已接收（锁定）").first.wait_for()
    report.refresh_from_db()
    assert report.status == "accepted"
    shot(city, "3-accepted")

    # 4. The city's own report on a phone: the completeness table with its note forms scrolls inside its card, the
    # page itself never sideways (a visually-hidden label used to widen it).
    city_report = services.report_create(actor=world["city_st"], year=2024, level="city")
    city.set_viewport_size({"width": 390, "height": 800})
    city.goto(live_server.url + "/reports/%d/" % city_report.pk)
    city.wait_for_load_state("networkidle")
    assert city.locator("form.kj-note-form").count() >= 1
    assert city.evaluate("document.documentElement.scrollWidth") <= 390
    shot(city, "4-city-report-phone")
