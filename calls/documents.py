"""The application form (申请表) as PDF and DOCX, and the call's summary table (汇总表) as XLSX."""
from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from calls.models import Application, Call
from calls.selectors import SUMMARY_HEADERS, summary_rows
from core.documents import html_to_pdf, table_docx
from core.excel import SheetData, write_workbook
from teams.selectors import memberships_for_team


def application_form_data(application: Application) -> dict:
    team = application.team
    return {
        "application": application,
        "call": application.call,
        "team": team,
        "memberships": list(memberships_for_team(team)),
        "towns": list(application.towns.select_related("town", "town__county").order_by("rank")),
        "printed": timezone.localdate(),
    }


def application_pdf(application: Application) -> bytes:
    return html_to_pdf(render_to_string("calls/application_print.html", application_form_data(application)))


def application_docx(application: Application) -> bytes:
    data = application_form_data(application)
    team, call = data["team"], data["call"]
    rows = [
        ["征集通知", "%s（%s）" % (call.title, call.doc_number)],
        ["团队名称", team.name, "牵头派出单位", team.lead_unit.name],
        ["可提供的服务类型", team.service_types_display or "—"],
        ["专长概述", team.expertise_summary or "—"],
        ["研究方向", team.research_directions or "—"],
        ["团队成员（姓名 · 角色 · 单位 · 职称 · 学历 · 专业领域）"],
    ]
    for membership in data["memberships"]:
        person = membership.commissioner
        rows.append(["%s（%s）" % (person.name, membership.get_role_display()),
                     "%s · %s · %s · %s" % (person.unit.name, person.title or "—", person.get_education_display(),
                                            person.specialty or "—")])
    rows.append(["意向镇与前期对接基础"])
    for row in data["towns"]:
        rows.append(["第%d志愿：%s%s" % (row.rank, row.town.county.name, row.town.name),
                     "对接%d次，%d年。项目：%s。说明：%s" % (row.visits, row.years, row.past_projects or "无",
                                                  row.engagement_note or "无")])
    rows.append(["帮扶思路", application.service_plan or "—"])
    rows.append(["派出单位推荐意见", "已上传" if application.unit_endorsement else "未上传",
                 "驻镇工作队队长推荐函", "已上传" if application.recommendation_letter else "未上传"])
    return table_docx(title="农村科技特派员团队申请表", headers=None, rows=rows,
                      subtitle="申报状态：%s    打印日期：%s" % (application.get_status_display(),
                                                         data["printed"].strftime("%Y-%m-%d")))


def call_summary_xlsx(call: Call, user) -> bytes:
    return write_workbook([SheetData(title="申报汇总表", headers=SUMMARY_HEADERS, rows=summary_rows(call, user))])
