"""A team leader signs up on a call's public page, applies, and the county official returns the application."""
import pytest

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_leader_signs_up_applies_and_the_county_returns_the_application(browser, live_server, world, page_for):
    from captcha.models import CaptchaStore

    from calls.models import Application
    from calls.tests.factories import make_call
    from teams.tests.factories import id_number

    world.cycle.team_size_min = 1  # a one-person team keeps the browser steps short; sizes are tested elsewhere
    world.cycle.save()
    call = make_call(world)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/")
    page.click("text=" + call.title)
    assert "董塘镇" in page.inner_text("main")
    shot(page, "call-public")
    page.click("[data-testid=signup]")
    page.fill("#id_username", "lijianhua")
    page.fill("#id_password", "Kj@2025abc")
    page.fill("#id_password2", "Kj@2025abc")
    page.fill("#id_team_name", "华农荔枝团队")
    page.fill("#id_name", "李建华")
    page.select_option("#id_gender", "male")
    page.fill("#id_id_number", id_number(77))
    page.fill("#id_phone", "13800138001")
    page.select_option("#id_unit", str(world.unit.pk))
    page.select_option("#id_title_level", "senior")
    page.select_option("#id_education", "doctor")
    key = page.input_value("input[name=captcha_0]")
    page.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=key).response)
    shot(page, "call-signup")
    page.click("button[type=submit]")
    page.wait_for_url("**/calls/applications/*/")
    assert "账号尚待派出单位或组织单位核验" in page.inner_text("main")

    page.click("[data-testid=add-town]")
    page.select_option("#id_town", str(world.renhua_county_town.pk))
    page.fill("#id_visits", "4")
    page.fill("#id_years", "2")
    page.fill("#id_past_projects", "2024年荔枝保果技术示范")
    page.click("button[type=submit]")
    page.click("[data-testid=edit-plan]")
    page.fill("#id_service_plan", "围绕董塘镇荔枝产业需求开展技术指导和技能培训。")
    page.set_input_files("#id_unit_endorsement", files=[{"name": "推荐意见.pdf", "mimeType": "application/pdf",
                                                          "buffer": PDF}])
    page.click("button[type=submit]")
    assert "董塘镇" in page.inner_text("[data-testid=towns]")
    page.click("[data-testid=action-submit]")
    page.click("[data-testid=confirm-submit]")
    assert "已提交申报" in page.inner_text("main")
    shot(page, "application-submitted")
    application = Application.objects.get(team__name="华农荔枝团队")
    assert application.status == "submitted"

    official = page_for("renhua_st")
    assert "待审核的申报" in official.inner_text("[data-testid=todo]")
    official.goto(live_server.url + application.get_absolute_url())
    official.click("[data-testid=action-return]")
    official.fill("#comment-return", "请补充前期对接的佐证材料")
    official.click("[data-testid=confirm-return]")
    assert "已退回修改" in official.inner_text("main")
    shot(official, "application-returned-county")
    application.refresh_from_db()
    assert application.status == "returned"

    page.reload()
    assert "请补充前期对接的佐证材料" in page.inner_text("[data-testid=return-comment]")
    shot(page, "application-returned-leader")
    context.close()
