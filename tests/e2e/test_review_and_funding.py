"""Expert review and funding in the browser (issue 17): the city S&T official starts the review of an accepted project
from 待论证项目, seats the platform's proposed panel (an expert of the team's own unit shown as excluded, with the
reason), opens the scoring; three experts sign in and score (one on a phone), none seeing another's scores before all
have submitted; the official reads the score sheet, approves with an amount and the panel's opinion, sets the year's
envelope, funds the project and records two tranches with PDF vouchers; the grant shows what was paid and what
remains, the project reads 已立项.

Screenshots of each page go to ``screenshots/review17/`` (ignored by git)."""
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.e2e.conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
SHOT_DIR = SHOTS / "review17"

# Each expert's five scores (需求契合度, 技术可行性, 预期效益, 团队能力, 经费合理性) and comment, in sign-in order.
SCORES = [
    ([85, 80, 80, 75, 80], "技术路线清楚，示范园选址合理，建议细化培训对象。"),
    ([90, 90, 85, 90, 85], "团队在黄龙病防控方面经验丰富，同意立项。"),
    ([75, 70, 80, 80, 75], "经费测算偏粗，建议补充材料费明细。"),
]
FIELDS = ["score_fit", "score_feasibility", "score_benefit", "score_team", "score_budget"]


def shot(page, name):
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT_DIR / f"{name}.png"), full_page=True)


def weighted(values, weights):
    """The weighted total a user reads on the sheet: Σ weight·score / Σ weight, to the hundredth."""
    total = sum(Decimal(weights[key]) for key in ("fit", "feasibility", "benefit", "team", "budget"))
    score = sum(Decimal(weights[key]) * value for key, value in zip(("fit", "feasibility", "benefit", "team",
                                                                      "budget"), values))
    return (score / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def open_menu(page, label, *, phone=False):
    """Follow a menu item as a user does: the sidebar on a desktop, the collapsed navbar on a phone."""
    if phone:
        page.click(".navbar-toggler")
        page.click("#kj-nav >> a.nav-link:has-text('%s')" % label)
    else:
        page.click("aside.kj-sidebar >> a.nav-link:has-text('%s')" % label)


def test_panel_proposed_experts_score_approved_funded_in_two_tranches(page_for, live_server, world):
    from accounts.models import User
    from portal.testing import PASSWORD
    from projects.models import Project
    from reviews import services
    from reviews.models import Expert
    from reviews.tests.factories import accepted_project, make_pool

    project, _people = accepted_project(world)
    make_pool(world)
    # An expert of the team's own unit (华南农业大学): the platform must leave them out and say why.
    services.expert_save(actor=world["city_st"], values={
        "name": "黄同校", "field": "果树栽培", "keywords": "柑橘、黄龙病", "title": "教授", "unit_name": "华南农业大学",
        "phone": "13700009999"}, create_account=True)
    # The experts' accounts sign in with the test password (no first-login change in this walk-through).
    User.objects.filter(pk__in=Expert.objects.values("user_id")).update(must_change_password=False)
    for user in User.objects.filter(pk__in=Expert.objects.values("user_id")):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    weights = project.cycle.review_weights()
    year = dt.date.today().year

    # 1. The city official finds the accepted project under 待论证项目 and starts its review.
    city = page_for("city_st")
    open_menu(city, "专家论证")
    city.wait_for_url("**/review/reviews/")
    pending = city.locator("[data-testid=pending]")
    assert "待论证项目" in pending.inner_text() and project.title in pending.inner_text()
    shot(city, "01-review-list-pending")
    city.click("[data-testid=start-%d]" % project.pk)
    city.wait_for_url(re.compile(r".*/review/reviews/\d+/$"))
    assert "已发起论证" in city.inner_text(".alert-success")

    # 2. The platform's proposal, with the excluded expert and the reason.
    proposal = city.locator("[data-testid=proposal]")
    assert "平台建议" in proposal.inner_text() and "尚缺 3 人" in proposal.inner_text()
    excluded = city.inner_text("[data-testid=excluded]")
    assert "黄同校" in excluded and "与团队成员同一单位（华南农业大学）" in excluded
    assert "黄同校" not in city.inner_text("[data-testid=free]")
    assert city.locator("[data-testid=free] .badge:has-text('建议')").count() == 3
    shot(city, "02-review-detail-proposal")

    city.click("[data-testid=panel-fill]")
    city.wait_for_selector("text=已按建议选入3位专家")
    panel = city.inner_text("[data-testid=panel]")
    assert "专家组（3/3 人）" in panel
    names = [city.inner_text("[data-testid=panel] li[data-testid^=seat-] a.fw-semibold >> nth=%d" % i)
             for i in range(3)]
    assert "黄同校" not in names
    city.click("[data-testid=action-open]")
    city.click("[data-testid=confirm-open]")
    city.wait_for_selector("text=已开始专家评分")
    assert "已提交 0/3" in city.inner_text("[data-testid=progress]")
    assert city.locator("[data-testid=score-sheet]").count() == 0

    # 3. Each expert signs in, opens 我的评审任务, scores and submits; the third one on a phone.
    usernames = [Expert.objects.select_related("user").get(name=name).user.username for name in names]
    totals = []
    for index, (username, (values, comment)) in enumerate(zip(usernames, SCORES)):
        phone = index == 2
        expert = page_for(username, width=390 if phone else 1280, height=844 if phone else 900)
        open_menu(expert, "我的评审任务", phone=phone)
        expert.wait_for_url("**/review/seats/")
        expert.click("a:has-text('%s') >> visible=true" % project.title)
        expert.wait_for_url(re.compile(r".*/review/seats/\d+/$"))
        assert "已提交 %d/3" % index in expert.inner_text("[data-testid=progress]")
        # Nobody's scores before all have submitted: no sheet, no other expert's comment or name.
        body = expert.inner_text("main")
        assert expert.locator("[data-testid=score-sheet]").count() == 0
        for earlier_values, earlier_comment in SCORES[:index]:
            assert earlier_comment not in body
        for other in names:
            if other != names[index]:
                assert other not in body
        for field, value in zip(FIELDS, values):
            box = expert.locator("#id_%s" % field)
            box.scroll_into_view_if_needed()
            assert box.is_visible()
            if phone:  # the input sits inside the 390 px viewport (no sideways scrolling needed)
                area = box.bounding_box()
                assert area["x"] >= 0 and area["x"] + area["width"] <= 390, area
            box.fill(str(value))
        expert.fill("#id_comment", comment)
        if index == 0:
            shot(expert, "03-expert-scoring-desktop")
        if phone:
            shot(expert, "04-expert-scoring-phone")
            submit = expert.locator("[data-testid=submit-scores]")
            submit.scroll_into_view_if_needed()
            area = submit.bounding_box()
            assert area["x"] >= 0 and area["x"] + area["width"] <= 390, area
            assert expert.evaluate("document.documentElement.scrollWidth") <= 390
        expert.click("[data-testid=submit-scores]")
        expert.wait_for_selector("[data-testid=submitted]")
        assert "评分已提交，不能再修改" in expert.inner_text(".alert-success")
        total = weighted(values, weights)
        totals.append(total)
        own = expert.inner_text("[data-testid=own-scores]")
        assert "%.2f" % total in own
        if index < 2:
            # Still hidden: the others' scores wait for the last expert.
            assert expert.locator("[data-testid=score-sheet]").count() == 0
            assert "全部专家提交后可查看评分汇总" in expert.inner_text("[data-testid=submitted]")
            for earlier_values, earlier_comment in SCORES[:index]:
                assert earlier_comment not in expert.inner_text("main")
        else:
            # The last one's submission completes the panel: the sheet appears, on the phone too.
            sheet = expert.inner_text("[data-testid=score-sheet]")
            assert all(c in sheet for _v, c in SCORES)
            shot(expert, "05-expert-sheet-phone")

    mean = (sum(totals) / 3).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    # 4. The official reads the score sheet with the mean, and decides.
    city.reload()
    assert "已提交 3/3" in city.inner_text("[data-testid=progress]")
    assert city.inner_text("[data-testid=sheet-mean]").strip() == "%.2f" % mean
    assert city.inner_text("[data-testid=mean]").strip() == "%.2f" % mean
    table = city.inner_text("[data-testid=sheet-table]")
    assert all("%.2f" % total in table for total in totals) and all(c in table for _v, c in SCORES)
    assert all(name in table for name in names)
    shot(city, "06-score-sheet")
    decide = city.locator("[data-testid=decide]")
    decide.scroll_into_view_if_needed()
    assert "项目预算总额 100,000.00 元" in city.inner_text("[data-testid=budget-cap]")
    city.fill("#id_approved_amount", "80000")
    city.fill("#id_panel_opinion", "专家组认为项目目标明确、技术路线可行，同意立项，建议细化培训计划和材料费明细。")
    shot(city, "07-decision-form")
    city.click("[data-testid=decide-approve]")
    city.wait_for_selector("[data-testid=decision]")
    assert "论证通过 · 核定 80,000.00 元" in city.inner_text("[data-testid=decision]")
    assert "同意立项" in city.inner_text("[data-testid=opinion]")

    # 5. 立项资助: the page asks for the year's envelope first.
    city.click("[data-testid=grant-create]")
    city.wait_for_url("**/review/grants/new/*/")
    grant_form_url = city.url
    notice = city.inner_text("[data-testid=form-notice]")
    assert "核定资助 80,000.00 元" in notice
    if "尚未设置" in notice:
        open_menu(city, "年度资助预算")
        city.wait_for_url("**/review/envelopes/")
        city.click("main a:has-text('新增')")
        city.wait_for_url("**/review/envelopes/new/")
        assert city.input_value("#id_fiscal_year") == str(year)
        city.fill("#id_budgeted", "1000000")
        city.click("main form button[type=submit]")
        city.wait_for_url("**/review/envelopes/")
        assert "年度资助预算已保存" in city.inner_text(".alert-success")
        assert "1,000,000.00" in city.inner_text("main")
        city.goto(grant_form_url)
        assert "%d年度资助预算 1,000,000.00 元" % year in city.inner_text("[data-testid=form-notice]")
    assert city.input_value("#id_amount") in ("80000", "80000.00")
    assert city.input_value("#id_project_number")  # a suggested number
    number = city.input_value("#id_project_number")
    city.click("main form button[type=submit]")
    city.wait_for_url(re.compile(r".*/review/grants/\d+/$"))
    assert "已立项资助" in city.inner_text(".alert-success")

    # 6. Two tranches, each with its PDF voucher.
    for amount, note in (("30000", "第一期拨付"), ("20000", "第二期拨付")):
        form = city.locator("[data-testid=disbursement-form]")
        form.locator("#id_amount").fill(amount)
        form.locator("#id_paid_on").fill(dt.date.today().isoformat())
        form.locator("#id_voucher").set_input_files(
            files=[{"name": "拨付凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        form.locator("#id_note").fill(note)
        form.locator("button[type=submit]").click()
        city.wait_for_selector("text=拨付已登记")
    tranches = city.inner_text("[data-testid=tranches]")
    assert "30,000.00 元" in tranches and "20,000.00 元" in tranches and "第二期拨付" in tranches
    assert city.locator("[data-testid=tranches] a:has-text('查看凭证')").count() == 2
    remaining = city.inner_text("[data-testid=remaining]")
    assert "资助 80,000.00 元" in remaining and "已拨付 50,000.00 元" in remaining
    assert "尚未拨付 30,000.00 元" in remaining
    details = city.inner_text("main")
    assert number in details and "已拨付" in details
    shot(city, "08-grant-two-tranches")
    # The voucher opens (a PDF).
    href = city.get_attribute("[data-testid=tranches] a:has-text('查看凭证') >> nth=0", "href")
    response = city.request.get(live_server.url + href)
    assert response.ok and response.body().startswith(b"%PDF")

    # 7. The envelope now reads committed, disbursed and remaining.
    open_menu(city, "年度资助预算")
    city.wait_for_url("**/review/envelopes/")
    envelope = city.inner_text("main table")
    assert "80,000.00" in envelope and "50,000.00" in envelope and "920,000.00" in envelope
    shot(city, "09-envelope-list")

    # 8. The project reads 已立项.
    city.goto(live_server.url + project.get_absolute_url())
    assert "已立项" in city.inner_text("main")
    assert Project.objects.get(pk=project.pk).status == "approved"

    # 9. The pool and its import page (screenshots for a person to look at).
    open_menu(city, "专家库")
    city.wait_for_url("**/review/experts/")
    assert "黄同校" in city.inner_text("main") and "林果" in city.inner_text("main")
    shot(city, "10-expert-pool")
    city.goto(live_server.url + "/review/experts/import/")
    shot(city, "11-expert-import")
    city.goto(live_server.url + "/review/reviews/")
    shot(city, "12-review-list-after")
