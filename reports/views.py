"""Pages of annual reports (/reports/): the list with the year's completeness, a report with its figures (each a link
to the records that make it), its narrative, photos and workflow, the author's edit form (the offline rich-text
editor), the city's notes on missing counties, the traced list of any figure (and its XLSX) and a team's stationed
days per person.

Every read goes through ``core.scoping`` (out of scope: 404); every write through ``reports.services``. A county's
draft is its author's own; the city reads a county's report once it is submitted, the province the city's.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.views import View
from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin
import django_tables2 as tables

from core.excel import export_rows
from core.forms import INTEGER_KEY_LIMIT, error_text
from core.generic import PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView, export_cell
from core.roles import CITY_ROLES, OFFICIAL_ROLES, Role, is_system_admin
from core.sanitize import html_text
from core.scoping import VIEW, get_for_user, restrict
from core.workflow import Conflict, action_warnings
from reports import figures as F
from reports import selectors, services
from reports.dashboards import READERS
from reports.choices import NOTE_MAX, REPORT_WORKFLOW, YEAR_MAX, YEAR_MIN, ReportLevel, ReportStatus
from reports.filters import ReportFilter
from reports.forms import MissingNoteForm, ReportCreateForm, ReportForm, default_year, photo_choices
from reports.models import AnnualReport
from reports.tables import ReportTable, cell_text, status_badge, timeliness, trace_table_class

LIST_TITLE = "年度报告"
AUTHOR_ROLES = frozenset({Role.COUNTY_ST, Role.CITY_ST})
TRACE_PAGE = 25
EXPORT_MAX = 5000
LEVEL_WORDS = {"county": "县级组织", "city": "市级组织", "province": "省级组织"}
# The titles of the breakdowns (a figure key's first two parts), shown as compact tables.
BREAKDOWN_TITLES = {
    "people.unit": "特派员按派出单位类型（人）", "people.title": "特派员按职称（人）",
    "people.education": "特派员按学历（人）", "people.age": "特派员按年龄段（人）",
    "grants.source": "立项资助金额按资金来源（元）", "grants.level": "立项资助金额按组织层级（元）",
    "activities.type": "服务活动按服务类型（次）", "activities.month": "服务活动按月份（次）",
    "flags.kind": "预警按类型（次）", "cases.cause": "调整更换案件按事由（件）",
    "cases.decision": "调整更换案件按处理决定（件）", "evaluations.grade": "年度考评按等次（人）",
}
# The main figures of the city's table by county (``figures["parts"]``).
PART_KEYS = ("teams.total", "people.total", "towns.covered", "activities.total", "activities.people_trained",
             "grants.amount", "days.total")
PART_LABELS = {"days.total": "驻镇天数（人天）"}
EXPORTS = (("docx", "Word", "file-earmark-word"), ("pdf", "PDF", "filetype-pdf"),
           ("xlsx", "统计表 Excel", "file-earmark-excel"))
NARRATIVES = ("achievements", "typical_cases", "problems", "next_plan")


def _list_crumb():
    return (LIST_TITLE, reverse("reports:report_list"))


def _moment(value) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def trace_prefix() -> str:
    """``/reports/trace/``: the figure's key is appended (keys are dotted words, safe in a path)."""
    return reverse("reports:trace", args=["k"])[:-2]


def trace_query(params: dict, report_pk=None) -> str:
    query = dict(params)
    if report_pk:
        query["report"] = report_pk
    return urlencode(query)


def trace_url(key: str, params: dict, report_pk=None, prefix: str | None = None) -> str:
    return "%s%s/?%s" % (prefix or trace_prefix(), key, trace_query(params, report_pk))


# ------------------------------------------------------------------------------------------------ figures shown
def figure_sections(values: dict, year: int, params: dict, report_pk=None) -> list[dict]:
    """The figures by section: the main ones as a list, the breakdowns (``people.unit.*``…) as compact tables; each
    value with the link to its traced list. A key the kept figures lack (a figure added later) shows "—"."""
    figures = F.figures_for(year)
    prefix, query = trace_prefix(), "?" + trace_query(params, report_pk)
    sections: dict[str, dict] = {name: {"title": name, "main": [], "groups": {}} for name in F.SECTIONS}
    for key, item in figures.items():
        present = key in values
        cell = {"key": key, "label": item.label, "value": values.get(key), "present": present, "unit": item.unit,
                "decimals": item.decimals, "url": "%s%s/%s" % (prefix, key, query)}
        section = sections.setdefault(item.section, {"title": item.section, "main": [], "groups": {}})
        parts = key.split(".")
        if len(parts) >= 3:
            group = ".".join(parts[:2])
            section["groups"].setdefault(group, {"key": group, "title": BREAKDOWN_TITLES.get(group, group),
                                                 "cells": []})["cells"].append(cell)
        else:
            section["main"].append(cell)
    return [{"title": s["title"], "main": s["main"], "groups": list(s["groups"].values())}
            for s in sections.values() if s["main"] or s["groups"]]


def team_rows(figures: dict, year: int) -> list[dict]:
    """The per-team stationed days, each team's days in the year linking to its per-person breakdown."""
    rows = []
    for row in figures.get("teams") or []:
        rows.append({**row, "url": reverse("reports:person_days", args=[row["pairing_id"], year])})
    return rows


def part_rows(report: AnnualReport, figures: dict, year: int) -> tuple[list, list]:
    """The city's table by county: the city's own towns (counted now) and each accepted county's kept figures, with
    the link to each county's report and each figure's traced list in that county."""
    from regions.models import County

    parts = figures.get("parts") or {}
    items = F.figures_for(year)
    columns = [{"key": key, "label": PART_LABELS.get(key) or (items[key].label if key in items else key),
                "traced": key in items, "decimals": items[key].decimals if key in items else 0} for key in PART_KEYS]
    county_ids = [int(key) for key in parts if key.isdigit()]
    counties = {county.pk: county for county in County.objects.filter(pk__in=county_ids).order_by("code")}
    reports = {row.county_id: row for row in AnnualReport.objects.filter(
        level=ReportLevel.COUNTY, year=year, county_id__in=county_ids).only("pk", "county_id", "status")}
    prefix = trace_prefix()
    out = []

    def cells(values, params, report_pk, days_url):
        # The stationed days are no declared figure: their trace is the report's table of teams (each team's days
        # per person), on the county's report or, for the city's own towns, on this one.
        return [{"value": values.get(column["key"], 0), "decimals": column["decimals"],
                 "url": "%s%s/?%s" % (prefix, column["key"], trace_query(params, report_pk)) if column["traced"]
                 else (days_url if column["key"] == "days.total" else "")} for column in columns]

    if "own" in parts:
        own = F.city_own_scope(year, report.city)
        out.append({"name": "市、省组织的镇", "url": "", "cells": cells(parts["own"], own.params(), None, "#days")})
    for county in sorted(counties.values(), key=lambda c: c.code):
        county_report = reports.get(county.pk)
        url = county_report.get_absolute_url() if county_report else ""
        out.append({"name": county.name, "url": url,
                    "cells": cells(parts[str(county.pk)], F.county_scope(year, county).params(),
                                   county_report.pk if county_report else None, url + "#days" if url else "")})
    totals = [{"value": (figures.get("values") or {}).get(column["key"], 0), "decimals": column["decimals"]}
              for column in columns]
    return columns, out + [{"name": "合计", "url": "", "cells": totals, "total": True}] if out else []


def _history(rows: list[dict]) -> list[dict]:
    """The change history without the kept figures' JSON, and the narrative as plain text (never its HTML)."""
    for row in rows:
        for change in row["changes"]:
            if change["field"] == "figures":
                change["old"] = "（统计数据快照）" if change["old"] else ""
                change["new"] = "（统计数据快照）" if change["new"] else ""
            elif change["field"] == "missing_notes":
                change["old"], change["new"] = "（缺报说明）" if change["old"] else "", "（已更新）"
            elif change["field"] in NARRATIVES:
                for side in ("old", "new"):
                    text = html_text(change[side])
                    change[side] = text[:120] + ("…" if len(text) > 120 else "")
    return rows


def comment_label(report) -> str:
    """What the receiver's comment on a returned report is: 退回意见, or 重新打开原因 when its last step was a
    reopening (an accepted report opened again)."""
    from core.workflow import transitions_for

    last = transitions_for(report).exclude(action="create").order_by("-created_at", "-pk").values_list(
        "action", flat=True).first()
    return "重新打开原因" if last == "reopen" else "退回意见"


# ------------------------------------------------------------------------------------------------ list
def _taken_years(user) -> list[int]:
    if user.role == Role.COUNTY_ST:
        rows = AnnualReport.objects.filter(level=ReportLevel.COUNTY, county_id=user.county_id)
    elif user.role == Role.CITY_ST:
        rows = AnnualReport.objects.filter(level=ReportLevel.CITY, city_id=user.city_id)
    else:
        return []
    return list(rows.values_list("year", flat=True))


def city_summary(user, city, year: int) -> dict:
    """The city's year at a glance: each county's report (status, submitted, on time, accepted) and the city's own."""
    report = restrict(AnnualReport.objects.select_related("city"), user).filter(
        level=ReportLevel.CITY, city=city, year=year).first()
    holder = report or AnnualReport(level=ReportLevel.CITY, city=city, year=year)
    rows = selectors.completeness(holder)
    for row in rows:
        row["url"] = row["report"].get_absolute_url() if row["report"] and row["report"].status != ReportStatus.DRAFT \
            else ""
    return {"kind": "city", "year": year, "city": city, "report": report, "rows": rows,
            "accepted": sum(1 for row in rows if row["accepted"]), "total": len(rows)}


def province_summary(user, year: int) -> dict:
    """The province's year: each city's report and how many of its counties' reports are submitted and accepted."""
    from regions.models import City, County

    cities = City.objects.order_by("code")
    if not is_system_admin(user):
        cities = cities.filter(province_code=user.province_code)
    cities = list(cities)
    ids = [city.pk for city in cities]
    county_counts = dict(County.objects.filter(city_id__in=ids).values("city_id").annotate(n=Count("pk"))
                         .values_list("city_id", "n"))
    visible = restrict(AnnualReport.objects.all(), user).filter(year=year, city_id__in=ids)
    counts: dict = {}
    for city_id, status, n in visible.filter(level=ReportLevel.COUNTY).values_list("city_id", "status") \
            .annotate(n=Count("pk")).values_list("city_id", "status", "n"):
        counts.setdefault(city_id, {})[status] = n
    city_reports = {row.city_id: row for row in visible.filter(level=ReportLevel.CITY)}
    rows = []
    for city in cities:
        by_status = counts.get(city.pk, {})
        report = city_reports.get(city.pk)
        rows.append({"city": city, "counties": county_counts.get(city.pk, 0),
                     "submitted": sum(by_status.values()), "accepted": by_status.get(ReportStatus.ACCEPTED, 0),
                     "report": report, "status": report.get_status_display() if report else "未报送",
                     "timely": timeliness(report) if report else "",
                     "url": report.get_absolute_url() if report else ""})
    return {"kind": "province", "year": year, "rows": rows}


class ReportListView(ScopedListView):
    model = AnnualReport
    table_class = ReportTable
    filterset_class = ReportFilter
    template_name = "reports/report_list.html"
    title = LIST_TITLE
    roles = OFFICIAL_ROLES
    search_fields = ["title", "doc_number", "county__name"]
    search_placeholder = "标题、文号或县（市、区）"
    export_filename = "年度报告"
    empty_text = "暂无年度报告。县科技部门、市科技局每年年底建立本级年度报告，填写工作总结后报送上级。"

    def base_queryset(self):
        return AnnualReport.objects.select_related("city", "county").order_by("-year", "level", "county__code", "pk")

    def summary_year(self) -> int:
        form = self.filterset.form
        year = form.cleaned_data.get("year") if form.is_valid() else None
        if year:
            return int(year)
        latest = restrict(AnnualReport.objects.all(), self.request.user).order_by("-year").values_list(
            "year", flat=True).first()
        return latest or default_year()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.role in AUTHOR_ROLES:
            context["create_form"] = ReportCreateForm(taken=_taken_years(user), auto_id="create_%s")
            import uuid

            context["idempotency_key"] = uuid.uuid4().hex
        year = self.summary_year()
        if user.role in CITY_ROLES and user.city_id:
            context["summary"] = city_summary(user, user.city, year)
        elif user.role == Role.PROVINCE or is_system_admin(user):
            context["summary"] = province_summary(user, year)
        return context


class ReportCreateView(ScopedFormView):
    form_class = ReportCreateForm
    roles = AUTHOR_ROLES
    title = "建立年度报告"
    submit_label = "建立"
    success_message = "已建立年度报告。请填写工作总结，核对统计数据后报送。"

    def get_breadcrumbs(self):
        return [_list_crumb(), (self.get_title(), None)]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "taken": _taken_years(self.request.user)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        place = user.county.name if user.role == Role.COUNTY_ST and user.county_id else (
            user.city.name if user.city_id else "")
        context["form_notice"] = "建立%s的年度工作总结报告。统计数据由平台根据已确认的记录自动计算。" % place
        return context

    def save(self, form):
        user = self.request.user
        if user.role == Role.COUNTY_ST:
            return services.report_create(actor=user, year=form.cleaned_data["year"], level=ReportLevel.COUNTY,
                                          county=user.county)
        return services.report_create(actor=user, year=form.cleaned_data["year"], level=ReportLevel.CITY)

    def get_success_url(self):
        return reverse("reports:report_edit", args=[self.object.pk])


# ------------------------------------------------------------------------------------------------ detail
class ReportDetailView(ScopedDetailView):
    model = AnnualReport
    template_name = "reports/report_detail.html"
    roles = OFFICIAL_ROLES
    # The steps come from reports.selectors.actions_for (the author's or the receiver's), not the generic change scope.
    workflow = None
    action_url_name = "reports:report_transition"
    list_url_name = "reports:report_list"
    list_title = LIST_TITLE

    def base_queryset(self):
        return AnnualReport.objects.select_related("city", "county", "created_by")

    def field_rows(self):
        report = self.object
        rows = [
            ("报告年度", "%d年" % report.year),
            ("层级", "%s（%s）" % (report.get_level_display(), report.place_name)),
            ("文号", report.doc_number),
            ("状态", status_badge(report)),
            ("报送期限", report.due_date.isoformat() if report.due_date else ""),
            ("报送时间", format_html("{} {}", _moment(report.submitted_at), timeliness(report) or "")
             if report.submitted_at or timeliness(report) else ""),
            ("接收时间", _moment(report.accepted_at)),
            ("起草人", (report.created_by.full_name or report.created_by.username) if report.created_by else ""),
        ]
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        author = selectors.is_author(user, report)
        # The steps of this party (author or receiver), refused ones with the guard's reason; rendered by
        # reports/_workflow_buttons.html, which also sends the state the page showed (check-and-set across requests).
        actions = selectors.actions_for(user, report)
        context["report_actions"], context["actions"] = actions, []
        context["action_warnings"] = action_warnings(REPORT_WORKFLOW, report, user, actions) if actions else {}
        context["can_change"] = author and report.editable
        context["edit_url_name"] = "reports:report_edit"
        context["author"] = author
        context["history"] = _history(context["history"])
        context["report"] = report
        context["comment_label"] = comment_label(report) if report.return_comment else "退回意见"
        context["exports"] = EXPORTS
        context["note_max"] = NOTE_MAX
        if context["tab"] not in ("history", "flow"):
            context.update(self.figures_context(report, user, author))
        return context

    def figures_context(self, report, user, author) -> dict:
        figures = selectors.figures_of(report)
        values = figures.get("values") or {}
        params = selectors.scope_of(report).params()
        out = {
            "sections": figure_sections(values, report.year, params, report.pk),
            "teams": team_rows(figures, report.year),
            "days_total": values.get("days.total", 0),
            "teams_behind": values.get("days.teams_behind", 0),
            "kept": report.frozen,
            "computed_at": report.figures_at if report.frozen else timezone.now(),
            "photos": list(report.case_photos.select_related("activity", "activity__town")
                           .order_by("-activity__date", "pk")),
            "narratives": [(AnnualReport._meta.get_field(name).verbose_name, getattr(report, name))
                           for name in NARRATIVES],
        }
        if report.level == ReportLevel.CITY:
            rows = selectors.completeness(report)
            editable = author and report.editable
            for row in rows:
                row["url"] = row["report"].get_absolute_url() if row["report"] and \
                    row["report"].status != ReportStatus.DRAFT else ""
                row["note_form"] = MissingNoteForm(initial={"note": row["note"]}, auto_id="note_%d_%%s" % row[
                    "county"].pk) if editable and not row["accepted"] else None
            out["completeness"] = rows
            out["part_columns"], out["parts"] = part_rows(report, figures, report.year)
        corrections = selectors.corrections(report)
        if corrections:
            previous = AnnualReport.objects.filter(level=report.level, city_id=report.city_id,
                                                   county_id=report.county_id, year=report.year - 1,
                                                   status=ReportStatus.ACCEPTED).values_list("pk", flat=True).first()
            figures_all = F.figures_for(report.year - 1)
            for row in corrections:
                row["url"] = trace_url(row["key"], row["scope"].params(), previous)
                row["decimals"] = figures_all[row["key"]].decimals if row["key"] in figures_all else 0
                row["unit"] = figures_all[row["key"]].unit if row["key"] in figures_all else ""
        out["corrections"] = corrections
        return out


class ReportTransitionView(WorkflowActionView):
    """Submit (the author), return, accept or reopen (the receiver): the service checks who, the state and the
    guards; a step someone else took first reads "已被他人处理"."""

    model = AnnualReport
    workflow = REPORT_WORKFLOW

    def may_act_without_change(self, user, obj, action) -> bool:
        return True  # the receiver reads, never changes, the report; reports.services checks the party

    def apply(self, obj, action, comment):
        if action not in self.workflow:
            raise ValidationError("未知操作。")
        step = self.workflow[action]
        user = self.request.user
        # Who may take the step first (as the service and the API do): someone else is told so, not "已被他人处理".
        if action == "submit" and not selectors.is_author(user, obj):
            raise PermissionDenied("只有报告单位的科技局可以报送本报告。")
        if action != "submit" and not selectors.is_receiver(user, obj):
            raise PermissionDenied("只有接收单位（县级报告由市科技局，全市报告由省科技厅）可以执行该操作。")
        seen = (self.request.POST.get("seen_status") or "").strip()
        if (seen and seen != obj.status) or (obj.status == step.target and obj.status not in step.sources):
            raise Conflict("该记录已被他人处理（当前状态为“%s”），请刷新页面后查看。" % obj.get_status_display(),
                           code="conflict")
        services.report_transition(actor=self.request.user, report=obj, action=action, comment=comment)


class MissingNoteView(PageMixin, View):
    """The city's note on why a county's report is missing from the city's report (empty clears it)."""

    roles = frozenset({Role.CITY_ST})

    def post(self, request, pk, county_pk):
        from regions.models import County

        report = get_for_user(AnnualReport.objects.select_related("city"), request.user, VIEW, pk=pk)
        if county_pk > INTEGER_KEY_LIMIT:
            raise Http404
        county = County.objects.filter(pk=county_pk, city_id=report.city_id).first()
        if county is None:
            raise Http404
        form = MissingNoteForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect(report.get_absolute_url() + "#completeness")
        note = form.cleaned_data["note"]
        try:
            services.missing_note(actor=request.user, report=report, county=county, note=note)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, ("已保存%s的缺报说明。" if note.strip() else "已清除%s的缺报说明。") % county.name)
        return redirect(report.get_absolute_url() + "#completeness")


# ------------------------------------------------------------------------------------------------ edit
class ReportEditView(ScopedFormView):
    model = AnnualReport
    form_class = ReportForm
    roles = AUTHOR_ROLES
    template_name = "reports/report_form.html"
    title = "修改年度报告"
    success_message = "年度报告已保存。"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and (is_system_admin(user) or user.role in self.roles):
            report = self.get_instance()
            if not selectors.is_author(user, report):
                if is_system_admin(user):  # reads every report, writes none: back to the report, saying why
                    messages.error(request, "只有报告单位的科技局可以修改本报告。")
                    return redirect(report.get_absolute_url())
                raise PermissionDenied("只有报告单位的科技局可以修改本报告。")
            if not report.editable:
                messages.error(request, "报告当前为“%s”，不能修改；如需修改请由上级退回或重新打开。"
                               % report.get_status_display())
                return redirect(report.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_instance(self):
        if not hasattr(self, "_instance"):
            self._instance = get_for_user(AnnualReport.objects.select_related("city", "county"), self.request.user,
                                          "change", pk=self.kwargs["pk"])
        return self._instance

    def get_breadcrumbs(self):
        report = self.get_instance()
        return [_list_crumb(), (str(report), report.get_absolute_url()), (self.get_title(), None)]

    def get_initial(self):
        report = self.get_instance()
        initial = {name: getattr(report, name) for name in services.EDIT_FIELDS}
        initial["photos"] = list(report.case_photos.values_list("pk", flat=True))
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        report = self.get_instance()
        kwargs.update(report=report, photos=photo_choices(report, selectors.photos_for(report)))
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.get_instance()
        context["report"] = report
        if report.status == ReportStatus.RETURNED and report.return_comment:
            context["form_notice"] = "%s：%s" % (comment_label(report), report.return_comment)
        return context

    def save(self, form):
        data = form.cleaned_data
        return services.report_update(actor=self.request.user, report=self.get_instance(),
                                      photos=[photo.pk for photo in data["photos"]],
                                      **{name: data[name] for name in services.EDIT_FIELDS})


# ------------------------------------------------------------------------------------------------ traced lists
def scope_from(data) -> F.Scope:
    """The scope of a trace link, or 404 on a malformed one (a year out of range, an id no column holds)."""
    try:
        scope = F.Scope.from_params(data)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not YEAR_MIN <= scope.year <= YEAR_MAX:
        raise Http404
    for name in ("city_id", "county_id", "team_id", "unit_id"):
        value = getattr(scope, name)
        if value is not None and abs(value) > INTEGER_KEY_LIMIT:
            raise Http404
    return scope


def scope_words(scope: F.Scope, user) -> str:
    """The scope in words: 2025年 · 韶关市仁化县 · 县级组织的镇 · 团队 …"""
    from regions.models import City, County
    from teams.models import Team
    from units.models import DispatchingUnit

    words = ["%d年" % scope.year]
    place = ""
    if scope.city_id:
        place += City.objects.filter(pk=scope.city_id).values_list("name", flat=True).first() or "（未知市）"
    if scope.county_id:
        place += County.objects.filter(pk=scope.county_id).values_list("name", flat=True).first() or "（未知县）"
    if not place and scope.province_code:
        place = "省（%s）" % scope.province_code
    words.append(place or "全部地区")
    if tuple(scope.levels) == F.ALL_LEVELS:
        words.append("各级组织")
    else:
        words.append("、".join(LEVEL_WORDS.get(level, level) for level in scope.levels))
    if scope.team_id:
        name = restrict(Team.objects.filter(pk=scope.team_id), user).values_list("name", flat=True).first()
        words.append("团队：%s" % (name or "（无权查看）"))
    if scope.unit_id:
        name = restrict(DispatchingUnit.objects.filter(pk=scope.unit_id), user).values_list("name", flat=True).first()
        words.append("派出单位：%s" % (name or "（无权查看）"))
    return " · ".join(words)


def check_region(user, data) -> None:
    """The dashboard's rule and the figures API's (``reports.api.scope_for``): a role that reads no statistics (a
    town, an expert) is refused, and so is a scope outside the reader's own region (another county, a town or a team
    of another region) — 403, never a list of zeros under another region's name."""
    from rest_framework.exceptions import PermissionDenied as Refused
    from rest_framework.exceptions import ValidationError as Malformed

    from reports.api import scope_for

    try:
        scope_for(user, data)
    except Refused as error:
        raise PermissionDenied(str(error.detail)) from None
    except Malformed:
        raise Http404 from None


class TraceMixin:
    """The traced rows of ``key`` in the link's scope, cut to what the user may read (never an unrestricted count)."""

    def load_trace(self):
        request = self.request
        scope = scope_from(request.GET)
        check_region(request.user, request.GET)
        self.report = None
        raw = (request.GET.get("report") or "").strip()
        if raw:
            self.report = get_for_user(AnnualReport.objects.select_related("city", "county"), request.user, VIEW,
                                       pk=raw)
        try:
            item, source, rows = F.trace(self.kwargs["key"], scope)
        except KeyError:
            raise Http404 from None
        model = source.get_model()
        readable = restrict(model._default_manager.all(), request.user, VIEW).values("pk")
        visible = rows.filter(pk__in=readable)
        self.scope, self.item, self.source = scope, item, source
        self.measure = F.measure_of(item, visible)
        self.parts = None
        report = self.report
        if report is not None and report.level == ReportLevel.CITY and selectors.scope_of(report) == scope:
            # The city's figure is not the whole city: it is the accepted counties' figures plus its own towns. The
            # trace lists what it is built from, part by part, its total the sum of the parts.
            self.parts = city_parts(report, item, readable)
            union = Q(pk__in=[])
            for part in self.parts:
                union |= Q(pk__in=part["rows"].values("pk"))
            visible = model._default_manager.filter(union).order_by(*source.order)
            self.measure = F.add_values(*({"v": part["now"]} for part in self.parts)).get("v", 0) \
                if self.parts else F.measure_of(item, visible)
        self.rows = visible.select_related(*_related(model, source))


def city_parts(report, item, readable) -> list[dict]:
    """The parts a city report's figure ``item`` adds up: the city's own towns (市、省组织的镇) and each county whose
    accepted report it takes, each with its traced rows (cut to ``readable``), its count now and the value the report
    took (the county report's kept figure; the city's own part as counted when the city's report was locked)."""
    from regions.models import County

    figures = selectors.figures_of(report)
    parts = figures.get("parts") or {}
    county_ids = [int(key) for key in parts if str(key).isdigit()]
    counties = {county.pk: county for county in County.objects.filter(pk__in=county_ids)}
    scopes = [("own", "市、省组织的镇", F.city_own_scope(report.year, report.city))]
    scopes += [(str(county.pk), county.name, F.county_scope(report.year, county))
               for county in sorted(counties.values(), key=lambda c: c.code)]
    out = []
    for key, name, scope in scopes:
        _item, _source, rows = F.trace(item.key, scope)
        rows = rows.filter(pk__in=readable)
        now = F.measure_of(item, rows)
        taken = (parts.get(key) or {}).get(item.key)
        # The city's own part is counted now while the city's report is a draft: nothing was kept for it.
        kept = taken if (key != "own" or report.frozen) else None
        out.append({"key": key, "name": name, "rows": rows, "now": now, "kept": kept,
                    "differs": kept is not None and F.as_number(kept) != F.as_number(now),
                    "url": trace_url(item.key, scope.params())})
    return out


def _related(model, source):
    from reports.tables import related_paths

    return related_paths(model, [path for path, _label in source.columns])


class TraceView(TraceMixin, PageMixin, SingleTableMixin, TemplateView):
    template_name = "reports/trace.html"
    roles = READERS
    paginate_by = TRACE_PAGE

    def get(self, request, *args, **kwargs):
        self.load_trace()
        return super().get(request, *args, **kwargs)

    def get_title(self):
        return "%s · 明细" % self.item.label

    def get_breadcrumbs(self):
        crumbs = [_list_crumb()] if self.request.user.role in OFFICIAL_ROLES else []
        if self.report is not None:
            crumbs.append((str(self.report), self.report.get_absolute_url()))
        return crumbs + [(self.get_title(), None)]

    def get_table_class(self):
        return trace_table_class(self.source)

    def get_table_data(self):
        return self.rows

    def get_table_pagination(self, table):
        return {"per_page": self.paginate_by}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.item
        params = self.request.GET.copy()
        for name in ("page", "sort"):
            params.pop(name, None)
        context.update({
            "figure": item,
            "source": self.source,
            "scope_words": scope_words(self.scope, self.request.user),
            "measure": self.measure,
            "is_sum": bool(item.measure),
            "count": context["table"].paginator.count,
            "export_url": reverse("reports:trace_export", args=[item.key]) + "?" + params.urlencode(),
            "report": self.report,
            "parts": self.parts,
        })
        if self.parts is not None and not item.measure:
            # A count of parts: the figure is their sum (a record in two counties counts in each, as in the report).
            context["listed"], context["count"] = context["count"], self.measure
        report = self.report
        if report is not None and report.frozen and selectors.scope_of(report) == self.scope:
            kept = (report.figures.get("values") or {}).get(item.key)
            if kept is not None:
                context["kept"] = kept
                context["kept_differs"] = F.as_number(kept) != F.as_number(self.measure)
        return context


def export_value(value):
    """A traced cell in a spreadsheet: numbers stay numbers, dates real dates, date-times local."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if timezone.is_aware(value) else value
    if isinstance(value, (dt.date, int, float, Decimal)) or value is None:
        return value
    return export_cell(str(value))


class TraceExportView(TraceMixin, PageMixin, View):
    """The same rows as XLSX, at most :data:`EXPORT_MAX` (a note says so when there are more)."""

    roles = READERS

    def get(self, request, *args, **kwargs):
        self.load_trace()
        columns = list(self.source.columns)
        headers = [str(label) for _path, label in columns]
        accessors = [tables.A(path) for path, _label in columns]
        rows = []
        for record in self.rows[:EXPORT_MAX + 1]:
            rows.append([export_value(accessor.resolve(record, quiet=True)) for accessor in accessors])
        total = self.rows.count() if len(rows) > EXPORT_MAX else len(rows)
        rows = rows[:EXPORT_MAX]
        if self.item.measure:
            rows.append(["合计：%s%s" % (cell_text(self.measure), self.item.unit)] + [None] * (len(headers) - 1))
        if total > EXPORT_MAX:
            rows.append(["仅导出前 %d 条，共 %d 条；请缩小范围后再导出。" % (EXPORT_MAX, total)]
                        + [None] * (len(headers) - 1))
        title = str(self.item.label)
        content = export_rows(headers, rows, sheet_title=title[:31])
        name = "%s_%d_%s" % (title, self.scope.year, timezone.localdate().strftime("%Y%m%d"))
        response = HttpResponse(content,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        from urllib.parse import quote

        response["Content-Disposition"] = "attachment; filename*=UTF-8''%s.xlsx" % quote(name)
        return response


# ------------------------------------------------------------------------------------------------ stationed days
def stays_link(user, pairing, person: dict, year: int) -> str:
    """The person's confirmed stays of the year with this team in the stay list (its filters), for who may open it."""
    from fieldwork.filters_stays import MEMBER_CHOOSERS
    from fieldwork.views_stays import VIEWERS

    if not (is_system_admin(user) or user.role in VIEWERS):
        return ""
    member = person["commissioner_id"] if (is_system_admin(user) or user.role in MEMBER_CHOOSERS) else person["name"]
    query = {"member": member, "team": pairing.team_id, "status": "confirmed",
             "date_from": "%d-01-01" % year, "date_to": "%d-12-31" % year}
    return reverse("fieldwork:stay_list") + "?" + urlencode(query)


class PersonDaysView(PageMixin, TemplateView):
    """A team's stationed days in a year per person: the trace of the team's figure (their sum)."""

    template_name = "reports/person_days.html"

    def get(self, request, *args, **kwargs):
        if not YEAR_MIN <= kwargs["year"] <= YEAR_MAX:
            raise Http404
        return super().get(request, *args, **kwargs)

    def pairing(self):
        from matching.models import Pairing

        if not hasattr(self, "_pairing"):
            self._pairing = get_for_user(Pairing.objects.select_related("town__county", "team", "cycle"),
                                         self.request.user, VIEW, pk=self.kwargs["pairing_pk"])
        return self._pairing

    def get_title(self):
        pairing = self.pairing()
        return "%s · %s %d年驻镇天数" % (pairing.town.name, pairing.team.name, self.kwargs["year"])

    def get_breadcrumbs(self):
        crumbs = [_list_crumb()] if self.request.user.role in OFFICIAL_ROLES else []
        return crumbs + [(self.get_title(), None)]

    def get_context_data(self, **kwargs):
        pairing = self.pairing()
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        rows = F.person_days(pairing.pk, year)
        for row in rows:
            row["url"] = stays_link(self.request.user, pairing, row, year)
        context.update({
            "pairing": pairing, "year": year, "rows": rows, "is_current": year == timezone.localdate().year,
            "total": sum(row["days"] for row in rows), "cross_total": sum(row["cross"] for row in rows),
            "cross_counted": pairing.cycle.cross_town_days_count,
            "required": pairing.cycle.required_stationed_days,
        })
        return context
