"""An annual report as documents: the 公文 as DOCX and PDF (GB/T 9704 layout from :mod:`core.documents`, charts from
:mod:`core.charts`), and its statistical tables as XLSX.

Three steps, so the background task (:mod:`reports.tasks`) can show its progress:

1. :func:`collect` — what the document says: the report's figures (:func:`reports.selectors.figures_of`: kept once
   submitted, counted now for a draft), the activities by month and service type, the per-team stationed days and,
   for the city, the counties' completeness.
2. :func:`build_charts` — the charts as PNG (activities by month stacked by type, stationed days by team, grants by
   source); a chart without data is left out.
3. :func:`report_docx` / :func:`report_pdf` (both from :func:`document_kwargs`) and :func:`report_xlsx`.

Nothing here is typed by hand: every number is a figure of the report. The narratives go in as HTML blocks, which
:mod:`core.documents` cleans again (nh3) before they reach a document; photos are read through the storage API.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from core import documents as D
from reports import figures as F
from reports import selectors
from reports.choices import EDITABLE_STATES, ReportLevel

TOP_TEAMS = 15
FORMATS = ("docx", "pdf", "xlsx")
DAYS_SECTION = "六、驻镇时间"
#: The two figures :func:`reports.figures.day_totals` adds to a report's values (not in ``FIGURES``).
DAY_FIGURES = {
    "days.total": F.Figure("days.total", "团队当年驻镇天数（人天）", DAYS_SECTION, "pairings", unit="人天"),
    "days.teams_behind": F.Figure("days.teams_behind", "驻镇进度滞后团队（个）", DAYS_SECTION, "pairings", unit="个"),
}
#: How a breakdown's rows are named in the statistics table ("按职称：正高级").
GROUPS = {
    "people.unit": "按派出单位类型", "people.title": "按职称", "people.education": "按学历", "people.age": "按年龄",
    "grants.source": "资助金额按资金来源", "grants.level": "资助金额按组织层级", "activities.type": "按服务类型",
    "activities.month": "按月份", "flags.kind": "按预警类型", "cases.cause": "按事由", "cases.decision": "按处理决定",
    "evaluations.grade": "按等次",
}
NOT_WRITTEN = "（未填写）"


# ------------------------------------------------------------------------------------------------ values
def number(value) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def format_value(value, decimals: int = 0) -> str:
    """A figure as the documents print it: counts plain (``1234``), sums with their decimals and thousands separated
    (``12,345.50``)."""
    amount = number(value)
    if not decimals and amount == amount.to_integral_value():
        return str(int(amount))
    return "{:,.{p}f}".format(amount, p=decimals or max(0, -amount.as_tuple().exponent))


def _money(value) -> str:
    """An amount in a sentence: 万元 from ten thousand up, else 元."""
    amount = number(value)
    if amount >= 10000:
        return "%s万元" % "{:,.2f}".format(amount / 10000)
    return "%s元" % "{:,.2f}".format(amount)


# ------------------------------------------------------------------------------------------------ the parties
def is_draft(report) -> bool:
    """A draft (or a returned report being corrected): its figures are counted now, its title says （草稿）."""
    return report.status in EDITABLE_STATES


def issuer_of(report) -> str:
    """The S&T office that writes the report: "仁化县科学技术局", "韶关市科学技术局"."""
    return "%s科学技术局" % report.place_name


def recipients_of(report) -> str:
    """Who receives it: the city's S&T bureau for a county's report, the province's S&T department for the city's."""
    if report.level == ReportLevel.COUNTY:
        return "%s科学技术局" % report.city.name
    return "%s科学技术厅" % (report.city.province_name or "广东省")


def date_of(report) -> dt.date:
    """The submitted date, or today for a draft."""
    if not is_draft(report) and report.submitted_at:
        return timezone.localtime(report.submitted_at).date()
    return timezone.localdate()


def doc_number_of(report, date: dt.date) -> str:
    """The report's number; blank on a draft; "〔年份〕  号" (the number to be written in) when none was given."""
    if is_draft(report):
        return ""
    return report.doc_number or "〔%d〕　　号" % date.year


def title_of(report) -> str:
    title = str(report)
    return title + "（草稿）" if is_draft(report) else title


def filename_of(report, fmt: str) -> str:
    """The name a download is saved as: the title (path separators and control characters replaced)."""
    title = re.sub(r"[\\/\x00-\x1f\x7f]+", "_", title_of(report)).strip() or "年度报告"
    return ("%s_统计表.xlsx" % title) if fmt == "xlsx" else "%s.%s" % (title, fmt)


# ------------------------------------------------------------------------------------------------ step 1: collect
@dataclass
class ReportData:
    """Everything the documents print, collected once."""

    report: object
    figures: dict
    values: dict
    definitions: dict
    rows: list                       # the statistics table: dicts key, section, label, value, unit, decimals
    months: list                     # "1月" … "12月"
    month_series: dict               # {service type label: [12 counts]}, or {"服务活动": [12 counts]}
    month_by_type: bool
    teams: list                      # per pairing, as reports.figures.team_days
    completeness: list = field(default_factory=list)
    parts: list = field(default_factory=list)  # the city: [(column title, {key: value} or None)]

    @property
    def city(self) -> bool:
        return self.report.level == ReportLevel.CITY

    def value(self, key):
        return self.values.get(key, 0)

    def text(self, key) -> str:
        item = self.definitions.get(key)
        return format_value(self.value(key), item.decimals if item else 0)


def _definitions(year: int) -> dict:
    out = dict(F.figures_for(year))
    out.update(DAY_FIGURES)
    return out


def _group(key: str) -> str:
    return key.rsplit(".", 1)[0]


def _label(item) -> str:
    group = GROUPS.get(_group(item.key))
    return "%s：%s" % (group, item.label) if group else item.label


def statistic_rows(year: int, values: dict) -> list[dict]:
    """Every figure of the report by section (the order of ``reports.figures``), then the stationed days."""
    definitions = _definitions(year)
    sections = list(F.SECTIONS) + [DAYS_SECTION]
    ordered = sorted(definitions.values(), key=lambda item: sections.index(item.section)
                     if item.section in sections else len(sections))
    return [{"key": item.key, "section": item.section, "label": _label(item), "value": values.get(item.key, 0),
             "unit": item.unit, "decimals": item.decimals} for item in ordered]


def _type_choices():
    from fieldwork.choices import ServiceType

    return [(value, str(label)) for value, label in ServiceType.choices]


def _part_scopes(report, figures: dict) -> list:
    """Where the report's activities are counted: the county's scope; for the city, its own towns and each county
    whose accepted report it adds up."""
    if report.level == ReportLevel.COUNTY:
        return [selectors.scope_of(report)]
    from regions.models import County

    ids = [int(key) for key in (figures.get("parts") or {}) if key.isdigit()]
    return [F.city_own_scope(report.year, report.city)] + [
        F.county_scope(report.year, county) for county in County.objects.filter(pk__in=ids).order_by("code")]


def _activity_months(report, figures: dict, values: dict) -> tuple[dict, bool]:
    """Activities per month by service type, counted by one aggregate query per part of the report. When the
    report's own month totals (kept at submission) differ from that count — records changed since — the kept month
    totals alone are shown: a kept figure never changes."""
    types = _type_choices()
    keys = ["activities.type.%s@m%02d" % (value, month) for value, _label in types for month in range(1, 13)]
    counted = F.add_values(*(F.compute(scope, keys) for scope in _part_scopes(report, figures)))
    series = {label: [int(counted.get("activities.type.%s@m%02d" % (value, month), 0)) for month in range(1, 13)]
              for value, label in types}
    totals = [int(number(values.get("activities.month.%02d" % month))) for month in range(1, 13)]
    if [sum(column) for column in zip(*series.values())] == totals:
        return {label: counts for label, counts in series.items() if any(counts)}, True
    return {"服务活动": totals}, False


def _with_counties(teams: list[dict]) -> list[dict]:
    """The per-team rows with their county's name (one query)."""
    from regions.models import Town

    names = dict(Town.objects.filter(pk__in={row.get("town_id") for row in teams})
                 .values_list("pk", "county__name"))
    return [dict(row, county=names.get(row.get("town_id"), "")) for row in teams]


def _parts(report, figures: dict) -> list:
    """The city's table by county: each county of the city (its accepted report's kept figures, or None), the
    city's own towns."""
    from regions.models import County

    parts = figures.get("parts") or {}
    out = []
    for county in County.objects.filter(city_id=report.city_id).order_by("code"):
        part = parts.get(str(county.pk))
        out.append((county.name if part is not None else "%s（未接收）" % county.name, part))
    out.append(("市本级", parts.get("own")))
    return out


def collect(report) -> ReportData:
    """Step 1: the report's figures and the tables the documents print."""
    figures = selectors.figures_of(report)
    values = dict(figures.get("values") or {})
    month_series, by_type = _activity_months(report, figures, values)
    teams = _with_counties(list(figures.get("teams") or []))
    data = ReportData(report=report, figures=figures, values=values, definitions=_definitions(report.year),
                      rows=statistic_rows(report.year, values), months=["%d月" % m for m in range(1, 13)],
                      month_series=month_series, month_by_type=by_type, teams=teams)
    if data.city:
        data.completeness = selectors.completeness(report)
        data.parts = _parts(report, figures)
    return data


# ------------------------------------------------------------------------------------------------ step 2: charts
def top_teams(teams: list[dict], limit: int = TOP_TEAMS) -> list[dict]:
    return sorted(teams, key=lambda row: (-row.get("days_to_date", 0), row.get("team", "")))[:limit]


def build_charts(data: ReportData) -> list[tuple[str, bytes]]:
    """Step 2: ``[(caption without its number, PNG)]``; a chart with nothing to show is left out."""
    from core import charts as C  # matplotlib: loaded by the task that draws, not by every process that serves pages

    year = data.report.year
    out = []
    if any(any(counts) for counts in data.month_series.values()):
        title = "%d年服务活动按月分布%s" % (year, "（按服务类型）" if data.month_by_type else "")
        out.append((title, C.bar_chart("", data.months, data.month_series, stacked=True, unit="次")))
    teams = top_teams(data.teams)
    if teams:
        more = len(data.teams) > len(teams)
        title = "各团队驻镇天数进度%s" % ("（前%d名）" % len(teams) if more else "")
        names = ["%s（%s）" % (row.get("team", ""), row.get("town", "")) for row in teams]
        out.append((title, C.bar_chart("", names, {
            "累计驻镇天数": [row.get("days_to_date", 0) for row in teams],
            "按进度应达天数": [row.get("expected_to_date", 0) for row in teams]}, horizontal=True, unit="人天")))
    sources = [item for item in data.definitions.values() if _group(item.key) == "grants.source"]
    amounts = [(item.label, float(number(data.value(item.key)))) for item in sources]
    if any(amount > 0 for _label, amount in amounts):
        title = "%d年立项资助金额按资金来源" % year
        out.append((title, C.pie_chart("", [label for label, _a in amounts], [a for _l, a in amounts])))
    return out


# ------------------------------------------------------------------------------------------------ step 3: documents
def _listing(data: ReportData, group: str, unit: str, *, money: bool = False) -> str:
    """"技术指导12次、科技培训3次" — the non-zero parts of a breakdown."""
    parts = []
    for item in data.definitions.values():
        if _group(item.key) == group and number(data.value(item.key)):
            amount = _money(data.value(item.key)) if money else "%s%s" % (data.text(item.key), unit)
            parts.append("%s%s" % (item.label, amount))
    return "、".join(parts)


def figure_sentences(data: ReportData) -> list[str]:
    """The main figures written out, one paragraph per theme."""
    t, year = data.text, data.report.year
    place = "全市" if data.city else data.report.place_name
    out = []
    text = "%d年，%s共有%s个科技特派员团队、%s名农村科技特派员在岗服务，结对帮扶%s对。" % (
        year, place, t("teams.total"), t("people.total"), t("pairings.total"))
    units = _listing(data, "people.unit", "人")
    if units:
        text += "特派员中，%s。" % units
    out.append(text)
    to_cover, covered = number(data.value("towns.to_cover")), number(data.value("towns.covered"))
    text = "应帮扶镇%s个，已结对帮扶镇%s个" % (t("towns.to_cover"), t("towns.covered"))
    text += "，覆盖率%s%%。" % format_value((covered * 100 / to_cover).quantize(Decimal("0.1")), 1) if to_cover \
        else "。"
    out.append(text)
    text = ("签订帮扶协议%s份，其中镇已确认%s份；实施中的帮扶项目%s个，其中已立项%s个；当年立项资助%s项，资助金额%s，"
            "当年拨付资金%s。") % (t("agreements.total"), t("agreements.confirmed"), t("projects.total"),
                            t("projects.approved"), t("grants.total"), _money(data.value("grants.amount")),
                            _money(data.value("payments.amount")))
    sources = _listing(data, "grants.source", "", money=True)
    if sources:
        text += "资助资金中，%s。" % sources
    out.append(text)
    behind = number(data.value("days.teams_behind"))
    text = "各团队当年驻镇%s人天" % t("days.total")
    text += "，%s个团队驻镇进度落后于周期要求。" % t("days.teams_behind") if behind else "，驻镇进度均达到周期要求。"
    out.append(text)
    text = "开展并经驻镇工作队确认的服务活动%s次" % t("activities.total")
    types = _listing(data, "activities.type", "次")
    text += "（%s）" % types if types else ""
    text += ("，其中跨镇帮扶%s次；举办培训%s场、培训%s人次，服务农户%s户次、企业和合作社%s家次，引进推广技术或品种%s次，"
             "开展示范活动%s个、示范面积%s亩；已立项项目建设示范基地%s个、示范面积%s亩。") % (
        t("activities.cross_town"), t("activities.trainings"), t("activities.people_trained"),
        t("activities.households"), t("activities.enterprises"), t("activities.technologies"),
        t("activities.demo_bases"), t("activities.demo_area"), t("projects.demo_bases"), t("projects.demo_area"))
    out.append(text)
    text = "平台发出预警%s次，办理调整更换案件%s件；派出单位年度考评%s人" % (
        t("flags.total"), t("cases.total"), t("evaluations.total"))
    grades = _listing(data, "evaluations.grade", "人")
    text += "，其中%s。" % grades if grades else "。"
    out.append(text)
    return out


def _opening(data: ReportData) -> str:
    report = data.report
    place = "全市" if data.city else report.place_name
    return ("%d年，%s认真落实农村科技特派员驻镇帮镇扶村工作部署，组织科技特派员团队驻镇开展科技帮扶。"
            "现将%d年度工作情况报告如下。") % (report.year, place, report.year)


def _narrative(html_text: str) -> dict:
    if (html_text or "").strip():
        return {"kind": "html", "html": html_text}
    return {"kind": "paragraph", "text": NOT_WRITTEN}


def _photo_bytes(photo) -> bytes:
    """A chosen photo, read through the storage API (nothing when it is gone: the document says so)."""
    field_file = photo.image
    if not field_file or not field_file.name:
        return b""
    try:
        with field_file.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return b""


def case_photos(report) -> list[tuple[str, bytes]]:
    """The typical cases' photos with their captions: the activity's title, town and date."""
    photos = report.case_photos.select_related("activity__town").order_by("activity__date", "pk")
    out = []
    for photo in photos:
        activity = photo.activity
        caption = "%s（%s，%s）" % (activity.title, activity.town.name, D.format_doc_date(activity.date))
        out.append((caption, _photo_bytes(photo)))
    return out


TEAM_HEADERS = ["当年驻镇（人天）", "累计驻镇（人天）", "按进度应达（人天）", "周期要求（人天）", "完成比例（%）"]


def team_table(data: ReportData, *, compact: bool = False) -> tuple[list[str], list[list]]:
    """附件2 / the 驻镇天数 sheet: one row per pairing. ``compact`` (the A4 page): the figures' headers on two lines
    and "滞后" written under the share of a team behind its pace, so the names keep the width."""
    figures = [header.replace("（", "\n（") for header in TEAM_HEADERS] if compact else TEAM_HEADERS
    headers = ["序号"] + (["县（市、区）"] if data.city else []) + ["团队", "结对镇"] + figures + (
        [] if compact else ["进度"])
    rows = []
    ordered = sorted(data.teams, key=lambda row: (row.get("county", ""), row.get("town", ""), row.get("team", "")))
    for index, row in enumerate(ordered, start=1):
        pace = "滞后" if row.get("behind") else "正常"
        percent = row.get("percent", 0)
        rows.append([index] + ([row.get("county", "")] if data.city else []) + [
            row.get("team", ""), row.get("town", ""), row.get("days_year", 0), row.get("days_to_date", 0),
            row.get("expected_to_date", 0), row.get("required", 0)]
            + (["%s\n%s" % (percent, pace) if row.get("behind") else str(percent)] if compact else [percent, pace]))
    return headers, rows


def completeness_table(data: ReportData) -> tuple[list[str], list[list]]:
    """附件3 / the 各县报送情况 sheet (the city)."""
    headers = ["县（市、区）", "报告状态", "报送时间", "是否按时", "是否已接收", "缺报说明"]
    rows = []
    for row in data.completeness:
        submitted = row["submitted_at"]
        rows.append([row["county"].name, row["status"],
                     D.format_doc_date(timezone.localtime(submitted).date()) if submitted else "",
                     {True: "是", False: "否", None: ""}[row["on_time"]], "是" if row["accepted"] else "否",
                     row["note"]])
    return headers, rows


def _attachments(data: ReportData) -> list[dict]:
    year = data.report.year
    rows = []
    section = None
    for row in data.rows:
        if row["section"] != section:
            section = row["section"]
            rows.append([section, "", ""])
        rows.append([row["label"], format_value(row["value"], row["decimals"]), row["unit"]])
    team_headers, team_rows = team_table(data, compact=True)
    place = data.report.place_name
    out = [
        {"title": "附件1：%s%d年度工作统计表" % (place, year), "headers": ["指标", "数值", "单位"], "rows": rows},
        {"title": "附件2：%s%d年度各团队驻镇天数统计表" % (place, year), "headers": team_headers,
         "rows": [[str(value) for value in row] for row in team_rows]},
    ]
    if data.city:
        headers, completeness = completeness_table(data)
        out.append({"title": "附件3：%s%d年度各县（市、区）年度报告报送情况" % (place, year), "headers": headers,
                    "rows": completeness})
    return out


def document_kwargs(data: ReportData, charts: list[tuple[str, bytes]], photos=None) -> dict:
    """The keyword arguments of :func:`core.documents.report_docx` / ``report_pdf`` for the report."""
    report = data.report
    photos = case_photos(report) if photos is None else photos
    number_of = iter(range(1, 1000))
    blocks = [{"kind": "paragraph", "text": _opening(data)},
              {"kind": "heading", "text": "一、基本情况"}]
    blocks += [{"kind": "paragraph", "text": text} for text in figure_sentences(data)]
    blocks += [{"kind": "image", "png": png, "caption": "图%d　%s" % (next(number_of), caption)}
               for caption, png in charts]
    blocks += [{"kind": "heading", "text": "二、主要成效"}, _narrative(report.achievements),
               {"kind": "heading", "text": "三、典型案例"}, _narrative(report.typical_cases)]
    blocks += [{"kind": "image", "png": content, "caption": "图%d　%s" % (next(number_of), caption)}
               for caption, content in photos]
    blocks += [{"kind": "heading", "text": "四、存在问题"}, _narrative(report.problems),
               {"kind": "heading", "text": "五、下一年度工作计划"}, _narrative(report.next_plan)]
    date = date_of(report)
    return {"issuer": issuer_of(report), "doc_number": doc_number_of(report, date), "title": title_of(report),
            "recipients": recipients_of(report), "blocks": blocks, "signature": issuer_of(report), "date": date,
            "attachments": _attachments(data)}


def report_docx(data: ReportData, charts) -> bytes:
    return D.report_docx(**document_kwargs(data, charts))


def report_pdf(data: ReportData, charts) -> bytes:
    return D.report_pdf(**document_kwargs(data, charts))


# ------------------------------------------------------------------------------------------------ XLSX
MONEY_FORMAT = "#,##0.00"
AREA_FORMAT = "#,##0.0"
COUNT_FORMAT = "0"


def _cell_number(value, decimals: int):
    """A figure as a spreadsheet number: an int for a count, a Decimal for a sum (written as a number)."""
    amount = number(value)
    return int(amount) if not decimals and amount == amount.to_integral_value() else amount


def _format(decimals: int) -> str:
    return MONEY_FORMAT if decimals >= 2 else AREA_FORMAT if decimals == 1 else COUNT_FORMAT


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _sheet(workbook, title: str, headers: list, rows: list, formats: dict | None = None):
    """A sheet: the bold, frozen header, the rows (text neutralised against formulas), sized columns; ``formats``
    gives a number format per column index, or per cell ``(row index, column index)``."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from core.excel import neutralise

    sheet = workbook.create_sheet(title)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2F2F2")
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column, value=neutralise(str(header)))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    formats = formats or {}
    for row_index, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index + 2, column=column,
                              value=neutralise(value) if isinstance(value, str) else value)
            fmt = formats.get((row_index, column - 1), formats.get(column - 1))
            if fmt and isinstance(value, (int, float, Decimal)):
                cell.number_format = fmt
    for column, header in enumerate(headers, start=1):
        longest = max([_width(header)] + [_width(row[column - 1]) for row in rows[:500] if len(row) >= column])
        sheet.column_dimensions[get_column_letter(column)].width = min(max(longest + 2, 8), 60)
    sheet.freeze_panes = "A2"
    return sheet


def report_xlsx(data: ReportData) -> bytes:
    """The statistical tables: 统计表 (every figure), 驻镇天数 (per team), 按月服务活动, and for the city 各县报送情况
    and 分县数据 (each county's accepted figures, the city's own towns, the total)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    rows, formats = [], {}
    for index, row in enumerate(data.rows):
        rows.append([row["section"], row["label"], _cell_number(row["value"], row["decimals"]), row["unit"],
                     row["key"]])
        formats[(index, 2)] = _format(row["decimals"])
    _sheet(workbook, "统计表", ["类别", "指标", "数值", "单位", "指标代码"], rows, formats)
    headers, team_rows = team_table(data)
    _sheet(workbook, "驻镇天数", headers, team_rows)
    names = list(data.month_series)
    month_rows = [[label] + [data.month_series[name][index] for name in names]
                  + ([sum(data.month_series[name][index] for name in names)] if len(names) > 1 else [])
                  for index, label in enumerate(data.months)]
    totals = ["合计"] + [sum(data.month_series[name]) for name in names] + (
        [sum(sum(data.month_series[name]) for name in names)] if len(names) > 1 else [])
    _sheet(workbook, "按月服务活动", ["月份"] + ["%s（次）" % name for name in names]
           + (["合计（次）"] if len(names) > 1 else []), month_rows + [totals])
    if data.city:
        headers, completeness = completeness_table(data)
        _sheet(workbook, "各县报送情况", headers, completeness)
        part_rows, formats = [], {}
        for index, row in enumerate(data.rows):
            cells = [None if part is None else _cell_number(part.get(row["key"], 0), row["decimals"])
                     for _title, part in data.parts]
            part_rows.append([row["section"], row["label"], row["unit"]] + cells
                             + [_cell_number(row["value"], row["decimals"])])
            for column in range(3, 4 + len(data.parts)):
                formats[(index, column)] = _format(row["decimals"])
        _sheet(workbook, "分县数据", ["类别", "指标", "单位"] + [title for title, _part in data.parts] + ["合计"],
               part_rows, formats)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build(report, fmt: str, progress=None) -> bytes:
    """The whole document in one call (``progress(step, message)`` after each step)."""
    step = progress or (lambda _done, _message: None)
    data = collect(report)
    step(1, "统计数据已汇总，正在生成图表")
    charts = build_charts(data) if fmt != "xlsx" else []
    step(2, "正在生成文档")
    content = {"docx": report_docx, "pdf": report_pdf}[fmt](data, charts) if fmt != "xlsx" else report_xlsx(data)
    step(3, "文档已生成，正在保存")
    return content
