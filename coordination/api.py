"""API of coordination, scoped like the pages (towns, teams, units and experts reach nothing; out of scope: 404).
Writes hand the checked types to ``coordination.services``: their ``ValidationError`` answers 400 with the field keys
and Chinese messages, ``PermissionDenied`` 403, a step someone else took first 409.

* ``/api/v1/coordination-groups/`` — read; ``POST`` (the city S&T bureau its city's group, a county S&T department
  its county's: ``name``, ``duties``, ``established_on``, ``document_number``; the administrator adds ``city`` or
  ``county``), ``PATCH /{id}/`` (that S&T office).
* ``/api/v1/group-members/`` — ``?group=``; ``POST`` (``group`` and the member's fields: the group's level's S&T and
  rural offices), ``PATCH /{id}/``. The phone is masked unless the caller keeps the group.
* ``/api/v1/meetings/`` — ``?group=``; ``POST``/``PATCH`` (``attendees``: ids of the group's members); documents are
  listed with their scoped download URLs and added with ``POST /{id}/documents/`` (multipart ``documents``).
* ``/api/v1/follow-ups/`` — ``?group=``, ``?status=``, ``?owner=``, ``?overdue=true``; ``POST``/``PATCH``,
  ``POST /{id}/act/`` (``complete`` with the completion note as ``comment``: the offices or the owner's own account;
  ``cancel``/``reopen``: the offices), ``GET /{id}/actions/``, ``/transitions/``, ``/history/``.
"""
from __future__ import annotations

import django_filters
from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from coordination import selectors, services
from coordination.choices import FOLLOW_UP_WORKFLOW, OFFICES, FollowUpStatus, MemberRole
from coordination.models import TEXT_MAX, FollowUp, Group, GroupMember, Meeting
from core import idempotency
from core.api import ConflictError, ScopedReadOnlyViewSet
from core.api import call_service as _call
from core.api import read_input as _input
from core.china import mask_phone
from core.fields import COMMENT_MAX_CHARS
from core.roles import is_system_admin
from core.scoping import CHANGE, VIEW, can, restrict
from core.workflow import action_choices
from regions.models import City, County

ID = {"min_value": 1, "max_value": 2**63 - 1}
PARSERS = [JSONParser, FormParser, MultiPartParser]


def _allowed(user, roles, what: str) -> None:
    if not (is_system_admin(user) or user.role in roles):
        raise PermissionDenied("您的角色不能%s。" % what)


def _found(queryset, pk, field: str, what: str, errors: dict):
    """A record named by id in the body: in the caller's reach, else an error on that field (no hint of what exists)."""
    if pk is None:
        return None
    record = queryset.filter(pk=pk).first()
    if record is None:
        errors.setdefault(field, []).append("%s不存在或不在您的管辖范围内。" % what)
    return record


def _raise(errors: dict) -> None:
    if errors:
        raise DRFValidationError(errors)


def _create_once(request, model, make, show):
    """``make()`` once per ``Idempotency-Key``: a retried request gets the first record (200) instead of a second."""
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


class _Base(ScopedReadOnlyViewSet):
    parser_classes = PARSERS

    def _show(self, record) -> dict:
        return self.serializer_class(self.queryset.get(pk=record.pk), context=self.get_serializer_context()).data

    def _scoped(self, pk, action_name=VIEW):
        return get_object_or_404(restrict(self.queryset.model.objects.all(), self.request.user, action_name), pk=pk)

    def _group(self, pk, errors):
        """The group named in a create: one the caller reads (else 400 on ``group``); the service checks it keeps it."""
        if pk is None:
            errors.setdefault("group", []).append("请选择协调指导小组。")
            return None
        return _found(restrict(Group.objects.all(), self.request.user), pk, "group", "协调指导小组", errors)


# ------------------------------------------------------------------------------------------------ groups
class GroupSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    city_name = serializers.CharField(source="city.name", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True, default="")

    class Meta:
        model = Group
        fields = ["id", "level", "level_display", "city", "city_name", "county", "county_name", "name", "duties",
                  "established_on", "document_number", "created_at", "updated_at"]
        read_only_fields = fields


class GroupInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="名称")
    duties = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, help_text="工作职责")
    established_on = serializers.DateField(required=False, allow_null=True, help_text="成立日期")
    document_number = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="成立文号")
    city = serializers.IntegerField(required=False, allow_null=True, help_text="市（仅系统管理员建立市级小组时）", **ID)
    county = serializers.IntegerField(required=False, allow_null=True, help_text="县（仅系统管理员建立县级机制时）", **ID)


class GroupViewSet(_Base):
    """The city's coordination and guidance group and the counties' coordination mechanisms."""

    queryset = Group.objects.select_related("city", "county")
    serializer_class = GroupSerializer
    filterset_fields = ["level", "county"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=GroupInput, responses={201: GroupSerializer, 200: GroupSerializer})
    def create(self, request):
        """The S&T office sets up its level's group (one per city, one per county)."""
        _allowed(request.user, services.GROUP_CREATORS, "建立协调指导小组")
        data = dict(_input(GroupInput, request))
        errors: dict = {}
        if is_system_admin(request.user):
            data["city"] = _found(City.objects.all(), data.get("city"), "city", "市", errors)
            data["county"] = _found(County.objects.all(), data.get("county"), "county", "县（市、区）", errors)
        _raise(errors)
        return _create_once(request, Group, lambda: services.group_save(actor=request.user, values=data), self._show)

    @extend_schema(request=GroupInput, responses=GroupSerializer)
    def partial_update(self, request, pk=None):
        group = self._scoped(pk)
        data = {k: v for k, v in _input(GroupInput, request).items() if k in services.GROUP_FIELDS}
        return Response(self._show(_call(services.group_save, actor=request.user, values=data, group=group)))


# ------------------------------------------------------------------------------------------------ members
class GroupMemberSerializer(serializers.ModelSerializer):
    role_in_group_display = serializers.CharField(source="get_role_in_group_display", read_only=True)
    phone = serializers.SerializerMethodField(help_text="联系电话（非本级科技、乡村振兴部门显示为掩码）")

    class Meta:
        model = GroupMember
        fields = ["id", "group", "name", "organization", "position", "role_in_group", "role_in_group_display",
                  "phone", "user", "active", "left_on", "created_at", "updated_at"]
        read_only_fields = fields

    def get_phone(self, member) -> str:
        request = self.context.get("request")
        if not member.phone:
            return ""
        # One check per group, not per row: a list of 50 members of one group asks once.
        seen = self.context.setdefault("_sees_phone", {})
        if member.group_id not in seen:
            seen[member.group_id] = request is not None and selectors.sees_phone(request.user, member.group)
        return member.phone if seen[member.group_id] else mask_phone(member.phone)


class GroupMemberInput(serializers.Serializer):
    group = serializers.IntegerField(required=False, help_text="协调指导小组 id（新增时必填）", **ID)
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    organization = serializers.CharField(required=False, allow_blank=True, max_length=100)
    position = serializers.CharField(required=False, allow_blank=True, max_length=50)
    role_in_group = serializers.ChoiceField(choices=MemberRole.choices, required=False, error_messages={
        "invalid_choice": "小组职务应为 leader、deputy、member 或 liaison。"})
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    user = serializers.IntegerField(required=False, allow_null=True, help_text="关联的平台账号 id", **ID)
    active = serializers.BooleanField(required=False)
    left_on = serializers.DateField(required=False, allow_null=True)


def _member_values(request, data: dict, errors: dict) -> dict:
    from accounts.models import User

    values = {k: v for k, v in data.items() if k in services.MEMBER_FIELDS}
    if "user" in data:
        values["user"] = _found(User.objects.filter(role__in=OFFICES), data["user"], "user", "平台账号", errors) \
            if data["user"] else None
    return values


class MemberViewSet(_Base):
    """Members of the groups in scope."""

    queryset = GroupMember.objects.select_related("group")
    serializer_class = GroupMemberSerializer
    filterset_fields = ["group", "active", "role_in_group"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=GroupMemberInput, responses={201: GroupMemberSerializer, 200: GroupMemberSerializer})
    def create(self, request):
        _allowed(request.user, OFFICES, "登记小组成员")
        data = dict(_input(GroupMemberInput, request))
        errors: dict = {}
        group = self._group(data.get("group"), errors)
        values = _member_values(request, data, errors)
        _raise(errors)
        return _create_once(request, GroupMember,
                            lambda: services.member_save(actor=request.user, values=values, group=group), self._show)

    @extend_schema(request=GroupMemberInput, responses=GroupMemberSerializer)
    def partial_update(self, request, pk=None):
        member = self._scoped(pk)
        errors: dict = {}
        values = _member_values(request, dict(_input(GroupMemberInput, request)), errors)
        _raise(errors)
        return Response(self._show(_call(services.member_save, actor=request.user, values=values, member=member)))


# ------------------------------------------------------------------------------------------------ meetings
class MeetingSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    documents = serializers.SerializerMethodField(help_text="会议文件（名称与按权限下载的地址）")

    class Meta:
        model = Meeting
        fields = ["id", "group", "group_name", "date", "place", "title", "attendees", "other_attendees", "agenda",
                  "decisions", "documents", "created_at", "updated_at"]
        read_only_fields = fields

    def get_documents(self, meeting) -> list:
        return [{"id": d.pk, "name": d.name, "size": d.size, "url": reverse("coordination:document", args=[d.pk])}
                for d in meeting.documents.all()]


class CoordinationMeetingInput(serializers.Serializer):
    group = serializers.IntegerField(required=False, help_text="协调指导小组 id（新增时必填）", **ID)
    date = serializers.DateField(required=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    title = serializers.CharField(required=False, allow_blank=True, max_length=100)
    attendees = serializers.ListField(child=serializers.IntegerField(**ID), required=False, max_length=200,
                                      help_text="出席成员（本小组成员 id）")
    other_attendees = serializers.CharField(required=False, allow_blank=True, max_length=500)
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    decisions = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class DocumentsInput(serializers.Serializer):
    documents = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=services.DOCUMENTS_MAX,
                                      error_messages={"min_length": "请选择要上传的文件。"})


def _attendees(request, data, errors):
    if "attendees" not in data:
        return None
    ids = list(dict.fromkeys(data["attendees"]))
    found = list(restrict(GroupMember.objects.filter(pk__in=ids), request.user))
    if len(found) != len(ids):
        errors.setdefault("attendees", []).append("出席成员不存在或不在您的管辖范围内。")
    return found


class MeetingViewSet(_Base):
    """Meetings of the groups in scope, with their documents."""

    queryset = Meeting.objects.select_related("group").prefetch_related("attendees", "documents")
    serializer_class = MeetingSerializer
    filterset_fields = ["group"]
    search_fields = ["title", "agenda", "decisions"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=CoordinationMeetingInput, responses={201: MeetingSerializer, 200: MeetingSerializer})
    def create(self, request):
        _allowed(request.user, OFFICES, "记录小组会议")
        data = dict(_input(CoordinationMeetingInput, request))
        errors: dict = {}
        group = self._group(data.get("group"), errors)
        attendees = _attendees(request, data, errors)
        _raise(errors)
        values = {k: v for k, v in data.items() if k in services.MEETING_FIELDS}
        return _create_once(request, Meeting, lambda: services.meeting_save(
            actor=request.user, values=values, group=group, attendees=attendees), self._show)

    @extend_schema(request=CoordinationMeetingInput, responses=MeetingSerializer)
    def partial_update(self, request, pk=None):
        meeting = self._scoped(pk)
        data = dict(_input(CoordinationMeetingInput, request))
        errors: dict = {}
        attendees = _attendees(request, data, errors)
        _raise(errors)
        values = {k: v for k, v in data.items() if k in services.MEETING_FIELDS}
        meeting = _call(services.meeting_save, actor=request.user, values=values, meeting=meeting, attendees=attendees)
        return Response(self._show(meeting))

    @extend_schema(request=DocumentsInput, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        """Add documents (multipart ``documents``: PDF, Word or images, checked by content)."""
        meeting = self._scoped(pk)
        uploads = request.FILES.getlist("documents")
        if not uploads:
            raise DRFValidationError({"documents": ["请选择要上传的文件。"]})
        _call(services.document_add, actor=request.user, meeting=meeting, uploads=uploads)
        return Response(self._show(meeting))


# ------------------------------------------------------------------------------------------------ follow-ups
class FollowUpSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    owner_name = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="已过完成期限仍在办理中")

    class Meta:
        model = FollowUp
        fields = ["id", "group", "group_name", "meeting", "title", "detail", "owner", "owner_text", "owner_name",
                  "owner_organization", "due_date", "status", "status_display", "overdue", "completion_note",
                  "done_at", "cancelled_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_overdue(self, item) -> bool:
        return item.is_overdue()


class FollowUpInput(serializers.Serializer):
    group = serializers.IntegerField(required=False, help_text="协调指导小组 id（新增时必填）", **ID)
    meeting = serializers.IntegerField(required=False, allow_null=True, help_text="来源会议 id（会外交办不填）", **ID)
    title = serializers.CharField(required=False, allow_blank=True, max_length=100)
    detail = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    owner = serializers.IntegerField(required=False, allow_null=True, help_text="责任人（本小组成员 id）", **ID)
    owner_text = serializers.CharField(required=False, allow_blank=True, max_length=50)
    owner_organization = serializers.CharField(required=False, allow_blank=True, max_length=100)
    due_date = serializers.DateField(required=False)


class FollowUpActInput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[("complete", "办结"), ("cancel", "撤销"), ("reopen", "重新督办")],
        error_messages={"invalid_choice": "操作应为 complete、cancel 或 reopen。"})
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="办结时为办理情况，撤销、重新督办时为理由（均必填）")
    seen_status = serializers.CharField(required=False, allow_blank=True, max_length=16,
                                        help_text="可选：操作时看到的状态；状态已变时返回409")


class FollowUpFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已逾期")

    class Meta:
        model = FollowUp
        fields = ["group", "status", "owner", "meeting"]

    def filter_overdue(self, queryset, name, value):
        late = selectors.overdue(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))


def _follow_up_values(request, data, errors) -> dict:
    values = {k: v for k, v in data.items() if k in services.FOLLOW_UP_FIELDS}
    if "meeting" in data:
        values["meeting"] = _found(restrict(Meeting.objects.all(), request.user), data["meeting"], "meeting",
                                   "来源会议", errors) if data["meeting"] else None
    if "owner" in data:
        values["owner"] = _found(restrict(GroupMember.objects.all(), request.user), data["owner"], "owner",
                                 "责任人", errors) if data["owner"] else None
    return values


class FollowUpViewSet(_Base):
    """Follow-up items (督办事项) of the groups in scope; an owner with a linked account reads their own."""

    queryset = FollowUp.objects.select_related("group", "owner", "meeting")
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    search_fields = ["title", "detail", "owner_text", "owner__name"]
    ordering_fields = ["due_date", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=FollowUpInput, responses={201: FollowUpSerializer, 200: FollowUpSerializer})
    def create(self, request):
        _allowed(request.user, OFFICES, "交办督办事项")
        data = dict(_input(FollowUpInput, request))
        errors: dict = {}
        group = self._group(data.get("group"), errors)
        values = _follow_up_values(request, data, errors)
        _raise(errors)
        return _create_once(request, FollowUp, lambda: services.follow_up_save(
            actor=request.user, values=values, group=group), self._show)

    @extend_schema(request=FollowUpInput, responses=FollowUpSerializer)
    def partial_update(self, request, pk=None):
        item = self._scoped(pk)
        errors: dict = {}
        values = _follow_up_values(request, dict(_input(FollowUpInput, request)), errors)
        _raise(errors)
        return Response(self._show(_call(services.follow_up_save, actor=request.user, values=values, item=item)))

    @extend_schema(request=FollowUpActInput, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "complete"|"cancel"|"reopen", "comment": "…"}``."""
        item = self._scoped(pk)
        data = _input(FollowUpActInput, request)
        seen = data.get("seen_status")
        step = FOLLOW_UP_WORKFLOW[data["action"]]
        if can(request.user, item, CHANGE) and ((seen and seen != item.status)
                                                 or (item.status == step.target and item.status not in step.sources)):
            raise ConflictError("该记录已被他人处理（当前状态为“%s”），请刷新后查看。" % item.get_status_display())
        item = _call(services.follow_up_act, actor=request.user, item=item, action=data["action"],
                     comment=data["comment"])
        return Response(self._show(item))

    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def actions(self, request, pk=None):
        """The steps the caller may take on this item now (the page's buttons)."""
        item = self.get_object()
        if not can(request.user, item, CHANGE) or item.status == FollowUpStatus.CANCELLED:
            return Response([])
        keeper = selectors.keeps(request.user, item.group)
        return Response([{"action": name, "label": str(step.label), "needs_comment": step.needs_comment,
                          "refusal": refusal} for name, step, refusal in action_choices(FOLLOW_UP_WORKFLOW, item,
                                                                                         request.user)
                         if keeper or name == "complete"])


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("coordination-groups", GroupViewSet)
    router.register("group-members", MemberViewSet)
    router.register("meetings", MeetingViewSet)
    router.register("follow-ups", FollowUpViewSet)
