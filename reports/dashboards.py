"""The dashboards (数据看板): each role's programme at a glance, every number traced to its records.

One page, four kinds of frame, always derived from the user (never widened by a parameter):

* ``city``: the city officials' city, every organizing level; the province picks one of *its* cities (and the system
  administrator any city);
* ``county``: a county's own programme — the towns the county organizes (``levels=("county",)``), as its annual
  report counts them;
* ``team``: a team leader's or member's team, over the team's cycle;
* ``unit``: a dispatching unit's account: the teams it leads and its people.

Every number comes from :mod:`reports.figures` (``compute``, ``team_days``) or is an aggregate over a figure's own
source (``SOURCES[...].queryset(scope)``) cut further by month, by town or by funder, so each one equals the figure
of a narrower scope and links to ``reports:trace`` with that scope. Queries a panel writes itself are restricted with
:func:`core.scoping.restrict` as well. The number of queries does not grow with the records: one aggregate per
source, one per panel.

:func:`frame_for` reads the selectors (year, cycle, the province's city); :func:`build` returns the panels, each
with its chart spec (drawn by ``static/js/charts.js``), its data table (shown under the chart and written as a sheet
of the export by :func:`workbook`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.roles import CITY_ROLES, COUNTY_ROLES, TEAM_ROLES, Role, is_system_admin
from core.scoping import restrict
from reports import figures as F

#: Who has a dashboard (and reads statistics: the traced lists, the figures API): not towns, not experts.
READERS = frozenset({Role.PROVINCE, *CITY_ROLES, *COUNTY_ROLES, *TEAM_ROLES, Role.UNIT})
DAYS_CHART_CAP = 30
RECENT_DAYS = 60
WIDE_START = dt.date(2000, 1, 1)

# Colours: every one at least 3:1 against white (WCAG 1.4.11, graphical objects); text on the grid cells 4.5:1.
BLUE, GREEN, RED, ORANGE, PURPLE, TEAL, GREY, INK = ("#0a58ca", "#146c43", "#b02a37", "#a34d00", "#6f42c1", "#0f6674",
                                                     "#5c636a", "#212529")
SLATE = "#6a7f99"
TYPE_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, RED, TEAL, GREY, INK)

# Coverage of towns (镇覆盖): the status of a town in the period, most advanced first.
COVERAGE = (
    ("active", "●", "已开展帮扶", "有结对团队在统计期间内开展帮扶（帮扶中或已结束）"),
    ("paired", "◐", "已结对待开展", "已拟结对、公示或备案，尚未开始帮扶"),
    ("open", "○", "应帮扶未结对", "列入本周期帮扶，尚无结对团队"),
    ("other", "◇", "其他层级组团", "由市级或省级组织选派，不计入本县"),
    ("none", "－", "未列入帮扶", "本周期未列入帮扶（不组织）"),
)
PRE_ACTIVE = ("proposed", "on_notice", "notice_cleared", "registered")
WORKED = ("active", "ended", "replaced")
# Activity in the last 60 days: buckets of the count of confirmed activities in a town.
HEAT = ((0, 0, "h0", "0次"), (1, 2, "h1", "1–2次"), (3, 5, "h2", "3–5次"), (6, 10, "h3", "6–10次"),
        (11, None, "h4", "11次及以上"))


# ------------------------------------------------------------------------------------------------ cells
@dataclass
class Cell:
    """A value of a table (and of the export), with the link to the records that make it."""

    value: object = None
    url: str = ""
    text: str = ""
    behind: bool = False

    def __str__(self) -> str:
        return self.text or show(self.value)

    @property
    def numeric(self) -> bool:
        value = self.value
        return not isinstance(value, bool) and (isinstance(value, (int, float, Decimal))
                                                or (isinstance(value, str) and _is_number(value)))


def show(value) -> str:
    """A number as a person reads it: thousands separated, decimals kept (a sum in yuan, a count)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return "{:,}".format(value)
    if isinstance(value, (Decimal, float)) or (isinstance(value, str) and _is_number(value)):
        number = Decimal(str(value))
        places = max(0, -number.as_tuple().exponent)
        return "{:,.{p}f}".format(number, p=places)
    return str(value)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return bool(text) and text[0] in "-0123456789"


def _excel(value):
    """A cell value for the workbook: numbers as numbers (decimal strings of sums too)."""
    if isinstance(value, str) and _is_number(value):
        return Decimal(value)
    return value


def trace_url(key: str, scope: F.Scope) -> str:
    return "%s?%s" % (reverse("reports:trace", args=[key]), urlencode(scope.params()))


def _number(value) -> float:
    return float(Decimal(str(value or 0)))


# ------------------------------------------------------------------------------------------------ the frame
@dataclass
class Frame:
    """Whose dashboard, where and when: derived from the user; the selectors only choose within it."""

    kind: str                      # city | county | team | unit
    scope: F.Scope | None          # None: nothing to show (a province without cities)
    title: str
    counted: str                   # what the page counts, said on the page
    year: int | None
    cycle: object | None
    cycles: list
    years: list
    city: object = None
    county: object = None
    team: object = None
    unit: object = None
    cities: list = field(default_factory=list)
    note: str = ""
    _towns: list | None = field(default=None, repr=False)

    @property
    def period(self) -> str:
        if self.scope is None:
            return ""
        dates = "%s 至 %s" % (self.scope.start.isoformat(), self.scope.end.isoformat())
        if self.year is not None:
            text = "%d年（%s）" % (self.year, dates)
            return text + (" · %s" % self.cycle.name if self.cycle else " · 全部周期")
        return "%s 全周期（%s）" % (self.cycle.name, dates)

    @property
    def region_id(self):
        return self.county.pk if self.kind == "county" else (self.city.pk if self.city else None)

    def query(self) -> dict:
        """The selectors as a query string (the export link and the panel exports carry it)."""
        out = {"year": self.year if self.year is not None else "all"}
        if self.kind != "team":
            out["cycle"] = self.cycle.pk if self.cycle else "all"
        if self.cities and self.city is not None:
            out["city"] = self.city.pk
        return out

    @property
    def query_string(self) -> str:
        return urlencode(self.query())


def _current(cycles):
    return next((cycle for cycle in cycles if cycle.status == "open"), cycles[0] if cycles else None)


def _pick_cycle(raw, cycles):
    if raw is None:
        return _current(cycles)
    if raw in ("", "all"):
        return None
    if raw.isdigit() and len(raw) < 19:
        found = next((cycle for cycle in cycles if cycle.pk == int(raw)), None)
        if found is not None:
            return found
    return _current(cycles)


def _pick_year(raw, today):
    if raw is None:
        return today.year
    if raw in ("", "all"):
        return None
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw)
    return today.year


def frame_for(user, params) -> Frame:
    """The user's dashboard frame. Raises PermissionDenied for a role without one, Http404 for a city that is not
    the province's (or that does not exist)."""
    from cycles.models import Cycle
    from regions.models import City, County
    from teams.models import Team
    from units.models import DispatchingUnit

    admin = is_system_admin(user)
    role = Role.ADMIN if admin else getattr(user, "role", None)
    if not (admin or role in READERS):
        raise PermissionDenied
    today = timezone.localdate()
    cycles = list(Cycle.objects.order_by("-start_date", "-pk"))
    years = sorted({year for cycle in cycles for year in range(cycle.start_date.year, cycle.end_date.year + 1)}
                   | {today.year}, reverse=True)
    kind, city, county, team, unit, cities = "city", None, None, None, None, []
    if admin or role == Role.PROVINCE:
        query = City.objects.order_by("code") if admin else City.objects.filter(province_code=user.province_code or "-")
        cities = list(query.order_by("code"))
        raw = (params.get("city") or "").strip()
        if raw:
            city = next((row for row in cities if str(row.pk) == raw), None)
            if city is None:
                raise Http404
        else:
            city = cities[0] if cities else None
    elif role in CITY_ROLES:
        if not user.city_id:
            raise PermissionDenied
        city = City.objects.get(pk=user.city_id)
    elif role in COUNTY_ROLES:
        if not user.county_id:
            raise PermissionDenied
        kind = "county"
        county = County.objects.select_related("city").get(pk=user.county_id)
        city = county.city
    elif role in TEAM_ROLES:
        if not user.team_id:
            raise PermissionDenied
        kind = "team"
        team = Team.objects.select_related("cycle", "lead_unit").get(pk=user.team_id)
    else:
        if not user.unit_id:
            raise PermissionDenied
        kind = "unit"
        unit = DispatchingUnit.objects.get(pk=user.unit_id)

    cycle = team.cycle if team is not None else _pick_cycle(params.get("cycle"), cycles)
    if team is not None:  # a team works in one cycle: its years only
        years = list(range(cycle.end_date.year, cycle.start_date.year - 1, -1))
    year = _pick_year(params.get("year"), today)
    note = ""
    if cycle is None and year is None:
        year = today.year
    if cycle is not None and year is not None and not cycle.start_date.year <= year <= cycle.end_date.year:
        # The year asked is outside the cycle (the current one by default): the cycle of that year, if any.
        containing = None if team is not None else next(
            (row for row in cycles if row.start_date.year <= year <= row.end_date.year), None)
        if containing is not None:
            cycle = containing
        else:
            note = "%d年不在%s内，已显示整个周期。" % (year, cycle.name)
            year = None
    if year is not None:
        base = F.Scope(year=year, cycle_id=cycle.pk if cycle else None)
    else:
        base = F.Scope(year=cycle.start_date.year, cycle_id=cycle.pk, date_from=cycle.start_date,
                       date_to=cycle.end_date)

    if kind == "city":
        if city is None:
            return Frame(kind, None, "数据看板", "", year, cycle, cycles, years, cities=cities,
                         note="尚无可查看的地级市。")
        scope = replace(base, city_id=city.pk, levels=F.ALL_LEVELS,
                        province_code=user.province_code if role == Role.PROVINCE else "")
        title = "%s数据看板" % city.name
        counted = "统计全市各级组团（省级、市级、县级）的镇、团队和服务。"
    elif kind == "county":
        scope = replace(base, city_id=county.city_id, county_id=county.pk, levels=("county",))
        title = "%s数据看板" % county.name
        counted = ("统计本县组织选派的镇（县级组团）及其团队、驻镇、活动、资金和预警，与本县年度报告口径一致；"
                   "县内由市级、省级组团的镇由市科技局统计，镇覆盖图中标为“其他层级组团”。")
    elif kind == "team":
        scope = replace(base, team_id=team.pk, levels=F.ALL_LEVELS)
        title = "%s数据看板" % team.name
        counted = "统计本团队的结对、驻镇天数、服务活动、立项资助和履职预警（%s）。" % team.cycle.name
    else:
        scope = replace(base, unit_id=unit.pk, levels=F.ALL_LEVELS)
        title = "%s数据看板" % unit.name
        counted = "统计本单位牵头的团队（驻镇、服务活动）、本单位派出的特派员及其年度考评。"
    return Frame(kind, scope, title, counted, year, cycle, cycles, years, city=city, county=county, team=team,
                 unit=unit, cities=cities, note=note)


# ------------------------------------------------------------------------------------------------ panels
@dataclass
class Kpi:
    label: str
    cell: Cell
    unit: str = ""
    key: str = ""
    hint: str = ""


@dataclass
class Panel:
    id: str
    title: str
    icon: str
    headers: list
    rows: list
    footer: list | None = None
    chart: dict | None = None
    aria: str = ""
    note: str = ""
    groups: list | None = None      # the town grids: [{"county", "towns": [...], "counts"}]
    legend: list | None = None
    kpis: list | None = None
    more: tuple | None = None       # (label, url) of a fuller list
    empty: str = ""
    export_rows: tuple | None = None  # (headers, rows) of a second sheet: the grids town by town

    @property
    def chart_data_id(self) -> str:
        return "chart-data-%s" % self.id

    @property
    def sheet(self) -> str:
        return self.title


def build(user, frame: Frame) -> dict:
    """Every panel of the frame's dashboard (and the headline figures)."""
    if frame.scope is None:
        return {"kpis": [], "panels": []}
    scope = frame.scope
    year = scope.year
    keys = ["teams.total", "people.total", "pairings.total", "activities.total", "grants.total", "grants.amount",
            "payments.amount", "flags.total"]
    keys += [key for key in F.figures_for(year) if key.startswith(("activities.type.", "flags.kind."))]
    if frame.kind in ("city", "county"):
        keys += ["towns.to_cover", "towns.covered"]
    if frame.kind == "unit":
        keys += ["evaluations.total"] + [key for key in F.figures_for(year) if key.startswith("evaluations.grade.")]
    values = F.compute(scope, keys)
    days = F.team_days(scope)

    panels = []
    if frame.kind in ("city", "county"):
        panels.append(_coverage(user, frame, values))
    panels.append(_days(frame, days))
    panels.append(_activities(user, frame, values))
    if frame.kind in ("city", "county"):
        panels.append(_recent(user, frame))
        panels.append(_funding(user, frame))
    if frame.kind == "team":
        panels.append(_team_funding(frame, values))
    if frame.kind in ("city", "county", "team"):
        panels.append(_flags(user, frame, values))
    if frame.kind == "unit":
        panels.append(_evaluations(frame, values))
    for panel in panels:
        if panel.chart is not None and not any(item.get("value") for series in panel.chart["series"]
                                               if series.get("type") != "scatter" for item in series["data"]):
            panel.chart = None  # nothing to draw: say so (the table below still lists the zeros)
    notice = ""
    if frame.kind == "team" and not values["pairings.total"]:
        notice = "本团队在统计期间内尚未开始帮扶：结对开始帮扶后，这里显示驻镇天数、服务活动、资助和预警。"
    return {"kpis": _kpis(frame, values, days), "panels": panels, "values": values, "days": days, "notice": notice}


def _kpi(label, key, values, scope, unit="", hint="") -> Kpi:
    return Kpi(label, Cell(values[key], trace_url(key, scope)), unit, key, hint)


def _days_list_url(frame: Frame) -> str:
    query = {"cycle": frame.cycle.pk} if frame.cycle else {}
    return reverse("fieldwork:days_list") + ("?" + urlencode(query) if query else "")


def _kpis(frame: Frame, values: dict, days: list) -> list:
    scope = frame.scope
    in_year = "本年" if frame.year is not None else "周期内"
    # the stationed days: per team in the panel below, each team's number traced to its people's days
    # The stationed days' trace: one team's days per person (their sum is the figure), or the per-team table of the
    # 驻镇进度 panel (each team's days linking to its people's).
    table = "#panel-days-table"
    one = (reverse("reports:person_days", args=[days[0]["pairing_id"], frame.year])
           if len(days) == 1 and frame.year is not None else table)
    day_total = Kpi("%s驻镇（人天）" % in_year, Cell(sum(row["days_year"] for row in days), one),
                    "人天", "days.total", hint="各团队已确认驻镇天数之和，明细见“驻镇进度”")
    behind = Kpi("进度滞后团队", Cell(sum(1 for row in days if row["behind"]), table), "个",
                 "days.teams_behind", hint="累计驻镇天数低于按周期进度应达的天数，明细见“驻镇进度”数据表")
    if frame.kind in ("city", "county"):
        return [_kpi("应帮扶镇", "towns.to_cover", values, scope, "个"),
                _kpi("已结对帮扶镇", "towns.covered", values, scope, "个"),
                _kpi("在岗团队", "teams.total", values, scope, "个"),
                _kpi("特派员", "people.total", values, scope, "人"),
                day_total, behind,
                _kpi("已确认服务活动", "activities.total", values, scope, "次"),
                _kpi("立项资助金额", "grants.amount", values, scope, "元"),
                _kpi("履职预警", "flags.total", values, scope, "次")]
    if frame.kind == "team":
        behind = Kpi("驻镇进度", Cell(behind.cell.value, table,
                                      text="滞后" if behind.cell.value else ("正常" if days else "—")),
                     "", "days.teams_behind", hint=behind.hint)
        # The team's members as the team has them (its people are counted in the figures only while it works in a
        # town: a team not yet started, or in a year it did not work, still has its members).
        from teams.models import TeamMembership

        members = Kpi("团队成员", Cell(TeamMembership.objects.filter(team_id=frame.team.pk).count(),
                                       frame.team.get_absolute_url()), "人", "people.total",
                      hint="本团队的负责人和成员，点开查看团队")
        return [day_total, behind, members,
                _kpi("已确认服务活动", "activities.total", values, scope, "次"),
                _kpi("立项资助", "grants.total", values, scope, "项"),
                _kpi("履职预警", "flags.total", values, scope, "次")]
    return [_kpi("牵头团队", "teams.total", values, scope, "个"),
            _kpi("本单位特派员", "people.total", values, scope, "人"),
            day_total, behind,
            _kpi("已确认服务活动", "activities.total", values, scope, "次"),
            _kpi("年度考评", "evaluations.total", values, scope, "人")]


# ---------------------------------------------------------------- 1. 镇覆盖
def _region_towns(user, frame: Frame):
    """The region's towns (the county's, or the city's), read once per page."""
    from regions.models import Town

    if frame._towns is None:
        towns = Town.objects.select_related("county").order_by("county__code", "code")
        towns = towns.filter(county_id=frame.county.pk) if frame.kind == "county" else towns.filter(
            county__city_id=frame.city.pk)
        frame._towns = list(restrict(towns, user, "view"))
    return frame._towns


def _cycle_filter(scope: F.Scope, prefix: str = "") -> dict:
    if scope.cycle_id:
        return {prefix + "cycle_id": scope.cycle_id}
    return {prefix + "cycle__start_date__lte": scope.end, prefix + "cycle__end_date__gte": scope.start}


def _town_filter(frame: Frame, prefix: str = "town__") -> dict:
    if frame.kind == "county":
        return {prefix + "county_id": frame.county.pk}
    return {prefix + "county__city_id": frame.city.pk}


def _coverage(user, frame: Frame, values: dict) -> Panel:
    """Each town of the region by status: one query for the towns, one for the classifications, one for the
    figure's covered towns and one for the pairings (their status and team)."""
    from matching.models import Pairing
    from regions.models import TownClassification

    scope = frame.scope
    towns = _region_towns(user, frame)
    levels = {}
    for town_id, level in (restrict(TownClassification.objects.filter(**_town_filter(frame), **_cycle_filter(scope)),
                                    user, "view").values_list("town_id", "organizing_level")):
        # a town classified in two cycles of the year: a level of this scope wins
        if level in scope.levels or town_id not in levels:
            levels[town_id] = level
    covered = set(F.SOURCES["covered"].queryset(scope).values_list("pk", flat=True))
    pairings = {}
    rows = (restrict(Pairing.objects.filter(**_town_filter(frame), **_cycle_filter(scope),
                                            organizer_level__in=scope.levels, status__in=PRE_ACTIVE + WORKED),
                     user, "view")
            .order_by("cycle__start_date", "pk").values_list("town_id", "status", "team__name"))
    for town_id, status, team_name in rows:
        pairings.setdefault(town_id, {})[status in WORKED] = (status, team_name)

    labels = {key: (glyph, label) for key, glyph, label, _hint in COVERAGE}
    status_names = {value: str(label) for value, label in Pairing._meta.get_field("status").choices}
    level_names = {"province": "省级组团", "city": "市级组团", "county": "县级组团", "none": "不组织"}
    counts = {key: 0 for key, *_rest in COVERAGE}
    groups, group = [], None
    sheet_rows = []
    for town in towns:
        level = levels.get(town.pk)
        mine = pairings.get(town.pk, {})
        if town.pk in covered:
            status, team_name = "active", (mine.get(True) or ("", ""))[1]
        elif False in mine:
            status, team_name = "paired", mine[False][1]
        elif level in scope.levels:
            status, team_name = "open", ""
        elif level in F.ALL_LEVELS:
            status, team_name = "other", ""
        else:
            status, team_name = "none", ""
        counts[status] += 1
        detail = status_names.get(mine[False][0], "") if status == "paired" else labels[status][1]
        parts = [town.name, detail]
        if team_name:
            parts.append(team_name)
        if level:
            parts.append(level_names.get(level, level))
        cell = {"town": town, "status": status, "glyph": labels[status][0], "title": " · ".join(parts),
                "detail": " · ".join(parts[1:]),
                "url": reverse("portal:town_story", args=[town.pk])}
        if group is None or group["county"].pk != town.county_id:
            group = {"county": town.county, "towns": [], "counts": {key: 0 for key in counts}}
            groups.append(group)
        group["towns"].append(cell)
        group["counts"][status] += 1
        sheet_rows.append([Cell(town.county.name), Cell(town.name, cell["url"]), Cell(labels[status][1]),
                           Cell(status_names.get(mine[False][0], "") if status == "paired" else ""),
                           Cell(team_name), Cell(level_names.get(level, "") if level else "")])

    shown = [key for key, *_rest in COVERAGE if counts[key] or key != "other"]
    legend = []
    for key, glyph, label, hint in COVERAGE:
        if key not in shown:
            continue
        url = trace_url("towns.covered", scope) if key == "active" else ""
        legend.append({"key": key, "glyph": glyph, "label": label, "hint": hint, "count": counts[key], "url": url})
    headers = ["县（市、区）"] + [labels[key][1] for key in shown] + ["镇（乡、街道）"]
    table = [[Cell(g["county"].name)] + [Cell(g["counts"][key]) for key in shown] + [Cell(len(g["towns"]))]
             for g in groups]
    footer = [Cell("合计")] + [Cell(counts[key], trace_url("towns.covered", scope) if key == "active" else "")
                              for key in shown] + [Cell(len(towns))]
    panel = Panel("coverage", "镇覆盖", "grid-3x3", headers, table, footer=footer, groups=groups, legend=legend,
                  note="应帮扶镇 %s 个（按本周期镇类别和组织层级），已结对帮扶 %s 个。点击镇名查看该镇履历。"
                  % (show(values["towns.to_cover"]), show(values["towns.covered"])),
                  empty="本区域暂无镇（乡、街道）。")
    panel.kpis = [Kpi("应帮扶镇", Cell(values["towns.to_cover"], trace_url("towns.to_cover", scope)), "个",
                      "towns.to_cover"),
                  Kpi("已结对帮扶镇", Cell(values["towns.covered"], trace_url("towns.covered", scope)), "个",
                      "towns.covered")]
    panel.export_rows = (["县（市、区）", "镇", "覆盖状态", "结对状态", "结对团队", "组织层级"], sheet_rows)
    return panel


# ---------------------------------------------------------------- 2. 驻镇进度
def _days(frame: Frame, rows: list) -> Panel:
    """Per team (pairing): confirmed stationed days to date against the pro-rata expectation and the requirement;
    the most behind first, the chart capped at the first 30."""
    year_mode = frame.year is not None
    ordered = sorted(rows, key=lambda r: (r["days_to_date"] - r["expected_to_date"], r["percent"], r["team"]))
    table, categories, behind_flags = [], [], []
    this_year, earlier, expected, required = [], [], [], []
    for index, row in enumerate(ordered):
        team_url = reverse("fieldwork:team_days", args=[row["team_id"]]) + "?" + urlencode({"cycle": row["cycle_id"]})
        year_url = reverse("reports:person_days", args=[row["pairing_id"], frame.year]) if year_mode else team_url
        before = max(0, row["days_to_date"] - row["days_year"])
        table.append([Cell(row["team"], team_url), Cell(row["town"]),
                      Cell(row["days_year"], year_url), Cell(row["days_to_date"], team_url),
                      Cell(row["expected_to_date"]), Cell(row["required"]), Cell(row["percent"]),
                      Cell("滞后" if row["behind"] else "正常", behind=row["behind"])])
        if index < DAYS_CHART_CAP:
            categories.append("%s（%s）" % (row["team"], row["town"]))
            behind_flags.append(bool(row["behind"]))
            this_year.append({"value": row["days_year"], "url": year_url})
            earlier.append({"value": before, "url": team_url})
            expected.append({"value": row["expected_to_date"], "url": team_url})
            required.append({"value": row["required"]})
    series = [{"name": "本年驻镇" if year_mode else "周期内驻镇", "type": "bar", "stack": "days", "color": BLUE,
               "data": this_year}]
    if year_mode:
        series.append({"name": "以前年度", "type": "bar", "stack": "days", "color": SLATE, "data": earlier})
    series += [{"name": "按进度应达", "type": "scatter", "symbol": "diamond", "color": RED, "data": expected},
               {"name": "周期要求", "type": "scatter", "symbol": "rect", "symbolSize": [3, 18], "color": INK,
                "data": required}]
    chart = {"kind": "bar", "horizontal": True, "unit": "人天", "categories": categories, "flags": behind_flags,
             "flag_label": "进度滞后", "series": series, "height": max(220, 34 * len(categories) + 90)}
    behind = sum(1 for row in rows if row["behind"])
    note = "%d 个团队中 %d 个进度滞后（累计驻镇天数低于按周期进度应达的天数）。" % (len(rows), behind)
    if len(rows) > DAYS_CHART_CAP:
        note += "图中只画出最滞后的 %d 个团队，全部团队见下方数据表或驻镇天数统计。" % DAYS_CHART_CAP
    first = "本年驻镇（人天）" if year_mode else "周期内驻镇（人天）"
    panel = Panel("days", "驻镇进度", "calendar-check",
                  ["团队", "结对镇", first, "周期累计（人天）", "按进度应达", "周期要求", "完成率（%）", "进度"], table,
                  chart=chart if rows else None,
                  aria="横向条形图：各团队已确认驻镇天数（%s）与按进度应达天数、周期要求；最滞后的排在前面。" % (
                      "本年与以前年度叠加" if year_mode else "周期内"),
                  note=note if rows else "", more=("驻镇天数统计", _days_list_url(frame)),
                  empty="统计期间内暂无开展帮扶的结对团队。")
    return panel


# ---------------------------------------------------------------- 3. 服务活动
def _month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _activities(user, frame: Frame, values: dict) -> Panel:
    """Confirmed activities per month by service type: one aggregate query; each cell is the figure
    ``activities.type.<t>`` narrowed to its month (``@mNN`` within one year, else the month's dates)."""
    scope = frame.scope
    figures = F.figures_for(scope.year)
    types = [(key.rsplit(".", 1)[1], figures[key].label) for key in figures if key.startswith("activities.type.")]
    source = F.SOURCES["activities"]
    counts = {}
    for row in (restrict(source.queryset(scope), user, "view").order_by().annotate(month=TruncMonth("date"))
                .values("month", "service_type").annotate(n=Count("pk"))):
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        counts[(month, row["service_type"])] = row["n"]
    today = timezone.localdate()
    months = sorted(set(_month_range(scope.start, min(scope.end, today))) | {month for month, _t in counts})
    one_year = scope.start.year == scope.end.year

    def cell_url(key, month):
        if one_year:
            return trace_url("%s@m%02d" % (key, month.month), scope)
        narrowed = replace(scope, date_from=max(month, scope.start), date_to=min(_month_end(month), scope.end))
        return trace_url(key, narrowed)

    def total_url(month):
        if one_year:
            return trace_url("activities.month.%02d" % month.month, scope)
        return cell_url("activities.total", month)

    label = (lambda m: "%d月" % m.month) if one_year else (lambda m: "%d-%02d" % (m.year, m.month))
    table = []
    for month in months:
        cells = [Cell(counts.get((month, value), 0), cell_url("activities.type.%s" % value, month))
                 for value, _label in types]
        table.append([Cell(label(month))] + cells + [Cell(sum(c.value for c in cells), total_url(month))])
    footer = ([Cell("合计")] + [Cell(values["activities.type.%s" % value], trace_url("activities.type.%s" % value, scope))
                               for value, _label in types]
              + [Cell(values["activities.total"], trace_url("activities.total", scope))])
    series = [{"name": str(type_label), "type": "bar", "stack": "types",
               "color": TYPE_COLOURS[index % len(TYPE_COLOURS)],
               "data": [{"value": counts.get((month, value), 0),
                         "url": cell_url("activities.type.%s" % value, month)} for month in months]}
              for index, (value, type_label) in enumerate(types)]
    chart = {"kind": "bar", "horizontal": False, "unit": "次", "categories": [label(month) for month in months],
             "series": series, "height": 340}
    return Panel("activities", "服务活动", "bar-chart", ["月份"] + [str(t) for _v, t in types] + ["合计"], table,
                 footer=footer, chart=chart if months else None,
                 aria="堆积柱状图：各月已确认服务活动次数，按六类服务类型叠加。",
                 note="已确认的服务活动，按活动日期所在月份和服务类型统计。",
                 empty="统计期间内暂无已确认的服务活动。" if months else "统计期间尚未开始。")


# ---------------------------------------------------------------- 4. 近60天活跃度
def _heat(count: int) -> tuple:
    for low, high, css, label in HEAT:
        if count >= low and (high is None or count <= high):
            return css, label
    return HEAT[0][2], HEAT[0][3]


def _recent(user, frame: Frame) -> Panel:
    """Towns coloured by the confirmed activities done in them (the town where they happened) in the last 60 days
    up to today (or the period's end): one aggregate query."""
    scope = frame.scope
    end = min(timezone.localdate(), scope.end)
    window = replace(scope, date_from=end - dt.timedelta(days=RECENT_DAYS - 1), date_to=end)
    counts = dict(restrict(F.SOURCES["activities"].queryset(window), user, "view").order_by()
                  .values("town_id").annotate(n=Count("pk")).values_list("town_id", "n"))
    towns = _region_towns(user, frame)
    region = {town.pk for town in towns}
    groups, group, sheet_rows = [], None, []
    for town in towns:
        count = counts.get(town.pk, 0)
        css, _label = _heat(count)
        url = trace_url("activities.total", replace(window, town_id=town.pk))
        cell = {"town": town, "count": count, "css": css, "url": url,
                "title": "%s：近%d天已确认服务活动 %d 次" % (town.name, RECENT_DAYS, count)}
        if group is None or group["county"].pk != town.county_id:
            group = {"county": town.county, "towns": [], "total": 0, "active": 0}
            groups.append(group)
        group["towns"].append(cell)
        group["total"] += count
        group["active"] += 1 if count else 0
        sheet_rows.append([Cell(town.county.name), Cell(town.name), Cell(count, url)])
    total = sum(counts.values())
    outside = sum(n for town_id, n in counts.items() if town_id not in region)
    headers = ["县（市、区）", "有活动的镇（个）", "镇总数（个）", "活动（次）"]
    table = [[Cell(g["county"].name), Cell(g["active"]), Cell(len(g["towns"])), Cell(g["total"])] for g in groups]
    footer = [Cell("合计"), Cell(sum(g["active"] for g in groups)), Cell(len(towns)),
              Cell(total, trace_url("activities.total", window))]
    note = "%s 至 %s，共 %s 次已确认服务活动（按活动所在镇统计）。" % (
        window.start.isoformat(), window.end.isoformat(), show(total))
    if outside:
        note += "其中 %s 次在本区域以外的镇开展（跨区域帮扶），不在图中。" % show(outside)
    panel = Panel("recent", "近%d天活跃度" % RECENT_DAYS, "calendar3", headers, table, footer=footer, groups=groups,
                  legend=[{"css": css, "label": label} for _low, _high, css, label in HEAT], note=note,
                  empty="本区域暂无镇（乡、街道）。")
    panel.export_rows = (["县（市、区）", "镇", "近%d天已确认服务活动（次）" % RECENT_DAYS], sheet_rows)
    return panel


# ---------------------------------------------------------------- 5. 资金
def _funders(frame: Frame):
    """(key, label, scope) of each funder of the region: the city's own (city- and province-organized towns) and
    each county's (county-organized), or the county alone."""
    from regions.models import County

    scope = frame.scope
    if frame.kind == "county":
        return [(frame.county.pk, frame.county.name, scope)]
    out = [("city", "%s本级（市级、省级组团）" % frame.city.name, replace(scope, county_id=None, levels=F.OWN_CITY_LEVELS))]
    for county in County.objects.filter(city_id=frame.city.pk).order_by("code"):
        out.append((county.pk, county.name, replace(scope, county_id=county.pk, levels=("county",))))
    return out


def _funding(user, frame: Frame) -> Panel:
    """Each funder's envelopes of the period's fiscal years (budgeted), its grants (``grants.amount``) and payments
    (``payments.amount``) of the period: three aggregate queries grouped by funder."""
    from reviews.models import Envelope

    scope = frame.scope
    funders = _funders(frame)
    envelopes = Envelope.objects.filter(city_id=scope.city_id, fiscal_year__gte=scope.start.year,
                                        fiscal_year__lte=scope.end.year)
    if frame.kind == "county":
        envelopes = envelopes.filter(organizer_level="county", county_id=frame.county.pk)
    budget = {}
    for level, county_id, total in (restrict(envelopes, user, "view").order_by()
                                    .values("organizer_level", "county_id").annotate(total=Sum("budgeted"))
                                    .values_list("organizer_level", "county_id", "total")):
        key = county_id if level == "county" else "city"
        budget[key] = budget.get(key, Decimal(0)) + (total or 0)

    def by_funder(source, level_path, county_path):
        out = {}
        rows = (restrict(F.SOURCES[source].queryset(scope), user, "view").order_by()
                .values(level_path, county_path).annotate(total=Sum("amount"))
                .values_list(level_path, county_path, "total"))
        for level, county_id, total in rows:
            key = county_id if level == "county" else "city"
            out[key] = out.get(key, Decimal(0)) + (total or 0)
        return out

    granted = by_funder("grants", "organizer_level", "town__county_id")
    paid = by_funder("payments", "grant__organizer_level", "grant__town__county_id")
    money = lambda value: str(Decimal(value).quantize(Decimal("0.01")))  # noqa: E731
    table, budget_data, granted_data, paid_data, categories = [], [], [], [], []
    envelope_base = reverse("reviews:envelope_list")
    for key, label, funder_scope in funders:
        query = {"level": "city" if key == "city" else "county"}
        if key != "city":
            query["county"] = key
        if frame.year is not None:
            query["fiscal_year"] = frame.year
        envelope_url = envelope_base + "?" + urlencode(query)
        row_budget, row_granted, row_paid = (money(budget.get(key, 0)), money(granted.get(key, 0)),
                                             money(paid.get(key, 0)))
        granted_url = trace_url("grants.amount", funder_scope)
        paid_url = trace_url("payments.amount", funder_scope)
        table.append([Cell(label), Cell(row_budget, envelope_url), Cell(row_granted, granted_url),
                      Cell(row_paid, paid_url)])
        categories.append(label)
        budget_data.append({"value": _number(row_budget), "url": envelope_url})
        granted_data.append({"value": _number(row_granted), "url": granted_url})
        paid_data.append({"value": _number(row_paid), "url": paid_url})
    totals = [money(sum((Decimal(row[i].value) for row in table), Decimal(0))) for i in (1, 2, 3)]
    footer = [Cell("合计"), Cell(totals[0]), Cell(totals[1], trace_url("grants.amount", scope)),
              Cell(totals[2], trace_url("payments.amount", scope))]
    chart = {"kind": "bar", "horizontal": True, "unit": "元", "categories": categories,
             "series": [{"name": "年度预算", "type": "bar", "color": GREY, "data": budget_data},
                        {"name": "立项资助", "type": "bar", "color": BLUE, "data": granted_data},
                        {"name": "已拨付", "type": "bar", "color": GREEN, "data": paid_data}],
             "height": max(200, 50 * len(categories) + 80)}
    years = ("%d年度" % frame.year) if frame.year is not None else "%d—%d年度" % (scope.start.year, scope.end.year)
    return Panel("funding", "资金", "file-earmark-excel",
                 ["资助方", "年度预算（元）", "立项资助（元）", "已拨付（元）"], table, footer=footer, chart=chart,
                 aria="分组条形图：各资助方的年度资助预算、统计期间立项资助金额和已拨付金额。",
                 note="年度预算按%s；立项资助按立项日期、拨付按拨付日期在统计期间内统计；资助方为组织选派的科技部门。" % years,
                 empty="统计期间内暂无资助预算、立项资助和拨付。")


def _team_funding(frame: Frame, values: dict) -> Panel:
    scope = frame.scope
    rows = [[Cell("立项资助（项）"), Cell(values["grants.total"], trace_url("grants.total", scope))],
            [Cell("立项资助金额（元）"), Cell(values["grants.amount"], trace_url("grants.amount", scope))],
            [Cell("已拨付（元）"), Cell(values["payments.amount"], trace_url("payments.amount", scope))]]
    chart = {"kind": "bar", "horizontal": True, "unit": "元", "categories": ["本团队"],
             "series": [{"name": "立项资助", "type": "bar", "color": BLUE,
                         "data": [{"value": _number(values["grants.amount"]), "url": rows[1][1].url}]},
                        {"name": "已拨付", "type": "bar", "color": GREEN,
                         "data": [{"value": _number(values["payments.amount"]), "url": rows[2][1].url}]}],
             "height": 170}
    return Panel("funding", "立项资助", "file-earmark-excel", ["指标", "数值"], rows, chart=chart,
                 aria="条形图：本团队统计期间的立项资助金额和已拨付金额。",
                 note="立项资助按立项日期、拨付按拨付日期在统计期间内统计。", empty="统计期间内暂无立项资助和拨付。")


# ---------------------------------------------------------------- 6. 预警
def _flags(user, frame: Frame, values: dict) -> Panel:
    """Flags opened in the period by kind (``flags.kind.*``) and the flags open now (one aggregate query)."""
    scope = frame.scope
    figures = F.figures_for(scope.year)
    kinds = [(key.rsplit(".", 1)[1], figures[key].label) for key in figures if key.startswith("flags.kind.")]
    wide = replace(scope, date_from=WIDE_START, date_to=timezone.localdate(), cycle_id=None)
    open_now = dict(restrict(F.SOURCES["flags"].queryset(wide).filter(status="open"), user, "view").order_by()
                    .values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    list_url = reverse("fieldwork:flag_list")
    table, period_data, open_data = [], [], []
    for value, label in kinds:
        key = "flags.kind.%s" % value
        open_url = list_url + "?" + urlencode({"status": "open", "kind": value})
        table.append([Cell(label), Cell(values[key], trace_url(key, scope)), Cell(open_now.get(value, 0), open_url)])
        period_data.append({"value": values[key], "url": trace_url(key, scope)})
        open_data.append({"value": open_now.get(value, 0), "url": open_url})
    footer = [Cell("合计"), Cell(values["flags.total"], trace_url("flags.total", scope)),
              Cell(sum(open_now.get(value, 0) for value, _label in kinds),
                   list_url + "?" + urlencode({"status": "open"}))]
    chart = {"kind": "bar", "horizontal": True, "unit": "次", "categories": [str(label) for _v, label in kinds],
             "series": [{"name": "统计期间预警", "type": "bar", "color": ORANGE, "data": period_data},
                        {"name": "当前未解除", "type": "bar", "color": RED, "data": open_data}],
             "height": 320}
    panel = Panel("flags", "预警", "exclamation-diamond", ["预警类型", "统计期间预警（次）", "当前未解除（个）"], table,
                  footer=footer, chart=chart,
                  aria="分组条形图：各类履职预警在统计期间发出的次数和当前未解除的个数。",
                  note="统计期间预警按预警时间统计；当前未解除的预警不限期间。",
                  empty="统计期间内没有履职预警，目前也没有未解除的预警。")
    return panel


# ---------------------------------------------------------------- the unit's evaluations
def _evaluations(frame: Frame, values: dict) -> Panel:
    scope = frame.scope
    figures = F.figures_for(scope.year)
    grades = [(key, figures[key].label) for key in figures if key.startswith("evaluations.grade.")]
    table = [[Cell(label), Cell(values[key], trace_url(key, scope))] for key, label in grades]
    chart = {"kind": "bar", "horizontal": False, "unit": "人", "categories": [str(label) for _k, label in grades],
             "series": [{"name": "人数", "type": "bar", "color": GREEN,
                         "data": [{"value": values[key], "url": trace_url(key, scope)} for key, _label in grades]}],
             "height": 260}
    return Panel("evaluations", "年度考评", "patch-check", ["等次", "人数"], table,
                 footer=[Cell("合计"), Cell(values["evaluations.total"], trace_url("evaluations.total", scope))],
                 chart=chart, aria="柱状图：本单位特派员年度考评各等次人数。",
                 note="已提交的年度考评，按考评年度统计。", empty="暂无已提交的年度考评。")


# ------------------------------------------------------------------------------------------------ the export
def workbook(frame: Frame, data: dict, panel_id: str = "") -> bytes:
    """The dashboard's data tables as sheets (one panel's when ``panel_id`` names it): the same cells as the page."""
    from core.excel import SheetData, write_workbook

    sheets = []
    if not panel_id:
        rows = [["看板", frame.title], ["统计口径", frame.counted], ["统计期间", frame.period]]
        rows += [[kpi.label + ("（%s）" % kpi.unit if kpi.unit else ""), _excel(kpi.cell.value)] for kpi in data["kpis"]]
        sheets.append(SheetData("概要", ["项目", "数值"], rows))
    for panel in data["panels"]:
        if panel_id and panel.id != panel_id:
            continue
        rows = [[_excel(cell.text if cell.value is None else cell.value) for cell in row] for row in panel.rows]
        if panel.footer:
            rows.append([_excel(cell.value) for cell in panel.footer])
        sheets.append(SheetData(panel.sheet, panel.headers, rows))
        extra = getattr(panel, "export_rows", None)
        if extra:
            headers, detail = extra
            sheets.append(SheetData(panel.sheet + "（逐镇）", headers,
                                    [[_excel(cell.value) for cell in row] for row in detail]))
    return write_workbook(sheets)
