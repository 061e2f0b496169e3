"""The page shell in a real browser: scope on the town list, and a town user on a phone."""
import pytest

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_county_official_sees_only_that_countys_towns(page_for, live_server):
    page = page_for("renhua_st")
    assert "县科技部门" in page.inner_text("[data-testid=who]")
    assert "仁化县" in page.inner_text("[data-testid=who]")
    shot(page, "home-county")
    page.click("aside >> text=镇（乡、街道）")
    page.wait_for_url("**/regions/towns/")
    table = page.inner_text("table")
    assert "黄坑镇" in table and "董塘镇" in table
    assert "百顺镇" not in table and "珠玑镇" not in table
    shot(page, "towns-county")
    page.goto(live_server.url + "/regions/towns/?q=百顺")
    assert page.inner_text("[data-testid=empty]")
    page.goto(live_server.url + "/overview/")
    assert "仁化县" in page.inner_text("[data-testid=overview]")
    assert "南雄市" not in page.inner_text("[data-testid=overview]")


def test_a_town_user_on_a_phone_sees_its_town_as_a_card(page_for):
    page = page_for("renhua_county_town", width=390, height=844)
    shot(page, "home-town-phone")
    page.click(".navbar-toggler")
    page.wait_for_selector("#kj-nav.show")  # the menu has finished opening (a link clicked mid-animation may miss)
    with page.expect_navigation(url="**/regions/towns/**", timeout=30000):  # a loaded CI machine is slow
        page.click("#kj-nav >> text=镇（乡、街道）")
    cards = page.locator("[data-testid=cards]")
    cards.wait_for(state="visible")
    assert "董塘镇" in cards.inner_text()
    assert "黄坑镇" not in cards.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "towns-town-phone")
    cards.locator("a", has_text="董塘镇").first.click()
    assert "驻镇工作队" in page.inner_text("main")
    shot(page, "town-detail-phone")
