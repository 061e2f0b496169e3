"""Every figure of an annual report, declared once, computed by the database and traced back to its records.

A figure is a *cell*: a source (a model, its records of a year, and where its organizing level and region are), a
condition within the source and a measure (a count of records, or the sum of a field). :func:`compute` runs one
aggregate query per source with a conditional aggregate per figure (``COUNT(... FILTER ...)``/``SUM(...)``); nothing
loops over rows in Python. :func:`trace` returns the very rows a figure counts (the same source, scope and condition),
so the traced list's count — or its total, for a sum — equals the figure by construction, which
``reports/tests/test_trace_property.py`` checks on random records.

A *scope* is where and when: a year, and a region with the organizing levels that count in it — a county's report
counts the towns its county organizes; the city's own part the towns the city (or the province) organizes in the
city; the whole city every level. Dashboards narrow it to a team or a unit.

The stationed days (a person's day in a town counts once) are not a plain aggregate: they come from the fieldwork
app's windowed day count (one query per cycle), per pairing, with the pace against the cycle's requirement; their
trace is the per-person breakdown whose sum is the team's figure.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import CharField, Count, Q, Sum
from django.db.models.sql import Query
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ALL_LEVELS = ("county", "city", "province")
OWN_CITY_LEVELS = ("city", "province")


# ------------------------------------------------------------------------------------------------ scope
@dataclass(frozen=True)
class Scope:
    """Where and when a figure counts."""

    year: int
    city_id: int | None = None
    county_id: int | None = None
    levels: tuple = ALL_LEVELS
    team_id: int | None = None
    unit_id: int | None = None
    province_code: str = ""
    # A dashboard's cycle: only that cycle's records, over its dates (``date_from``/``date_to``) instead of the year's.
    cycle_id: int | None = None
    town_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def start(self) -> dt.date:
        return self.date_from or dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return self.date_to or dt.date(self.year, 12, 31)

    def params(self) -> dict:
        """The query string that rebuilds this scope (the trace links carry it)."""
        out = {"year": self.year, "levels": ",".join(self.levels)}
        for name in ("city_id", "county_id", "team_id", "unit_id", "cycle_id", "town_id"):
            if getattr(self, name):
                out[name.removesuffix("_id")] = getattr(self, name)
        if self.province_code:
            out["province"] = self.province_code
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        return out

    @classmethod
    def from_params(cls, data) -> "Scope":
        """The scope of a trace link; raises ValueError on a malformed one."""
        try:
            year = int(data.get("year"))
        except (TypeError, ValueError):
            raise ValueError("year") from None
        levels = tuple(level for level in (data.get("levels") or ",".join(ALL_LEVELS)).split(",") if level)
        if not levels or any(level not in ALL_LEVELS for level in levels):
            raise ValueError("levels")

        def number(name):
            value = data.get(name)
            return int(value) if value not in (None, "") else None

        def date(name):
            value = (data.get(name) or "").strip()
            return dt.date.fromisoformat(value) if value else None

        province = (data.get("province") or "").strip()
        if province and not (len(province) == 2 and province.isdigit()):
            raise ValueError("province")
        if not 2000 <= year <= 2100:
            raise ValueError("year")
        scope = cls(year=year, city_id=number("city"), county_id=number("county"), levels=levels,
                    team_id=number("team"), unit_id=number("unit"), province_code=province, cycle_id=number("cycle"), town_id=number("town"),
                    date_from=date("from"), date_to=date("to"))
        if scope.start > scope.end:
            raise ValueError("dates")
        return scope


def county_scope(year: int, county) -> Scope:
    return Scope(year=year, city_id=county.city_id, county_id=county.pk, levels=("county",))


def city_own_scope(year: int, city) -> Scope:
    return Scope(year=year, city_id=city.pk, levels=OWN_CITY_LEVELS)


def city_scope(year: int, city) -> Scope:
    return Scope(year=year, city_id=city.pk, levels=ALL_LEVELS)


# ------------------------------------------------------------------------------------------------ sources
_LEVEL_ALWAYS_SET: dict[str, bool] = {}


def _required_level(model, path: str) -> bool:
    """Whether ``path`` (``a__b__organizer_level``) always holds one of :data:`ALL_LEVELS` for a row of ``model``:
    each relation on the way a required foreign key of the row before, the last a required character field (not
    null, not blank) whose choices are the levels. A to-many step (a reverse relation) is not: a row may have none."""
    *relations, name = path.split("__")
    for relation in relations:
        step = model._meta.get_field(relation)
        if not (step.many_to_one or step.one_to_one) or step.auto_created or step.null:
            return False
        model = step.related_model
    level = model._meta.get_field(name)
    return (isinstance(level, CharField) and not level.null and not level.blank
            and {value for value, _label in (level.choices or ())} == set(ALL_LEVELS))


def _active_in_year(prefix: str = "") -> Callable[[Scope], Q]:
    """A pairing that worked some day of the year: begun by its end, not ended before its start."""
    def condition(scope: Scope) -> Q:
        return (Q(**{prefix + "active_from__isnull": False, prefix + "active_from__lte": scope.end,
                     prefix + "status__in": ("active", "ended", "replaced")})
                & (Q(**{prefix + "ended_on__isnull": True}) | Q(**{prefix + "ended_on__gte": scope.start})))
    return condition


def _field_in_year(path: str) -> Callable[[Scope], Q]:
    def condition(scope: Scope) -> Q:
        return Q(**{path + "__gte": scope.start, path + "__lte": scope.end})
    return condition


def _moment_in_year(path: str) -> Callable[[Scope], Q]:
    """A moment (a date and time) whose local date is within the scope's dates: from the first day's midnight to the
    midnight after the last, in the current time zone — what ``path__date`` between them takes, without casting every
    row's moment to a date (on SQLite a Python function per row)."""
    def condition(scope: Scope) -> Q:
        zone = timezone.get_current_timezone()
        return Q(**{path + "__gte": dt.datetime.combine(scope.start, dt.time.min, tzinfo=zone),
                    path + "__lt": dt.datetime.combine(scope.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)})
    return condition


def _number_is_year(path: str) -> Callable[[Scope], Q]:
    """A record of a year number (an evaluation's year): the years the scope's dates cover."""
    return lambda scope: Q(**{path + "__gte": scope.start.year, path + "__lte": scope.end.year})


def _towns_to_cover(scope: Scope) -> Q:
    """Classified in a cycle that runs some day of the year, organized by one of the scope's levels."""
    return Q(classifications__cycle__start_date__lte=scope.end, classifications__cycle__end_date__gte=scope.start,
             classifications__organizing_level__in=scope.levels)


@dataclass(frozen=True)
class Source:
    """A model's records of a year, and the paths to their organizing level, county, city, team and unit."""

    name: str
    model: str
    label: str
    level: str
    county: str
    city: str
    year: Callable[[Scope], Q]
    base: Q = field(default_factory=Q)
    team: str = ""
    unit: str = ""
    province: str = ""
    cycle: str = "cycle_id"
    town: str = ""          # the town a dashboard's cell narrows to
    month: str = ""         # the date field a figure's "@mNN" suffix narrows to a month (a chart's cell)
    distinct: bool = False  # the paths cross a to-many relation: count each record once
    columns: tuple = ()     # (path, label) shown in the traced list
    order: tuple = ("-pk",)
    # The level condition, when it is not one field of the row (towns to cover).
    level_q: Callable[[Scope], Q] | None = None

    def get_model(self):
        return apps.get_model(self.model)

    def where(self, scope: Scope) -> Q:
        q = self.base & self.year(scope)
        if self.level_q:
            q &= self.level_q(scope)
        elif not (set(scope.levels) >= set(ALL_LEVELS) and self.level_always_set()):
            q &= Q(**{self.level + "__in": scope.levels})
        if scope.county_id:
            q &= Q(**{self.county: scope.county_id})
        if scope.city_id:
            q &= Q(**{self.city: scope.city_id})
        if scope.province_code:
            q &= Q(**{(self.province or self.city.removesuffix("_id") + "__province_code"): scope.province_code})
        if scope.team_id:
            q &= Q(**{self.team: scope.team_id}) if self.team else Q(pk__in=[])
        if scope.unit_id:
            q &= Q(**{self.unit: scope.unit_id}) if self.unit else Q(pk__in=[])
        if scope.cycle_id:
            q &= Q(**{self.cycle: scope.cycle_id})
        if scope.town_id:
            q &= Q(**{self.town: scope.town_id}) if self.town else Q(pk__in=[])
        return q

    def level_always_set(self) -> bool:
        """Whether every row's organizing level is one of the three (a required field whose choices are the levels,
        on the row or on a required relation): then a scope that takes every level needs no level condition — it
        would only add a join (the activities' to their pairing)."""
        cached = _LEVEL_ALWAYS_SET.get(self.name)
        if cached is None:
            cached = _LEVEL_ALWAYS_SET[self.name] = _required_level(self.get_model(), self.level)
        return cached

    def queryset(self, scope: Scope, condition: Q = Q()):
        rows = self.get_model().objects.filter(self.where(scope) & condition)
        return rows.distinct() if self.distinct else rows


_PAIRED = dict(level="pairing__organizer_level", county="home_town__county_id", city="home_town__county__city_id",
               team="team_id", unit="team__lead_unit_id")
SOURCES = {source.name: source for source in (
    Source("pairings", "matching.Pairing", _("结对"), level="organizer_level", county="town__county_id",
           city="town__county__city_id", team="team_id", unit="team__lead_unit_id", town="town_id", year=_active_in_year(),
           columns=(("town__name", _("镇")), ("team__name", _("团队")), ("active_from", _("开始帮扶")),
                    ("ended_on", _("截止")), ("get_status_display", _("状态"))), order=("town__code", "pk")),
    Source("teams", "teams.Team", _("团队"), level="pairings__organizer_level", county="pairings__town__county_id",
           city="pairings__town__county__city_id", team="pk", unit="lead_unit_id", town="pairings__town_id", year=_active_in_year("pairings__"),
           cycle="pairings__cycle_id", distinct=True, columns=(("name", _("团队")), ("lead_unit__name", _("牵头单位")), ("leader_name", _("负责人"))),
           order=("name", "pk")),
    Source("people", "teams.Commissioner", _("特派员"), level="memberships__team__pairings__organizer_level",
           county="memberships__team__pairings__town__county_id",
           city="memberships__team__pairings__town__county__city_id", team="memberships__team_id", unit="unit_id",
           town="memberships__team__pairings__town_id", year=_active_in_year("memberships__team__pairings__"), cycle="memberships__team__pairings__cycle_id",
           distinct=True,
           columns=(("name", _("姓名")), ("unit__name", _("派出单位")), ("title", _("职称")),
                    ("get_education_display", _("学历")), ("birth_year", _("出生年份"))), order=("name", "pk")),
    Source("towns", "regions.Town", _("应帮扶镇"), level="classifications__organizing_level", county="county_id",
           city="county__city_id", town="pk", year=_towns_to_cover, level_q=lambda scope: Q(), distinct=True,
           cycle="classifications__cycle_id",
           columns=(("county__name", _("县（市、区）")), ("name", _("镇"))), order=("code", "pk")),
    Source("covered", "regions.Town", _("已结对镇"), level="pairings__organizer_level", county="county_id",
           city="county__city_id", team="pairings__team_id", unit="pairings__team__lead_unit_id",
           town="pk", year=_active_in_year("pairings__"), cycle="pairings__cycle_id", distinct=True,
           columns=(("county__name", _("县（市、区）")), ("name", _("镇"))), order=("code", "pk")),
    Source("agreements", "projects.Agreement", _("帮扶协议"), level="organizer_level", county="town__county_id",
           city="town__county__city_id", team="team_id", unit="team__lead_unit_id",
           town="town_id", year=_active_in_year("pairing__"),
           columns=(("town__name", _("镇")), ("team__name", _("团队")), ("signed_on", _("签署日期")),
                    ("get_status_display", _("状态"))), order=("town__code", "pk")),
    Source("projects", "projects.Project", _("帮扶项目"), level="organizer_level", county="town__county_id",
           city="town__county__city_id", team="team_id", unit="team__lead_unit_id",
           town="town_id", year=lambda scope: Q(start_date__lte=scope.end, end_date__gte=scope.start),
           columns=(("title", _("项目名称")), ("town__name", _("镇")), ("team__name", _("团队")),
                    ("get_status_display", _("状态")), ("demo_area_mu", _("示范面积（亩）"))), order=("town__code", "pk")),
    Source("grants", "reviews.Grant", _("立项资助"), level="organizer_level", county="town__county_id",
           city="town__county__city_id", team="team_id", unit="team__lead_unit_id", town="town_id", year=_field_in_year("granted_on"),
           columns=(("project_number", _("立项编号")), ("project__title", _("项目")), ("town__name", _("镇")),
                    ("get_budget_source_display", _("资金来源")), ("amount", _("资助金额（元）")),
                    ("granted_on", _("立项日期"))), order=("granted_on", "pk")),
    Source("payments", "reviews.Disbursement", _("资金拨付"), level="grant__organizer_level",
           county="grant__town__county_id", city="grant__town__county__city_id", team="grant__team_id",
           unit="grant__team__lead_unit_id", town="grant__town_id", year=_field_in_year("paid_on"), cycle="grant__cycle_id",
           columns=(("grant__project_number", _("立项编号")), ("grant__town__name", _("镇")), ("paid_on", _("拨付日期")),
                    ("amount", _("拨付金额（元）"))), order=("paid_on", "pk")),
    Source("activities", "fieldwork.Activity", _("服务活动"), town="town_id", year=_field_in_year("date"), base=Q(status="confirmed"),
           month="date",
           columns=(("date", _("日期")), ("title", _("活动名称")), ("town__name", _("所在镇")), ("team__name", _("团队")),
                    ("get_service_type_display", _("服务类型")), ("people_trained", _("培训人数")),
                    ("households_served", _("服务农户")), ("enterprises_served", _("服务企业")),
                    ("demo_area_mu", _("示范面积（亩）"))), order=("date", "pk"), **_PAIRED),
    Source("flags", "fieldwork.Flag", _("预警"), level="organizer_level", county="home_town__county_id",
           city="home_town__county__city_id", team="team_id", unit="team__lead_unit_id",
           town="home_town_id", year=_moment_in_year("opened_at"),
           columns=(("home_town__name", _("镇")), ("team__name", _("团队")), ("get_kind_display", _("预警类型")),
                    ("get_status_display", _("状态")), ("opened_at", _("预警时间"))), order=("opened_at", "pk")),
    Source("cases", "replacements.Case", _("调整更换案件"), level="organizer_level", county="home_town__county_id",
           city="home_town__county__city_id", team="team_id", unit="team__lead_unit_id",
           town="home_town_id", year=_moment_in_year("opened_at"),
           columns=(("home_town__name", _("镇")), ("team__name", _("团队")), ("get_cause_display", _("事由")),
                    ("get_status_display", _("状态")), ("get_decision_display", _("处理决定"))),
           order=("opened_at", "pk")),
    Source("evaluations", "evaluations.Evaluation", _("年度考评"), level="organizer_level",
           county="home_town__county_id", city="home_town__county__city_id", team="team_id", unit="unit_id",
           town="home_town_id", year=_number_is_year("year"), base=Q(status="submitted"),
           columns=(("commissioner__name", _("特派员")), ("unit__name", _("派出单位")), ("get_grade_display", _("等次"))),
           order=("commissioner__name", "pk")),
)}


# ------------------------------------------------------------------------------------------------ figures
@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    section: str
    source: str
    where: Q = field(default_factory=Q)
    measure: str = ""   # "" counts records; a field name sums it
    unit: str = ""
    decimals: int = 0

    def aggregate(self):
        source = SOURCES[self.source]
        if self.measure:
            if source.distinct:
                raise ValueError("a sum over a to-many path would count a record more than once: %s" % self.key)
            return Sum(self.measure, filter=self.where if self.where else None)
        return Count("pk", distinct=source.distinct, filter=self.where if self.where else None)


FIGURES: dict[str, Figure] = {}
SECTIONS: list[str] = []


def _add(*figures: Figure) -> None:
    for figure in figures:
        if figure.key in FIGURES:
            raise ValueError("duplicate figure %s" % figure.key)
        FIGURES[figure.key] = figure
        if figure.section not in SECTIONS:
            SECTIONS.append(figure.section)


def _breakdown(prefix, section, source, path, choices, *, unit="", measure="", decimals=0):
    _add(*(Figure("%s.%s" % (prefix, value), str(label), section, source, Q(**{path: value}), measure=measure,
                  unit=unit, decimals=decimals) for value, label in choices))


def _define() -> None:
    from evaluations.choices import Grade
    from fieldwork.choices import FlagKind, ServiceType
    from replacements.choices import Cause, Decision
    from reviews.choices import BudgetSourceKind
    from teams.choices import Education, TitleLevel
    from units.models import DispatchingUnit

    s = "一、团队与特派员"
    _add(Figure("teams.total", "在岗团队（个）", s, "teams", unit="个"),
         Figure("pairings.total", "结对（对）", s, "pairings", unit="对"),
         Figure("people.total", "特派员（人）", s, "people", unit="人"))
    _breakdown("people.unit", s, "people", "unit__kind", DispatchingUnit.Kind.choices, unit="人")
    _breakdown("people.title", s, "people", "title_level", TitleLevel.choices, unit="人")
    _breakdown("people.education", s, "people", "education", Education.choices, unit="人")
    # Age bands are set per year (age = year − year of birth) in :func:`_age_figures`.

    s = "二、镇覆盖"
    _add(Figure("towns.to_cover", "应帮扶镇（个）", s, "towns", unit="个"),
         Figure("towns.covered", "已结对帮扶镇（个）", s, "covered", unit="个"))

    s = "三、协议、项目与资金"
    _add(Figure("agreements.total", "帮扶协议（份）", s, "agreements", unit="份"),
         Figure("agreements.confirmed", "镇已确认协议（份）", s, "agreements", Q(status="confirmed"), unit="份"),
         Figure("projects.total", "实施中的帮扶项目（个）", s, "projects",
                Q(status__in=("accepted", "approved")), unit="个"),
         Figure("projects.approved", "已立项项目（个）", s, "projects", Q(status="approved"), unit="个"),
         Figure("grants.total", "当年立项资助（项）", s, "grants", unit="项"),
         Figure("grants.amount", "当年立项资助金额（元）", s, "grants", measure="amount", unit="元", decimals=2))
    _breakdown("grants.source", s, "grants", "budget_source", BudgetSourceKind.choices, unit="元", measure="amount",
               decimals=2)
    _breakdown("grants.level", s, "grants", "project__organizer_level",
               (("province", "省级组织"), ("city", "市级组织"), ("county", "县级组织")), unit="元", measure="amount",
               decimals=2)
    _add(Figure("payments.amount", "当年拨付资金（元）", s, "payments", measure="amount", unit="元", decimals=2))

    s = "四、服务活动"
    _add(Figure("activities.total", "已确认服务活动（次）", s, "activities", unit="次"))
    _breakdown("activities.type", s, "activities", "service_type", ServiceType.choices, unit="次")
    # The months are set per year in :func:`_month_figures` (a date range: no per-row month function on SQLite).
    _add(Figure("activities.trainings", "培训活动（场）", s, "activities", Q(people_trained__gt=0), unit="场"),
         Figure("activities.people_trained", "培训人数（人次）", s, "activities", measure="people_trained", unit="人次"),
         Figure("activities.households", "服务农户（户次）", s, "activities", measure="households_served", unit="户次"),
         Figure("activities.enterprises", "服务企业/合作社（家次）", s, "activities", measure="enterprises_served",
                unit="家次"),
         Figure("activities.technologies", "引进推广技术或品种（次）", s, "activities", ~Q(technologies=""), unit="次"),
         Figure("activities.demo_bases", "示范活动（个）", s, "activities", Q(demo_area_mu__gt=0), unit="个"),
         Figure("activities.demo_area", "示范面积（亩）", s, "activities", measure="demo_area_mu", unit="亩", decimals=1),
         Figure("activities.cross_town", "跨镇帮扶活动（次）", s, "activities", Q(cross_town=True), unit="次"),
         Figure("projects.demo_bases", "项目示范基地（个）", s, "projects",
                Q(status="approved", demo_area_mu__gt=0), unit="个"),
         Figure("projects.demo_area", "项目示范面积（亩）", s, "projects", Q(status="approved"),
                measure="demo_area_mu", unit="亩", decimals=1))

    s = "五、预警、调整与考评"
    _add(Figure("flags.total", "预警（次）", s, "flags", unit="次"))
    _breakdown("flags.kind", s, "flags", "kind", FlagKind.choices, unit="次")
    _add(Figure("cases.total", "调整更换案件（件）", s, "cases", unit="件"))
    _breakdown("cases.cause", s, "cases", "cause", Cause.choices, unit="件")
    _breakdown("cases.decision", s, "cases", "decision", Decision.choices, unit="件")
    _add(Figure("evaluations.total", "单位年度考评（人）", s, "evaluations", unit="人"))
    _breakdown("evaluations.grade", s, "evaluations", "grade", Grade.choices, unit="人")


LAST_SERVICE_TYPE = "planning"  # the months follow the service types in the report's order

AGE_BANDS = (("le35", "35岁及以下", None, 35), ("36_45", "36–45岁", 36, 45), ("46_55", "46–55岁", 46, 55),
             ("gt55", "56岁及以上", 56, None))


def age_where(band: str, year: int) -> Q:
    """People of an age band in ``year`` (age = year − year of birth); ``unknown`` has no year of birth."""
    if band == "unknown":
        return Q(birth_year__isnull=True)
    for key, _label, low, high in AGE_BANDS:
        if key == band:
            q = Q()
            if low is not None:
                q &= Q(birth_year__lte=year - low)
            if high is not None:
                q &= Q(birth_year__gte=year - high)
            return q
    raise KeyError(band)


def _age_figures(year: int) -> list[Figure]:
    s = "一、团队与特派员"
    bands = [(key, label) for key, label, _low, _high in AGE_BANDS] + [("unknown", "年龄未知")]
    return [Figure("people.age.%s" % key, label, s, "people", age_where(key, year), unit="人") for key, label in bands]


def _month_figures(year: int) -> list[Figure]:
    """Confirmed activities by month of ``year``, as date ranges (an index reads them; no month function per row)."""
    s = "四、服务活动"
    out = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        after = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
        out.append(Figure("activities.month.%02d" % month, "%d月" % month, s, "activities",
                          Q(date__gte=first, date__lt=after), unit="次"))
    return out


_FOR_YEAR: dict[int, dict[str, Figure]] = {}


def figures_for(year: int) -> dict[str, Figure]:
    """The year's figures (the age bands and the months depend on the year)."""
    return dict(_year_figures(year))


def _year_figures(year: int) -> dict[str, Figure]:
    """The year's figures, built once a year (not to be changed: :func:`figures_for` hands out copies)."""
    try:
        return _FOR_YEAR[year]
    except KeyError:
        pass
    if not FIGURES:
        _define()
    out = {}
    for key, item in FIGURES.items():
        out[key] = item
        if key == "activities.type.%s" % LAST_SERVICE_TYPE:
            out.update({month.key: month for month in _month_figures(year)})
    if "activities.month.01" not in out:
        out.update({month.key: month for month in _month_figures(year)})
    out.update({figure.key: figure for figure in _age_figures(year)})
    if len(_FOR_YEAR) < 256:
        _FOR_YEAR[year] = out
    return out


def figure(key: str, year: int) -> Figure:
    """A figure by key; ``key@mNN`` is the figure narrowed to month NN of its source's date (a chart's cell)."""
    base, _sep, suffix = key.partition("@")
    try:
        item = _year_figures(year)[base]
    except KeyError:
        raise KeyError(key) from None
    if not suffix:
        return item
    source = SOURCES[item.source]
    if not (source.month and len(suffix) == 3 and suffix[0] == "m" and suffix[1:].isdigit()
            and 1 <= int(suffix[1:]) <= 12):
        raise KeyError(key)
    month = int(suffix[1:])
    return Figure(key, "%s（%d月）" % (item.label, month), item.section, item.source,
                  item.where & Q(**{source.month + "__month": month}), item.measure, item.unit, item.decimals)


# ------------------------------------------------------------------------------------------------ compute and trace
def _plain(value, figure: Figure):
    if value is None:
        value = Decimal(0) if figure.decimals else 0
    if isinstance(value, Decimal) or figure.decimals:
        return str(Decimal(value).quantize(Decimal(1).scaleb(-figure.decimals)))
    return int(value)


def compute(scope: Scope, keys=None) -> dict:
    """``{key: value}`` of every figure (or of ``keys``), one aggregate per source, all sent in one round trip (one
    statement on SQLite, one call on PostgreSQL). Counts are ints, sums with
    decimals are strings ("1234.50"), so a JSON snapshot keeps them exact.

    Each source's statement is built by the ORM once per *shape* of scope (the figures asked, the dates, the levels and
    which ids the scope sets) and kept: a scope of the same shape runs it again with its own ids (:class:`_Statement`),
    so the ORM's cost of resolving some 90 conditional aggregates is paid once per process, not on every count."""
    wanted = [figure(key, scope.year) for key in keys] if keys is not None else list(_year_figures(scope.year).values())
    by_source: dict[str, list[Figure]] = {}
    for item in wanted:
        by_source.setdefault(item.source, []).append(item)
    statements = {name: _statement(("aggregate", name, tuple(item.key for item in items)), scope,
                                   lambda shape, name=name, items=items: _compile_aggregate(SOURCES[name], shape,
                                                                                            _aggregates(items)))
                  for name, items in by_source.items()}
    result: dict = {}
    joined = None
    if len(statements) > 1 and all(statements.values()):
        # Every source's aggregate is one row: all of them in one round trip.
        what = ("joined",) + tuple((name, tuple(item.key for item in by_source[name])) for name in statements)
        joined = _statement(what, scope, lambda shape: _joined(list(statements.values())))
    if joined is not None:
        result = dict(zip(joined.columns, joined.rows(scope)[0]))
    else:
        for name, statement in statements.items():
            if statement is not None:
                result.update(zip(statement.columns, statement.rows(scope)[0]))
            else:
                source = SOURCES[name]
                result.update(source.get_model().objects.filter(source.where(scope)).aggregate(
                    **_aggregates(by_source[name])))
    return {item.key: _plain(result[_alias(item)], item) for items in by_source.values() for item in items}


def _aggregates(items: list[Figure]) -> dict:
    return {_alias(item): item.aggregate() for item in items}


def _alias(item: Figure) -> str:
    return item.key.replace(".", "__")


# ------------------------------------------------------------------------------------------------ kept statements
# The ids a scope may set, and a stand-in for each that no other parameter of a statement takes: a statement is
# compiled for a scope with the stand-ins, and the positions they take among its parameters are where a scope's own
# ids go. The dates, levels and year stay in the shape (they change the SQL: the age bands, the month ranges).
_SCOPE_IDS = {"county_id": -7_200_001, "city_id": -7_200_002, "team_id": -7_200_003, "unit_id": -7_200_004,
              "cycle_id": -7_200_005, "town_id": -7_200_006, "province_code": "\x01province\x01"}
_STATEMENTS: dict = {}
_STATEMENTS_LOCK = threading.Lock()
_STATEMENTS_MAX = 1024


class _Compiled(Exception):
    pass


@dataclass(frozen=True)
class _Statement:
    """A statement as the ORM compiles it: its SQL, its parameters with the scope's ids as slots, its columns and the
    converters the ORM applies to them — what ``QuerySet.aggregate`` or ``values_list`` would send and return,
    without building the query again."""

    using: str
    sql: str
    params: tuple
    slots: tuple        # (scope attribute, positions in params)
    columns: tuple
    converters: tuple   # (column index, converter functions, expression)
    # Several one-row statements sent at once (PostgreSQL): how many; their rows make one.
    batch: int = 0

    def rows(self, scope: Scope) -> list[list]:
        params = list(self.params)
        for name, positions in self.slots:
            value = getattr(scope, name)
            value = str(value) if name == "province_code" else int(value)
            for position in positions:
                params[position] = value
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = [list(row) for row in cursor.fetchall()]
            for _more in range(self.batch - 1):
                cursor.nextset()
                rows[0] += cursor.fetchone()
        for row in rows:
            for index, functions, expression in self.converters:
                for function in functions:
                    row[index] = function(row[index], expression, connection)
        return rows


def _statement(what: tuple, scope: Scope, build) -> _Statement | None:
    """The kept statement ``what`` for scopes of this one's shape; ``build(shape)`` compiles it on first use. None when
    it does not compile to plain SQL with each id in its parameters (then the caller asks the ORM each time)."""
    shape = dataclasses.replace(scope, **{name: stand_in for name, stand_in in _SCOPE_IDS.items()
                                          if getattr(scope, name)})
    key = (what, shape, timezone.get_current_timezone_name())
    try:
        return _STATEMENTS[key]
    except KeyError:
        pass
    compiled = build(shape)
    with _STATEMENTS_LOCK:
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            _STATEMENTS.clear()
        _STATEMENTS[key] = compiled
    return compiled


def _kept(compiler, shape: Scope, using: str, columns, names) -> _Statement | None:
    """``columns()``: the compiled expressions of the result's columns (known once ``as_sql`` has set the query up)."""
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a condition that takes no row (a team on a source without teams): the ORM's way
        return None
    if not sql:
        return None
    slots = []
    for name, stand_in in _SCOPE_IDS.items():
        if getattr(shape, name) != stand_in:
            continue
        positions = tuple(i for i, value in enumerate(params) if type(value) is type(stand_in) and value == stand_in)
        if not positions or str(stand_in) in sql:
            return None
        slots.append((name, positions))
    converters = tuple((index, tuple(functions), expression)
                       for index, (functions, expression) in compiler.get_converters(columns()).items())
    return _Statement(using, sql, tuple(params), tuple(slots), tuple(names), converters)


def _compile_aggregate(source: Source, shape: Scope, aggregates: dict) -> _Statement | None:
    """The source's aggregate for ``shape`` as ``QuerySet.aggregate`` compiles it (``Query.get_aggregation``, stopped
    where it would run the statement)."""
    model = source.get_model()
    using = model.objects.db
    query = model.objects.filter(source.where(shape)).query.chain()
    kept = {}

    def get_compiler(using=None, connection=None, elide_empty=True):
        kept["compiler"] = Query.get_compiler(query, using, connection, elide_empty)
        raise _Compiled

    query.get_compiler = get_compiler
    try:
        query.get_aggregation(using, aggregates)
    except _Compiled:
        pass
    else:  # pragma: no cover - an aggregate over a subquery (it ran as is): not kept
        return None
    return _kept(kept["compiler"], shape, using, lambda: list(query.annotation_select.values()),
                 tuple(query.annotation_select))


def _joined(statements: list[_Statement]) -> _Statement | None:
    """One-row statements in one round trip, their columns in order: on SQLite side by side in one statement
    (``SELECT * FROM (a) CROSS JOIN (b) …``); on PostgreSQL one after another in one call (its planner would take
    thirteen derived tables for a join to search — longer to plan than the thirteen statements, and run slower)."""
    if len({statement.using for statement in statements}) != 1:
        return None
    vendor = connections[statements[0].using].vendor
    if vendor not in ("sqlite", "postgresql"):
        return None
    params, slots, columns, converters = [], {}, [], []
    for statement in statements:
        for name, positions in statement.slots:
            slots.setdefault(name, []).extend(position + len(params) for position in positions)
        converters += [(index + len(columns), functions, expression)
                       for index, functions, expression in statement.converters]
        params += statement.params
        columns += statement.columns
    if vendor == "postgresql":
        sql, batch = ";\n".join(statement.sql for statement in statements), len(statements)
    else:
        sql, batch = "SELECT * FROM " + " CROSS JOIN ".join("(%s) AS figures_%d" % (statement.sql, number)
                                                            for number, statement in enumerate(statements)), 0
    return _Statement(statements[0].using, sql, tuple(params), tuple((name, tuple(positions))
                                                                     for name, positions in slots.items()),
                      tuple(columns), tuple(converters), batch)


def _compile_rows(queryset, shape: Scope) -> _Statement | None:
    """A ``values_list`` queryset built for ``shape``, as its iteration compiles it."""
    compiler = queryset.query.get_compiler(queryset.db)
    return _kept(compiler, shape, queryset.db,
                 lambda: [column for column, _sql, _alias in compiler.select[:compiler.col_count]],
                 tuple(queryset.query.values_select))


def trace(key: str, scope: Scope):
    """``(figure, source, queryset)``: the records that make the figure (unrestricted; the view restricts them)."""
    item = figure(key, scope.year)
    source = SOURCES[item.source]
    return item, source, source.queryset(scope, item.where).order_by(*source.order)


def measure_of(item: Figure, rows):
    """The figure recomputed from a traced list: its count, or its total."""
    if item.measure:
        total = rows.aggregate(total=Sum(item.measure))["total"]
        return _plain(total, item)
    return rows.count()


def as_number(value) -> Decimal:
    return Decimal(str(value or 0))


def add_values(*parts: dict) -> dict:
    """Figures of several parts summed (the city's report: its counties' kept figures plus its own towns)."""
    out: dict = {}
    for part in parts:
        for key, value in (part or {}).items():
            if isinstance(value, str) or isinstance(out.get(key), str):
                out[key] = str(as_number(out.get(key)) + as_number(value))
            else:
                out[key] = out.get(key, 0) + int(value or 0)
    return out


# ------------------------------------------------------------------------------------------------ stationed days
@dataclass(frozen=True)
class _CycleDays:
    """What the day count and the pace read of a cycle."""

    pk: int
    start_date: dt.date
    end_date: dt.date
    required_stationed_days: int
    cross_town_days_count: bool


_PAIRING_COLUMNS = ("pk", "cycle_id", "team_id", "team__name", "town_id", "town__name", "active_from", "ended_on",
                    "cycle__start_date", "cycle__end_date", "cycle__required_stationed_days",
                    "cycle__cross_town_days_count")


def _pairings_of(scope: Scope) -> list:
    """The pairings that worked in the scope's year, by town, with what :func:`team_days` reads of each (one kept
    statement per shape of scope, like the figures')."""
    def rows(shape):
        return SOURCES["pairings"].queryset(shape).order_by("town__code", "pk").values_list(*_PAIRING_COLUMNS)

    statement = _statement(("pairings", _PAIRING_COLUMNS), scope, lambda shape: _compile_rows(rows(shape), shape))
    if statement is None:
        return [list(row) for row in rows(scope)]
    return [row[:len(_PAIRING_COLUMNS)] for row in statement.rows(scope)]


def team_days(scope: Scope) -> list[dict]:
    """Per pairing that worked in the year: its stationed days in the year and since the start of its cycle to the
    year's end (or today), against the cycle's requirement pro rata — the pace. One windowed query per cycle that
    counts both (``fieldwork.selectors.stationed_days_since``)."""
    from django.utils import timezone

    from fieldwork.selectors import stationed_days_since

    today = timezone.localdate()
    rows = []
    by_cycle: dict[int, list] = {}
    for (pk, cycle_id, team_id, team, town_id, town, active_from, ended_on, start, end, required,
         cross_counts) in _pairings_of(scope):
        group = by_cycle.setdefault(cycle_id, [_CycleDays(cycle_id, start, end, required, cross_counts)])
        group.append((pk, team_id, team, town_id, town, active_from, ended_on))
    for cycle_id, (cycle, *group) in by_cycle.items():
        ids = [pairing[0] for pairing in group]
        upto = min(scope.end, today, cycle.end_date)
        in_year, to_date = stationed_days_since(cycle, pairing_ids=ids, until=upto, since=scope.start)
        for pk, team_id, team, town_id, town, active_from, ended_on in group:
            # Pro rata from the day the pairing began (a replacing team is not judged on the months before it came).
            begun = max(cycle.start_date, active_from or cycle.start_date)
            total = (cycle.end_date - begun).days + 1
            # An ended or replaced pairing is judged up to its last day.
            last = min(upto, ended_on) if ended_on else upto
            elapsed = max(0, (last - begun).days + 1)
            expected = cycle.required_stationed_days * min(elapsed, total) // total if total > 0 else 0
            year_days = in_year.get(pk)
            cumulative = to_date.get(pk)
            counted = cumulative.counted(cycle) if cumulative else 0
            rows.append({
                "pairing_id": pk, "team_id": team_id, "team": team,
                "town_id": town_id, "town": town, "cycle_id": cycle_id,
                "days_year": year_days.counted(cycle) if year_days else 0,
                "days_to_date": counted, "expected_to_date": expected,
                "required": cycle.required_stationed_days,
                "percent": min(100, round(100 * counted / cycle.required_stationed_days))
                if cycle.required_stationed_days else 100,
                "behind": counted < expected,
            })
    return rows


def day_totals(rows: list[dict]) -> dict:
    return {"days.total": sum(row["days_year"] for row in rows),
            "days.teams_behind": sum(1 for row in rows if row["behind"])}


def person_days(pairing_id: int, year: int) -> list[dict]:
    """The trace of one team's stationed days in a year: per person, whose sum is the team's figure."""
    from django.utils import timezone

    from fieldwork.selectors import stationed_days
    from matching.models import Pairing
    from teams.models import Commissioner

    pairing = Pairing.objects.select_related("cycle").get(pk=pairing_id)
    cycle = pairing.cycle
    upto = min(dt.date(year, 12, 31), timezone.localdate(), cycle.end_date)
    days = stationed_days(cycle, pairing_ids=[pairing_id], until=upto, since=dt.date(year, 1, 1), by="pairing")
    people = days.get(pairing_id)
    if not people:
        return []
    names = dict(Commissioner.objects.filter(pk__in=list(people.people)).values_list("pk", "name"))
    counted = (lambda p: p.all) if cycle.cross_town_days_count else (lambda p: p.own)
    return sorted(({"commissioner_id": pk, "name": names.get(pk, ""), "days": counted(p), "cross": p.cross}
                   for pk, p in people.people.items()), key=lambda row: (-row["days"], row["name"]))


# ------------------------------------------------------------------------------------------------ one report's figures
def snapshot(scope: Scope) -> dict:
    """All the figures of a scope as one JSON-ready dict: ``values`` (with the day totals) and the per-team ``teams``."""
    from django.utils import timezone

    values = compute(scope)
    teams = team_days(scope)
    values.update(day_totals(teams))
    return {"version": 1, "values": values, "teams": teams, "computed_at": timezone.now().isoformat(),
            "scope": scope.params()}
