"""Printed documents of agreements and projects, generated from the records only.

* :func:`agreement_docx` / :func:`agreement_pdf` — 《农村科技特派员驻镇帮镇扶村帮扶协议》 for signing: the parties
  (甲方 the town government, 乙方 the team and its lead unit, 丙方 the stationed work team when there is one), the
  numbered articles (content, each party's duties, the conditions the town provides, the term, copies and entry
  into force) and a signature block with date lines for each party. A4 with the GB/T 9704 margins, title in
  小标宋 2号, body in 仿宋 3号 (the DOCX names the official fonts; the PDF uses the installed CJK font).
* :func:`project_docx` / :func:`project_pdf` — 项目申请书: a cover, then the tables 基本信息, 对应需求, 项目目标与主要内容,
  进度安排, 量化指标, 预算明细 (with its 合计), 成员分工 (name, unit, title, duty: no phone, no ID number) and blank
  审核意见 boxes.
* :func:`summary_xlsx` — 项目汇总表 of the projects given (the caller scopes them): one row per project, the budget
  as a number cell, a 合计 row.

Money is ``Decimal`` yuan throughout, printed as ``12,000.00``; nothing goes through a float.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import Decimal

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt

from core.documents import (BODY_FONT, HEADING_FONT, SIZE_2, SIZE_3, TITLE_FONT, _a4, _paragraph, _save,
                            _set_font, format_doc_date, html_to_pdf)
from projects.models import Agreement, Project
from projects.services import TARGET_FIELDS

AGREEMENT_TITLE = "农村科技特派员驻镇帮镇扶村帮扶协议"
PROJECT_FORM_TITLE = "农村科技特派员驻镇帮镇扶村帮扶项目申请书"
# Printed on two lines: the title in 2号 does not fit one line of the 156 mm type area.
PROJECT_FORM_TITLE_LINES = ("农村科技特派员驻镇帮镇扶村", "帮扶项目申请书")
PLAN_REFERENCE = "《韶关市农村科技特派员驻镇帮镇扶村行动方案》（韶科〔2021〕85号）"
NUMERALS = "一二三四五六七八九十"
BLANK_DATE = "年　　月　　日"
SIZE_4 = Pt(14)  # 4号
SIZE_SMALL_4 = Pt(12)  # 小4号
ZERO = Decimal("0")
_LABEL_UNIT = re.compile(r"^(?P<name>.+?)（(?P<unit>[^（）]+)）$")


# ------------------------------------------------------------------------------------------------ shared
def money(value) -> str:
    """``Decimal("12000")`` → ``"12,000.00"`` (never through a float); None → ""."""
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)):,.2f}"


def organizer_office(record) -> str:
    """The S&T office that organizes the record's town: 仁化县科学技术局, or 韶关市科学技术局 for city- and
    province-organized towns (whose projects the city handles, as ``services.organizer_users`` says)."""
    town = record.town
    if record.organizer_level == "county":
        return "%s科学技术局" % town.county.name
    return "%s科学技术局" % town.county.city.name


def _lines(text: str) -> list[str]:
    """The non-empty lines of a text field (a field typed with line breaks prints as paragraphs)."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _numeral(index: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 (a document here has fewer than 20 headings)."""
    return NUMERALS[index - 1] if index <= 10 else "十" + NUMERALS[index - 11]


def _label_unit(label) -> tuple[str, str]:
    """"开展培训（场次）" → ("开展培训", "场次")."""
    found = _LABEL_UNIT.match(str(label))
    return (found["name"], found["unit"]) if found else (str(label), "")


def _date_or_blank(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_doc_date(value) if value else BLANK_DATE


# ------------------------------------------------------------------------------------------------ agreement
def _agreement_parties(agreement) -> list[tuple[str, str, str]]:
    """``[(party, name, who signs)]``: 甲方 the town, 乙方 the team (its lead unit), 丙方 the work team if any."""
    team = agreement.team
    parties = [("甲方", agreement.town_party, "负责人（签字）"),
               ("乙方", "%s（牵头派出单位：%s）" % (team.name, team.lead_unit.name), "团队负责人（签字）")]
    if agreement.work_team_party.strip():
        parties.append(("丙方", agreement.work_team_party, "队长（签字）"))
    return parties


def agreement_articles(agreement) -> list[tuple[str, list[str]]]:
    """The numbered articles as ``[(heading, paragraphs)]``; 丙方's article only with a 丙方 (the rest renumbered)."""
    three = bool(agreement.work_team_party.strip())
    copies = 4 if three else 3
    holders = "甲、乙、丙三方" if three else "甲、乙双方"
    articles = [
        ("帮扶内容", _lines(agreement.summary)),
        ("甲方职责", _lines(agreement.town_duties)),
        ("乙方职责", _lines(agreement.team_duties)),
    ]
    if three:
        articles.append(("丙方职责", _lines(agreement.work_team_duties) or ["（未约定）"]))
    articles += [
        ("工作和生活条件", ["甲方为乙方开展驻镇帮扶提供以下工作和生活条件："] + _lines(agreement.conditions)),
        ("协议期限", ["本协议期限自%s至%s。" % (format_doc_date(agreement.term_start),
                                           format_doc_date(agreement.term_end))]),
        ("其他", ["本协议未尽事宜，由%s协商解决。" % holders,
                "本协议一式%s份，%s各执一份，报%s备案一份。" % (NUMERALS[copies - 1], holders,
                                                   organizer_office(agreement)),
                "本协议自%s签字（盖章）之日起生效。" % holders]),
    ]
    return [("%s、%s" % (_numeral(index), heading), paragraphs)
            for index, (heading, paragraphs) in enumerate(articles, start=1)]


def agreement_preamble(agreement) -> str:
    three = bool(agreement.work_team_party.strip())
    return ("根据%s有关要求，乙方作为经选派备案的农村科技特派员团队，结对帮扶甲方。为明确各方责任，扎实开展科技帮扶，"
            "经%s协商一致，签订本协议。" % (PLAN_REFERENCE, "三方" if three else "双方"))


def _load_agreement(agreement):
    return Agreement.objects.select_related("team__lead_unit", "town__county__city", "cycle").get(pk=agreement.pk)


def agreement_docx(agreement) -> bytes:
    """The agreement for signing, as DOCX bytes."""
    agreement = _load_agreement(agreement)
    document = Document()
    _a4(document)
    _paragraph(document, AGREEMENT_TITLE, font=TITLE_FONT, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "")
    for party, name, _signer in _agreement_parties(agreement):
        _paragraph(document, "%s：%s" % (party, name))
    _paragraph(document, "")
    _paragraph(document, agreement_preamble(agreement), indent_chars=2)
    for heading, paragraphs in agreement_articles(agreement):
        _paragraph(document, heading, font=HEADING_FONT, indent_chars=2)
        for text in paragraphs:
            _paragraph(document, text, indent_chars=2)
    _paragraph(document, "")
    _paragraph(document, "（以下无正文）", indent_chars=2)
    for party, name, signer in _agreement_parties(agreement):
        _paragraph(document, "")
        _paragraph(document, "%s（盖章）：%s" % (party, name))
        _paragraph(document, "%s：" % signer)
        _paragraph(document, BLANK_DATE, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=4)
    return _save(document)


AGREEMENT_CSS = """
body { font-size: 16pt; line-height: 28.95pt; }
h1 { font-size: 22pt; margin: 0 0 8mm; }
p { margin: 0; }
.party { text-indent: 0; }
.text { text-indent: 2em; }
.heading { text-indent: 2em; font-weight: bold; }
.signature { break-inside: avoid; page-break-inside: avoid; margin-top: 8mm; }
.signatures { break-inside: avoid; page-break-inside: avoid; }
.date { text-align: right; margin-right: 4em; }
"""


def _p(text: str, css_class: str = "") -> str:
    attribute = ' class="%s"' % css_class if css_class else ""
    return "<p%s>%s</p>" % (attribute, html.escape(str(text)))


def agreement_html(agreement) -> str:
    """The agreement as HTML for WeasyPrint (the same text as the DOCX)."""
    agreement = _load_agreement(agreement)
    parts = ['<html><head><meta charset="utf-8"><title>%s</title></head><body>' % AGREEMENT_TITLE,
             "<h1>%s</h1>" % AGREEMENT_TITLE]
    parts += [_p("%s：%s" % (party, name), "party") for party, name, _signer in _agreement_parties(agreement)]
    parts.append('<p class="party">&nbsp;</p>')
    parts.append(_p(agreement_preamble(agreement), "text"))
    for heading, paragraphs in agreement_articles(agreement):
        parts.append(_p(heading, "heading"))
        parts += [_p(text, "text") for text in paragraphs]
    parts.append(_p("（以下无正文）", "text"))
    # The parties sign on one page: the blocks stay together (a page break between them invites a swapped page).
    parts.append('<div class="signatures">')
    for party, name, signer in _agreement_parties(agreement):
        parts.append('<div class="signature">%s%s%s</div>' % (
            _p("%s（盖章）：%s" % (party, name), "party"), _p("%s：" % signer, "party"), _p(BLANK_DATE, "date")))
    parts.append("</div></body></html>")
    return "".join(parts)


def agreement_pdf(agreement) -> bytes:
    """The agreement for signing, as PDF bytes (WeasyPrint, an installed CJK font)."""
    return html_to_pdf(agreement_html(agreement), css=AGREEMENT_CSS)


# ------------------------------------------------------------------------------------------------ project form
def _load_project(project):
    return (Project.objects.select_related("team__lead_unit", "town__county__city", "cycle")
            .prefetch_related("years", "budget_lines", "needs__category", "members__commissioner__unit")
            .get(pk=project.pk))


def project_cover(project) -> list[tuple[str, str]]:
    """The cover's lines: 项目名称, 承担团队, 帮扶镇, 派出单位, 组织单位, 申报日期."""
    return [
        ("项目名称", project.title),
        ("承担团队", project.team.name),
        ("帮扶镇", project.town.full_name),
        ("派出单位", project.team.lead_unit.name),
        ("组织单位", organizer_office(project)),
        ("申报日期", _date_or_blank(project.last_submitted_at or project.submitted_at)),
    ]


def _target_rows(project) -> list[list[str]]:
    rows = []
    for name in TARGET_FIELDS:
        label, unit = _label_unit(Project._meta.get_field(name).verbose_name)
        value = getattr(project, name)
        if name == "income_raised":
            text = money(value)
        elif isinstance(value, Decimal):
            text = f"{value:,.1f}"
        else:
            text = str(value)
        rows.append([label, text, unit])
    return rows


def budget_total(project) -> Decimal:
    """The sum of the budget lines (a submitted project's equals its total budget)."""
    return sum((line.amount for line in project.budget_lines.all()), ZERO)


def project_sections(project) -> list[dict]:
    """The form's tables: ``{"title", "headers" (or None for label/value rows), "rows", "widths" (mm)}``.

    A row shorter than the table is merged over the rest of its line (as :func:`core.documents.table_docx` does)."""
    budget_lines = list(project.budget_lines.all())
    total_lines = budget_total(project)
    members = list(project.members.all())
    years = list(project.years.all())
    needs = sorted(project.needs.all(), key=lambda need: need.pk)
    sections = [
        {"title": "基本信息", "headers": None, "widths": [32, 46, 32, 46], "rows": [
            ["项目名称", project.title],
            ["承担团队", project.team.name, "团队负责人", project.team.leader_name or "—"],
            ["帮扶镇", project.town.full_name, "派出单位", project.team.lead_unit.name],
            ["组织单位", organizer_office(project), "帮扶周期", project.cycle.name],
            ["实施期限", "%s至%s" % (format_doc_date(project.start_date), format_doc_date(project.end_date)),
             "预算总额（元）", money(project.total_budget)],
            ["项目状态", project.get_status_display(), "版本", "第%d版" % project.version],
        ]},
        {"title": "对应需求", "headers": ["序号", "需求名称", "产业类别", "需求描述"], "widths": [14, 46, 26, 70],
         "rows": [[str(index), need.title, need.category.name, need.description]
                  for index, need in enumerate(needs, start=1)] or [["（未对应需求）"]]},
        {"title": "项目目标与主要内容", "headers": None, "widths": [32, 124], "rows": [
            ["项目目标", project.objectives],
            ["主要内容", project.content],
        ]},
        {"title": "进度安排", "headers": ["年度", "计划"], "widths": [24, 132],
         "rows": [["%d年" % year.year, year.plan] for year in years] or [["（未填写）"]]},
        {"title": "量化指标", "headers": ["指标", "目标值", "单位"], "widths": [76, 50, 30],
         "rows": _target_rows(project)},
        {"title": "预算明细", "headers": ["序号", "支出科目", "资金来源", "金额（元）", "测算说明"],
         "widths": [14, 40, 38, 30, 34],
         "rows": [[str(index), line.get_category_display(), line.get_source_display(), money(line.amount),
                   line.note or ""] for index, line in enumerate(budget_lines, start=1)]
         + [["合计", "", "", money(total_lines), ""]]
         + ([] if total_lines == project.total_budget else
            [["预算总额", "", "", money(project.total_budget), "明细合计与预算总额不一致"]])},
        {"title": "成员分工", "headers": ["序号", "姓名", "单位", "职称", "项目分工"], "widths": [14, 24, 44, 26, 48],
         "rows": [[str(index), member.commissioner.name, member.commissioner.unit.name,
                   member.commissioner.title or "—", member.duty] for index, member in enumerate(members, start=1)]
         or [["（未填写）"]]},
    ]
    return sections


OPINIONS = [("派出单位意见", "（盖章）"), ("镇人民政府意见", "（盖章）"), ("组织单位（科技部门）意见", "（盖章）")]


def _grid(document, headers, rows, widths) -> None:
    width = max([len(headers or [])] + [len(row) for row in rows] + [1])
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def add_row(values, *, bold=False):
        cells = table.add_row().cells
        values = list(values)
        if 0 < len(values) < width:
            cells[len(values) - 1].merge(cells[width - 1])
        for index, value in enumerate(values):
            cell = cells[index]
            cell.text = ""
            texts = str(value if value is not None else "").split("\n")
            for number, text in enumerate(texts):
                paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                _set_font(paragraph.add_run(text), HEADING_FONT if bold else BODY_FONT, SIZE_SMALL_4)

    if headers:
        add_row(headers, bold=True)
    for row in rows:
        add_row(row)
    if widths:
        for column, width_mm in zip(table.columns, widths):
            column.width = Mm(width_mm)
        for row in table.rows:  # a merged cell spans the widths of its columns
            spans: dict = {}
            for cell, width_mm in zip(row.cells, widths):
                spans.setdefault(id(cell._tc), [cell, 0])[1] += width_mm
            for cell, width_mm in spans.values():
                cell.width = Mm(width_mm)


def _opinion_box(document, label: str, seal: str) -> None:
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head, box = table.rows[0].cells
    head.width, box.width = Mm(32), Mm(124)
    _set_font(head.paragraphs[0].add_run(label), HEADING_FONT, SIZE_SMALL_4)
    box.text = ""
    for _ in range(4):
        box.add_paragraph()
    for text in (seal, BLANK_DATE):
        paragraph = box.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_font(paragraph.add_run(text), BODY_FONT, SIZE_SMALL_4)


def project_docx(project) -> bytes:
    """The project application form (项目申请书), as DOCX bytes."""
    project = _load_project(project)
    document = Document()
    _a4(document)
    for _ in range(3):
        _paragraph(document, "")
    for line in PROJECT_FORM_TITLE_LINES:
        _paragraph(document, line, font=TITLE_FONT, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    for _ in range(3):
        _paragraph(document, "")
    for label, value in project_cover(project):
        _paragraph(document, "%s：%s" % (label, value), size=SIZE_3, indent_chars=2)
    _paragraph(document, "")
    _paragraph(document, "")
    _paragraph(document, "%s制" % organizer_office(project), size=SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER)
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    sections = project_sections(project)
    for index, section in enumerate(sections, start=1):
        _paragraph(document, "%s、%s" % (_numeral(index), section["title"]), font=HEADING_FONT, size=SIZE_4,
                   space_before=Pt(6))
        _grid(document, section["headers"], section["rows"], section["widths"])
    _paragraph(document, "%s、审核意见" % _numeral(len(sections) + 1), font=HEADING_FONT, size=SIZE_4,
               space_before=Pt(6))
    for label, seal in OPINIONS:
        _opinion_box(document, label, seal)
    return _save(document)


PROJECT_CSS = """
h1 { font-size: 22pt; margin: 40mm 0 30mm; }
.cover p { font-size: 16pt; margin: 0 0 4mm 2em; }
.cover .maker { text-align: center; margin-top: 30mm; }
.cover { page-break-after: always; break-after: page; }
h2 { font-size: 14pt; margin: 5mm 0 2mm; break-after: avoid; page-break-after: avoid; }
table { margin-bottom: 2mm; table-layout: fixed; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { font-size: 11pt; }
table th { width: auto; }
table.grid th { background: #f2f2f2; }
td.amount { text-align: right; }
tr.total td { font-weight: bold; }
td.box { height: 32mm; position: relative; }
.seal { text-align: right; margin-top: 18mm; }
"""


def _cells(row, width, *, header=False, amount_column=None) -> str:
    tag = "th" if header else "td"
    out = []
    for index, value in enumerate(row):
        span = width - len(row) + 1 if index == len(row) - 1 and len(row) < width else 1
        css = ' class="amount"' if amount_column is not None and index == amount_column and not header else ""
        colspan = ' colspan="%d"' % span if span > 1 else ""
        text = html.escape(str(value if value is not None else "")).replace("\n", "<br>")
        out.append("<%s%s%s>%s</%s>" % (tag, colspan, css, text, tag))
    return "".join(out)


def _form_cells(row, width) -> str:
    """A "label | value | label | value" row: labels as <th>, the last value spread over the rest of the line."""
    out = []
    for index, value in enumerate(row):
        text = html.escape(str(value if value is not None else "")).replace("\n", "<br>")
        if index % 2 == 0:
            out.append("<th>%s</th>" % text)
            continue
        span = width - len(row) + 1 if index == len(row) - 1 and len(row) < width else 1
        out.append("<td%s>%s</td>" % (' colspan="%d"' % span if span > 1 else "", text))
    return "".join(out)


def project_html(project) -> str:
    """The application form as HTML for WeasyPrint (the same content as the DOCX)."""
    project = _load_project(project)
    sections = project_sections(project)
    parts = ['<html><head><meta charset="utf-8"><title>%s</title></head><body>' % PROJECT_FORM_TITLE,
             '<div class="cover"><h1>%s</h1>' % "<br>".join(PROJECT_FORM_TITLE_LINES)]
    parts += [_p("%s：%s" % (label, value)) for label, value in project_cover(project)]
    parts.append('<p class="maker">%s制</p></div>' % html.escape(organizer_office(project)))
    for index, section in enumerate(sections, start=1):
        parts.append("<h2>%s、%s</h2>" % (_numeral(index), html.escape(section["title"])))
        headers, rows = section["headers"], section["rows"]
        width = max([len(headers or [])] + [len(row) for row in rows] + [1])
        amount = headers.index("金额（元）") if headers and "金额（元）" in headers else None
        body = []
        for row in rows:
            total = ' class="total"' if row and row[0] in ("合计", "预算总额") else ""
            if headers:
                body.append("<tr%s>%s</tr>" % (total, _cells(row, width, amount_column=amount)))
            else:  # label | value rows: the labels as row headers
                body.append("<tr>%s</tr>" % _form_cells(row, width))
        columns = "".join('<col style="width:%.1f%%">' % (100 * mm / sum(section["widths"]))
                          for mm in section["widths"])
        head = "<thead><tr>%s</tr></thead>" % _cells(headers, width, header=True) if headers else ""
        parts.append('<table class="%s"><colgroup>%s</colgroup>%s<tbody>%s</tbody></table>' % (
            "grid" if headers else "form", columns, head, "".join(body)))
    parts.append('<h2>%s、审核意见</h2><table><colgroup><col style="width:24%%"><col></colgroup>'
                 % _numeral(len(sections) + 1))
    for label, seal in OPINIONS:
        parts.append('<tr><th>%s</th><td class="box"><div class="seal">%s<br>%s</div></td></tr>' % (
            html.escape(label), seal, BLANK_DATE))
    parts.append("</table></body></html>")
    return "".join(parts)


def project_pdf(project) -> bytes:
    """The project application form (项目申请书), as PDF bytes."""
    return html_to_pdf(project_html(project), css=PROJECT_CSS)


# ------------------------------------------------------------------------------------------------ summary table
# Every quantified target of the project (its model's labels carry the units).
SUMMARY_TARGETS = TARGET_FIELDS
SUMMARY_MONEY_FORMAT = "0.00"


def summary_title(*, organizer: str, cycle=None) -> str:
    """The table's title: ``仁化县科学技术局农村科技特派员帮扶项目汇总表（第二周期）``."""
    return "%s农村科技特派员帮扶项目汇总表%s" % (organizer, "（%s）" % cycle.name if cycle is not None else "")


def summary_headers() -> list[str]:
    return (["序号", "县（市、区）", "镇", "团队", "派出单位", "项目名称", "状态", "预算总额（元）"]
            + [str(Project._meta.get_field(name).verbose_name) for name in SUMMARY_TARGETS]
            + ["报送时间", "是否逾期"])


def is_overdue(project, today: dt.date | None = None) -> bool:
    """Submitted late (flagged on its first submission), or still unsubmitted past its due date."""
    if project.submitted_at:
        return bool(project.late)
    return (today or timezone.localdate()) > project.due_date


def summary_rows(projects, today: dt.date | None = None) -> list[list]:
    """The table's data rows (numbers as ``int``/``Decimal``, the time as a naive local datetime)."""
    rows = []
    for index, project in enumerate(projects, start=1):
        sent = project.submitted_at
        rows.append([
            index, project.town.county.name, project.town.name, project.team.name, project.team.lead_unit.name,
            project.title, project.get_status_display(), project.total_budget,
            *[getattr(project, name) for name in SUMMARY_TARGETS],
            timezone.localtime(sent).replace(tzinfo=None) if sent else None,
            "是" if is_overdue(project, today) else "否",
        ])
    return rows


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "", str(title or "")).strip("'").strip()
    return (cleaned or "项目汇总表")[:31]


def summary_xlsx(projects, *, title: str) -> bytes:
    """项目汇总表 as XLSX bytes: a title row, the frozen header, one row per project, a 合计 row (the budget sum as
    a number); text neutralised against formulas (``core.excel.neutralise``)."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from core.excel import neutralise

    if hasattr(projects, "select_related"):
        projects = projects.select_related("town__county", "team__lead_unit")
    projects = list(projects)
    headers = summary_headers()
    rows = summary_rows(projects)
    budget_column = headers.index("预算总额（元）") + 1
    income_column = headers.index(str(_verbose("income_raised"))) + 1
    area_column = headers.index(str(_verbose("demo_area_mu"))) + 1
    time_column = headers.index("报送时间") + 1

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = len(headers)

    sheet.cell(row=1, column=1, value=neutralise(str(title)))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=16)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=3 + offset, column=column, value=neutralise(value))
            cell.border = border
            if column in (budget_column, income_column):
                cell.number_format = SUMMARY_MONEY_FORMAT
            elif column == area_column:
                cell.number_format = "0.0"
            elif column == time_column and value is not None:
                cell.number_format = "yyyy-mm-dd hh:mm"
    total_row = 3 + len(rows)
    total = sum((project.total_budget for project in projects), ZERO)
    sheet.cell(row=total_row, column=1, value="合计")
    sheet.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=budget_column - 1)
    sheet.cell(row=total_row, column=1).alignment = Alignment(horizontal="center")
    cell = sheet.cell(row=total_row, column=budget_column, value=total)
    cell.number_format = SUMMARY_MONEY_FORMAT
    for column in range(1, width + 1):
        sheet.cell(row=total_row, column=column).font = Font(bold=True)
        sheet.cell(row=total_row, column=column).border = border
    sheet.freeze_panes = "A3"
    widths = {"序号": 6, "县（市、区）": 12, "镇": 12, "团队": 20, "派出单位": 24, "项目名称": 36, "状态": 14,
              "预算总额（元）": 16, "报送时间": 18, "是否逾期": 10}
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(header, 14)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "2:2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _verbose(name: str):
    return Project._meta.get_field(name).verbose_name
