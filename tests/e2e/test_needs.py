"""A town user enters a need on a phone-sized page; the county official confirms it."""
import pytest

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_town_enters_a_need_on_a_phone_and_the_county_confirms_it(page_for, live_server):
    from needs.models import Need

    phone = page_for("renhua_county_town", width=390, height=844)
    phone.goto(live_server.url + "/needs/new/")
    phone.fill("#id_title", "贡柑黄龙病绿色防控")
    phone.fill("#id_description", "全镇贡柑约3000亩，黄龙病发病率上升，缺乏统防统治技术。")
    phone.select_option("#id_category", label="果树")
    phone.check("input[name=service_types][value=guidance]")
    phone.check("input[name=service_types][value=training]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "need-form-phone")
    phone.click("button[type=submit]")
    phone.wait_for_url("**/needs/*/")
    assert "已提交" in phone.inner_text("main")
    need = Need.objects.get()
    assert need.town.name == "董塘镇" and need.service_types == ["guidance", "training"]

    desk = page_for("renhua_st")
    desk.goto(live_server.url + "/needs/?q=柑橘")
    assert "贡柑黄龙病绿色防控" in desk.inner_text("table")
    shot(desk, "needs-list-county")
    desk.click("text=贡柑黄龙病绿色防控")
    desk.click("[data-testid=action-confirm]")
    desk.click("[data-testid=confirm-confirm]")
    desk.wait_for_selector("text=已确认。")
    shot(desk, "need-confirmed")
    need.refresh_from_db()
    assert need.status == "confirmed"
