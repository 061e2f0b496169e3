"""API for agreements (帮扶协议), projects (帮扶项目) and change requests (项目变更), scoped like the pages.

Reads go through :func:`core.scoping.restrict` (out of scope: 404). Writes hand the checked types to the services,
which check scope, role and the rules before saving (their ``ValidationError`` answers 400 with the field keys, their
``PermissionDenied`` 403; a step someone else already took answers 409):

* ``/api/v1/agreements/`` — ``POST`` (the pairing's leader drafts: ``pairing`` and the agreement's fields),
  ``PATCH /{id}/`` (the leader, while a draft or returned), ``POST /{id}/sign/`` (multipart: ``scan``, ``signed_on``;
  the leader), ``POST /{id}/act/`` (``confirm``/``return``: the agreement's town).
* ``/api/v1/projects/`` — ``POST`` (the pairing's leader: ``pairing``, the fields, ``needs`` ids, ``years``,
  ``budget_lines``, ``members`` ``[{"commissioner": id, "duty": "…"}]``), ``PATCH /{id}/`` (the leader, while a draft
  or returned; a list given replaces the stored one), ``POST /{id}/act/`` (``submit``/``resubmit``: the leader;
  ``return``/``accept``: the organizing S&T office), ``POST /{id}/change/`` (the leader, once accepted).
* ``/api/v1/project-changes/`` — ``POST /{id}/act/`` (``approve``/``reject``: the organizing office; ``withdraw``:
  the leader).

Each has ``GET /{id}/actions/`` (the steps the caller may take now, with a guard's refusal or the warning to
confirm), ``/transitions/`` and ``/history/``. Creates accept ``Idempotency-Key``. Amounts are yuan as strings or
JSON numbers: a JSON number is read as a ``Decimal`` from its text (never a float), a string goes to the service as
typed (``"12,000.50"`` too). No phone or ID number is in any payload.
"""
from __future__ import annotations

import codecs
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.utils.json import strict_constant

from core import idempotency
from core.api import ConflictError, ScopedReadOnlyViewSet, django_errors_to_drf
from core.api import read_input as _input, call_service as _call  # the shared API helpers
from core.fields import COMMENT_MAX_CHARS
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, VIEW, can, restrict
from core.workflow import action_choices, action_warnings
from matching.models import Pairing
from needs.models import Need
from projects import services
from projects.choices import (AGREEMENT_WORKFLOW, CHANGE_WORKFLOW, PROJECT_CHANGEABLE, PROJECT_WORKFLOW, BudgetCategory, BudgetSource,
                              ChangeStatus, ProjectStatus)
from projects.models import Agreement, Project, ProjectChange, ProjectMember

ID = {"min_value": 1, "max_value": 2**63 - 1}
LIST_MAX = {"needs": 200, "years": 20, "budget_lines": 200, "members": 50}


# ------------------------------------------------------------------------------------------------ parsing
class DecimalJSONParser(JSONParser):
    """JSON whose numbers with a fraction or exponent become ``Decimal`` from their text, never a float: an amount
    such as ``12000.10`` stays exactly what the client typed."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            return json.load(codecs.getreader(encoding)(stream), parse_float=Decimal, parse_constant=strict_constant)
        except ValueError as exc:
            raise ParseError("JSON格式不正确：%s" % exc)


PARSERS = [DecimalJSONParser, FormParser, MultiPartParser]


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}],
                      "description": "数字或数字字符串（金额为元，最多两位小数）"})
class AmountField(serializers.Field):
    """Yuan as a JSON number (read as a Decimal) or a string (the service parses it, thousands separators allowed,
    and names the row or field it is wrong on). Types only: the rules (positive, two decimals, caps) are the
    service's."""

    default_error_messages = {"invalid": "应为数字或数字字符串（元），如 12000 或 \"12000.50\"。",
                              "range": "数值超出范围。"}
    # Orders of magnitude far past any figure the service accepts (it names its caps), refused here as out of range:
    # a number like 1e999999999 would otherwise be written out digit by digit in the service's message.
    MAGNITUDE = 15

    def _bounded(self, number: Decimal) -> Decimal:
        if number.is_finite() and number and abs(number.adjusted()) > self.MAGNITUDE:
            self.fail("range")
        return number

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, Decimal):
            return self._bounded(data)
        if isinstance(data, int):
            return self._bounded(Decimal(data))
        if isinstance(data, float):  # not from DecimalJSONParser; its shortest text, never float arithmetic
            return self._bounded(Decimal(repr(data)))
        if isinstance(data, str) and len(data) <= 40:
            try:
                self._bounded(Decimal(data.strip().replace(",", "").replace("，", "")))
            except InvalidOperation:
                pass  # not a number: the service says so on its field or row
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return str(value)






def _create_once(request, model, make, show):
    """Run ``make()`` (a service creating one ``model`` row) once per ``Idempotency-Key``: a retried request gets the
    first record (200, ``Idempotent-Replay: true``) instead of a second one. A failed create frees the key."""
    key = idempotency.key_from(request)
    try:
        with transaction.atomic(), idempotency.once(request.user, key) as claim:
            record = _call(make)
            claim.done(record)
    except idempotency.AlreadySubmitted as duplicate:
        earlier = idempotency.earlier_object(duplicate.earlier)
        if not isinstance(earlier, model) or not restrict(model.objects.filter(pk=earlier.pk), request.user).exists():
            raise ConflictError("该请求已提交过（Idempotency-Key 重复）。")
        return Response(show(earlier), status=200, headers={"Idempotent-Replay": "true"})
    return Response(show(record), status=201)


def _pairing(request, pk) -> Pairing:
    pairing = restrict(Pairing.objects.select_related("cycle", "town", "team"), request.user, VIEW).filter(
        pk=pk).first()
    if pairing is None:
        raise serializers.ValidationError({"pairing": ["结对不存在或不在您的管辖范围内。"]})
    return pairing


# ------------------------------------------------------------------------------------------------ workflow steps
class ActInput(serializers.Serializer):
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="意见或理由（退回、不予批准时必填）")
    seen_status = serializers.CharField(required=False, allow_blank=True, max_length=16,
                                        help_text="可选：操作时看到的状态；记录的状态已变（已被他人处理）时返回409")


class StepSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    endpoint = serializers.CharField(help_text="执行该步骤的接口（相对本记录）")
    needs_comment = serializers.BooleanField()
    refusal = serializers.CharField(allow_null=True, help_text="不能执行的原因（有则按钮不可用）")
    warning = serializers.CharField(allow_null=True, help_text="需确认的提示（act 时带 \"confirmed\": true）")


def _steps(workflow, obj, user, endpoints=None) -> list[dict]:
    """The steps ``user`` may see on ``obj`` now (role and state; scope: ``change``), as the page's buttons."""
    if not can(user, obj, CHANGE):
        return []
    choices = action_choices(workflow, obj, user)
    warnings = action_warnings(workflow, obj, user, choices)
    return [{"action": name, "label": str(step.label), "endpoint": (endpoints or {}).get(name, "act/"),
             "needs_comment": step.needs_comment, "refusal": refusal, "warning": warnings.get(name)}
            for name, step, refusal in choices]


def _not_stale(workflow, obj, name: str, user, seen: str | None) -> None:
    """Check-and-set across requests: for a user who may take the step, a record whose state moved since they saw it
    (``seen_status``), or that already stands where the step leads (a second click), answers 409."""
    step = workflow.get(name)
    if step is None or not (is_system_admin(user) or user.role in step.roles) or not can(user, obj, CHANGE):
        return  # the service refuses it with its own reason (403 or 400)
    state = obj.status
    if (seen and seen != state) or (state == step.target and state not in step.sources):
        raise ConflictError("该记录已被他人处理（当前状态为“%s”），请刷新后查看。" % obj.get_status_display())


# ------------------------------------------------------------------------------------------------ agreements
# The pairing's organizing level, as text: the same choice set as the pairing's (an enum shared by three components
# would need a settings entry to be named; the values are province, city, county).
ORGANIZER_LEVEL_HELP = "组织层级：province（省级）、city（市级）、county（县级）"


class AgreementSerializer(serializers.ModelSerializer):
    organizer_level = serializers.CharField(read_only=True, help_text=ORGANIZER_LEVEL_HELP)
    town_name = serializers.CharField(source="town.full_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    lead_unit_name = serializers.CharField(source="team.lead_unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_late = serializers.BooleanField(read_only=True, help_text="已过报送期限仍未经镇确认，或逾期确认")
    has_signed_scan = serializers.SerializerMethodField()
    signed_scan_url = serializers.SerializerMethodField(help_text="签署扫描件下载地址（按权限提供）")

    class Meta:
        model = Agreement
        fields = ["id", "pairing", "cycle", "town", "town_name", "team", "team_name", "lead_unit_name",
                  "organizer_level", "town_party", "work_team_party", "term_start", "term_end", "summary",
                  "team_duties", "town_duties", "work_team_duties", "conditions", "status", "status_display",
                  "due_date", "is_late", "signed_on", "has_signed_scan", "signed_scan_url", "signed_uploaded_at",
                  "confirmed_at", "return_comment", "created_at", "updated_at"]
        read_only_fields = fields

    def get_has_signed_scan(self, agreement) -> bool:
        return bool(agreement.signed_scan)

    @extend_schema_field(OpenApiTypes.STR)
    def get_signed_scan_url(self, agreement):
        return reverse("projects:agreement_scan", args=[agreement.pk]) if agreement.signed_scan else None


class AgreementWriteInput(serializers.Serializer):
    town_party = serializers.CharField(required=False, allow_blank=True, help_text="甲方（镇人民政府），默认按镇名生成")
    work_team_party = serializers.CharField(required=False, allow_blank=True, help_text="丙方（驻镇工作队），可为空")
    term_start = serializers.DateField(required=False)
    term_end = serializers.DateField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    team_duties = serializers.CharField(required=False, allow_blank=True)
    town_duties = serializers.CharField(required=False, allow_blank=True)
    work_team_duties = serializers.CharField(required=False, allow_blank=True)
    conditions = serializers.CharField(required=False, allow_blank=True)


class AgreementCreateInput(AgreementWriteInput):
    pairing = serializers.IntegerField(help_text="结对 id（已备案或帮扶中）", **ID)


class AgreementSignInput(serializers.Serializer):
    scan = serializers.FileField(help_text="签署后的协议扫描件（PDF、JPG或PNG）")
    signed_on = serializers.DateField(help_text="签署日期")
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS)


class AgreementActInput(ActInput):
    action = serializers.ChoiceField(choices=[("confirm", "确认协议"), ("return", "退回团队")],
                                     error_messages={"invalid_choice": "操作应为 confirm 或 return（签署请用 sign 接口）。"})


class AgreementViewSet(ScopedReadOnlyViewSet):
    """Agreements in scope (the town, the team, its unit, the officials along the tree)."""

    queryset = Agreement.objects.select_related("town__county", "team__lead_unit")
    serializer_class = AgreementSerializer
    parser_classes = PARSERS
    filterset_fields = ["cycle", "status", "town", "team", "pairing"]
    search_fields = ["team__name", "town__name"]
    ordering_fields = ["due_date", "created_at", "confirmed_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_roles = frozenset({Role.TEAM_LEADER})

    def _show(self, agreement) -> dict:
        return AgreementSerializer(self.queryset.get(pk=agreement.pk), context=self.get_serializer_context()).data

    @extend_schema(request=AgreementCreateInput, responses={201: AgreementSerializer, 200: AgreementSerializer})
    def create(self, request):
        """The pairing's leader drafts its agreement (one per pairing); the parties and the term start filled in."""
        self.check_create_allowed()
        data = dict(_input(AgreementCreateInput, request))
        pairing = _pairing(request, data.pop("pairing"))
        return _create_once(request, Agreement,
                            lambda: services.agreement_create(actor=request.user, pairing=pairing, **data), self._show)

    @extend_schema(request=AgreementWriteInput, responses=AgreementSerializer)
    def partial_update(self, request, pk=None):
        """The leader edits the draft or the returned agreement (only the fields given)."""
        agreement = self.get_object()
        data = _input(AgreementWriteInput, request)
        agreement = _call(services.agreement_update, actor=request.user, agreement=agreement, **data)
        return Response(self._show(agreement))

    def _scoped(self, pk) -> Agreement:
        # DRF's get_object_or_404: an id that is not a number ("abc") is 404 like a missing one.
        return get_object_or_404(restrict(Agreement.objects.select_related("town", "team"), self.request.user, VIEW),
                                 pk=pk)

    @extend_schema(request={"multipart/form-data": AgreementSignInput}, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """The leader uploads the signed scan with the signing date; the agreement goes to the town to confirm."""
        agreement = self._scoped(pk)
        data = _input(AgreementSignInput, request)
        _not_stale(AGREEMENT_WORKFLOW, agreement, "sign", request.user, None)
        try:
            agreement = _call(services.agreement_sign, actor=request.user, agreement=agreement, scan=data["scan"],
                              signed_on=data["signed_on"], comment=data["comment"])
        except serializers.ValidationError as error:  # the service names the model's field; the request's is "scan"
            detail = error.detail
            if isinstance(detail, dict) and "signed_scan" in detail:
                detail = {("scan" if key == "signed_scan" else key): value for key, value in detail.items()}
            raise serializers.ValidationError(detail)
        return Response(self._show(agreement))

    @extend_schema(request=AgreementActInput, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "confirm"|"return", "comment": "…"}``: the agreement's town confirms it or sends it back."""
        agreement = self._scoped(pk)
        data = _input(AgreementActInput, request)
        _not_stale(AGREEMENT_WORKFLOW, agreement, data["action"], request.user, data.get("seen_status"))
        agreement = _call(services.agreement_act, actor=request.user, agreement=agreement, action=data["action"],
                          comment=data["comment"])
        return Response(self._show(agreement))

    @extend_schema(responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request, pk=None):
        """The steps the caller may take on this agreement now."""
        return Response(_steps(AGREEMENT_WORKFLOW, self.get_object(), request.user, {"sign": "sign/"}))


# ------------------------------------------------------------------------------------------------ projects
class NeedBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = ["id", "title"]
        read_only_fields = fields


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    plan = serializers.CharField(read_only=True)


class BudgetLineSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=BudgetCategory.choices, read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    source = serializers.ChoiceField(choices=BudgetSource.choices, read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    note = serializers.CharField(read_only=True)


class MemberSerializer(serializers.Serializer):
    """A member's duty: name, unit and title only (never a phone or an ID number)."""

    commissioner = serializers.IntegerField(source="commissioner_id", read_only=True)
    name = serializers.CharField(source="commissioner.name", read_only=True)
    unit_name = serializers.CharField(source="commissioner.unit.name", read_only=True)
    title = serializers.CharField(source="commissioner.title", read_only=True)
    duty = serializers.CharField(read_only=True)


class ProjectSerializer(serializers.ModelSerializer):
    organizer_level = serializers.CharField(read_only=True, help_text=ORGANIZER_LEVEL_HELP)
    town_name = serializers.CharField(source="town.full_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    lead_unit_name = serializers.CharField(source="team.lead_unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    needs = NeedBriefSerializer(many=True, read_only=True)
    years = YearSerializer(many=True, read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    members = MemberSerializer(many=True, read_only=True)
    budget_lines_total = serializers.SerializerMethodField(help_text="预算明细合计（元）")

    class Meta:
        model = Project
        fields = ["id", "pairing", "cycle", "town", "town_name", "team", "team_name", "lead_unit_name",
                  "organizer_level", "title", "objectives", "content", "start_date", "end_date",
                  *services.TARGET_FIELDS, "total_budget", "budget_lines_total", "needs", "years", "budget_lines",
                  "members", "status", "status_display", "due_date", "submitted_at", "last_submitted_at", "late",
                  "accepted_at", "return_comment", "version", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_budget_lines_total(self, project) -> str:
        return str(sum((line.amount for line in project.budget_lines.all()), Decimal("0.00")))  # prefetched


class YearInput(serializers.Serializer):
    year = serializers.IntegerField(help_text="年度，如 2025")
    plan = serializers.CharField(allow_blank=True, help_text="该年度的计划")


class BudgetLineInput(serializers.Serializer):
    category = serializers.CharField(allow_blank=True, help_text="支出科目：%s" % "、".join(
        "%s（%s）" % pair for pair in BudgetCategory.choices))
    amount = AmountField(help_text="金额（元），如 12000 或 \"12000.50\"")
    source = serializers.CharField(allow_blank=True, help_text="资金来源：%s" % "、".join(
        "%s（%s）" % pair for pair in BudgetSource.choices))
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="测算说明")


class MemberInput(serializers.Serializer):
    commissioner = serializers.IntegerField(help_text="团队成员（特派员）id", **ID)
    duty = serializers.CharField(allow_blank=True, help_text="项目分工")


class ProjectContentInput(serializers.Serializer):
    """A project's content; on an edit only what is given changes (a list given replaces the stored one)."""

    title = serializers.CharField(required=False, allow_blank=True)
    objectives = serializers.CharField(required=False, allow_blank=True)
    content = serializers.CharField(required=False, allow_blank=True)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    trainings = serializers.IntegerField(required=False, help_text="开展培训（场次）")
    people_trained = serializers.IntegerField(required=False, help_text="培训人数（人次）")
    technologies = serializers.IntegerField(required=False, help_text="引进推广新技术（项）")
    varieties = serializers.IntegerField(required=False, help_text="引进推广新品种（个）")
    demo_bases = serializers.IntegerField(required=False, help_text="建设示范基地（个）")
    demo_area_mu = AmountField(required=False, help_text="示范面积（亩）")
    households = serializers.IntegerField(required=False, help_text="服务农户（户）")
    enterprises = serializers.IntegerField(required=False, help_text="服务企业及合作社（家）")
    income_raised = AmountField(required=False, help_text="带动增收（元）")
    total_budget = AmountField(required=False, help_text="预算总额（元），等于预算明细合计")
    needs = serializers.ListField(child=serializers.IntegerField(**ID), required=False, max_length=LIST_MAX["needs"],
                                  help_text="对应需求 id（本镇已确认的需求）")
    years = serializers.ListField(child=YearInput(), required=False, max_length=LIST_MAX["years"])
    budget_lines = serializers.ListField(child=BudgetLineInput(), required=False, max_length=LIST_MAX["budget_lines"])
    members = serializers.ListField(child=MemberInput(), required=False, max_length=LIST_MAX["members"])


class ProjectCreateInput(ProjectContentInput):
    pairing = serializers.IntegerField(help_text="结对 id（已备案或帮扶中）", **ID)


class ChangeRequestInput(ProjectContentInput):
    reason = serializers.CharField(allow_blank=True, max_length=COMMENT_MAX_CHARS, help_text="变更理由")


class ProjectActInput(ActInput):
    action = serializers.ChoiceField(
        choices=[("submit", "报送"), ("resubmit", "修改后重新报送"), ("return", "退回修改"), ("accept", "受理"),
                 ("discard", "作废草稿")],
        error_messages={"invalid_choice": "操作应为 submit、resubmit、return、accept 或 discard。"})
    confirmed = serializers.BooleanField(default=False, help_text="已知悉提示（协议尚未确认、已逾期）仍要报送")


class ProjectChangeSerializer(serializers.ModelSerializer):
    project_title = serializers.CharField(source="project.title", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = serializers.StringRelatedField(read_only=True)
    before = serializers.JSONField(read_only=True, help_text="变更前版本（字段、需求、年度计划、预算明细、成员分工）")
    after = serializers.JSONField(read_only=True, help_text="申请变更后的版本")

    class Meta:
        model = ProjectChange
        fields = ["id", "project", "project_title", "reason", "before", "after", "from_version", "status",
                  "status_display", "requested_by", "decided_at", "decision_comment", "created_at"]
        read_only_fields = fields


LIST_KEYS = ("needs", "years", "budget_lines", "members")


def _needs(request, pairing, ids):
    """The needs named by id: the pairing's own town's (the service checks they are confirmed) or others in the
    caller's scope (the service refuses them by name); an id neither is, is refused here without a name."""
    if ids is None:
        return None
    wanted = list(dict.fromkeys(ids))
    own = Q(town_id=pairing.town_id, cycle_id=pairing.cycle_id)
    found = Need.objects.filter(pk__in=wanted).filter(own | Q(pk__in=restrict(Need.objects.all(), request.user, VIEW)
                                                                  .values("pk"))).in_bulk()
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise serializers.ValidationError({"needs": ["需求（id：%s）不存在或不在您的管辖范围内。" % "、".join(missing)]})
    return [found[pk] for pk in wanted]


def _content(request, pairing, data: dict) -> dict:
    """The keyword arguments of the project services: ``values`` and the lists (None: not given)."""
    data = dict(data)
    lists = {key: data.pop(key, None) for key in LIST_KEYS}
    lists["needs"] = _needs(request, pairing, lists["needs"])
    for key in ("years", "budget_lines", "members"):
        if lists[key] is not None:
            lists[key] = [dict(row) for row in lists[key]]
    return {"values": data, **lists}


class ProjectViewSet(ScopedReadOnlyViewSet):
    """Projects in scope (the town, the team, its unit, the officials along the tree), with their lines."""

    queryset = (Project.objects.select_related("town__county", "team__lead_unit")
                .prefetch_related("needs", "years", "budget_lines",
                                  Prefetch("members", ProjectMember.objects.select_related("commissioner__unit"))))
    serializer_class = ProjectSerializer
    parser_classes = [DecimalJSONParser]  # nested lists: JSON only
    filterset_fields = ["cycle", "status", "town", "team", "pairing", "late", "organizer_level"]
    search_fields = ["title", "team__name", "town__name"]
    ordering_fields = ["due_date", "submitted_at", "total_budget", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_roles = frozenset({Role.TEAM_LEADER})

    def _show(self, project) -> dict:
        return ProjectSerializer(self.queryset.get(pk=project.pk), context=self.get_serializer_context()).data

    @extend_schema(request=ProjectCreateInput, responses={201: ProjectSerializer, 200: ProjectSerializer})
    def create(self, request):
        """The pairing's leader writes a project (a draft) with its whole content."""
        self.check_create_allowed()
        data = dict(_input(ProjectCreateInput, request))
        pairing = _pairing(request, data.pop("pairing"))
        content = _content(request, pairing, data)
        content = {key: ([] if value is None else value) if key in LIST_KEYS else value
                   for key, value in content.items()}
        return _create_once(request, Project,
                            lambda: services.project_create(actor=request.user, pairing=pairing, **content), self._show)

    @extend_schema(request=ProjectContentInput, responses=ProjectSerializer)
    def partial_update(self, request, pk=None):
        """The leader edits a draft or returned project: the fields given; a list given replaces the stored one."""
        project = self.get_object()
        content = _content(request, project.pairing, _input(ProjectContentInput, request))
        if "total_budget" in content["values"] and content["budget_lines"] is None:
            # A new total is checked against the stored lines (the service checks the lines it is given).
            content["budget_lines"] = [{"category": line.category, "amount": line.amount, "source": line.source,
                                        "note": line.note} for line in project.budget_lines.all()]
        project = _call(services.project_update, actor=request.user, project=project, **content)
        return Response(self._show(project))

    def _scoped(self, pk) -> Project:
        return get_object_or_404(restrict(Project.objects.select_related("town", "team", "pairing"), self.request.user,
                                          VIEW), pk=pk)

    @extend_schema(request=ProjectActInput, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "submit"|"resubmit"|"return"|"accept"|"discard", "comment": "…", "confirmed": false}``."""
        project = self._scoped(pk)
        data = _input(ProjectActInput, request)
        name = data["action"]
        _not_stale(PROJECT_WORKFLOW, project, name, request.user, data.get("seen_status"))
        project = _call(services.project_act, actor=request.user, project=project, action=name,
                        comment=data["comment"], confirmed=data["confirmed"])
        return Response(self._show(project))

    @extend_schema(request=ChangeRequestInput, responses={201: ProjectChangeSerializer, 200: ProjectChangeSerializer})
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """The leader asks to change an accepted project: ``reason`` and the content to change (as for an edit)."""
        project = self._scoped(pk)
        data = dict(_input(ChangeRequestInput, request))
        reason = data.pop("reason")
        content = _content(request, project.pairing, data)
        return _create_once(
            request, ProjectChange,
            lambda: services.change_request(actor=request.user, project=project, reason=reason, **content),
            lambda change: ProjectChangeSerializer(change).data)

    @extend_schema(responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request, pk=None):
        """The steps the caller may take on this project now."""
        project = self.get_object()
        steps = _steps(PROJECT_WORKFLOW, project, request.user)
        if (project.status in PROJECT_CHANGEABLE and can(request.user, project, CHANGE)
                and (is_system_admin(request.user) or request.user.role == Role.TEAM_LEADER)):
            steps.append({"action": "change", "label": "申请项目变更", "endpoint": "change/", "needs_comment": True,
                          "refusal": "该项目已有待审批的变更申请。"
                          if project.changes.filter(status=ChangeStatus.PENDING).exists()
                          else None, "warning": None})
        return Response(steps)


# ------------------------------------------------------------------------------------------------ changes
class ChangeActInput(ActInput):
    action = serializers.ChoiceField(choices=[("approve", "批准变更"), ("reject", "不予批准"), ("withdraw", "撤回")],
                                     error_messages={"invalid_choice": "操作应为 approve、reject 或 withdraw。"})


class ProjectChangeViewSet(ScopedReadOnlyViewSet):
    """Change requests in scope (as their project); ``POST /{id}/act/`` approves, rejects or withdraws."""

    queryset = ProjectChange.objects.select_related("project", "requested_by")
    serializer_class = ProjectChangeSerializer
    parser_classes = PARSERS
    filterset_fields = ["project", "status"]
    ordering_fields = ["created_at", "decided_at"]

    @extend_schema(request=ChangeActInput, responses=ProjectChangeSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "approve"|"reject"|"withdraw", "comment": "…"}``."""
        change = get_object_or_404(restrict(ProjectChange.objects.select_related("project"), request.user, VIEW), pk=pk)
        data = _input(ChangeActInput, request)
        _not_stale(CHANGE_WORKFLOW, change, data["action"], request.user, data.get("seen_status"))
        change = _call(services.change_decide, actor=request.user, change=change, action=data["action"],
                       comment=data["comment"])
        return Response(ProjectChangeSerializer(self.queryset.get(pk=change.pk)).data)

    @extend_schema(responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request, pk=None):
        """The steps the caller may take on this change request now."""
        return Response(_steps(CHANGE_WORKFLOW, self.get_object(), request.user))


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("agreements", AgreementViewSet)
    router.register("projects", ProjectViewSet)
    router.register("project-changes", ProjectChangeViewSet)
