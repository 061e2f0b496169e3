"""API of adjustment and replacement (调整更换), scoped like the pages.

Reads go through :func:`core.scoping.restrict` (out of scope: 404). Writes hand the checked types to
``replacements.services``, which check role and scope before saving: their ``ValidationError`` answers 400 with the
field keys and Chinese messages, their ``PermissionDenied`` 403; a step someone else already took answers 409.

* ``/api/v1/cases/`` — ``?status=``, ``?cause=``, ``?decision=``, ``?cycle=``, ``?team=``, ``?home_town=``;
  ``POST`` (the organizer of the town: ``pairing``, ``cause``, ``summary``, ``answer_due``, ``flags``; multipart
  ``files``; ``Idempotency-Key``), ``POST /{id}/answer/`` (the team's leader: ``answer``, ``files``),
  ``POST /{id}/decide/`` (the organizer: ``decision``, ``reason``, ``doc_number``, ``end_date``, ``new_team`` or
  ``via_new_call``, ``funding_action``, ``settlements`` as ``{grant id: amount}``), ``POST /{id}/act/``
  (``withdraw`` with ``comment``), ``/transitions/``, ``/history/``.
* ``/api/v1/member-changes/`` — ``POST`` (the organizer: ``pairing``, ``leaving``, ``joining_id_number``,
  ``joining_name``, ``joining_phone``, ``effective_date``, ``reason``, ``case``), ``POST /{id}/act/``
  (``confirm_city``: the city S&T bureau; ``confirm_province``: the province).
* ``/api/v1/pairing-figures/`` — read: the figures the pairings closed with; ``?cycle=``, ``?outcome=``.
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet
from core.api import call_service as _call
from core.api import read_input as _input
from core.fields import COMMENT_MAX_CHARS
from core.roles import ORGANIZERS, is_system_admin
from core.scoping import VIEW, restrict
from projects.api import ID, PARSERS, ActInput, AmountField, _create_once, _not_stale, _pairing
from replacements import services
from replacements.choices import CASE_WORKFLOW, Cause, Decision, FundingAction
from replacements.models import Case, CaseFile, MemberChange, PairingFigures

TEXT_MAX = 2000


def _allowed(user, roles, what: str) -> None:
    from rest_framework.exceptions import PermissionDenied

    if not (is_system_admin(user) or user.role in roles):
        raise PermissionDenied("您的角色不能%s。" % what)


class _Scoped(ScopedReadOnlyViewSet):
    parser_classes = PARSERS

    def _scoped(self, pk):
        return get_object_or_404(restrict(self.queryset.model.objects.all(), self.request.user, VIEW), pk=pk)

    def _show(self, record) -> dict:
        return self.serializer_class(self.queryset.get(pk=record.pk), context=self.get_serializer_context()).data


# ------------------------------------------------------------------------------------------------ cases
class CaseFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="下载地址（按权限提供）")

    class Meta:
        model = CaseFile
        fields = ["id", "kind", "name", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, record) -> str:
        return record.get_absolute_url()


class CaseSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    home_town_name = serializers.CharField(source="home_town.full_name", read_only=True, help_text="结对镇")
    cause_display = serializers.CharField(source="get_cause_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    files = CaseFileSerializer(many=True, read_only=True)
    flags = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "pairing", "cycle", "team", "team_name", "home_town", "home_town_name", "organizer_level",
                  "cause", "cause_display", "summary", "evidence", "flags", "answer_due", "status", "status_display",
                  "opened_at", "answer", "answered_at", "decision", "decision_display", "decision_reason",
                  "decided_at", "doc_number", "end_date", "new_pairing", "via_new_call", "funding_action",
                  "settled_amount", "files", "created_at", "updated_at"]
        read_only_fields = fields


class CaseInput(serializers.Serializer):
    pairing = serializers.IntegerField(**ID, help_text="结对 id（已备案或帮扶中）")
    cause = serializers.CharField(allow_blank=True, max_length=16, help_text="事由：" + "、".join(Cause.values))
    summary = serializers.CharField(allow_blank=True, max_length=TEXT_MAX, help_text="情况说明")
    answer_due = serializers.DateField(required=False, allow_null=True, help_text="答复期限（默认10个工作日后）")
    flags = serializers.ListField(child=serializers.IntegerField(**ID), required=False, max_length=50,
                                  help_text="作为证据的履职预警 id（该结对的）")
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=services.FILES_MAX,
                                  help_text="证据材料（PDF或图片）")


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, max_length=TEXT_MAX, help_text="答复内容")
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=services.FILES_MAX,
                                  help_text="答复材料（PDF或图片）")


class DecideInput(serializers.Serializer):
    decision = serializers.CharField(allow_blank=True, max_length=12, help_text="处理决定：" + "、".join(Decision.values))
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX, help_text="决定理由")
    doc_number = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="决定书文号")
    end_date = serializers.DateField(required=False, allow_null=True, help_text="更换团队：原结对截止日期")
    new_team = serializers.IntegerField(required=False, allow_null=True, **ID, help_text="更换团队：递补团队 id")
    via_new_call = serializers.BooleanField(required=False, default=False, help_text="更换团队：通过重新征集确定新团队")
    funding_action = serializers.CharField(required=False, allow_blank=True, max_length=8,
                                           help_text="资助处理：" + "、".join(FundingAction.values))
    settlements = serializers.DictField(child=AmountField(), required=False,
                                        help_text="结算金额：{资助 id: 金额（元）}")


class CaseActInput(ActInput):
    action = serializers.ChoiceField(choices=[("withdraw", "撤销调查")],
                                     error_messages={"invalid_choice": "操作应为 withdraw（答复、决定请用 answer/、decide/）。"})
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="撤销理由（必填）")


class CaseViewSet(_Scoped):
    """Adjustment and replacement cases in scope: the organizers along the tree, the team, its unit."""

    queryset = Case.objects.select_related("team", "home_town__county").prefetch_related("files", "flags")
    serializer_class = CaseSerializer
    filterset_fields = ["cycle", "status", "cause", "decision", "team", "home_town", "pairing"]
    search_fields = ["home_town__name", "team__name"]
    ordering_fields = ["opened_at", "answer_due", "decided_at"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=CaseInput, responses={201: CaseSerializer, 200: CaseSerializer})
    def create(self, request):
        """The organizer of the town opens a case against a working pairing (the evidence is kept as a snapshot)."""
        _allowed(request.user, ORGANIZERS, "发起调整更换")
        data = _input(CaseInput, request)
        pairing = _pairing(request, data["pairing"])
        return _create_once(request, Case, lambda: services.case_open(
            actor=request.user, pairing=pairing, cause=data["cause"], summary=data["summary"],
            answer_due=data.get("answer_due"), flag_ids=data.get("flags") or [], files=data.get("files") or []),
            self._show)

    @extend_schema(request=AnswerInput, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The team's leader answers (again, until the decision)."""
        case = self._scoped(pk)
        data = _input(AnswerInput, request)
        case = _call(services.case_answer, actor=request.user, case=case, answer=data["answer"],
                     files=data.get("files") or [])
        return Response(self._show(case))

    @extend_schema(request=DecideInput, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The organizer decides; a replacement ends the old pairing, proposes the new team and closes the funding,
        all or nothing."""
        case = self._scoped(pk)
        data = _input(DecideInput, request)
        _not_stale(CASE_WORKFLOW, case, "decide", request.user, None)
        case = _call(services.case_decide, actor=request.user, case=case, decision=data["decision"],
                     reason=data["reason"], doc_number=data.get("doc_number") or "", end_date=data.get("end_date"),
                     new_team=data.get("new_team"), via_new_call=data.get("via_new_call") or False,
                     funding_action=data.get("funding_action") or "", settlements=data.get("settlements") or {})
        return Response(self._show(case))

    @extend_schema(request=CaseActInput, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "withdraw", "comment": "…"}``: the organizer withdraws the case."""
        case = self._scoped(pk)
        data = _input(CaseActInput, request)
        _not_stale(CASE_WORKFLOW, case, data["action"], request.user, data.get("seen_status"))
        case = _call(services.case_withdraw, actor=request.user, case=case, comment=data["comment"])
        return Response(self._show(case))


# ------------------------------------------------------------------------------------------------ member changes
class MemberChangeSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    home_town_name = serializers.CharField(source="home_town.full_name", read_only=True, help_text="结对镇")
    leaving_name = serializers.CharField(source="leaving.name", read_only=True, default="")
    joining_name = serializers.CharField(source="joining.name", read_only=True, default="")
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = MemberChange
        fields = ["id", "pairing", "cycle", "team", "team_name", "home_town", "home_town_name", "organizer_level",
                  "case", "leaving", "leaving_name", "joining", "joining_name", "effective_date", "reason",
                  "size_before", "size_after", "status", "status_display", "city_confirmed_at", "registered_at",
                  "created_at", "updated_at"]
        read_only_fields = fields


class ChangeInput(serializers.Serializer):
    pairing = serializers.IntegerField(**ID, help_text="结对 id（已备案或帮扶中）")
    leaving = serializers.IntegerField(required=False, allow_null=True, **ID, help_text="退出成员（特派员 id）")
    joining_id_number = serializers.CharField(required=False, allow_blank=True, max_length=18,
                                              help_text="新增成员身份证号码（须已在特派员库登记）")
    joining_name = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="新增成员姓名")
    joining_phone = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                          help_text="新增成员手机号码")
    effective_date = serializers.DateField(required=False, allow_null=True, help_text="生效日期")
    reason = serializers.CharField(allow_blank=True, max_length=COMMENT_MAX_CHARS, help_text="变更原因")
    case = serializers.IntegerField(required=False, allow_null=True, **ID, help_text="所属调整更换案件 id（选填）")


class MemberChangeActInput(ActInput):
    action = serializers.ChoiceField(
        choices=[("confirm_city", "市级确认备案"), ("confirm_province", "省级确认备案")],
        error_messages={"invalid_choice": "操作应为 confirm_city 或 confirm_province。"})


class MemberChangeViewSet(_Scoped):
    """Member changes in scope, recorded by the organizer and confirmed by the pairing's recipients."""

    queryset = MemberChange.objects.select_related("team", "home_town__county", "leaving", "joining")
    serializer_class = MemberChangeSerializer
    filterset_fields = ["cycle", "status", "team", "home_town", "pairing", "case"]
    search_fields = ["team__name", "home_town__name"]
    ordering_fields = ["effective_date", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=ChangeInput, responses={201: MemberChangeSerializer, 200: MemberChangeSerializer})
    def create(self, request):
        """The organizer records that a member leaves and/or one joins the team of a working pairing."""
        _allowed(request.user, ORGANIZERS, "登记团队成员变更")
        data = _input(ChangeInput, request)
        pairing = _pairing(request, data["pairing"])
        case = None
        if data.get("case"):
            case = restrict(Case.objects.filter(pk=data["case"]), request.user, VIEW).first()
            if case is None:
                raise serializers.ValidationError({"case": ["案件不存在或不在您的管辖范围内。"]})
        return _create_once(request, MemberChange, lambda: services.member_change_record(
            actor=request.user, pairing=pairing, effective_date=data.get("effective_date"), reason=data["reason"],
            leaving=data.get("leaving"), joining_id_number=data.get("joining_id_number") or "",
            joining_name=data.get("joining_name") or "", joining_phone=data.get("joining_phone") or "", case=case),
            self._show)

    @extend_schema(request=MemberChangeActInput, responses=MemberChangeSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "confirm_city"|"confirm_province", "comment": "…"}``: the recipients register the change."""
        change = self._scoped(pk)
        data = _input(MemberChangeActInput, request)
        seen = data.get("seen_status")
        if seen and seen != change.status:
            from core.api import ConflictError

            raise ConflictError("该记录已被他人处理（当前状态为“%s”），请刷新后查看。" % change.get_status_display())
        change = _call(services.member_change_confirm, actor=request.user, change=change, action=data["action"],
                       comment=data["comment"])
        return Response(self._show(change))


# ------------------------------------------------------------------------------------------------ figures
class PairingFiguresSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    town_name = serializers.CharField(source="town.full_name", read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = PairingFigures
        fields = ["id", "pairing", "cycle", "team", "team_name", "town", "town_name", "organizer_level",
                  "ended_on", "outcome", "outcome_display", "stationed_days", "required_days", "activities",
                  "cross_town_activities", "people_served", "projects", "projects_approved", "granted",
                  "disbursed", "open_flags", "created_at"]
        read_only_fields = fields


class PairingFiguresViewSet(ScopedReadOnlyViewSet):
    """The figures pairings closed with (replaced, or ended with their cycle), in scope."""

    queryset = PairingFigures.objects.select_related("team", "town__county")
    serializer_class = PairingFiguresSerializer
    filterset_fields = ["cycle", "outcome", "team", "town", "organizer_level"]
    search_fields = ["town__name", "team__name"]
    ordering_fields = ["ended_on"]


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("cases", CaseViewSet)
    router.register("member-changes", MemberChangeViewSet)
    router.register("pairing-figures", PairingFiguresViewSet)
