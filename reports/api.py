"""API of annual reports (信息报送), scoped like the pages: a county's report is read by its county's offices (its
drafts by them alone), the city's offices and the province once submitted; the city's report by the city's offices
and the province once submitted; towns, teams, units and experts read none (out of scope: 404).

Writes hand the checked types to ``reports.services``, which check who acts before saving: their ``ValidationError``
answers 400 with the field keys and Chinese messages, ``PermissionDenied`` 403, a step someone else took first 409.

* ``/api/v1/annual-reports/`` — ``?year=``, ``?level=``, ``?status=``, ``?county=``, ``?city=``; ``POST`` (the
  author's S&T office: ``year``, ``level``, ``county`` for a county's report; ``Idempotency-Key``),
  ``PATCH /{id}/`` (the author, while a draft or returned: ``title``, ``doc_number``, the four narratives — sanitized
  on save — and ``photos``, ids of activity photos of its towns and year), ``POST /{id}/submit/`` (the author),
  ``POST /{id}/return/``, ``/accept/``, ``/reopen/`` (the receiver: the city for a county's report, the province for
  the city's; ``comment`` for a return or a reopening), ``POST /{id}/missing-note/`` (the city: ``county``, ``note``;
  an empty note clears it), ``GET /{id}/actions/``, ``/transitions/``, ``/history/``, and ``GET /{id}/figures/``: the
  report's figures (kept once submitted, else counted now) with each figure's trace link, the teams' stationed days,
  and for the city's report each part (its own towns, each accepted county) and the completeness of the counties.
* ``/api/v1/report-figures/?year=&levels=&city=&county=&team=&unit=&cycle=&town=&from=&to=`` — the figures of a scope
  inside the caller's own region (the province its province, the city its city, a county its county, a team its team,
  a unit its unit; another region: 403), counted over the records the caller may read.
"""
from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import ConflictError, PasswordChanged, ScopedReadOnlyViewSet
from core.api import call_service
from core.api import read_input as _input
from core.fields import COMMENT_MAX_CHARS
from core.roles import CITY_ROLES, COUNTY_ROLES, TEAM_ROLES, Role, is_system_admin
from core.scoping import VIEW, restrict
from projects.api import ID, PARSERS, _create_once
from regions.models import City, County
from reports import figures as F
from reports import selectors, services
from reports.choices import NOTE_MAX, REPORT_WORKFLOW, YEAR_MAX, YEAR_MIN, ReportLevel
from reports.models import NARRATIVE_MAX, AnnualReport

#: Who may open a report's figures by scope (the dashboard's audience): not towns, not experts.
FIGURE_READERS = frozenset({Role.PROVINCE, *CITY_ROLES, *COUNTY_ROLES, *TEAM_ROLES, Role.UNIT})
#: The stationed-day totals of a snapshot (``figures.day_totals``): not declared figures, labelled here.
DAY_FIGURES = {"days.total": ("驻镇天数（人天）", "人天"), "days.teams_behind": ("驻镇进度滞后团队（个）", "个")}
DAY_SECTION = "一、团队与特派员"


def _call(function, **kwargs):
    """``core.api.call_service``, with a refusal that names no field (a locked report, a step out of place) answered
    as ``{"detail": "..."}`` like the other refusals, never as a bare list."""
    try:
        return call_service(function, **kwargs)
    except DRFValidationError as error:
        if isinstance(error.detail, list):
            raise DRFValidationError({"detail": "；".join(str(message) for message in error.detail)}) from None
        raise


# ------------------------------------------------------------------------------------------------ serializers
class ReportPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField(help_text="照片地址（按权限提供）")
    thumb_url = serializers.CharField(help_text="缩略图地址")


class AnnualReportSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    city_name = serializers.CharField(source="city.name", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True, default="")
    on_time = serializers.BooleanField(read_only=True, allow_null=True, help_text="按期报送（未报送时为空）")
    frozen = serializers.BooleanField(read_only=True, help_text="统计数据已锁定（报送或接收时的快照）")
    case_photos = serializers.SerializerMethodField(help_text="典型案例配图")

    class Meta:
        model = AnnualReport
        fields = ["id", "year", "level", "level_display", "city", "city_name", "county", "county_name", "title",
                  "doc_number", "due_date", "status", "status_display", "achievements", "typical_cases", "problems",
                  "next_plan", "case_photos", "missing_notes", "return_comment", "submitted_at", "on_time",
                  "accepted_at", "frozen", "figures_at", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(ReportPhotoSerializer(many=True))
    def get_case_photos(self, report) -> list:
        return [{"id": photo.pk, "url": reverse("fieldwork:photo", args=[photo.pk]),
                 "thumb_url": reverse("fieldwork:photo_thumb", args=[photo.pk])}
                for photo in report.case_photos.all()]


class AnnualReportCreateInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, help_text="报告年度")
    level = serializers.ChoiceField(choices=ReportLevel.choices, help_text="层级：county（县级）、city（市级）",
                                    error_messages={"invalid_choice": "层级应为 county 或 city。"})
    county = serializers.IntegerField(required=False, allow_null=True, help_text="县（市、区）id（县级报告必填）", **ID)


class AnnualReportUpdateInput(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="标题")
    doc_number = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="文号")
    achievements = serializers.CharField(required=False, allow_blank=True, max_length=NARRATIVE_MAX,
                                         trim_whitespace=False, help_text="主要成效（富文本，保存时净化）")
    typical_cases = serializers.CharField(required=False, allow_blank=True, max_length=NARRATIVE_MAX,
                                          trim_whitespace=False, help_text="典型案例（富文本）")
    problems = serializers.CharField(required=False, allow_blank=True, max_length=NARRATIVE_MAX,
                                     trim_whitespace=False, help_text="存在问题（富文本）")
    next_plan = serializers.CharField(required=False, allow_blank=True, max_length=NARRATIVE_MAX,
                                      trim_whitespace=False, help_text="下一年度工作计划（富文本）")
    photos = serializers.ListField(child=serializers.IntegerField(**ID), required=False, max_length=100,
                                   help_text="典型案例配图：本地区本年度已确认服务活动的照片 id（最多 %d 张）"
                                             % services.PHOTOS_MAX)


class AnnualReportActInput(serializers.Serializer):
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="意见或理由（退回、重新打开时必填）")
    seen_status = serializers.CharField(required=False, allow_blank=True, max_length=16,
                                        help_text="可选：操作时看到的状态；状态已变（已被他人处理）时返回409")


class MissingNoteInput(serializers.Serializer):
    county = serializers.IntegerField(help_text="缺报的县（市、区）id", **ID)
    note = serializers.CharField(allow_blank=True, max_length=NOTE_MAX, help_text="缺报说明（留空则清除）")


class ReportStepSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    endpoint = serializers.CharField(help_text="执行该步骤的接口（相对本记录）")
    needs_comment = serializers.BooleanField()
    refusal = serializers.CharField(allow_null=True, help_text="不能执行的原因（有则按钮不可用）")


class ReportFigureSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="指标键，如 activities.total")
    label = serializers.CharField()
    section = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.JSONField(help_text="计数为整数，金额、面积为字符串（如 \"1234.50\"）")
    trace_url = serializers.CharField(allow_null=True, help_text="构成该数字的记录清单（驻镇天数见各团队的 trace_url）")


class ReportTeamDaysSerializer(serializers.Serializer):
    pairing_id = serializers.IntegerField()
    team_id = serializers.IntegerField()
    team = serializers.CharField()
    town_id = serializers.IntegerField()
    town = serializers.CharField()
    cycle_id = serializers.IntegerField()
    days_year = serializers.IntegerField(help_text="本年度驻镇天数")
    days_to_date = serializers.IntegerField(help_text="周期内累计驻镇天数")
    expected_to_date = serializers.IntegerField(help_text="按进度应达天数")
    required = serializers.IntegerField(help_text="周期要求天数")
    percent = serializers.IntegerField()
    behind = serializers.BooleanField()
    trace_url = serializers.CharField(allow_null=True, help_text="按人分列的驻镇天数")


class ReportPartSerializer(serializers.Serializer):
    part = serializers.CharField(help_text="own（市本级：市、省组织的镇）或县（市、区）id")
    county = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    values = serializers.DictField(child=serializers.JSONField())


class ReportCompletenessSerializer(serializers.Serializer):
    county = serializers.IntegerField()
    county_name = serializers.CharField()
    report = serializers.IntegerField(allow_null=True, help_text="县级报告 id（本人可查看时）")
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    on_time = serializers.BooleanField(allow_null=True)
    late_open = serializers.BooleanField(help_text="已过期限仍未报送")
    accepted = serializers.BooleanField()
    note = serializers.CharField(help_text="缺报说明")


class AnnualReportFiguresSerializer(serializers.Serializer):
    report = serializers.IntegerField()
    year = serializers.IntegerField()
    level = serializers.CharField()
    frozen = serializers.BooleanField(help_text="数据为报送时保存的快照（不随记录变化）")
    figures_at = serializers.DateTimeField(allow_null=True, help_text="快照时间")
    computed_at = serializers.CharField(allow_null=True)
    figures = ReportFigureSerializer(many=True)
    teams = ReportTeamDaysSerializer(many=True)
    parts = ReportPartSerializer(many=True, allow_null=True, help_text="全市报告：各部分（市本级、各县）的数据")
    completeness = ReportCompletenessSerializer(many=True, allow_null=True, help_text="全市报告：各县报送情况")


class ScopeFiguresSerializer(serializers.Serializer):
    scope = serializers.DictField(help_text="统计范围（可用于 trace 链接的参数）")
    figures = ReportFigureSerializer(many=True)
    teams = ReportTeamDaysSerializer(many=True)


# ------------------------------------------------------------------------------------------------ figures as rows
def _trace_url(key: str, scope: F.Scope) -> str:
    return "%s?%s" % (reverse("reports:trace", args=[key]), urlencode(scope.params()))


def figure_rows(values: dict, year: int, scope: F.Scope) -> list[dict]:
    """``{key: value}`` as rows in the declared order, each with its label, section, unit and trace link (the
    stationed-day totals have no single list: their trace is per team)."""
    declared = F.figures_for(year)
    rows = []
    for key, item in declared.items():
        if key in values:
            rows.append({"key": key, "label": str(item.label), "section": str(item.section), "unit": item.unit,
                         "value": values[key], "trace_url": _trace_url(key, scope)})
    for key, (label, unit) in DAY_FIGURES.items():
        if key in values:
            rows.append({"key": key, "label": label, "section": DAY_SECTION, "unit": unit, "value": values[key],
                         "trace_url": None})
    for key in sorted(set(values) - set(declared) - set(DAY_FIGURES)):  # kept by an older definition
        rows.append({"key": key, "label": key, "section": "", "unit": "", "value": values[key], "trace_url": None})
    return rows


def team_rows(teams: list[dict], year: int) -> list[dict]:
    return [{**row, "trace_url": reverse("reports:person_days", args=[row["pairing_id"], year])
             if row.get("pairing_id") else None} for row in teams or []]


# ------------------------------------------------------------------------------------------------ reports
def _county(request, pk):
    if pk is None:
        return None
    county = restrict(County.objects.select_related("city"), request.user, VIEW).filter(pk=pk).first()
    if county is None:
        raise DRFValidationError({"county": ["县（市、区）不存在或不在您的管辖范围内。"]})
    return county


def _party(user, report, name: str) -> bool:
    """Whether ``user`` is the party that takes step ``name`` on ``report`` (the author submits, the receiver the
    rest)."""
    return selectors.is_author(user, report) if name == "submit" else selectors.is_receiver(user, report)


def _not_stale(report, name: str, user, seen: str | None) -> None:
    """For the party that takes the step: a report whose state moved since they saw it (``seen_status``), or that
    already stands where the step leads (a second click), answers 409. Anyone else gets the service's refusal."""
    step = REPORT_WORKFLOW.get(name)
    if step is None or not _party(user, report, name):
        return
    state = report.status
    if (seen and seen != state) or (state == step.target and state not in step.sources):
        raise ConflictError("该报告已被他人处理（当前状态为“%s”），请刷新后查看。" % report.get_status_display())


class AnnualReportViewSet(ScopedReadOnlyViewSet):
    """Annual reports in scope: a county's and the city's, up the tree (the province reads its cities' reports)."""

    queryset = AnnualReport.objects.select_related("city", "county").prefetch_related("case_photos")
    serializer_class = AnnualReportSerializer
    parser_classes = PARSERS
    filterset_fields = ["year", "level", "status", "county", "city"]
    search_fields = ["title", "doc_number"]
    ordering_fields = ["year", "due_date", "submitted_at", "updated_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _scoped(self, pk) -> AnnualReport:
        return get_object_or_404(restrict(AnnualReport.objects.select_related("city", "county"), self.request.user,
                                          VIEW), pk=pk)

    def _show(self, report) -> dict:
        return self.serializer_class(self.queryset.get(pk=report.pk), context=self.get_serializer_context()).data

    @extend_schema(request=AnnualReportCreateInput,
                   responses={201: AnnualReportSerializer, 200: AnnualReportSerializer})
    def create(self, request):
        """The author's S&T office opens its report of a year: a county S&T office its county's (``county``), the
        city S&T bureau the city's (no ``county``)."""
        user = request.user
        if not (is_system_admin(user) or user.role in (Role.COUNTY_ST, Role.CITY_ST)):
            raise PermissionDenied("年度报告由县（市、区）科技局或市科技局建立。")
        data = _input(AnnualReportCreateInput, request)
        county = _county(request, data.get("county")) if data["level"] == ReportLevel.COUNTY else None
        if data["level"] == ReportLevel.COUNTY and county is None:
            raise DRFValidationError({"county": ["县级年度报告请选择县（市、区）。"]})
        return _create_once(request, AnnualReport, lambda: services.report_create(
            actor=user, year=data["year"], level=data["level"], county=county), self._show)

    @extend_schema(request=AnnualReportUpdateInput, responses=AnnualReportSerializer)
    def partial_update(self, request, pk=None):
        """The author edits a draft or returned report: the fields given (narratives sanitized on save); ``photos``
        replaces the typical cases' photos."""
        report = self._scoped(pk)
        values = dict(_input(AnnualReportUpdateInput, request))
        photos = values.pop("photos", None)
        report = _call(services.report_update, actor=request.user, report=report, photos=photos, **values)
        return Response(self._show(report))

    def _step(self, request, pk, name: str):
        """Take step ``name``: check-and-set against the state the caller saw (409), then the service."""
        report = self._scoped(pk)
        data = _input(AnnualReportActInput, request)
        seen = data.get("seen_status") or report.status
        _not_stale(report, name, request.user, data.get("seen_status"))
        with transaction.atomic():
            # The row is locked here (SQLite: the write lock is taken at BEGIN) and compared with the state this
            # request saw: of two clicks at once one moves it, the other finds it moved (409).
            locked = AnnualReport.objects.select_for_update(of=("self",)).select_related("city", "county").get(
                pk=report.pk)
            if locked.status != seen and _party(request.user, locked, name):
                raise ConflictError("该报告已被他人处理（当前状态为“%s”），请刷新后查看。" % locked.get_status_display())
            report = _call(services.report_transition, actor=request.user, report=locked, action=name,
                           comment=data["comment"])
        return Response(self._show(report))

    @extend_schema(request=AnnualReportActInput, responses=AnnualReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The author sends the report up: its figures are kept as they are now."""
        return self._step(request, pk, "submit")

    @extend_schema(request=AnnualReportActInput, responses=AnnualReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """The receiver returns a submitted report with comments (``comment``)."""
        return self._step(request, pk, "return")

    @extend_schema(request=AnnualReportActInput, responses=AnnualReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The receiver accepts a submitted report: it is locked with the figures it was submitted with."""
        return self._step(request, pk, "accept")

    @extend_schema(request=AnnualReportActInput, responses=AnnualReportSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """The receiver reopens an accepted report (``comment``: why); its figures count again until resubmitted."""
        return self._step(request, pk, "reopen")

    @extend_schema(request=MissingNoteInput, responses=AnnualReportSerializer)
    @action(detail=True, methods=["post"], url_path="missing-note", url_name="missing-note")
    def missing_note(self, request, pk=None):
        """The city says why a county's report is missing from the city's report (an empty note clears it)."""
        report = self._scoped(pk)
        data = _input(MissingNoteInput, request)
        county = County.objects.filter(pk=data["county"]).first()
        if county is None or county.city_id != report.city_id:
            raise DRFValidationError({"county": ["该县（市、区）不属于本市。"]})
        report = _call(services.missing_note, actor=request.user, report=report, county=county, note=data["note"])
        return Response(self._show(report))

    @extend_schema(responses=ReportStepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request, pk=None):
        """The steps the caller may take on this report now (the page's buttons)."""
        report = self.get_object()
        return Response([{"action": name, "label": str(step.label),
                          "endpoint": "%s/" % name, "needs_comment": step.needs_comment, "refusal": refusal}
                         for name, step, refusal in selectors.actions_for(request.user, report)])

    @extend_schema(responses=AnnualReportFiguresSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def figures(self, request, pk=None):
        """The report's figures — kept once submitted (they no longer change), counted now before — each with the
        link to the records that make it, the teams' stationed days, and for the city's report its parts and the
        counties' completeness."""
        report = self.get_object()
        data = selectors.figures_of(report)
        scope = selectors.scope_of(report)
        values = data.get("values", {})
        out = {"report": report.pk, "year": report.year, "level": report.level, "frozen": report.frozen,
               "figures_at": report.figures_at if report.frozen else None,
               "computed_at": data.get("computed_at"),
               "figures": figure_rows(values, report.year, scope),
               "teams": team_rows(data.get("teams"), report.year), "parts": None, "completeness": None}
        if report.level == ReportLevel.CITY:
            out["parts"] = _parts(report, data.get("parts") or {})
            out["completeness"] = _completeness(request.user, report)
        return Response(AnnualReportFiguresSerializer(out).data)


def _parts(report, parts: dict) -> list[dict]:
    names = dict(County.objects.filter(city_id=report.city_id).values_list("pk", "name"))
    rows = []
    for part, values in parts.items():
        county = int(part) if str(part).isdigit() else None
        name = "市本级（市、省组织的镇）" if county is None else names.get(county, part)
        rows.append({"part": str(part), "county": county, "name": name, "values": values})
    return rows


def _completeness(user, report) -> list[dict]:
    """The counties' panel; a county's report the caller may not open (a draft: its author's own) shows as not
    submitted, without its id."""
    rows = selectors.completeness(report)
    ids = [row["report"].pk for row in rows if row["report"] is not None]
    readable = set(restrict(AnnualReport.objects.filter(pk__in=ids), user, VIEW).values_list("pk", flat=True))
    out = []
    for row in rows:
        shown = row["report"] is not None and row["report"].pk in readable
        out.append({"county": row["county"].pk, "county_name": row["county"].name,
                    "report": row["report"].pk if shown else None,
                    "status": row["status"] if shown or row["report"] is None else "未报送",
                    "submitted_at": row["submitted_at"] if shown else None,
                    "on_time": row["on_time"] if shown else None, "late_open": bool(row["late_open"]),
                    "accepted": row["accepted"], "note": row["note"]})
    return out


# ------------------------------------------------------------------------------------------------ figures by scope
def _deny(text="该统计范围不在您的管辖范围内。"):
    raise PermissionDenied(text)


def _within(scope: F.Scope, path: str, region) -> None:
    """A town or a team the scope names must be of the caller's region (``path`` from a town to the region): a town
    of it, a team paired with a town of it. Anything else is refused, not answered with zeros."""
    from matching.models import Pairing
    from regions.models import Town

    if scope.town_id and not Town.objects.filter(pk=scope.town_id, **{path: region}).exists():
        _deny()
    if scope.team_id and not Pairing.objects.filter(team_id=scope.team_id, **{"town__" + path: region}).exists():
        _deny()


def scope_for(user, data) -> F.Scope:
    """The scope asked for (``year`` defaults to this year), checked to lie inside the caller's own region and pinned
    to it: the province to its province, the city's offices to their city, a county's to their county, a team to
    itself, a unit to itself; a town or a team named must be of that region (a team's town one it is paired with).
    Anything else is refused (403); a malformed parameter is 400."""
    from matching.models import Pairing

    params = {key: data.get(key) for key in ("year", "levels", "city", "county", "team", "unit", "cycle", "town",
                                             "from", "to", "province") if data.get(key) not in (None, "")}
    params.setdefault("year", str(timezone.localdate().year))
    try:
        scope = F.Scope.from_params(params)
    except (TypeError, ValueError, OverflowError):
        raise DRFValidationError({"detail": "统计范围参数不正确（year 为 2000–2100 的年份，levels 为 county、city、"
                                            "province 的组合，city、county、team、unit、cycle、town 为 id，from、to 为日期）。"})
    for name in ("city_id", "county_id", "team_id", "unit_id", "cycle_id", "town_id"):
        value = getattr(scope, name)
        if value is not None and not 1 <= value <= 2**63 - 1:
            raise DRFValidationError({name.removesuffix("_id"): ["请输入有效的 id。"]})
    if is_system_admin(user):
        return scope
    role = user.role
    if role not in FIGURE_READERS:
        _deny("您的角色不能查看统计数据。")
    if role == Role.PROVINCE:
        code = user.province_code
        if not code or (scope.province_code and scope.province_code != code):
            _deny()
        if scope.city_id and not City.objects.filter(pk=scope.city_id, province_code=code).exists():
            _deny()
        if scope.county_id and not County.objects.filter(pk=scope.county_id, city__province_code=code).exists():
            _deny()
        _within(scope, "county__city__province_code", code)
        return dataclasses.replace(scope, province_code=code)
    if role in CITY_ROLES:
        if not user.city_id or (scope.city_id and scope.city_id != user.city_id):
            _deny()
        if scope.county_id and not County.objects.filter(pk=scope.county_id, city_id=user.city_id).exists():
            _deny()
        _within(scope, "county__city_id", user.city_id)
        return dataclasses.replace(scope, city_id=user.city_id, province_code="")
    if role in COUNTY_ROLES:
        if not user.county_id or (scope.county_id and scope.county_id != user.county_id):
            _deny()
        city_id = County.objects.filter(pk=user.county_id).values_list("city_id", flat=True).first()
        if scope.city_id and scope.city_id != city_id:
            _deny()
        _within(scope, "county_id", user.county_id)
        return dataclasses.replace(scope, county_id=user.county_id, city_id=city_id, province_code="")
    if role in TEAM_ROLES:
        if not user.team_id or (scope.team_id and scope.team_id != user.team_id):
            _deny()
        if scope.town_id and not Pairing.objects.filter(team_id=user.team_id, town_id=scope.town_id).exists():
            _deny()
        return dataclasses.replace(scope, team_id=user.team_id)
    if not user.unit_id or (scope.unit_id and scope.unit_id != user.unit_id):  # the unit
        _deny()
    return dataclasses.replace(scope, unit_id=user.unit_id)


def readable_figures(scope: F.Scope, user) -> dict:
    """Every figure of ``scope`` counted over the records ``user`` may read (one aggregate query per source, each
    source's rows cut to the readable ones by a subquery), with the stationed days of the readable pairings."""
    from matching.models import Pairing

    admin = is_system_admin(user)
    by_source: dict[str, list] = {}
    for item in F.figures_for(scope.year).values():
        by_source.setdefault(item.source, []).append(item)
    values = {}
    for name, items in by_source.items():
        source = F.SOURCES[name]
        model = source.get_model()
        rows = model.objects.filter(source.where(scope))
        if not admin:
            rows = rows.filter(pk__in=restrict(model.objects.all(), user, VIEW).values("pk"))
        result = rows.aggregate(**{item.key.replace(".", "__"): item.aggregate() for item in items})
        for item in items:
            values[item.key] = F._plain(result[item.key.replace(".", "__")], item)
    teams = F.team_days(scope)
    if not admin:
        readable = set(restrict(Pairing.objects.filter(pk__in=[row["pairing_id"] for row in teams]), user, VIEW)
                       .values_list("pk", flat=True))
        teams = [row for row in teams if row["pairing_id"] in readable]
    values.update(F.day_totals(teams))
    return {"values": values, "teams": teams}


SCOPE_PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认今年）"),
    OpenApiParameter("levels", OpenApiTypes.STR, description="组织层级，逗号分隔：county,city,province（默认全部）"),
    OpenApiParameter("city", OpenApiTypes.INT, description="市 id"),
    OpenApiParameter("county", OpenApiTypes.INT, description="县（市、区）id"),
    OpenApiParameter("team", OpenApiTypes.INT, description="团队 id"),
    OpenApiParameter("unit", OpenApiTypes.INT, description="派出单位 id"),
    OpenApiParameter("cycle", OpenApiTypes.INT, description="帮扶周期 id"),
    OpenApiParameter("town", OpenApiTypes.INT, description="镇 id"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="起始日期（默认年度首日）"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="截止日期（默认年度末日）"),
]


class ReportFiguresViewSet(viewsets.ViewSet):
    """The figures of a scope inside the caller's region (the dashboards' numbers), each with its trace link."""

    permission_classes = [PasswordChanged]

    @extend_schema(parameters=SCOPE_PARAMETERS, responses=ScopeFiguresSerializer)
    def list(self, request):
        scope = scope_for(request.user, request.query_params)
        data = readable_figures(scope, request.user)
        return Response(ScopeFiguresSerializer({
            "scope": scope.params(), "figures": figure_rows(data["values"], scope.year, scope),
            "teams": team_rows(data["teams"], scope.year)}).data)


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("annual-reports", AnnualReportViewSet)
    router.register("report-figures", ReportFiguresViewSet, basename="report-figures")
