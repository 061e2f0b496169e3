"""Printed documents of the expert review and the funding, generated from the records only.

* :func:`score_sheet_pdf` — 专家评分汇总表 and 专家组论证意见 in one PDF (WeasyPrint, the installed CJK font, A4 with
  the GB/T 9704 margins, as ``projects.documents``): the header (project, town, team, cycle, review mode, organizer),
  each submitted expert's five criterion scores, weighted total and outlier mark (:func:`reviews.selectors.score_sheet`),
  the panel's mean, range and standard deviation, the per-criterion means with their weights, each expert's comment;
  then the panel's opinion and the decision (conclusion, approved amount, decision comment) with the signature lines
  (专家组组长签字, 专家组成员签字, dates). Callers print it only once :func:`reviews.selectors.scores_visible`.
* :func:`ledger_xlsx` — 立项资助台账 of the grants given (the caller scopes them): one row per grant with its
  disbursed and undisbursed amounts and its number of tranches, a 合计 row summed by the database, and a 拨付明细
  sheet with every tranche (date, amount, note) and its total.

Money is ``Decimal`` yuan throughout, printed as ``12,000.00`` (a number cell with a money format in the XLSX);
nothing goes through a float.
"""
from __future__ import annotations

import html
import io
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from core.documents import format_doc_date, html_to_pdf
from projects.documents import BLANK_DATE, money, organizer_office
from reviews import selectors
from reviews.choices import CRITERIA, OUTLIER_POINTS, ReviewMode
from reviews.models import Disbursement, Grant, Review

SCORE_SHEET_TITLE = "专家评分汇总表"
OPINION_TITLE = "专家组论证意见"
LEDGER_TITLE = "立项资助台账"
TRANCHES_TITLE = "拨付明细"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
ZERO = Decimal("0.00")


# ------------------------------------------------------------------------------------------------ score sheet
def _esc(value) -> str:
    return html.escape(str(value if value is not None else "")).replace("\n", "<br>")


def _number(value, places: int = 2) -> str:
    """A score or statistic as printed (``85.25``); "—" when there is none."""
    if value is None:
        return "—"
    return f"{Decimal(str(value)):.{places}f}"


def _when(value) -> str:
    if value is None:
        return BLANK_DATE
    return format_doc_date(timezone.localtime(value).date() if timezone.is_aware(value) else value)


def _load_review(review) -> Review:
    return Review.objects.select_related("project", "town__county__city", "team__lead_unit", "cycle").get(pk=review.pk)


def score_sheet_header(review) -> list[tuple[str, str]]:
    """The header's label/value pairs: project, team, town, cycle, mode, organizer, panel, scoring finished."""
    return [
        ("项目名称", review.project.title),
        ("承担团队", review.team.name),
        ("派出单位", review.team.lead_unit.name),
        ("帮扶镇", review.town.full_name),
        ("帮扶周期", review.cycle.name),
        ("论证方式", review.get_mode_display()),
        ("组织单位", organizer_office(review)),
        ("专家组人数", "%d人" % review.panel_size),
        ("项目预算（元）", money(review.project.total_budget)),
        ("评分完成时间", _when(review.scored_at)),
    ]


def _weights(review) -> dict[str, Decimal]:
    return {key: Decimal(str(review.weights.get(key, 0) or 0)) for key, _label in CRITERIA}


def score_rows(review, sheet: dict) -> list[list[str]]:
    """The scores table: one row per submitted expert (序号, 姓名, 单位及职称, the five scores, 加权总分, 异常评分)."""
    rows = []
    for index, seat in enumerate(sheet["seats"], start=1):
        expert = seat.expert
        rows.append([str(index), expert.name, "%s%s" % (expert.unit_name, "／%s" % expert.title if expert.title else ""),
                     *[_number(getattr(seat, "score_%s" % key), 0) for key, _label in CRITERIA],
                     _number(seat.total), "异常" if getattr(seat, "outlier", False) else ""])
    return rows


SHEET_CSS = """
html { line-height: 1.4; }
h1 { font-size: 22pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 2mm 0 1mm; break-after: avoid; page-break-after: avoid; }
table { margin-bottom: 1.5mm; table-layout: fixed; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { font-size: 10.5pt; padding: 1mm 1.2mm; }
table th { width: auto; }
table.grid th { background: #f2f2f2; text-align: center; font-size: 9.5pt; }
table.grid td.num { text-align: right; }
tr.summary td { font-weight: bold; }
td.outlier { font-weight: bold; color: #d7000f; text-align: center; }
p.note { font-size: 10.5pt; margin: 1mm 0; }
.opinion { page-break-before: always; break-before: page; }
td.box { height: 45mm; }
td.small-box { height: 18mm; }
.signatures { margin-top: 3mm; break-inside: avoid; page-break-inside: avoid; }
.signatures p { font-size: 14pt; margin: 3mm 0 0; }
.signatures .date { text-align: right; margin-right: 4em; }
.printed { font-size: 9pt; color: #555; margin-top: 3mm; }
"""


def _form_table(pairs: list[tuple[str, str]], columns: int = 4) -> str:
    """Label/value pairs as a form table, two pairs a line (a last pair alone spreads over the line)."""
    per_line = columns // 2
    rows = []
    for start in range(0, len(pairs), per_line):
        chunk = pairs[start:start + per_line]
        cells = []
        for number, (label, value) in enumerate(chunk):
            span = columns - 2 * len(chunk) + 1 if number == len(chunk) - 1 else 1
            cells.append("<th>%s</th><td%s>%s</td>" % (_esc(label), ' colspan="%d"' % span if span > 1 else "",
                                                       _esc(value)))
        rows.append("<tr>%s</tr>" % "".join(cells))
    return ('<table class="form"><colgroup><col style="width:18%"><col style="width:32%"><col style="width:18%">'
            '<col style="width:32%"></colgroup><tbody>' + "".join(rows) + "</tbody></table>")


def _scores_table(review, sheet: dict) -> str:
    weights = _weights(review)
    total_weight = sum(weights.values()) or Decimal("1")
    headers = ["序号", "专家姓名", "工作单位及职称", *[str(label) for _key, label in CRITERIA], "加权总分", "异常评分"]
    widths = [5, 9, 25, 8, 8, 8, 8, 8, 11, 10]
    parts = ['<table class="grid"><colgroup>%s</colgroup><thead><tr>%s</tr></thead><tbody>' % (
        "".join('<col style="width:%d%%">' % width for width in widths),
        "".join("<th>%s</th>" % _esc(header) for header in headers))]
    for row in score_rows(review, sheet):
        cells = ["<td>%s</td>" % _esc(value) for value in row[:3]]
        cells += ['<td class="num">%s</td>' % _esc(value) for value in row[3:9]]
        cells.append('<td class="outlier">%s</td>' % _esc(row[9]))
        parts.append("<tr>%s</tr>" % "".join(cells))
    if not sheet["seats"]:
        parts.append('<tr><td colspan="10">（尚无专家提交评分）</td></tr>')
    means = {criterion["key"]: criterion["mean"] for criterion in sheet["criteria"]}
    parts.append('<tr class="summary"><td colspan="3">各项平均分</td>%s<td class="num">%s</td><td></td></tr>' % (
        "".join('<td class="num">%s</td>' % _number(means.get(key), 1) for key, _label in CRITERIA),
        _number(sheet["mean"])))
    parts.append('<tr><td colspan="3">权重（%%）</td>%s<td></td><td></td></tr>' % "".join(
        '<td class="num">%s</td>' % _number(weights[key] * 100 / total_weight, 1) for key, _label in CRITERIA))
    parts.append("</tbody></table>")
    return "".join(parts)


def score_statistics(sheet: dict) -> list[str]:
    """The lines under the table: mean, range, standard deviation, the outliers."""
    lines = ["评分专家%d人（各项满分100分，加权总分按权重计算）；加权总分平均分%s，极差%s，标准差%s。" % (
        sheet["count"], _number(sheet["mean"]), _number(sheet["spread"]), _number(sheet["stdev"]))]
    if sheet["outliers"]:
        lines.append("异常评分（加权总分偏离中位数%s分超过%d分）：%s。" % (
            _number(sheet.get("median")), OUTLIER_POINTS,
            "、".join("%s（%s分）" % (seat.expert.name, _number(seat.total)) for seat in sheet["outliers"])))
    else:
        lines.append("无异常评分（各专家加权总分偏离中位数均不超过%d分）。" % OUTLIER_POINTS)
    return lines


def decision_rows(review) -> list[tuple[str, str]]:
    """The decision as printed: the conclusion, the approved amount, the decision comment, when."""
    decided = review.decided_at is not None
    return [
        ("论证结论", review.get_status_display() if decided else "（尚未作出决定）"),
        ("核定资助金额（元）", money(review.approved_amount) if review.approved_amount is not None else "—"),
        ("决定意见", review.decision_comment or "—"),
        ("决定日期", _when(review.decided_at) if decided else BLANK_DATE),
    ]


def score_sheet_html(review, user=None) -> str:
    """The score sheet and the panel's opinion as HTML for WeasyPrint."""
    review = _load_review(review)
    sheet = selectors.score_sheet(review)
    office = organizer_office(review)
    parts = ['<html><head><meta charset="utf-8"><title>%s</title></head><body>' % SCORE_SHEET_TITLE,
             "<h1>%s</h1>" % SCORE_SHEET_TITLE,
             _form_table(score_sheet_header(review)),
             "<h2>一、专家评分</h2>", _scores_table(review, sheet)]
    parts += ['<p class="note">%s</p>' % _esc(line) for line in score_statistics(sheet)]
    parts.append("<h2>二、专家评审意见</h2>")
    comments = [(seat.expert.name, seat.comment) for seat in sheet["seats"]]
    if comments:
        parts.append('<table class="grid"><colgroup><col style="width:18%"><col></colgroup><tbody>')
        parts += ["<tr><th>%s</th><td>%s</td></tr>" % (_esc(name), _esc(comment or "—")) for name, comment in comments]
        parts.append("</tbody></table>")
    else:
        parts.append('<p class="note">（无）</p>')
    parts.append('<div class="signatures"><p>专家组组长签字：%s专家组成员签字：</p>'
                 '<p class="date">%s</p></div>' % ("　" * 8, BLANK_DATE))

    # The panel's opinion and the decision, on a page of its own.
    parts.append('<div class="opinion"><h1>%s</h1>' % OPINION_TITLE)
    parts.append(_form_table([("项目名称", review.project.title), ("承担团队", review.team.name),
                              ("帮扶镇", review.town.full_name), ("组织单位", office)]))
    parts.append('<h2>一、专家组意见</h2><table><tbody><tr><td class="box">%s</td></tr></tbody></table>' % (
        _esc(review.panel_opinion) if review.panel_opinion else "&nbsp;"))
    parts.append('<div class="signatures"><p>专家组组长签字：</p><p class="date">%s</p></div>' % BLANK_DATE)
    parts.append("<h2>二、论证决定</h2>")
    parts.append('<table><colgroup><col style="width:24%"><col></colgroup><tbody>')
    for label, value in decision_rows(review):
        box = ' class="small-box"' if label == "决定意见" else ""
        parts.append("<tr><th>%s</th><td%s>%s</td></tr>" % (_esc(label), box, _esc(value)))
    parts.append("</tbody></table>")
    parts.append('<div class="signatures"><p>%s（盖章）</p><p class="date">%s</p></div>' % (_esc(office), BLANK_DATE))
    if user is not None and getattr(user, "is_authenticated", False):
        parts.append('<p class="printed">打印：%s，%s</p>' % (
            _esc(getattr(user, "full_name", "") or user.get_username()),
            timezone.localtime().strftime("%Y-%m-%d %H:%M")))
    parts.append("</div></body></html>")
    return "".join(parts)


def score_sheet_pdf(review, user=None) -> bytes:
    """专家评分汇总表 and 专家组论证意见 as PDF bytes. Only for a panel review whose scores are visible (every expert
    submitted): the callers check :func:`reviews.selectors.scores_visible` and who may read it."""
    if review.mode != ReviewMode.PANEL or not selectors.scores_visible(review):
        raise ValueError("the score sheet is printed only once every expert of the panel has submitted")
    return html_to_pdf(score_sheet_html(review, user), css=SHEET_CSS)


# ------------------------------------------------------------------------------------------------ ledger
LEDGER_HEADERS = ["序号", "立项编号", "项目名称", "县（市、区）", "镇", "团队", "资助单位", "资金年度", "资金来源",
                  "资助金额（元）", "已拨付（元）", "未拨付（元）", "立项日期", "拨付次数"]
LEDGER_WIDTHS = {"序号": 6, "立项编号": 20, "项目名称": 36, "县（市、区）": 12, "镇": 12, "团队": 20, "资助单位": 20,
                 "资金年度": 10, "资金来源": 20, "资助金额（元）": 16, "已拨付（元）": 16, "未拨付（元）": 16,
                 "立项日期": 12, "拨付次数": 10}
TRANCHE_HEADERS = ["序号", "立项编号", "项目名称", "拨付日期", "拨付金额（元）", "摘要"]
TRANCHE_WIDTHS = {"序号": 6, "立项编号": 20, "项目名称": 36, "拨付日期": 12, "拨付金额（元）": 16, "摘要": 30}
MONEY_HEADERS = {"资助金额（元）", "已拨付（元）", "未拨付（元）", "拨付金额（元）"}


def _grant_queryset(grants):
    """The grants given (a queryset, or rows) as a queryset: the database sums over it."""
    if hasattr(grants, "model") and hasattr(grants, "query"):
        return grants
    return Grant.objects.filter(pk__in=[grant.pk for grant in grants])


def ledger_figures(grants):
    """``(rows, totals)``: the grants with ``disbursed``, ``undisbursed`` and ``tranches`` (their count), and the
    totals of amount, disbursed and undisbursed — every figure summed by the database."""
    queryset = _grant_queryset(grants)
    rows = list(selectors.grants_with_figures(queryset.select_related("project", "town__county", "team", "city",
                                                                      "county"))
                .annotate(tranches=Count("disbursements", distinct=True))
                .order_by("-fiscal_year", "project_number"))
    ids = queryset.order_by().values("pk")
    amount = Grant.objects.filter(pk__in=ids).aggregate(s=Sum("amount"))["s"] or ZERO
    disbursed = Disbursement.objects.filter(grant__in=ids).aggregate(s=Sum("amount"))["s"] or ZERO
    return rows, {"amount": amount, "disbursed": disbursed, "undisbursed": amount - disbursed}


def ledger_rows(grants) -> list[list]:
    """The ledger's data rows (money as ``Decimal``, dates as dates)."""
    return [[index, grant.project_number, grant.project.title, grant.town.county.name, grant.town.name,
             grant.team.name, grant.keeper_name, grant.fiscal_year, grant.get_budget_source_display(), grant.amount,
             grant.disbursed, grant.undisbursed, grant.granted_on, grant.tranches]
            for index, grant in enumerate(grants, start=1)]


def _write_sheet(sheet, title: str, headers: list[str], rows: list[list], widths: dict, totals: dict) -> None:
    """A title row, the frozen header, the rows, the 合计 row (``totals``: header → value), widths and formats."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from core.excel import neutralise

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = len(headers)
    sheet.cell(row=1, column=1, value=neutralise(title))
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
            header = headers[column - 1]
            if header in MONEY_HEADERS:
                cell.number_format = MONEY_FORMAT
            elif header.endswith("日期") and value is not None:
                cell.number_format = DATE_FORMAT
    total_row = 3 + len(rows)
    first_money = min(headers.index(header) for header in totals) + 1
    sheet.cell(row=total_row, column=1, value="合计")
    if first_money > 2:
        sheet.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=first_money - 1)
    sheet.cell(row=total_row, column=1).alignment = Alignment(horizontal="center")
    for header, value in totals.items():
        cell = sheet.cell(row=total_row, column=headers.index(header) + 1, value=value)
        if header in MONEY_HEADERS:
            cell.number_format = MONEY_FORMAT
    for column in range(1, width + 1):
        sheet.cell(row=total_row, column=column).font = Font(bold=True)
        sheet.cell(row=total_row, column=column).border = border
    sheet.freeze_panes = "A3"
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(header, 14)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "2:2"


def ledger_xlsx(grants, *, title: str = LEDGER_TITLE) -> bytes:
    """立项资助台账 as XLSX bytes: the ledger sheet (a row per grant, a 合计 row) and the 拨付明细 sheet (a row per
    tranche, a 合计 row); every total summed by the database; text neutralised against formulas."""
    import openpyxl

    rows, totals = ledger_figures(grants)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = LEDGER_TITLE
    _write_sheet(sheet, title, LEDGER_HEADERS, ledger_rows(rows), LEDGER_WIDTHS,
                 {"资助金额（元）": totals["amount"], "已拨付（元）": totals["disbursed"],
                  "未拨付（元）": totals["undisbursed"],
                  "拨付次数": sum(grant.tranches for grant in rows)})

    tranches = (Disbursement.objects.filter(grant__in=_grant_queryset(grants).order_by().values("pk"))
                .select_related("grant__project").order_by("grant__project_number", "paid_on", "pk"))
    tranche_rows = [[index, tranche.grant.project_number, tranche.grant.project.title, tranche.paid_on,
                     tranche.amount, tranche.note] for index, tranche in enumerate(tranches, start=1)]
    _write_sheet(workbook.create_sheet(TRANCHES_TITLE), "%s拨付明细" % title.removesuffix("台账"), TRANCHE_HEADERS,
                 tranche_rows, TRANCHE_WIDTHS, {"拨付金额（元）": totals["disbursed"]})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
