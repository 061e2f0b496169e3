"""API for the field work (驻镇服务): service activities with their photos, stays and the stationed-day count, the work
team's tasks, compliance flags, working conditions and the team's requests, scoped like the pages.

Reads go through :func:`core.scoping.restrict` (out of scope: 404; an activity or a stay done in another town is read
by that town and its county as well). Writes hand the checked types to ``fieldwork.services``, which check role, scope
and the rules before saving: their ``ValidationError`` answers 400 with the field keys and Chinese messages, their
``PermissionDenied`` 403; a step someone else already took answers 409.

* ``/api/v1/activities/`` — ``?status=``, ``?town=``, ``?team=``, ``?service_type=``, ``?cross_town=``,
  ``?date_from=``/``?date_to=``; ``POST`` (a team member logs for their own team; JSON or multipart with ``photos``
  files and ``participants`` ids; ``Idempotency-Key``: a repeat is the same record), ``PATCH /{id}/`` (the team,
  while awaiting confirmation or queried; saving a queried one sends it back), ``GET|POST /{id}/photos/`` (the
  photos' evidence — processed, EXIF time and place, taken early — with their scoped URLs; multipart ``photos``
  adds), ``POST /{id}/act/`` (``confirm``/``query`` with ``comment``: the work team of the town where it was done;
  ``resubmit``/``withdraw``: the team), ``POST bulk-confirm/`` (``ids``: the town's work team).
* ``/api/v1/stays/`` — the same shape (``commissioner``, ``town``, ``start_date``, ``end_date``, ``place``,
  ``purpose``); ``?date_from=``/``?date_to=`` select the stays overlapping the range.
* ``/api/v1/stationed-days/?cycle=<id>`` — per pairing in scope: confirmed days (in the paired town, elsewhere,
  counted) against the cycle's requirement, the pace, and each member's share (one query for every team).
* ``/api/v1/tasks/`` — ``POST``/``PATCH`` (the work team of the paired town), ``POST /{id}/act/`` (``report``: the
  team, with the report as ``comment``; ``accept``/``reopen``/``cancel``: the work team); ``?overdue=true``.
* ``/api/v1/flags/`` — read; ``POST /{id}/act/`` (``resolve`` a non-cooperation report: the town or the organizing
  S&T office); ``POST report/`` (``detail``: the work team reports that its team does not cooperate).
* ``/api/v1/condition-requests/`` — ``POST`` (the team: ``category``, ``title``, ``description``),
  ``POST /{id}/act/`` (``answer``: the town or the rural-revitalization offices; ``close``/``reopen``: the team).
* ``/api/v1/working-conditions/`` — read; ``POST`` (the town's work team records its team's conditions: created
  once, then updated), ``PUT``/``PATCH /{id}/``.

Records with a workflow have ``GET /{id}/actions/``, ``/transitions/`` and ``/history/``.
"""
from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Prefetch
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

from core import idempotency
from core.api import ConflictError, PasswordChanged, ScopedReadOnlyViewSet
from core.api import call_service as _call
from core.api import read_input as _input
from core.fields import COMMENT_MAX_CHARS
from core.roles import OFFICIAL_ROLES, TEAM_ROLES, Role, is_system_admin
from core.scoping import VIEW, restrict
from cycles.models import Cycle
from fieldwork import selectors, services
from fieldwork.choices import (ACTIVITY_WORKFLOW, FLAG_WORKFLOW, PHOTOS_MAX, REQUEST_WORKFLOW, STAY_WORKFLOW,
                               TASK_WORKFLOW, ConditionCategory, Provision, ServiceType)
from fieldwork.models import (COUNT_MAX, TEXT_MAX, Activity, ActivityPhoto, ConditionRequest, Flag, Stay, Task,
                              WorkingConditions)
from matching.choices import PairingStatus
from matching.models import Pairing
from projects.api import ID, PARSERS, ActInput, AmountField, StepSerializer, _create_once, _not_stale, _steps
from projects.models import Project
from regions.models import Town, Village
from teams.models import Commissioner, TeamMembership

TOWN_ROLES = frozenset({Role.TOWN})
LEVEL_HELP = "组织层级：province（省级）、city（市级）、county（县级）"
# Pairings whose stays count: the team works (or worked) in the town.
COUNTED_PAIRINGS = (PairingStatus.REGISTERED, PairingStatus.ACTIVE, PairingStatus.ENDED)
BULK_MAX = 500
# Who reads the stationed days: the officials, the towns, the teams and their units (each the pairings in scope).
DAYS_READERS = OFFICIAL_ROLES | TEAM_ROLES | {Role.TOWN, Role.UNIT}


def _choices_text(choices) -> str:
    return "、".join("%s（%s）" % (value, label) for value, label in choices)


def _invalid_choice(choices) -> dict:
    return {"invalid_choice": "应为 %s 之一。" % "、".join(value for value, _label in choices)}


def _allowed(user, roles, what: str) -> None:
    """The role gate of a create, before any id in the body is looked up (a wrong role learns nothing)."""
    if not (is_system_admin(user) or user.role in roles):
        raise PermissionDenied("您的角色不能%s。" % what)


def _found(queryset, pk, field: str, what: str, errors: dict):
    """A record named by id in the body: in the caller's reach, else an error on that field (no hint of what
    exists)."""
    if pk is None:
        return None
    record = queryset.filter(pk=pk).first()
    if record is None:
        errors.setdefault(field, []).append("%s不存在或不在您的管辖范围内。" % what)
    return record


def _raise(errors: dict) -> None:
    if errors:
        raise DRFValidationError(errors)


def _cycle_param(request):
    """``?cycle=<id>`` (default: the current cycle); a malformed or unknown id answers 400 on ``cycle``."""
    raw = (request.query_params.get("cycle") or "").strip()
    if not raw:
        return Cycle.current()
    cycle = Cycle.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    if cycle is None:
        raise DRFValidationError({"cycle": ["帮扶周期不存在。"]})
    return cycle


def _id_param(request, name: str) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise DRFValidationError({name: ["应为记录的 id（正整数）。"]})
    return int(raw)


def _act(viewset, request, pk, workflow, input_class, call):
    """A workflow step: ``{"action": …, "comment": …, "seen_status": …}`` on a record the caller reads; a record
    moved since (or a second click) answers 409, the service refuses a wrong role (403) or a missing reason (400)."""
    record = viewset._scoped(pk)
    data = _input(input_class, request)
    _not_stale(workflow, record, data["action"], request.user, data.get("seen_status"))
    record = _call(call, record=record, action=data["action"], comment=data["comment"])
    return Response(viewset._show(record))


class PairedSerializer(serializers.ModelSerializer):
    """What every fieldwork record shows of its pairing."""

    team_name = serializers.CharField(source="team.name", read_only=True)
    home_town_name = serializers.CharField(source="home_town.full_name", read_only=True, help_text="结对镇")


class StepsMixin:
    """``GET /{id}/actions/``: the steps the caller may take on the record now (the page's buttons)."""

    workflow = None

    @extend_schema(responses=StepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request, pk=None):
        """The steps the caller may take on this record now."""
        return Response(_steps(self.workflow, self.get_object(), request.user))


class FieldViewSet(StepsMixin, ScopedReadOnlyViewSet):
    parser_classes = PARSERS

    def _show(self, record) -> dict:
        return self.serializer_class(self.queryset.get(pk=record.pk), context=self.get_serializer_context()).data

    def _scoped(self, pk):
        return get_object_or_404(restrict(self.queryset.model.objects.all(), self.request.user, VIEW), pk=pk)


class RecordActInput(ActInput):
    action = serializers.ChoiceField(
        choices=[("confirm", "确认"), ("query", "询问退回"), ("resubmit", "修改后重新提交"), ("withdraw", "撤回")],
        error_messages={"invalid_choice": "操作应为 confirm、query、resubmit 或 withdraw。"})
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="询问退回、撤回时必填的理由")


class BulkConfirmInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(**ID), allow_empty=False, max_length=BULK_MAX,
                                help_text="要确认的记录 id（本镇待确认的）",
                                error_messages={"empty": "请先选择要确认的记录。"})


class BulkConfirmResultSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField(help_text="本次确认的条数")
    problems = serializers.ListField(child=serializers.CharField(), help_text="跳过的记录及原因")


def _bulk(request, model):
    data = _input(BulkConfirmInput, request)
    confirmed, problems = _call(services.bulk_confirm, actor=request.user, model=model, ids=data["ids"])
    return Response({"confirmed": confirmed, "problems": [str(problem) for problem in problems]})


class DateRangeFilter(django_filters.FilterSet):
    cross_town = django_filters.BooleanFilter(label="跨镇帮扶")


# ------------------------------------------------------------------------------------------------ activities
class PhotoSerializer(serializers.ModelSerializer):
    evidence_note = serializers.CharField(read_only=True,
                                          help_text="证据提示：处理中、无拍摄信息、拍摄时间早于活动日期；空为正常")
    photo_url = serializers.SerializerMethodField(help_text="照片地址（按权限提供）")
    thumbnail_url = serializers.SerializerMethodField(help_text="缩略图地址（处理完成前为原图）")

    class Meta:
        model = ActivityPhoto
        fields = ["id", "activity", "original_name", "size", "width", "height", "processed", "has_exif", "taken_at",
                  "latitude", "longitude", "taken_early", "evidence_note", "photo_url", "thumbnail_url", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_photo_url(self, photo):
        return reverse("fieldwork:photo", args=[photo.pk])

    @extend_schema_field(OpenApiTypes.STR)
    def get_thumbnail_url(self, photo):
        return reverse("fieldwork:photo_thumb", args=[photo.pk])


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ActivitySerializer(PairedSerializer):
    town_name = serializers.CharField(source="town.full_name", read_only=True, help_text="活动所在镇")
    place = serializers.CharField(read_only=True, help_text="镇和村（地点）")
    service_type_display = serializers.CharField(source="get_service_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True, default=None)
    task_title = serializers.CharField(source="task.title", read_only=True, default=None)
    participants = ParticipantSerializer(many=True, read_only=True)
    confirmed_by = serializers.StringRelatedField(read_only=True)
    created_by = serializers.StringRelatedField(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "pairing", "cycle", "team", "team_name", "home_town", "home_town_name", "town", "town_name",
                  "cross_town", "date", "village", "village_name", "place", "service_type", "service_type_display",
                  "project", "project_title", "task", "task_title", "title", "description", "participants",
                  "people_trained", "households_served", "enterprises_served", "technologies", "demo_area_mu",
                  "status", "status_display", "confirmed_at", "confirmed_by", "queried_at", "query_reason", "photos",
                  "created_by", "created_at", "updated_at"]
        read_only_fields = fields


def _count(label):
    return serializers.IntegerField(required=False, min_value=0, max_value=COUNT_MAX, help_text=label)


class ActivityInput(serializers.Serializer):
    """An activity's fields; on an edit only what is given changes (``participants`` given replaces the list)."""

    date = serializers.DateField(required=False, help_text="活动日期（不晚于今天，在帮扶周期内）")
    town = serializers.IntegerField(required=False, help_text="活动所在镇 id；默认结对镇，其他镇为跨镇帮扶", **ID)
    village = serializers.IntegerField(required=False, allow_null=True, help_text="行政村 id（属于活动所在镇）", **ID)
    village_name = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                         help_text="行政村不在列表中时填写的村或地点")
    service_type = serializers.ChoiceField(choices=ServiceType.choices, required=False,
                                           help_text="服务类型：%s" % _choices_text(ServiceType.choices),
                                           error_messages=_invalid_choice(ServiceType.choices))
    project = serializers.IntegerField(required=False, allow_null=True, help_text="所属帮扶项目 id", **ID)
    task = serializers.IntegerField(required=False, allow_null=True, help_text="落实的工作任务 id", **ID)
    title = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="活动名称")
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="活动内容")
    participants = serializers.ListField(child=serializers.IntegerField(**ID), required=False, max_length=50,
                                         help_text="参加成员（本团队特派员 id）")
    people_trained = _count("培训人数")
    households_served = _count("服务农户（户）")
    enterprises_served = _count("服务企业/合作社（家）")
    technologies = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                         help_text="引进推广技术或品种")
    demo_area_mu = AmountField(required=False, help_text="示范面积（亩），一位小数")
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=PHOTOS_MAX * 2,
                                   help_text="现场照片（multipart，JPG、PNG或WebP，每项活动最多%d张）" % PHOTOS_MAX)


class PhotoAddInput(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), allow_empty=False, max_length=PHOTOS_MAX * 2,
                                   help_text="现场照片（JPG、PNG或WebP）",
                                   error_messages={"empty": "请先选择或拍摄照片。"})


class ActivityFilter(DateRangeFilter):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="活动日期起")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="活动日期止")

    class Meta:
        model = Activity
        fields = ["cycle", "status", "town", "home_town", "team", "service_type", "cross_town", "project", "task"]


def _home_county(request, record=None):
    """The county of the paired town (of the record, else of the caller's team's working pairing): cross-town work
    (跨镇帮扶) is done in the paired town or another town of its county, as the pages offer."""
    if record is not None:
        return record.home_town.county_id
    if request.user.role in TEAM_ROLES and request.user.team_id:
        pairing = selectors.working_pairing_of_team(request.user.team_id)
        return pairing.town.county_id if pairing is not None else None
    return None


def _town(request, data, errors, record=None):
    """The town named in the body: the paired town or another of its county, else an error on ``town``."""
    county = _home_county(request, record)
    towns = Town.objects.filter(county_id=county).select_related("county") if county else Town.objects.none()
    town = towns.filter(pk=data["town"]).first()
    if town is None and county:
        errors.setdefault("town", []).append("所在镇应为结对镇或本县（市、区）的其他镇（跨镇帮扶）。")
    return town


def _activity_values(request, data: dict, activity=None) -> tuple[dict, list | None]:
    """The service's ``values`` and ``participants`` (None: not given) from the checked input, ids resolved."""
    user = request.user
    values = {key: value for key, value in data.items() if key not in ("town", "village", "project", "task",
                                                                         "participants", "photos")}
    errors: dict = {}
    if "town" in data:
        values["town"] = _town(request, data, errors, activity)
    if "village" in data:
        county = _home_county(request, activity)
        values["village"] = _found(Village.objects.filter(town__county_id=county), data["village"], "village",
                                   "行政村", errors)
    if "project" in data:
        values["project"] = _found(restrict(Project.objects.all(), user, VIEW), data["project"], "project",
                                   "帮扶项目", errors)
    if "task" in data:
        values["task"] = _found(restrict(Task.objects.all(), user, VIEW), data["task"], "task", "工作任务", errors)
    participants = None
    if "participants" in data:
        wanted = list(dict.fromkeys(data["participants"]))
        found = restrict(Commissioner.objects.all(), user, VIEW).filter(pk__in=wanted).in_bulk()
        missing = [str(pk) for pk in wanted if pk not in found]
        if missing:
            errors.setdefault("participants", []).append(
                "参加成员（id：%s）不存在或不在您的管辖范围内。" % "、".join(missing))
        participants = [found[pk] for pk in wanted if pk in found]
    _raise(errors)
    return values, participants


class ActivityViewSet(FieldViewSet):
    """Service activities in scope: the team's own, the paired town's and those done in the caller's town or county
    (cross-town work), the officials along the tree."""

    queryset = (Activity.objects.select_related("team", "home_town__county", "town__county", "village", "project",
                                                "task", "confirmed_by", "created_by")
                .prefetch_related("photos", Prefetch("participants", Commissioner.objects.order_by("name", "pk"))))
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    search_fields = ["title", "description", "team__name", "town__name", "village_name"]
    ordering_fields = ["date", "created_at", "confirmed_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    workflow = ACTIVITY_WORKFLOW

    @extend_schema(request={"application/json": ActivityInput, "multipart/form-data": ActivityInput},
                   responses={201: ActivitySerializer, 200: ActivitySerializer})
    def create(self, request):
        """A team member logs a service activity of their own team (photos checked here, processed in the
        background). With ``Idempotency-Key`` a repeat (a retry when back online) answers the first record."""
        _allowed(request.user, TEAM_ROLES, "填报服务活动")
        data = dict(_input(ActivityInput, request))
        photos = data.pop("photos", None) or []
        values, participants = _activity_values(request, data)
        return _create_once(request, Activity,
                            lambda: services.activity_save(actor=request.user, values=values,
                                                           participants=participants, photos=photos), self._show)

    @extend_schema(request={"application/json": ActivityInput, "multipart/form-data": ActivityInput},
                   responses=ActivitySerializer)
    def partial_update(self, request, pk=None):
        """The team edits an activity awaiting confirmation or queried (saving a queried one resubmits it)."""
        activity = self._scoped(pk)
        data = dict(_input(ActivityInput, request))
        photos = data.pop("photos", None) or []
        values, participants = _activity_values(request, data, activity)
        activity = _call(services.activity_save, actor=request.user, values=values, activity=activity,
                         participants=participants, photos=photos)
        return Response(self._show(activity))

    def _photos(self, activity) -> list:
        return PhotoSerializer(ActivityPhoto.objects.filter(activity=activity).order_by("pk"), many=True).data

    @extend_schema(methods=["GET"], request=None, responses=PhotoSerializer(many=True))
    @extend_schema(methods=["POST"], request={"multipart/form-data": PhotoAddInput},
                   responses={201: PhotoSerializer(many=True), 200: PhotoSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def photos(self, request, pk=None):
        """The activity's photos with their evidence (EXIF time and place, taken before the activity's date, no EXIF)
        and their scoped URLs; ``POST`` (multipart ``photos``): the team adds photos while it may change the
        activity. With ``Idempotency-Key`` a repeat adds nothing and answers the list."""
        activity = self._scoped(pk)
        if request.method != "POST":
            return Response(self._photos(activity))
        data = _input(PhotoAddInput, request)
        try:
            with transaction.atomic(), idempotency.once(request.user, idempotency.key_from(request)) as claim:
                _call(services.photo_add, actor=request.user, activity=activity, uploads=data["photos"])
                claim.done(activity)
        except idempotency.AlreadySubmitted as duplicate:
            earlier = idempotency.earlier_object(duplicate.earlier)
            if not isinstance(earlier, Activity) or earlier.pk != activity.pk:
                raise ConflictError("该请求已提交过（Idempotency-Key 重复）。")
            return Response(self._photos(activity), status=200, headers={"Idempotent-Replay": "true"})
        return Response(self._photos(activity), status=201)

    @extend_schema(request=RecordActInput, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "confirm"|"query"|"resubmit"|"withdraw", "comment": "…"}``: the work team of the town where
        it was done confirms or queries it (a reason); the team resubmits or withdraws it."""
        return _act(self, request, pk, ACTIVITY_WORKFLOW, RecordActInput,
                    lambda **kw: services.record_act(actor=request.user, **kw))

    @extend_schema(request=BulkConfirmInput, responses=BulkConfirmResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-confirm")
    def bulk_confirm(self, request):
        """The town's work team confirms many activities of its town at once (each its own step: one already handled
        or out of scope is skipped with the reason)."""
        return _bulk(request, Activity)


# ------------------------------------------------------------------------------------------------ stays
class StaySerializer(PairedSerializer):
    town_name = serializers.CharField(source="town.full_name", read_only=True, help_text="驻点所在镇")
    commissioner_name = serializers.CharField(source="commissioner.name", read_only=True)
    days = serializers.IntegerField(read_only=True, help_text="天数（含首尾）")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    confirmed_by = serializers.StringRelatedField(read_only=True)
    created_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Stay
        fields = ["id", "pairing", "cycle", "team", "team_name", "home_town", "home_town_name", "town", "town_name",
                  "cross_town", "commissioner", "commissioner_name", "start_date", "end_date", "days", "place",
                  "purpose", "status", "status_display", "confirmed_at", "confirmed_by", "queried_at", "query_reason",
                  "created_by", "created_at", "updated_at"]
        read_only_fields = fields


class StayInput(serializers.Serializer):
    commissioner = serializers.IntegerField(required=False, help_text="驻镇成员（本团队特派员 id；成员只能填本人）",
                                            **ID)
    town = serializers.IntegerField(required=False, help_text="驻点所在镇 id；默认结对镇", **ID)
    start_date = serializers.DateField(required=False, help_text="开始日期")
    end_date = serializers.DateField(required=False, help_text="结束日期（含当天；一次最多92天）")
    place = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="驻点地点")
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="驻镇事由")


class StayFilter(DateRangeFilter):
    date_from = django_filters.DateFilter(field_name="end_date", lookup_expr="gte", label="日期起（与之重叠）")
    date_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label="日期止（与之重叠）")

    class Meta:
        model = Stay
        fields = ["cycle", "status", "town", "home_town", "team", "commissioner", "cross_town"]


def _stay_values(request, data: dict, stay=None) -> dict:
    values = {key: value for key, value in data.items() if key not in ("commissioner", "town")}
    errors: dict = {}
    if "commissioner" in data:
        values["commissioner"] = _found(restrict(Commissioner.objects.all(), request.user, VIEW),
                                        data["commissioner"], "commissioner", "驻镇成员", errors)
    if "town" in data:
        values["town"] = _town(request, data, errors, stay)
    _raise(errors)
    return values


class StayViewSet(FieldViewSet):
    """Stays in scope (as activities): confirmed by the work team of the town where the member stayed."""

    queryset = Stay.objects.select_related("team", "home_town__county", "town__county", "commissioner",
                                           "confirmed_by", "created_by")
    serializer_class = StaySerializer
    filterset_class = StayFilter
    search_fields = ["place", "purpose", "commissioner__name", "team__name", "town__name"]
    ordering_fields = ["start_date", "end_date", "created_at", "confirmed_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    workflow = STAY_WORKFLOW

    @extend_schema(request=StayInput, responses={201: StaySerializer, 200: StaySerializer})
    def create(self, request):
        """A member records their own stay, the leader any member's (overlaps with a live stay of the same person,
        future dates and stays over 92 days are refused)."""
        _allowed(request.user, TEAM_ROLES, "填报驻镇时间")
        values = _stay_values(request, dict(_input(StayInput, request)))
        return _create_once(request, Stay, lambda: services.stay_save(actor=request.user, values=values), self._show)

    @extend_schema(request=StayInput, responses=StaySerializer)
    def partial_update(self, request, pk=None):
        """The team edits a stay awaiting confirmation or queried (saving a queried one resubmits it)."""
        stay = self._scoped(pk)
        values = _stay_values(request, dict(_input(StayInput, request)), stay)
        stay = _call(services.stay_save, actor=request.user, values=values, stay=stay)
        return Response(self._show(stay))

    @extend_schema(request=RecordActInput, responses=StaySerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "confirm"|"query"|"resubmit"|"withdraw", "comment": "…"}`` as for activities."""
        return _act(self, request, pk, STAY_WORKFLOW, RecordActInput,
                    lambda **kw: services.record_act(actor=request.user, **kw))

    @extend_schema(request=BulkConfirmInput, responses=BulkConfirmResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-confirm")
    def bulk_confirm(self, request):
        """The town's work team confirms many stays of its town at once."""
        return _bulk(request, Stay)


# ------------------------------------------------------------------------------------------------ stationed days
class MemberDaysSerializer(serializers.Serializer):
    commissioner = serializers.IntegerField()
    name = serializers.CharField()
    own_days = serializers.IntegerField(help_text="在结对镇驻镇天数")
    cross_days = serializers.IntegerField(help_text="仅在其他镇（跨镇帮扶）的天数")
    all_days = serializers.IntegerField(help_text="驻镇总天数（同一天只计一次）")
    counted_days = serializers.IntegerField(help_text="计入要求的天数")


class TeamDaysSerializer(serializers.Serializer):
    pairing = serializers.IntegerField()
    cycle = serializers.IntegerField()
    team = serializers.IntegerField()
    team_name = serializers.CharField()
    town = serializers.IntegerField(help_text="结对镇 id")
    town_name = serializers.CharField()
    required = serializers.IntegerField(help_text="帮扶周期要求的驻镇天数（人·天）")
    own_days = serializers.IntegerField(help_text="已确认：在结对镇的天数")
    cross_days = serializers.IntegerField(help_text="已确认：仅在其他镇的天数")
    all_days = serializers.IntegerField(help_text="已确认：总天数")
    counted_days = serializers.IntegerField(help_text="计入要求的天数（跨镇天数是否计入按周期设置）")
    percent = serializers.IntegerField(help_text="完成比例（%）")
    expected_now = serializers.IntegerField(help_text="按时间进度此时应达到的天数")
    behind = serializers.BooleanField(help_text="进度滞后")
    shortfall = serializers.IntegerField(help_text="距要求尚差天数")
    per_month = serializers.FloatField(help_text="剩余时间内每月需驻镇天数")
    members = MemberDaysSerializer(many=True)


class StationedDaysViewSet(viewsets.ViewSet):
    """Confirmed stationed days of a cycle (``?cycle=id``, default the current one) per pairing in scope, against the
    requirement, with each member's share; ``?town=``, ``?team=`` narrow it. Counted per person per calendar day (the
    stays of each pairing), in one query for every pairing."""

    permission_classes = [PasswordChanged]

    @extend_schema(parameters=[OpenApiParameter("cycle", OpenApiTypes.INT, description="帮扶周期 id（默认当前周期）"),
                               OpenApiParameter("town", OpenApiTypes.INT, description="结对镇 id"),
                               OpenApiParameter("team", OpenApiTypes.INT, description="团队 id")],
                   responses=TeamDaysSerializer(many=True))
    def list(self, request):
        user = request.user
        if not (is_system_admin(user) or user.role in DAYS_READERS):
            raise PermissionDenied("您的角色不能查看驻镇天数。")
        cycle = _cycle_param(request)
        town, team = _id_param(request, "town"), _id_param(request, "team")
        if cycle is None:
            return Response([])
        pairings = restrict(Pairing.objects.filter(cycle=cycle, status__in=COUNTED_PAIRINGS), user, VIEW)
        if town:
            pairings = pairings.filter(town_id=town)
        if team:
            pairings = pairings.filter(team_id=team)
        pairings = list(pairings.select_related("team", "town__county").order_by("town__code", "pk"))
        team_ids = {pairing.team_id for pairing in pairings}
        # Per pairing: a town reads its own pairing's days, not those its team spent in a town it left.
        days = selectors.stationed_days(cycle, pairing_ids=[pairing.pk for pairing in pairings], by="pairing")
        names: dict = {}
        members: dict = {}
        for membership in (TeamMembership.objects.filter(team_id__in=team_ids).select_related("commissioner")
                           .order_by("-role", "commissioner__name", "pk")):
            names[membership.commissioner_id] = membership.commissioner.name
            members.setdefault(membership.team_id, []).append(membership.commissioner_id)
        others = {person for team_days in days.values() for person in team_days.people} - set(names)
        names.update(Commissioner.objects.filter(pk__in=others).values_list("pk", "name"))
        today = timezone.localdate()
        rows = []
        for pairing in pairings:
            team_days = days.get(pairing.pk) or selectors.TeamDays()
            since = pairing.active_from or (timezone.localtime(pairing.registered_at).date()
                                            if pairing.registered_at else None)
            pace = selectors.pace(cycle, team_days, today=today, since=since)
            people = list(members.get(pairing.team_id, []))
            people += sorted((person for person in team_days.people if person not in people),
                             key=lambda person: names.get(person, ""))
            rows.append({
                "pairing": pairing.pk, "cycle": cycle.pk, "team": pairing.team_id, "team_name": pairing.team.name,
                "town": pairing.town_id, "town_name": pairing.town.full_name, "required": pace.required,
                "own_days": team_days.own, "cross_days": team_days.cross, "all_days": team_days.all,
                "counted_days": pace.counted, "percent": pace.percent, "expected_now": pace.expected_now,
                "behind": pace.behind, "shortfall": pace.shortfall, "per_month": pace.per_month,
                "members": [_member_row(person, names.get(person, ""), team_days, cycle) for person in people],
            })
        return Response(TeamDaysSerializer(rows, many=True).data)


def _member_row(person, name, team_days, cycle) -> dict:
    share = team_days.people.get(person) or selectors.PersonDays()
    return {"commissioner": person, "name": name, "own_days": share.own, "cross_days": share.cross,
            "all_days": share.all, "counted_days": share.all if cycle.cross_town_days_count else share.own}


# ------------------------------------------------------------------------------------------------ tasks
class TaskSerializer(PairedSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="已过完成期限仍未完成")
    created_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "pairing", "cycle", "team", "team_name", "home_town", "home_town_name", "title",
                  "description", "due_date", "status", "status_display", "overdue", "report", "reported_at",
                  "done_at", "created_by", "created_at", "updated_at"]
        read_only_fields = fields

    def get_overdue(self, task) -> bool:
        return task.status in selectors.OPEN_TASK_STATES and task.due_date < timezone.localdate()


class TaskInput(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="任务")
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="任务要求")
    due_date = serializers.DateField(required=False, help_text="完成期限（不早于今天，在帮扶周期内）")


class TaskActInput(ActInput):
    action = serializers.ChoiceField(
        choices=[("report", "报告完成情况"), ("accept", "确认完成"), ("reopen", "退回继续办理"), ("cancel", "取消任务")],
        error_messages={"invalid_choice": "操作应为 report、accept、reopen 或 cancel。"})
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="报告时为完成情况；退回、取消时为理由（必填）")


class TaskFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已逾期")

    class Meta:
        model = Task
        fields = ["cycle", "status", "team", "home_town", "pairing"]

    def filter_overdue(self, queryset, name, value):
        late = selectors.overdue_tasks(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class TaskViewSet(FieldViewSet):
    """The work team's tasks for its team (the paired town's work team writes them; the team reports)."""

    queryset = Task.objects.select_related("team", "home_town__county", "created_by")
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    search_fields = ["title", "description", "team__name"]
    ordering_fields = ["due_date", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    workflow = TASK_WORKFLOW

    @extend_schema(request=TaskInput, responses={201: TaskSerializer, 200: TaskSerializer})
    def create(self, request):
        """The town's work team gives its team a task (what, by when)."""
        _allowed(request.user, TOWN_ROLES, "布置工作任务")
        data = dict(_input(TaskInput, request))
        return _create_once(request, Task, lambda: services.task_save(actor=request.user, values=data), self._show)

    @extend_schema(request=TaskInput, responses=TaskSerializer)
    def partial_update(self, request, pk=None):
        """The work team edits a task still open."""
        task = self._scoped(pk)
        data = dict(_input(TaskInput, request))
        task = _call(services.task_save, actor=request.user, values=data, task=task)
        return Response(self._show(task))

    @extend_schema(request=TaskActInput, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "report"|"accept"|"reopen"|"cancel", "comment": "…"}``: the team reports (the comment is the
        report); the work team accepts, sends it back or cancels it."""
        return _act(self, request, pk, TASK_WORKFLOW, TaskActInput,
                    lambda record, **kw: services.task_act(actor=request.user, task=record, **kw))


# ------------------------------------------------------------------------------------------------ flags
class FlagSerializer(PairedSerializer):
    organizer_level = serializers.CharField(read_only=True, help_text=LEVEL_HELP)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Flag
        fields = ["id", "pairing", "cycle", "team", "team_name", "home_town", "home_town_name", "organizer_level",
                  "kind", "kind_display", "status", "status_display", "detail", "opened_at", "closed_at",
                  "created_at", "updated_at"]
        read_only_fields = fields


class FlagActInput(ActInput):
    action = serializers.ChoiceField(choices=[("resolve", "处理完毕，解除预警")],
                                     error_messages={"invalid_choice": "操作应为 resolve（其他预警原因消除后自动解除）。"})
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="处理情况（必填）")


class FlagReportInput(serializers.Serializer):
    detail = serializers.CharField(allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                   help_text="团队不配合的具体情况（时间、事项、经过），不超过500字")


class FlagViewSet(FieldViewSet):
    """Compliance flags in scope: raised and closed by the monitor, or a work team's non-cooperation report."""

    queryset = Flag.objects.select_related("team", "home_town__county")
    serializer_class = FlagSerializer
    filterset_fields = ["cycle", "status", "kind", "team", "home_town", "organizer_level"]
    search_fields = ["detail", "team__name", "home_town__name"]
    ordering_fields = ["opened_at", "closed_at"]
    http_method_names = ["get", "post", "head", "options"]
    workflow = FLAG_WORKFLOW

    @extend_schema(request=FlagReportInput, responses={201: FlagSerializer, 200: FlagSerializer})
    @action(detail=False, methods=["post"])
    def report(self, request):
        """The town's work team reports that its team does not cooperate: the team, its unit and the organizing S&T
        office are told; the organizer or the town resolves it."""
        _allowed(request.user, TOWN_ROLES, "反映团队不配合情况")
        data = _input(FlagReportInput, request)
        return _create_once(request, Flag, lambda: services.flag_report(actor=request.user, detail=data["detail"]),
                            self._show)

    @extend_schema(request=FlagActInput, responses=FlagSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "resolve", "comment": "…"}``: a non-cooperation report handled (the monitor's flags close
        themselves)."""
        return _act(self, request, pk, FLAG_WORKFLOW, FlagActInput,
                    lambda record, **kw: services.flag_act(actor=request.user, flag=record, **kw))


# ------------------------------------------------------------------------------------------------ requests
class RequestSerializer(PairedSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    answered_by = serializers.StringRelatedField(read_only=True)
    created_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = ConditionRequest
        fields = ["id", "pairing", "cycle", "team", "team_name", "home_town", "home_town_name", "category",
                  "category_display", "title", "description", "status", "status_display", "answer", "answered_by",
                  "answered_at", "closed_at", "created_by", "created_at", "updated_at"]
        read_only_fields = fields


class RequestInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=ConditionCategory.choices, required=False,
                                       help_text="问题类别：%s" % _choices_text(ConditionCategory.choices),
                                       error_messages=_invalid_choice(ConditionCategory.choices))
    title = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="问题")
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="具体情况")


class RequestActInput(ActInput):
    action = serializers.ChoiceField(
        choices=[("answer", "答复"), ("close", "问题已解决，办结"), ("reopen", "仍未解决，继续反映")],
        error_messages={"invalid_choice": "操作应为 answer、close 或 reopen。"})
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="答复内容；继续反映时为理由（必填）")


class ConditionRequestViewSet(FieldViewSet):
    """The team's requests about its working conditions or its work, answered by the town and the rural offices."""

    queryset = ConditionRequest.objects.select_related("team", "home_town__county", "answered_by", "created_by")
    serializer_class = RequestSerializer
    filterset_fields = ["cycle", "status", "category", "team", "home_town"]
    search_fields = ["title", "description", "team__name"]
    ordering_fields = ["created_at", "answered_at"]
    http_method_names = ["get", "post", "head", "options"]
    workflow = REQUEST_WORKFLOW

    @extend_schema(request=RequestInput, responses={201: RequestSerializer, 200: RequestSerializer})
    def create(self, request):
        """The team raises a problem (category, title, description); the town and the rural offices are told."""
        _allowed(request.user, TEAM_ROLES, "反映问题")
        data = dict(_input(RequestInput, request))
        return _create_once(request, ConditionRequest,
                            lambda: services.request_save(actor=request.user, values=data), self._show)

    @extend_schema(request=RequestActInput, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "answer"|"close"|"reopen", "comment": "…"}``: the town or a rural office answers; the team
        closes it or raises it again."""
        return _act(self, request, pk, REQUEST_WORKFLOW, RequestActInput,
                    lambda record, **kw: services.request_act(actor=request.user, request=record, **kw))


# ------------------------------------------------------------------------------------------------ conditions
def _provision(label):
    return serializers.ChoiceField(choices=Provision.choices, required=False,
                                   help_text="%s：%s" % (label, _choices_text(Provision.choices)),
                                   error_messages=_invalid_choice(Provision.choices))


def _note(label):
    return serializers.CharField(required=False, allow_blank=True, max_length=200, help_text=label)


class ConditionsSerializer(PairedSerializer):
    office_display = serializers.CharField(source="get_office_display", read_only=True)
    lodging_display = serializers.CharField(source="get_lodging_display", read_only=True)
    transport_display = serializers.CharField(source="get_transport_display", read_only=True)
    meals_display = serializers.CharField(source="get_meals_display", read_only=True)

    class Meta:
        model = WorkingConditions
        fields = ["id", "pairing", "cycle", "team", "team_name", "home_town", "home_town_name", "office",
                  "office_display", "office_note", "lodging", "lodging_display", "lodging_note", "transport",
                  "transport_display", "transport_note", "meals", "meals_display", "meals_note", "note",
                  "created_at", "updated_at"]
        read_only_fields = fields


class ConditionsInput(serializers.Serializer):
    office = _provision("办公场所")
    office_note = _note("办公场所说明")
    lodging = _provision("住宿")
    lodging_note = _note("住宿说明")
    transport = _provision("交通")
    transport_note = _note("交通说明")
    meals = _provision("就餐")
    meals_note = _note("就餐说明")
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="其他保障")


class WorkingConditionsViewSet(ScopedReadOnlyViewSet):
    """The working conditions each town provides its team (one record per pairing), recorded by its work team."""

    queryset = WorkingConditions.objects.select_related("team", "home_town__county")
    serializer_class = ConditionsSerializer
    parser_classes = PARSERS
    filterset_fields = ["cycle", "team", "home_town", "office", "lodging", "transport", "meals"]
    search_fields = ["team__name", "home_town__name", "note"]
    ordering_fields = ["updated_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _show(self, conditions) -> dict:
        return ConditionsSerializer(self.queryset.get(pk=conditions.pk), context=self.get_serializer_context()).data

    @extend_schema(request=ConditionsInput, responses={201: ConditionsSerializer, 200: ConditionsSerializer})
    def create(self, request):
        """The town's work team records its team's working conditions (the first time creates the record, later
        posts update it: 201 then 200)."""
        _allowed(request.user, TOWN_ROLES, "登记工作条件")
        data = dict(_input(ConditionsInput, request))
        if not data:
            raise DRFValidationError({"non_field_errors": ["请至少填写一项工作条件。"]})
        pairing = selectors.working_pairing_of_town(request.user.town_id)
        existed = pairing is not None and WorkingConditions.objects.filter(pairing=pairing).exists()
        conditions = _call(services.conditions_save, actor=request.user, values=data)
        return Response(self._show(conditions), status=200 if existed else 201)

    @extend_schema(request=ConditionsInput, responses=ConditionsSerializer)
    def update(self, request, pk=None, partial=False):
        """The town's work team changes the conditions (only the fields given change)."""
        conditions = get_object_or_404(restrict(WorkingConditions.objects.all(), request.user, VIEW), pk=pk)
        data = dict(_input(ConditionsInput, request))
        conditions = _call(services.conditions_save, actor=request.user, values=data, conditions=conditions)
        return Response(self._show(conditions))

    @extend_schema(request=ConditionsInput, responses=ConditionsSerializer)
    def partial_update(self, request, pk=None):
        """As ``PUT``: the fields given change."""
        return self.update(request, pk=pk, partial=True)


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("activities", ActivityViewSet)
    router.register("stays", StayViewSet)
    router.register("stationed-days", StationedDaysViewSet, basename="stationed-days")
    router.register("tasks", TaskViewSet)
    router.register("flags", FlagViewSet)
    router.register("condition-requests", ConditionRequestViewSet)
    router.register("working-conditions", WorkingConditionsViewSet)
