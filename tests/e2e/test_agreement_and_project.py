"""The running half's first steps in the browser: agreement drafted → printed → signed scan uploaded → the town
confirms → project written → submitted → returned with reasons → resubmitted (issue 16)."""
import datetime as dt

import pytest

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def test_agreement_signed_and_confirmed_then_project_submitted_returned_and_resubmitted(page_for, live_server, world):
    from io import BytesIO

    from docx import Document

    from portal.testing import CYCLE_YEAR
    from projects.models import Agreement, Project
    from projects.tests.factories import active_pairing, confirmed_need, staff

    pairing = active_pairing(world)
    people = staff(world)
    need = confirmed_need(world)

    # 1. The leader drafts the agreement from the list's "起草帮扶协议" card.
    leader = page_for("leader")
    leader.goto(live_server.url + "/assistance/agreements/")
    leader.click("[data-testid=draft-%d]" % pairing.pk)
    assert leader.input_value("#id_town_party") == "仁化县董塘镇人民政府"
    leader.fill("#id_summary", "围绕董塘镇贡柑产业开展黄龙病绿色防控技术指导和示范推广。")
    leader.fill("#id_team_duties", "每月驻镇不少于5天，开展技术培训和田间指导。")
    leader.fill("#id_town_duties", "协调示范基地和示范户，组织农户参加培训。")
    leader.fill("#id_work_team_duties", "安排工作任务，督促团队落实驻镇时间。")
    leader.fill("#id_conditions", "提供办公室一间、宿舍两间，镇内交通由镇安排。")
    leader.click("button[type=submit]")
    leader.wait_for_url("**/assistance/agreements/*/")
    agreement = Agreement.objects.get()
    assert agreement.status == "draft"
    shot(leader, "agreement-draft")

    # 2. Printed for signing: the Word file is the agreement's own text.
    with leader.expect_download() as download:
        leader.click("[data-testid=print-docx]")
    text = "\n".join(p.text for p in Document(BytesIO(open(download.value.path(), "rb").read())).paragraphs)
    assert "仁化县董塘镇人民政府" in text and "黄龙病绿色防控" in text

    # 3. The signed scan goes up (checked by content) and the town is asked to confirm.
    leader.click("[data-testid=sign]")
    leader.fill("#id_signed_on", dt.date.today().isoformat())
    leader.set_input_files("#id_signed_scan", files=[{"name": "协议.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    leader.click("button[type=submit]")
    leader.wait_for_url("**/assistance/agreements/%d/" % agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == "signed" and agreement.signed_scan

    # 4. The town confirms it on a phone.
    town = page_for("renhua_county_town", width=390)
    town.goto(live_server.url + agreement.get_absolute_url())
    town.click("[data-testid=action-confirm]")
    town.click("[data-testid=confirm-confirm]")
    town.wait_for_selector("text=已确认协议")
    agreement.refresh_from_db()
    assert agreement.status == "confirmed"
    shot(town, "agreement-confirmed-phone")

    # 5. The leader writes the project: needs, targets, a yearly plan, budget lines adding up, members' duties.
    leader.goto(live_server.url + "/assistance/projects/new/%d/" % pairing.pk)
    leader.fill("#id_title", "贡柑黄龙病绿色防控示范")
    leader.fill("#id_objectives", "建立示范园，推广绿色防控技术。")
    leader.fill("#id_content", "引进抗病砧木，建设示范园50亩，开展培训6场。")
    leader.fill("#id_start_date", dt.date(CYCLE_YEAR + 1, 1, 1).isoformat())
    leader.fill("#id_end_date", dt.date(CYCLE_YEAR + 1, 12, 31).isoformat())
    leader.check("input[name=needs][value='%d']" % need.pk)
    leader.fill("#id_trainings", "6")
    leader.fill("#id_people_trained", "300")
    leader.fill("#id_total_budget", "80000")
    leader.select_option("#id_years-0-year", str(CYCLE_YEAR + 1))
    leader.fill("#id_years-0-plan", "建园、培训、观摩、总结。")
    leader.select_option("#id_lines-0-category", "materials")
    leader.fill("#id_lines-0-amount", "50000")
    leader.select_option("#id_lines-0-source", "city")
    leader.select_option("#id_lines-1-category", "training")
    leader.fill("#id_lines-1-amount", "30000")
    leader.select_option("#id_lines-1-source", "unit")
    leader.select_option("#id_members-0-commissioner", str(people[0].pk))
    leader.fill("#id_members-0-duty", "项目负责")
    leader.click("[data-testid=save]")
    leader.wait_for_url("**/assistance/projects/*/")
    project = Project.objects.get()
    assert project.status == "draft" and project.budget_lines.count() == 2
    shot(leader, "project-draft")

    leader.click("[data-testid=action-submit]")
    leader.click("[data-testid=confirm-submit]")
    leader.wait_for_selector("text=已报送科技部门")
    project.refresh_from_db()
    need.refresh_from_db()
    assert project.status == "submitted" and need.status == "in_assistance"

    # 6. The county returns it with its reasons.
    county = page_for("renhua_st")
    county.goto(live_server.url + project.get_absolute_url())
    county.click("[data-testid=action-return]")
    county.fill("#comment-return", "请细化年度计划，写明每季度任务。")
    county.click("[data-testid=confirm-return]")
    county.wait_for_selector("text=已退回修改")
    project.refresh_from_db()
    assert project.status == "returned"

    # 7. The leader reads the reasons, edits and resubmits.
    leader.goto(live_server.url + project.get_absolute_url())
    assert "请细化年度计划" in leader.inner_text("[data-testid=return-comment]")
    leader.click("[data-testid=edit]")
    leader.fill("#id_years-0-plan", "一季度建园，二季度培训，三季度观摩，四季度总结。")
    leader.click("[data-testid=save]")
    leader.wait_for_url("**/assistance/projects/%d/" % project.pk)
    leader.click("[data-testid=action-resubmit]")
    leader.click("[data-testid=confirm-resubmit]")
    leader.wait_for_selector("text=已修改后重新报送")
    project.refresh_from_db()
    assert project.status == "submitted" and project.years.get().plan.startswith("一季度")
    shot(leader, "project-resubmitted")
