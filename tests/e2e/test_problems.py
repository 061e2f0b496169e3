"""The city's taxonomy editor adds a problem on a phone; a county official reads the list and cannot edit (issue 22).

Screenshots go to ``screenshots/problems22/`` (ignored by git)."""
import pytest

from tests.e2e.conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT_DIR = SHOTS / "problems22"


def shot(page, name):
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT_DIR / f"{name}.png"), full_page=True)


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_city_adds_a_problem_on_a_phone_and_a_county_reads_it(page_for, live_server, world):
    from needs.models import IndustryProblem

    city = page_for("city_st", width=390, height=844)
    city.goto(live_server.url + "/needs/taxonomy/")
    city.click("text=产业问题与说法")
    city.wait_for_url("**/needs/taxonomy/problems/")
    assert no_sideways_scroll(city)
    shot(city, "list-phone")
    city.goto(live_server.url + "/needs/taxonomy/problems/new/")
    city.select_option("#id_category", label="蔬菜")
    city.fill("#id_name", "韭菜根蛆")
    city.fill("#id_phrases_text", "韭菜 根 烂 有 蛆\n韭菜 叶 黄 一撮撮 死\n死")
    city.fill("#id_terms_text", "韭蛆\n迟眼蕈蚊")
    city.click("button[type=submit]")
    # One line is too short: the page names it and keeps what was typed; nothing is saved.
    city.wait_for_selector("text=“死”太短")
    assert not IndustryProblem.objects.filter(name="韭菜根蛆").exists()
    assert "韭菜 根 烂 有 蛆" in city.input_value("#id_phrases_text")
    shot(city, "form-error-phone")
    city.fill("#id_phrases_text", "韭菜 根 烂 有 蛆\n韭菜 叶 黄 一撮撮 死\n割 了 长 不 起来")
    city.click("button[type=submit]")
    city.wait_for_url("**/needs/taxonomy/problems/")
    problem = IndustryProblem.objects.get(name="韭菜根蛆")
    assert problem.terms == ["韭蛆", "迟眼蕈蚊"]
    city.goto(live_server.url + "/needs/taxonomy/problems/?q=韭菜根蛆")
    assert "割 了 长 不 起来" in city.inner_text("main")
    shot(city, "added-phone")

    county = page_for("renhua_st")
    county.goto(live_server.url + "/needs/taxonomy/problems/?q=韭菜根蛆")
    assert "韭菜根蛆" in county.inner_text("main")
    assert county.locator("a[href='/needs/taxonomy/problems/%d/']" % problem.pk).count() == 0
    assert county.locator("text=新增").count() == 0
    shot(county, "list-county")
