"""API of the dispatching unit's records, scoped like the pages (out of scope: 404), writes through
``evaluations.services`` (their ``ValidationError`` answers 400 with the field keys and Chinese messages, their
``PermissionDenied`` 403, a step someone else took first 409).

* ``/api/v1/evaluations/`` — ``?year=``, ``?status=``, ``?grade=``, ``?commissioner=``; ``POST`` (the unit:
  ``commissioner``, ``year``, ``grade``, ``comments``, ``evaluator``, ``evaluated_on``; the figures are the
  platform's), ``PATCH /{id}/`` (a draft), ``POST /{id}/act/`` (``submit``, ``reopen`` with ``comment``),
  ``GET /{id}/actions/``, ``/transitions/``, ``/history/``.
* ``/api/v1/rewards/`` — ``POST``/``PATCH`` (the unit; JSON, or multipart with a ``document`` file).
* ``/api/v1/trainings/`` — ``POST``/``PATCH`` (the unit; ``attendees``: ids of the unit's people).
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet
from core.api import call_service as _call
from core.api import read_input as _input
from core.fields import COMMENT_MAX_CHARS
from core.roles import Role, is_system_admin
from core.scoping import VIEW, restrict
from evaluations import services
from evaluations.choices import EVALUATION_WORKFLOW, Grade, RewardLevel, TrainingKind
from evaluations.models import TEXT_MAX, Evaluation, Reward, Training
from projects.api import ID, PARSERS, ActInput, StepSerializer, _create_once, _not_stale, _steps
from teams.models import Commissioner, Team

UNIT = frozenset({Role.UNIT})


def _choices_text(choices) -> str:
    return "、".join("%s（%s）" % (value, label) for value, label in choices)


def _allowed(user, what: str) -> None:
    if not (is_system_admin(user) or user.role in UNIT):
        raise PermissionDenied("您的角色不能%s。" % what)


def _person(request, pk, errors: dict, field="commissioner"):
    """A person named in the body: one the caller reads (a unit its own people), else an error on the field."""
    if pk is None:
        return None
    person = restrict(Commissioner.objects.all(), request.user, VIEW).filter(pk=pk).first()
    if person is None:
        errors.setdefault(field, []).append("特派员不存在或不在您的管辖范围内。")
    return person


class BaseViewSet(ScopedReadOnlyViewSet):
    parser_classes = PARSERS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _show(self, record) -> dict:
        return self.serializer_class(self.queryset.get(pk=record.pk), context=self.get_serializer_context()).data

    def _scoped(self, pk):
        return get_object_or_404(restrict(self.queryset.model.objects.all(), self.request.user, VIEW), pk=pk)


# ------------------------------------------------------------------------------------------------ evaluations
class EvaluationSerializer(serializers.ModelSerializer):
    commissioner_name = serializers.CharField(source="commissioner.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default=None)
    home_town_name = serializers.CharField(source="home_town.full_name", read_only=True, default=None)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    figures = serializers.DictField(child=serializers.IntegerField(), read_only=True,
                                    help_text="平台统计的年度工作量：activities（服务活动次数）、days（驻镇天数）、projects（帮扶项目个数）")

    class Meta:
        model = Evaluation
        fields = ["id", "unit", "unit_name", "commissioner", "commissioner_name", "year", "cycle", "team",
                  "team_name", "pairing", "organizer_level", "home_town", "home_town_name", "grade", "grade_display",
                  "comments", "figures", "evaluator", "evaluated_on", "status", "status_display", "submitted_at",
                  "created_at", "updated_at"]
        read_only_fields = fields


GRADE_ERROR = {"invalid_choice": "考评等次应为%s之一。" % _choices_text(Grade.choices)}


class EvaluationInput(serializers.Serializer):
    commissioner = serializers.IntegerField(required=False, help_text="本单位特派员 id（新增时必填）", **ID)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="考评年度（新增时必填）")
    grade = serializers.ChoiceField(choices=Grade.choices, required=False, allow_blank=True,
                                    error_messages=GRADE_ERROR, help_text=_choices_text(Grade.choices))
    comments = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="考评意见")
    evaluator = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="考评人")
    evaluated_on = serializers.DateField(required=False, allow_null=True, help_text="考评日期（不填则为提交当日）")


class EvaluationActInput(ActInput):
    action = serializers.ChoiceField(choices=[("submit", "提交"), ("reopen", "退回修改")],
                                     error_messages={"invalid_choice": "操作应为 submit 或 reopen。"})
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="退回修改时必填的理由")


class EvaluationViewSet(BaseViewSet):
    """Annual evaluations in scope: the unit's own, the person's own submitted ones, the organizers' (submitted, of
    the pairings they organize, read up the tree)."""

    queryset = Evaluation.objects.select_related("commissioner", "unit", "team", "home_town__county")
    serializer_class = EvaluationSerializer
    filterset_fields = ["year", "status", "grade", "commissioner", "unit", "cycle"]
    search_fields = ["commissioner__name", "team__name", "unit__name"]
    ordering_fields = ["year", "evaluated_on", "created_at"]

    @extend_schema(request=EvaluationInput, responses={201: EvaluationSerializer, 200: EvaluationSerializer})
    def create(self, request):
        """The unit drafts the evaluation of one of its people for a year (one per person and year)."""
        _allowed(request.user, "考评特派员")
        data = dict(_input(EvaluationInput, request))
        errors: dict = {}
        if data.get("commissioner") is None:
            errors["commissioner"] = ["请选择特派员。"]
        if data.get("year") is None:
            errors["year"] = ["请填写考评年度。"]
        person = _person(request, data.pop("commissioner", None), errors)
        if errors:
            raise DRFValidationError(errors)
        year = data.pop("year")
        return _create_once(request, Evaluation, lambda: services.evaluation_save(
            actor=request.user, values=data, commissioner=person, year=year), self._show)

    @extend_schema(request=EvaluationInput, responses=EvaluationSerializer)
    def partial_update(self, request, pk=None):
        """The unit edits a draft (the person and the year stay)."""
        evaluation = self._scoped(pk)
        data = {key: value for key, value in _input(EvaluationInput, request).items()
                if key not in ("commissioner", "year")}
        evaluation = _call(services.evaluation_save, actor=request.user, values=data, evaluation=evaluation)
        return Response(self._show(evaluation))

    @extend_schema(responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request, pk=None):
        """The steps the caller may take on this evaluation now."""
        return Response(_steps(EVALUATION_WORKFLOW, self.get_object(), request.user))

    @extend_schema(request=EvaluationActInput, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "submit"|"reopen", "comment": "…"}``: the unit submits a graded draft or reopens it."""
        record = self._scoped(pk)
        data = _input(EvaluationActInput, request)
        _not_stale(EVALUATION_WORKFLOW, record, data["action"], request.user, data.get("seen_status"))
        record = _call(services.evaluation_act, actor=request.user, evaluation=record, action=data["action"],
                       comment=data["comment"])
        return Response(self._show(record))


# ------------------------------------------------------------------------------------------------ rewards
class RewardSerializer(serializers.ModelSerializer):
    commissioner_name = serializers.CharField(source="commissioner.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    document_url = serializers.SerializerMethodField(help_text="奖励文件（按权限下载）")

    class Meta:
        model = Reward
        fields = ["id", "unit", "unit_name", "commissioner", "commissioner_name", "team", "pairing",
                  "organizer_level", "home_town", "date", "title", "level", "level_display", "grounds",
                  "document_name", "document_url", "created_at", "updated_at"]
        read_only_fields = fields

    def get_document_url(self, reward) -> str | None:
        from django.urls import reverse

        return reverse("evaluations:reward_document", args=[reward.pk]) if reward.document else None


class RewardInput(serializers.Serializer):
    commissioner = serializers.IntegerField(required=False, help_text="本单位特派员 id", **ID)
    team = serializers.IntegerField(required=False, allow_null=True, help_text="团队 id（不填为该特派员当时所在团队）",
                                    **ID)
    date = serializers.DateField(required=False, help_text="获奖日期")
    title = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="奖励名称")
    level = serializers.ChoiceField(choices=RewardLevel.choices, required=False,
                                    error_messages={"invalid_choice": "奖励级别应为%s之一。"
                                                    % _choices_text(RewardLevel.choices)},
                                    help_text=_choices_text(RewardLevel.choices))
    grounds = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="主要事迹")
    document = serializers.FileField(required=False, help_text="奖励文件（PDF、JPG 或 PNG）")


def _reward_values(request, data: dict) -> dict:
    values = {key: value for key, value in data.items() if key not in ("commissioner", "team", "document")}
    errors: dict = {}
    if "commissioner" in data:
        values["commissioner"] = _person(request, data["commissioner"], errors)
    if "team" in data:
        values["team"] = None
        if data["team"] is not None:
            values["team"] = restrict(Team.objects.all(), request.user, VIEW).filter(pk=data["team"]).first()
            if values["team"] is None:
                errors["team"] = ["团队不存在或不在您的管辖范围内。"]
    if errors:
        raise DRFValidationError(errors)
    return values


class RewardViewSet(BaseViewSet):
    """Rewards in scope: the unit's own, the person's own, the organizers' (of the pairings they organize)."""

    queryset = Reward.objects.select_related("commissioner", "unit", "team")
    serializer_class = RewardSerializer
    filterset_fields = ["level", "commissioner", "unit", "team"]
    search_fields = ["title", "commissioner__name", "unit__name"]
    ordering_fields = ["date", "created_at"]

    @extend_schema(request=RewardInput, responses={201: RewardSerializer, 200: RewardSerializer})
    def create(self, request):
        """The unit records a reward of one of its people."""
        _allowed(request.user, "记录奖励")
        data = dict(_input(RewardInput, request))
        values = _reward_values(request, data)
        return _create_once(request, Reward, lambda: services.reward_save(
            actor=request.user, values=values, document=data.get("document")), self._show)

    @extend_schema(request=RewardInput, responses=RewardSerializer)
    def partial_update(self, request, pk=None):
        reward = self._scoped(pk)
        data = dict(_input(RewardInput, request))
        values = _reward_values(request, data)
        reward = _call(services.reward_save, actor=request.user, values=values, reward=reward,
                       document=data.get("document"))
        return Response(self._show(reward))


# ------------------------------------------------------------------------------------------------ trainings
class TrainingSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    materials = serializers.SerializerMethodField(help_text="材料（名称与按权限下载的地址）")

    class Meta:
        model = Training
        fields = ["id", "unit", "unit_name", "kind", "kind_display", "date", "topic", "place", "hours", "attendees",
                  "external_attendees", "summary", "materials", "created_at", "updated_at"]
        read_only_fields = fields

    def get_materials(self, training) -> list[dict]:
        from django.urls import reverse

        return [{"id": m.pk, "name": m.name, "url": reverse("evaluations:material", args=[m.pk])}
                for m in training.materials.all()]


class TrainingInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TrainingKind.choices, required=False,
                                   error_messages={"invalid_choice": "类型应为%s之一。"
                                                   % _choices_text(TrainingKind.choices)})
    date = serializers.DateField(required=False, help_text="日期")
    topic = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="主题")
    place = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="地点")
    hours = serializers.DecimalField(required=False, max_digits=6, decimal_places=1, help_text="学时")
    external_attendees = serializers.IntegerField(required=False, min_value=0, max_value=100_000,
                                                  help_text="其他参加人数")
    summary = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="内容摘要")
    attendees = serializers.ListField(child=serializers.IntegerField(**ID), required=False, max_length=500,
                                      help_text="参加的本单位特派员 id")


def _training_values(request, data: dict):
    values = {key: value for key, value in data.items() if key != "attendees"}
    attendees = None
    if "attendees" in data:
        ids = set(data["attendees"])
        attendees = list(restrict(Commissioner.objects.all(), request.user, VIEW).filter(pk__in=ids))
        if len(attendees) != len(ids):
            raise DRFValidationError({"attendees": ["有特派员不存在或不在您的管辖范围内。"]})
    return values, attendees


class TrainingViewSet(BaseViewSet):
    """Training and exchange events: the unit's own; the officials read them all; a team those its members
    attended."""

    queryset = Training.objects.select_related("unit").prefetch_related("attendees", "materials")
    serializer_class = TrainingSerializer
    filterset_fields = ["kind", "unit"]
    search_fields = ["topic", "place", "unit__name"]
    ordering_fields = ["date", "created_at"]

    @extend_schema(request=TrainingInput, responses={201: TrainingSerializer, 200: TrainingSerializer})
    def create(self, request):
        """The unit records a training or exchange event of its people."""
        _allowed(request.user, "记录培训交流")
        values, attendees = _training_values(request, dict(_input(TrainingInput, request)))
        return _create_once(request, Training, lambda: services.training_save(
            actor=request.user, values=values, attendees=attendees), self._show)

    @extend_schema(request=TrainingInput, responses=TrainingSerializer)
    def partial_update(self, request, pk=None):
        training = self._scoped(pk)
        values, attendees = _training_values(request, dict(_input(TrainingInput, request)))
        training = _call(services.training_save, actor=request.user, values=values, training=training,
                         attendees=attendees)
        return Response(self._show(training))


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("evaluations", EvaluationViewSet)
    router.register("rewards", RewardViewSet)
    router.register("trainings", TrainingViewSet)
