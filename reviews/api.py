"""API for the expert pools (专家库), reviews (专家论证) with their panels and scores, funding (立项资助) and the
yearly envelopes (年度资助预算), scoped like the pages.

Reads go through :func:`core.scoping.restrict` (out of scope: 404). Writes hand the checked types to
``reviews.services``, which check role, scope and the rules before saving (their ``ValidationError`` answers 400 with
the field keys and Chinese messages, their ``PermissionDenied`` 403; a step someone else already took answers 409):

* ``/api/v1/experts/`` — the pools in scope; ``POST`` (the S&T office adds to its own pool; ``create_account``
  makes the expert's account and answers its temporary password once), ``PATCH /{id}/`` (the office; the expert
  themself: contacts and availability). Phone and e-mail are masked for anyone but the pool's office and the expert
  themself; each unmasked read by the office is logged (``core.models.SensitiveAccess``).
* ``/api/v1/reviews/`` — reviews in scope (the team, the town and the unit read the decision, never an expert's name
  or score); ``POST start/`` (``project``: the organizing office), ``POST /{id}/fill/`` (seat the platform's
  proposal), ``POST /{id}/seat/`` (``expert``), ``GET /{id}/candidates/`` (the pool ranked, with each exclusion's
  reason), ``POST /{id}/act/`` (``open``, ``approve``/``approve_changes`` with ``amount`` and ``opinion``,
  ``reject``), ``GET /{id}/sheet/`` (the aggregated score sheet: the office running the review and the panel only,
  and only once every expert submitted — before that ``{"visible": false}``).
* ``/api/v1/review-seats/`` — the office reads its panels, an expert only their own seats; ``POST /{id}/score/``
  (scores and comment, a draft), ``POST /{id}/act/`` (``submit``, ``decline`` with the reason, ``remove``). Scores
  stay hidden from everyone but the seat's expert until the whole panel has submitted.
* ``/api/v1/grants/`` — grants with ``disbursed``/``undisbursed``; ``POST`` (``review`` and the grant's fields: the
  funder), ``PATCH /{id}/``, ``POST /{id}/disburse/`` (multipart: ``amount``, ``paid_on``, ``voucher`` PDF or image).
* ``/api/v1/envelopes/`` — each funder's budget per year with ``committed``, ``disbursed``, ``remaining`` (summed by
  the database); ``POST``, ``PATCH /{id}/``.

Reviews and seats have ``GET /{id}/actions/``, ``/transitions/`` and ``/history/``. Creates accept
``Idempotency-Key``. Amounts are yuan as strings or JSON numbers (read as ``Decimal``, never a float).
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import HistoryEntrySerializer, ScopedReadOnlyViewSet, TransitionSerializer
from core.api import call_service as _call
from core.api import read_input as _input
from core.china import mask_phone
from core.history import history_rows
from core.models import SensitiveAccess
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, VIEW, can, restrict
from core.workflow import transitions_for
from projects.api import (ID, PARSERS, ActInput, AmountField, StepSerializer, _create_once, _not_stale, _steps)
from projects.models import Project
from reviews import selectors, services
from reviews.choices import CRITERIA, LIVE_SEATS, REVIEW_WORKFLOW, SEAT_WORKFLOW, BudgetSourceKind, TitleRank
from reviews.models import Disbursement, Envelope, Expert, Grant, Review, ReviewSeat
from reviews.tables_pool import mask_email, sees_contacts

OFFICES = frozenset({Role.CITY_ST, Role.COUNTY_ST})
SCORE_FIELDS = tuple("score_%s" % key for key, _label in CRITERIA)
HIDDEN_SEAT_FIELDS = frozenset(SCORE_FIELDS) | {"total", "comment"}
POOL_LEVEL_HELP = "专家库或资助单位的层级：city（市级）、county（县级）"
LEVEL_HELP = "组织层级：province（省级）、city（市级）、county（县级）"


def _runs(user, review) -> bool:
    """The S&T office organizing this review (or the administrator): forms the panel, decides, reads every score."""
    return (is_system_admin(user) or user.role in OFFICES) and can(user, review, CHANGE)


def _on_panel(user, review) -> bool:
    return user.role == Role.EXPERT and review.seats.filter(expert__user=user, status__in=LIVE_SEATS).exists()


def _field_errors(error: DRFValidationError, names: dict) -> DRFValidationError:
    """The service's error keys renamed to the request's (``approved_amount`` → ``amount``)."""
    detail = error.detail
    if isinstance(detail, dict):
        detail = {names.get(key, key): value for key, value in detail.items()}
    return DRFValidationError(detail)


def _found(queryset, pk, field: str, what: str):
    """A record named by id in the body: in the caller's scope, else 400 on that field (no hint of what exists)."""
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise DRFValidationError({field: ["%s不存在或不在您的管辖范围内。" % what]})
    return record


# ------------------------------------------------------------------------------------------------ experts
class ExpertSerializer(serializers.ModelSerializer):
    organizer_level = serializers.CharField(read_only=True, help_text=POOL_LEVEL_HELP)
    pool_name = serializers.CharField(source="keeper_name", read_only=True, help_text="专家库所属科技部门")
    title_rank_display = serializers.CharField(source="get_title_rank_display", read_only=True)
    has_account = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField(help_text="手机号码（专家库所属科技部门和专家本人可见全文，其他人脱敏）")
    email = serializers.SerializerMethodField(help_text="电子邮箱（同上脱敏）")

    class Meta:
        model = Expert
        fields = ["id", "organizer_level", "city", "county", "pool_name", "user", "has_account", "name", "field",
                  "keywords", "title", "title_rank", "title_rank_display", "unit", "unit_name", "phone", "email",
                  "available", "availability_note", "created_at", "updated_at"]
        read_only_fields = fields

    def _shown(self, expert) -> bool:
        request = self.context.get("request")
        return request is not None and sees_contacts(request.user, expert)

    def get_has_account(self, expert) -> bool:
        return bool(expert.user_id)

    def get_phone(self, expert) -> str:
        return expert.phone if self._shown(expert) else mask_phone(expert.phone)

    def get_email(self, expert) -> str:
        return expert.email if self._shown(expert) else mask_email(expert.email)


class ExpertCreatedSerializer(ExpertSerializer):
    temporary_password = serializers.CharField(read_only=True, required=False,
                                               help_text="新建平台账号的临时密码（仅此一次返回；首次登录须修改）")

    class Meta(ExpertSerializer.Meta):
        fields = ExpertSerializer.Meta.fields + ["temporary_password"]
        read_only_fields = fields


class ExpertWriteInput(serializers.Serializer):
    """A pool entry's fields; on an edit only what is given changes (the expert themself: contacts, availability)."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    field = serializers.CharField(required=False, allow_blank=True, max_length=400, help_text="专业领域")
    keywords = serializers.CharField(required=False, allow_blank=True, max_length=800, help_text="专长关键词，用“、”分隔")
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="职称")
    title_rank = serializers.ChoiceField(choices=TitleRank.choices, required=False,
                                         error_messages={"invalid_choice": "职称级别应为 senior、associate、intermediate 或 other。"})
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="所在单位（派出单位名录 id），用于回避同单位团队",
                                    **ID)
    unit_name = serializers.CharField(required=False, allow_blank=True, max_length=400, help_text="工作单位")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    available = serializers.BooleanField(required=False, help_text="可参加评审")
    availability_note = serializers.CharField(required=False, allow_blank=True, max_length=400)
    user = serializers.IntegerField(required=False, allow_null=True, help_text="关联已有的专家账号 id", **ID)


class ExpertCreateInput(ExpertWriteInput):
    create_account = serializers.BooleanField(default=False, help_text="同时为专家创建平台账号（返回临时密码）")
    city = serializers.IntegerField(required=False, help_text="仅系统管理员：所属市 id", **ID)
    county = serializers.IntegerField(required=False, help_text="仅系统管理员：所属县（市、区）id（县级专家库）", **ID)


def _log_contacts(user, experts) -> None:
    """Record that ``user`` was shown these experts' contacts unmasked (never the expert themself); one INSERT."""
    content_type = ContentType.objects.get_for_model(Expert)
    rows = [SensitiveAccess(user=user, content_type=content_type, object_id=str(expert.pk), field="phone",
                            purpose="API：专家库")
            for expert in experts if expert.phone and sees_contacts(user, expert) and expert.user_id != user.pk]
    if rows:
        SensitiveAccess.objects.bulk_create(rows)


class ExpertViewSet(ScopedReadOnlyViewSet):
    """Expert pools in scope (the organizers along the tree; an expert reaches their own entry)."""

    queryset = Expert.objects.select_related("city", "county")
    serializer_class = ExpertSerializer
    parser_classes = PARSERS
    filterset_fields = ["organizer_level", "city", "county", "available", "title_rank", "unit"]
    search_fields = ["name", "field", "keywords", "unit_name"]
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_roles = OFFICES

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else response.data
        shown = [row["id"] for row in rows]
        _log_contacts(request.user, Expert.objects.filter(pk__in=shown))
        return response

    def retrieve(self, request, *args, **kwargs):
        expert = self.get_object()
        _log_contacts(request.user, [expert])
        return Response(self.get_serializer(expert).data)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Who changed this entry, when, and what (contacts masked as in the entry itself)."""
        expert = self.get_object()
        rows = history_rows(expert)
        if not sees_contacts(request.user, expert):
            masks = {"phone": mask_phone, "email": mask_email}
            for row in rows:
                for change in row["changes"]:
                    if change["field"] in masks:
                        change["old"], change["new"] = (masks[change["field"]](str(change[key] or ""))
                                                        for key in ("old", "new"))
        return Response(HistoryEntrySerializer(rows, many=True).data)

    def _values(self, request, data: dict) -> tuple[dict, object]:
        """The service's ``values`` and ``account`` from the checked input (ids resolved in the caller's scope)."""
        from accounts.models import User
        from regions.models import City, County
        from units.models import DispatchingUnit

        values = {key: value for key, value in data.items()
                  if key not in ("user", "create_account", "city", "county", "unit")}
        if "unit" in data:
            values["unit"] = None if data["unit"] is None else _found(
                DispatchingUnit.objects.all(), data["unit"], "unit", "派出单位")
        if is_system_admin(request.user):
            if data.get("county"):
                values["county"] = _found(County.objects.all(), data["county"], "county", "县（市、区）")
            if data.get("city"):
                values["city"] = _found(City.objects.all(), data["city"], "city", "市")
        account = None
        if data.get("user"):
            account = _found(restrict(User.objects.all(), request.user, VIEW), data["user"], "user", "账号")
        return values, account

    def _show(self, expert, password: str = "") -> dict:
        expert = self.queryset.get(pk=expert.pk)
        data = ExpertSerializer(expert, context=self.get_serializer_context()).data
        if password:
            data["temporary_password"] = password
        return data

    @extend_schema(request=ExpertCreateInput, responses={201: ExpertCreatedSerializer, 200: ExpertCreatedSerializer})
    def create(self, request):
        """The S&T office adds an expert to its own pool (and, with ``create_account``, the expert's account)."""
        self.check_create_allowed()
        data = dict(_input(ExpertCreateInput, request))
        create_account = data.pop("create_account", False)
        values, account = self._values(request, data)
        made = {}

        def make():
            expert, made["password"] = services.expert_save(actor=request.user, values=values, account=account,
                                                            create_account=create_account)
            return expert

        return _create_once(request, Expert, make, lambda expert: self._show(expert, made.get("password", "")))

    @extend_schema(request=ExpertWriteInput, responses=ExpertSerializer)
    def partial_update(self, request, pk=None):
        """The office edits its pool's entry; the expert their own contacts and availability."""
        expert = get_object_or_404(restrict(Expert.objects.all(), request.user, VIEW), pk=pk)
        data = dict(_input(ExpertWriteInput, request))
        if request.user.role == Role.EXPERT:
            refused = sorted(set(data) - set(services.EXPERT_SELF_FIELDS))
            if refused:  # said, not silently dropped: the pool's office keeps the rest
                raise serializers.ValidationError({name: ["专家本人只能修改联系方式和可参加评审情况，该项由专家库所属的科技部门维护。"]
                                                   for name in refused})
        values, account = self._values(request, data)
        expert, _password = _call(services.expert_save, actor=request.user, values=values, expert=expert,
                                  account=account)
        return Response(self._show(expert))


# ------------------------------------------------------------------------------------------------ reviews
class ReviewSerializer(serializers.ModelSerializer):
    """A review as everyone in scope reads it: the panel's size and progress, the decision; no expert, no score."""

    project_title = serializers.CharField(source="project.title", read_only=True)
    organizer_level = serializers.CharField(read_only=True, help_text=LEVEL_HELP)
    town_name = serializers.CharField(source="town.full_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    mode_display = serializers.CharField(source="get_mode_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    weights = serializers.DictField(child=serializers.IntegerField(), read_only=True,
                                    help_text="评分权重：fit、feasibility、benefit、team、budget")
    seated = serializers.IntegerField(read_only=True, help_text="专家组在册人数（待评分和已提交）")
    submitted = serializers.IntegerField(read_only=True, help_text="已提交评分的专家人数")
    scores_visible = serializers.SerializerMethodField(help_text="专家组均已提交：评分汇总表可查看")

    class Meta:
        model = Review
        fields = ["id", "project", "project_title", "cycle", "town", "town_name", "team", "team_name",
                  "organizer_level", "mode", "mode_display", "panel_size", "weights", "seated", "submitted", "status",
                  "status_display", "scores_visible", "opened_at", "scored_at", "decided_at", "approved_amount",
                  "panel_opinion", "decision_comment", "created_at", "updated_at"]
        read_only_fields = fields

    def get_scores_visible(self, review) -> bool:
        return selectors.scores_visible(review)


class ReviewStartInput(serializers.Serializer):
    project = serializers.IntegerField(help_text="已受理的帮扶项目 id", **ID)


class SeatAddInput(serializers.Serializer):
    expert = serializers.IntegerField(help_text="本级专家库的专家 id", **ID)


class ReviewActInput(ActInput):
    action = serializers.ChoiceField(
        choices=[("open", "开始专家评分"), ("approve", "论证通过"), ("approve_changes", "修改后通过"),
                 ("reject", "论证不通过")],
        error_messages={"invalid_choice": "操作应为 open、approve、approve_changes 或 reject。"})
    amount = AmountField(required=False, allow_null=True, help_text="核定资助金额（元）：通过、修改后通过时必填")
    opinion = serializers.CharField(default="", allow_blank=True, max_length=2000,
                                    help_text="专家组意见（专家组评审时必填）")


class SeatSerializer(serializers.ModelSerializer):
    """A seat on a panel: the scores, total and comment only for the seat's expert until the whole panel submitted."""

    project = serializers.IntegerField(source="review.project_id", read_only=True)
    project_title = serializers.CharField(source="review.project.title", read_only=True)
    town_name = serializers.CharField(source="review.town.full_name", read_only=True)
    team_name = serializers.CharField(source="review.team.name", read_only=True)
    review_status = serializers.CharField(source="review.status", read_only=True)
    expert_name = serializers.CharField(source="expert.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    scores_shown = serializers.SerializerMethodField(help_text="评分是否可见（本人，或专家组均已提交）")

    class Meta:
        model = ReviewSeat
        fields = ["id", "review", "review_status", "project", "project_title", "town_name", "team_name", "expert",
                  "expert_name", "status", "status_display", "fit", *SCORE_FIELDS, "total", "comment",
                  "scores_shown", "submitted_at", "closed_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_scores_shown(self, seat) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return bool(user is not None and (seat.expert.user_id == user.pk or selectors.scores_visible(seat.review)))

    def to_representation(self, seat):
        data = super().to_representation(seat)
        if not data["scores_shown"]:
            for name in HIDDEN_SEAT_FIELDS:
                data[name] = None
        return data


class FillResultSerializer(serializers.Serializer):
    review = ReviewSerializer()
    seats = SeatSerializer(many=True, help_text="本次选入专家组的专家")


class CandidateSerializer(serializers.Serializer):
    expert = serializers.IntegerField(source="expert.pk")
    name = serializers.CharField(source="expert.name")
    field = serializers.CharField(source="expert.field")
    unit_name = serializers.CharField(source="expert.unit_name")
    fit = serializers.FloatField(help_text="领域契合度（0–1）")
    load = serializers.IntegerField(help_text="在审任务数")
    score = serializers.FloatField(help_text="排序得分：契合度减去在审任务")
    excluded = serializers.CharField(help_text="不能选入的原因（回避、不可用等）；空为可选")
    proposed = serializers.BooleanField(help_text="平台建议选入")


class SheetSeatSerializer(serializers.Serializer):
    seat = serializers.IntegerField(source="pk")
    expert = serializers.IntegerField(source="expert_id")
    expert_name = serializers.CharField(source="expert.name")
    unit_name = serializers.CharField(source="expert.unit_name")
    score_fit = serializers.IntegerField()
    score_feasibility = serializers.IntegerField()
    score_benefit = serializers.IntegerField()
    score_team = serializers.IntegerField()
    score_budget = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=5, decimal_places=2)
    outlier = serializers.BooleanField(help_text="加权总分偏离中位数超过15分")
    comment = serializers.CharField()


class SheetCriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=5, decimal_places=1)


class ScoreSheetSerializer(serializers.Serializer):
    visible = serializers.BooleanField(help_text="false：专家组尚未全部提交评分，其余字段不返回")
    count = serializers.IntegerField(required=False, help_text="已提交评分的专家人数")
    mean = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    median = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    spread = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True,
                                      help_text="极差")
    stdev = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True,
                                     help_text="标准差")
    outliers = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="异常评分的评审任务 id")
    criteria = SheetCriterionSerializer(many=True, required=False)
    seats = SheetSeatSerializer(many=True, required=False)


def _mask_expert_actors(review, user, transitions=None, history=None):
    """For those who do not run the review (the team, the town, the unit, other officials): no expert's name —
    the system step an expert's submission caused, and its history row, read "系统"/None."""
    from accounts.models import User

    if _runs(user, review):
        return transitions, history
    if transitions is not None:
        for row in transitions:
            if getattr(row.actor, "role", None) == Role.EXPERT:
                row.actor = None
    if history is not None:
        names = {str(expert) for expert in User.objects.filter(
            role=Role.EXPERT, pk__in=review.history.values("history_user_id"))}
        for row in history:
            if row["who"] in names:
                row["who"] = None
    return transitions, history


class ReviewViewSet(ScopedReadOnlyViewSet):
    """Reviews in scope (the organizers along the tree, the town, the team and its unit; an expert the reviews they
    sit on)."""

    # Counting seats groups the rows, which drops the model's ordering: it is named again (stable pages).
    queryset = selectors.with_progress(Review.objects.select_related("project", "town__county", "team", "cycle")
                                       ).order_by("town__code", "pk")
    serializer_class = ReviewSerializer
    parser_classes = PARSERS
    filterset_fields = ["cycle", "status", "mode", "town", "team", "organizer_level", "project"]
    search_fields = ["project__title", "team__name", "town__name"]
    ordering_fields = ["created_at", "decided_at", "approved_amount"]
    http_method_names = ["get", "post", "head", "options"]

    def _show(self, review) -> dict:
        return ReviewSerializer(self.queryset.get(pk=review.pk), context=self.get_serializer_context()).data

    def _scoped(self, pk) -> Review:
        return get_object_or_404(restrict(Review.objects.select_related("project", "town__county__city", "team"),
                                          self.request.user, VIEW), pk=pk)

    @extend_schema(request=ReviewStartInput, responses={201: ReviewSerializer, 200: ReviewSerializer})
    @action(detail=False, methods=["post"])
    def start(self, request):
        """The organizing S&T office starts the review of an accepted project (a panel, or the county's single
        approval step)."""
        data = _input(ReviewStartInput, request)
        project = _found(restrict(Project.objects.all(), request.user, VIEW), data["project"], "project", "项目")
        return _create_once(request, Review, lambda: services.review_start(actor=request.user, project=project),
                            self._show)

    @extend_schema(request=None, responses=FillResultSerializer)
    @action(detail=True, methods=["post"])
    def fill(self, request, pk=None):
        """Seat the platform's proposal (the best-fitting experts free of conflicts) up to the panel's size."""
        review = self._scoped(pk)
        seats = _call(services.panel_fill, actor=request.user, review=review)
        context = self.get_serializer_context()
        shown = ReviewSeat.objects.select_related("review__project", "review__town", "review__team", "expert")
        return Response({"review": self._show(review),
                         "seats": SeatSerializer([shown.get(pk=seat.pk) for seat in seats], many=True,
                                                 context=context).data})

    @extend_schema(request=SeatAddInput, responses={201: SeatSerializer, 200: SeatSerializer})
    @action(detail=True, methods=["post"])
    def seat(self, request, pk=None):
        """Put an expert of the pool on the panel (never one with a conflict of interest, unavailable or without an
        account)."""
        review = self._scoped(pk)
        data = _input(SeatAddInput, request)
        if not _runs(request.user, review):  # before the expert is looked up in a pool the caller may not read
            raise PermissionDenied("只有组织该项目论证的科技部门可以组建专家组。")
        expert = _found(restrict(Expert.objects.all(), request.user, VIEW), data["expert"], "expert", "专家")
        shown = ReviewSeat.objects.select_related("review__project", "review__town", "review__team", "expert")
        return _create_once(request, ReviewSeat,
                            lambda: services.seat_add(actor=request.user, review=review, expert=expert),
                            lambda seat: SeatSerializer(shown.get(pk=seat.pk),
                                                        context=self.get_serializer_context()).data)

    @extend_schema(responses=CandidateSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def candidates(self, request, pk=None):
        """The review's pool ranked by field fit less load, the proposed ones flagged, the excluded with the reason
        (conflict of interest, unavailable, no account): for the office running the review only."""
        review = self._scoped(pk)
        if not _runs(request.user, review):
            raise Http404
        proposed = {candidate.expert.pk for candidate in selectors.proposal(review)}
        rows = selectors.candidates(review)
        for candidate in rows:
            candidate.proposed = candidate.expert.pk in proposed
        return Response(CandidateSerializer(rows, many=True).data)

    @extend_schema(request=ReviewActInput, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "open"|"approve"|"approve_changes"|"reject", "amount": "80000", "opinion": "…",
        "comment": "…"}``: the organizing office opens the scoring or records the decision with the panel's
        opinion."""
        review = self._scoped(pk)
        data = _input(ReviewActInput, request)
        _not_stale(REVIEW_WORKFLOW, review, data["action"], request.user, data.get("seen_status"))
        try:
            review = _call(services.review_act, actor=request.user, review=review, action=data["action"],
                           comment=data["comment"], amount=data.get("amount"), opinion=data["opinion"])
        except DRFValidationError as error:
            raise _field_errors(error, {"approved_amount": "amount", "panel_opinion": "opinion"})
        return Response(self._show(review))

    @extend_schema(responses=ScoreSheetSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def sheet(self, request, pk=None):
        """The aggregated score sheet (each expert's scores, the mean, range, standard deviation, outliers and the
        per-criterion means): for the office running the review and its panel, once every expert submitted (before
        that ``{"visible": false}``); anyone else 404."""
        review = self._scoped(pk)
        if not (_runs(request.user, review) or _on_panel(request.user, review)):
            raise Http404
        if not selectors.scores_visible(review):
            return Response({"visible": False})
        sheet = selectors.score_sheet(review)
        for seat in sheet["seats"]:
            seat.outlier = getattr(seat, "outlier", False)
        return Response(ScoreSheetSerializer({
            "visible": True, "count": sheet["count"], "mean": sheet["mean"], "median": sheet.get("median"),
            "spread": sheet["spread"], "stdev": sheet["stdev"], "outliers": [seat.pk for seat in sheet["outliers"]],
            "criteria": [{**criterion, "label": str(criterion["label"])} for criterion in sheet["criteria"]],
            "seats": sheet["seats"]}).data)

    @extend_schema(responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request, pk=None):
        """The steps the caller may take on this review now."""
        return Response(_steps(REVIEW_WORKFLOW, self.get_object(), request.user))

    @extend_schema(responses=TransitionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def transitions(self, request, pk=None):
        """Workflow steps taken on this review (an expert's name only for the office running it)."""
        review = self.get_object()
        rows, _history = _mask_expert_actors(review, request.user, transitions=list(transitions_for(review)))
        return Response(TransitionSerializer(rows, many=True).data)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Who changed this review, when, and what (an expert's name only for the office running it)."""
        review = self.get_object()
        _rows, rows = _mask_expert_actors(review, request.user, history=history_rows(review))
        return Response(HistoryEntrySerializer(rows, many=True).data)


# ------------------------------------------------------------------------------------------------ seats
@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True,
                      "description": "0–100 的整数分"})
class ScoreField(serializers.Field):
    """A score as typed (an integer or its text): the service checks it is a whole number from 0 to 100 and says so
    naming the criterion."""

    default_error_messages = {"invalid": "评分应为0至100的整数。"}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)) or (isinstance(data, str) and len(data) > 10):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class SeatScoreInput(serializers.Serializer):
    score_fit = ScoreField(required=False, allow_null=True, help_text="需求契合度（0–100）")
    score_feasibility = ScoreField(required=False, allow_null=True, help_text="技术可行性（0–100）")
    score_benefit = ScoreField(required=False, allow_null=True, help_text="预期效益（0–100）")
    score_team = ScoreField(required=False, allow_null=True, help_text="团队能力（0–100）")
    score_budget = ScoreField(required=False, allow_null=True, help_text="经费合理性（0–100）")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="评审意见")


class SeatActInput(SeatScoreInput):
    action = serializers.ChoiceField(choices=[("submit", "提交评分"), ("decline", "申请回避"), ("remove", "调出专家组")],
                                     error_messages={"invalid_choice": "操作应为 submit、decline 或 remove。"})
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                    help_text="提交时为评审意见；回避、调出时为理由（必填）")
    seen_status = serializers.CharField(required=False, allow_blank=True, max_length=16,
                                        help_text="可选：操作时看到的状态；状态已变时返回409")


class ReviewSeatViewSet(ScopedReadOnlyViewSet):
    """Seats in scope: the organizing office reads its panels, an expert only their own seats."""

    queryset = ReviewSeat.objects.select_related("review__project", "review__town", "review__team", "expert")
    serializer_class = SeatSerializer
    parser_classes = PARSERS
    filterset_fields = ["review", "status", "expert"]
    search_fields = ["review__project__title", "review__team__name", "review__town__name"]
    ordering_fields = ["created_at", "submitted_at"]
    http_method_names = ["get", "post", "head", "options"]

    def _show(self, seat) -> dict:
        return SeatSerializer(self.queryset.get(pk=seat.pk), context=self.get_serializer_context()).data

    def _scoped(self, pk) -> ReviewSeat:
        return get_object_or_404(restrict(ReviewSeat.objects.select_related("review", "expert"), self.request.user,
                                          VIEW), pk=pk)

    @extend_schema(request=SeatScoreInput, responses=SeatSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """The seat's expert saves their scores and comment (a draft, changeable until submitted)."""
        seat = self._scoped(pk)
        data = dict(_input(SeatScoreInput, request))
        comment = data.pop("comment", None)
        seat = _call(services.seat_score, actor=request.user, seat=seat, scores=data, comment=comment)
        return Response(self._show(seat))

    @extend_schema(request=SeatActInput, responses=SeatSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "submit"|"decline"|"remove", "comment": "…"}``: the expert submits once (the scores may come
        with it) or declares a conflict of interest; the office takes an expert off a panel still open."""
        seat = self._scoped(pk)
        data = dict(_input(SeatActInput, request))
        name = data.pop("action")
        seen = data.pop("seen_status", None)
        comment = data.pop("comment", "")
        _not_stale(SEAT_WORKFLOW, seat, name, request.user, seen)
        seat = _call(services.seat_act, actor=request.user, seat=seat, action=name, comment=comment,
                     scores=data or None)
        return Response(self._show(seat))

    @extend_schema(responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request, pk=None):
        """The steps the caller may take on this seat now."""
        return Response(_steps(SEAT_WORKFLOW, self.get_object(), request.user))

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Who changed this seat, when, and what (the scores only once the whole panel submitted, or for the seat's
        own expert)."""
        seat = self.get_object()
        rows = history_rows(seat)
        if not (seat.expert.user_id == request.user.pk or selectors.scores_visible(seat.review)):
            for row in rows:
                row["changes"] = [change for change in row["changes"] if change["field"] not in HIDDEN_SEAT_FIELDS]
        return Response(HistoryEntrySerializer(rows, many=True).data)


# ------------------------------------------------------------------------------------------------ grants
class DisbursementSerializer(serializers.ModelSerializer):
    voucher_url = serializers.SerializerMethodField(help_text="拨付凭证下载地址（按权限提供）")

    class Meta:
        model = Disbursement
        fields = ["id", "grant", "amount", "paid_on", "note", "voucher_url", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_voucher_url(self, tranche):
        return reverse("reviews:voucher", args=[tranche.pk]) if tranche.voucher else None


class GrantSerializer(serializers.ModelSerializer):
    organizer_level = serializers.CharField(read_only=True, help_text=POOL_LEVEL_HELP)
    funder_name = serializers.CharField(source="keeper_name", read_only=True, help_text="资助单位（科技部门）")
    project_title = serializers.CharField(source="project.title", read_only=True)
    town_name = serializers.CharField(source="town.full_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    budget_source_display = serializers.CharField(source="get_budget_source_display", read_only=True)
    disbursed = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, help_text="已拨付（元）")
    undisbursed = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, help_text="未拨付（元）")
    disbursements = DisbursementSerializer(many=True, read_only=True)

    class Meta:
        model = Grant
        fields = ["id", "review", "project", "project_title", "project_number", "cycle", "town", "town_name", "team",
                  "team_name", "organizer_level", "city", "county", "funder_name", "fiscal_year", "budget_source",
                  "budget_source_display", "amount", "disbursed", "undisbursed", "granted_on", "note",
                  "disbursements", "created_at", "updated_at"]
        read_only_fields = fields


class GrantWriteInput(serializers.Serializer):
    project_number = serializers.CharField(required=False, allow_blank=True, max_length=80, help_text="立项编号")
    fiscal_year = serializers.IntegerField(required=False, help_text="资金年度，如 2026")
    budget_source = serializers.ChoiceField(choices=BudgetSourceKind.choices, required=False,
                                            error_messages={"invalid_choice": "资金来源应为 %s。" % "、".join(
                                                BudgetSourceKind.values)})
    amount = AmountField(required=False, help_text="资助金额（元），不超过论证核定的金额")
    granted_on = serializers.DateField(required=False, help_text="立项日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=400)


class GrantCreateInput(GrantWriteInput):
    review = serializers.IntegerField(help_text="论证通过的专家论证 id", **ID)


class DisburseInput(serializers.Serializer):
    amount = AmountField(help_text="拨付金额（元），不超过尚未拨付的资助金额")
    paid_on = serializers.DateField(help_text="拨付日期")
    voucher = serializers.FileField(help_text="拨付凭证（PDF、JPG或PNG）")
    note = serializers.CharField(default="", allow_blank=True, max_length=400, help_text="摘要")


class GrantViewSet(ScopedReadOnlyViewSet):
    """Grants in scope (the funder, the city over its counties; the town, the team and its unit read theirs)."""

    queryset = selectors.grants_with_figures(
        Grant.objects.select_related("project", "town__county", "team", "city", "county")
        .prefetch_related("disbursements"))
    serializer_class = GrantSerializer
    parser_classes = PARSERS
    filterset_fields = ["cycle", "fiscal_year", "budget_source", "organizer_level", "county", "town", "team"]
    search_fields = ["project_number", "project__title", "team__name", "town__name"]
    ordering_fields = ["fiscal_year", "project_number", "amount", "granted_on"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_roles = OFFICES

    def _show(self, grant) -> dict:
        return GrantSerializer(self.queryset.get(pk=grant.pk), context=self.get_serializer_context()).data

    @extend_schema(request=GrantCreateInput, responses={201: GrantSerializer, 200: GrantSerializer})
    def create(self, request):
        """The organizer that selected the team funds an approved project: within the approved amount and the
        year's remaining envelope."""
        self.check_create_allowed()
        data = dict(_input(GrantCreateInput, request))
        review = _found(restrict(Review.objects.all(), request.user, VIEW), data.pop("review"), "review", "专家论证")
        return _create_once(request, Grant, lambda: services.grant_create(actor=request.user, review=review,
                                                                          values=data), self._show)

    @extend_schema(request=GrantWriteInput, responses=GrantSerializer)
    def partial_update(self, request, pk=None):
        """The funder corrects a grant (never below what it paid out, above the approved amount or the envelope)."""
        grant = get_object_or_404(restrict(Grant.objects.all(), request.user, VIEW), pk=pk)
        data = _input(GrantWriteInput, request)
        grant = _call(services.grant_update, actor=request.user, grant=grant, values=dict(data))
        return Response(self._show(grant))

    @extend_schema(request={"multipart/form-data": DisburseInput},
                   responses={201: DisbursementSerializer, 200: DisbursementSerializer})
    @action(detail=True, methods=["post"])
    def disburse(self, request, pk=None):
        """Record a tranche with its voucher (PDF or image): never more than what remains of the grant."""
        grant = get_object_or_404(restrict(Grant.objects.all(), request.user, VIEW), pk=pk)
        data = _input(DisburseInput, request)
        return _create_once(request, Disbursement,
                            lambda: services.disbursement_add(actor=request.user, grant=grant, amount=data["amount"],
                                                              paid_on=data["paid_on"], voucher=data["voucher"],
                                                              note=data["note"]),
                            lambda tranche: DisbursementSerializer(tranche).data)


# ------------------------------------------------------------------------------------------------ envelopes
class EnvelopeSerializer(serializers.ModelSerializer):
    organizer_level = serializers.CharField(read_only=True, help_text=POOL_LEVEL_HELP)
    funder_name = serializers.CharField(source="keeper_name", read_only=True, help_text="资助单位（科技部门）")
    committed = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                         help_text="已立项资助（元）")
    disbursed = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, help_text="已拨付（元）")
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                         help_text="预算余额（元）：年度预算减已立项资助")

    class Meta:
        model = Envelope
        fields = ["id", "organizer_level", "city", "county", "funder_name", "fiscal_year", "budgeted", "committed",
                  "disbursed", "remaining", "note", "created_at", "updated_at"]
        read_only_fields = fields


class EnvelopeWriteInput(serializers.Serializer):
    budgeted = AmountField(required=False, help_text="年度预算（元）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=400, help_text="资金文号或说明")


class EnvelopeCreateInput(EnvelopeWriteInput):
    fiscal_year = serializers.IntegerField(help_text="预算年度，如 2026")
    budgeted = AmountField(help_text="年度预算（元）")
    city = serializers.IntegerField(required=False, help_text="仅系统管理员：所属市 id", **ID)
    county = serializers.IntegerField(required=False, help_text="仅系统管理员：所属县（市、区）id", **ID)


class EnvelopeViewSet(ScopedReadOnlyViewSet):
    """Each funder's budget per year with what it committed and paid out (the city reads every county's)."""

    queryset = selectors.envelopes_with_figures(Envelope.objects.select_related("city", "county"))
    serializer_class = EnvelopeSerializer
    parser_classes = PARSERS
    filterset_fields = ["fiscal_year", "organizer_level", "city", "county"]
    ordering_fields = ["fiscal_year", "budgeted"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_roles = OFFICES

    def _show(self, envelope) -> dict:
        return EnvelopeSerializer(self.queryset.get(pk=envelope.pk), context=self.get_serializer_context()).data

    @extend_schema(request=EnvelopeCreateInput, responses={201: EnvelopeSerializer, 200: EnvelopeSerializer})
    def create(self, request):
        """The funder sets its budget for a fiscal year (one per funder and year)."""
        from regions.models import City, County

        self.check_create_allowed()
        data = dict(_input(EnvelopeCreateInput, request))
        city, county = data.pop("city", None), data.pop("county", None)
        if is_system_admin(request.user):
            if county:
                data["county"] = _found(County.objects.all(), county, "county", "县（市、区）")
            if city:
                data["city"] = _found(City.objects.all(), city, "city", "市")
        return _create_once(request, Envelope, lambda: services.envelope_save(actor=request.user, values=data),
                            self._show)

    @extend_schema(request=EnvelopeWriteInput, responses=EnvelopeSerializer)
    def partial_update(self, request, pk=None):
        """The funder changes its year's budget (never below what it committed) or its note."""
        envelope = get_object_or_404(restrict(Envelope.objects.all(), request.user, VIEW), pk=pk)
        data = _input(EnvelopeWriteInput, request)
        envelope = _call(services.envelope_save, actor=request.user, values=dict(data), envelope=envelope)
        return Response(self._show(envelope))


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("experts", ExpertViewSet)
    router.register("reviews", ReviewViewSet)
    router.register("review-seats", ReviewSeatViewSet)
    router.register("grants", GrantViewSet)
    router.register("envelopes", EnvelopeViewSet)
