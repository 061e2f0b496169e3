"""API for public notices (公示, with their lists) and the objections (异议) filed against them.

Both read through the scoping function like the pages: officials read (a notice: the organizing level, the levels
above, and a county the city's notices listing its towns; an objection: the organizer and the levels above, never a
county reading the city's notice). A notice's ``status`` is its *effective* status (``notices.selectors``): a notice
past its period reads as closed, or as awaiting the findings, before the scheduled job records it — reading never
writes.

The objector's name and phone are masked (``张**``, ``138****8000``) as on the pages; only the officials handling
the objection (the notice's organizer: ``change`` scope) see them in full, on the detail (and in the answer to their
own step), and each such view is logged in ``core.models.SensitiveAccess`` exactly as the page logs it. The evidence
file is never a ``/media/`` URL: the handlers get the link of the scoped download view (which logs each download);
everyone else reads only that evidence exists.

``POST /api/v1/objections/<id>/act/`` with ``{"action": "investigate"|"uphold"|"dismiss", "comment": "调查结论"}``
takes the workflow step through ``notices.services.objection_handle`` (upholding removes the team from the notice
and sends its pairing to replacement).
"""
import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet, django_errors_to_drf
from core.china import mask_phone
from core.fields import COMMENT_MAX_CHARS
from core.models import SensitiveAccess
from core.scoping import CHANGE, VIEW, can, restrict
from notices import services
from notices.choices import OBJECTION_WORKFLOW, EntryOutcome, NoticeStatus
from notices.models import NoticeEntry, Objection, PublicNotice
from notices.selectors import effective_status, entry_outcome, open_for_objections, with_effective_state


def mask_name(name: str) -> str:
    """The objector's name as the pages show it to those not handling the objection (``notices.views.mask_name``)."""
    from notices.views import mask_name as page_mask

    return page_mask(name)


# ------------------------------------------------------------------------------------------------ notices
class NoticeEntrySerializer(serializers.ModelSerializer):
    """One team on the notice's list, as published; ``outcome`` as shown now (pending reads as cleared once the
    notice reads as closed)."""

    outcome = serializers.ChoiceField(source="shown_outcome", choices=EntryOutcome.choices, read_only=True)
    outcome_display = serializers.CharField(source="shown_outcome_display", read_only=True)

    class Meta:
        model = NoticeEntry
        fields = ["id", "pairing", "town", "town_label", "county_name", "team_name", "leader", "members", "outcome",
                  "outcome_display"]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(help_text="当前状态（按公示期计算，公示期满即显示为已结束或期满待处理异议）")
    status_display = serializers.SerializerMethodField()
    open_for_objections = serializers.SerializerMethodField(help_text="公示期内，可提出异议")
    public_url = serializers.SerializerMethodField(help_text="公众查看公示的页面（草稿无）")
    entries = serializers.SerializerMethodField(help_text="公示名单")

    class Meta:
        model = PublicNotice
        fields = ["id", "cycle", "organizer_level", "city", "county", "issuer", "title", "doc_number", "body",
                  "contact", "start_date", "working_days", "first_day", "last_day", "ends_at",
                  "uses_fallback_calendar", "status", "status_display", "open_for_objections", "closed_at",
                  "public_url", "entries", "created_at"]
        read_only_fields = fields

    def _status(self, notice) -> str:
        known = getattr(notice, "_api_status", None)
        if known is None:
            known = notice._api_status = str(effective_status(notice))
        return known

    @extend_schema_field(serializers.ChoiceField(choices=NoticeStatus.choices))
    def get_status(self, notice) -> str:
        return self._status(notice)

    def get_status_display(self, notice) -> str:
        return str(NoticeStatus(self._status(notice)).label)

    def get_open_for_objections(self, notice) -> bool:
        return open_for_objections(notice)

    @extend_schema_field(OpenApiTypes.STR)
    def get_public_url(self, notice):
        # A draft is not public yet: its public page is 404.
        return None if self._status(notice) == NoticeStatus.DRAFT else notice.get_public_url()

    @extend_schema_field(NoticeEntrySerializer(many=True))
    def get_entries(self, notice):
        status = self._status(notice)
        entries = sorted(notice.entries.all(), key=lambda entry: entry.pk)  # prefetched
        for entry in entries:
            outcome = entry_outcome(entry, status)
            entry.shown_outcome, entry.shown_outcome_display = outcome.value, str(outcome.label)
        return NoticeEntrySerializer(entries, many=True).data


class NoticeFilter(django_filters.FilterSet):
    # The effective status, as the list page filters it (a notice past its period is closed, job run or not).
    status = django_filters.ChoiceFilter(label="状态", field_name="current_status", choices=NoticeStatus.choices)

    class Meta:
        model = PublicNotice
        fields = ["cycle", "organizer_level", "county", "status"]


class NoticeViewSet(ScopedReadOnlyViewSet):
    """Public notices in scope with their lists; ``?cycle=``, ``?status=`` (effective), ``?organizer_level=``,
    ``?county=``; ``?search=`` in the title and document number."""

    queryset = PublicNotice.objects.select_related("cycle", "city", "county").prefetch_related("entries")
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    search_fields = ["title", "doc_number"]
    ordering_fields = ["start_date", "first_day", "last_day", "created_at"]

    def get_queryset(self):
        # Reading never writes: the effective status is computed here, the scheduled job records it.
        return with_effective_state(super().get_queryset()).distinct().order_by("-start_date", "-pk")


# ------------------------------------------------------------------------------------------------ objections
class ObjectionSerializer(serializers.ModelSerializer):
    """An objection; the objector's identity masked unless the serializer's context says ``unmasked``."""

    notice_title = serializers.CharField(source="notice.title", read_only=True)
    team_name = serializers.CharField(source="entry.team_name", read_only=True)
    name = serializers.SerializerMethodField(help_text="异议人姓名（仅处理异议的部门在详情中可见全名）")
    phone = serializers.SerializerMethodField(help_text="联系电话（仅处理异议的部门在详情中可见完整号码）")
    identity_masked = serializers.SerializerMethodField(help_text="异议人姓名、电话是否已脱敏")
    has_evidence = serializers.SerializerMethodField()
    evidence_url = serializers.SerializerMethodField(help_text="证明材料下载地址（仅处理异议的部门）")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    handled_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "notice", "notice_title", "entry", "team_name", "receipt_number", "name", "phone",
                  "identity_masked", "grounds", "has_evidence", "evidence_url", "status", "status_display", "finding",
                  "handled_by", "handled_at", "created_at"]
        read_only_fields = fields

    def _unmasked(self) -> bool:
        return bool(self.context.get("unmasked"))

    def get_name(self, objection) -> str:
        return objection.name if self._unmasked() else mask_name(objection.name)

    def get_phone(self, objection) -> str:
        return objection.phone if self._unmasked() else mask_phone(objection.phone)

    def get_identity_masked(self, objection) -> bool:
        return not self._unmasked()

    def get_has_evidence(self, objection) -> bool:
        return bool(objection.evidence)

    @extend_schema_field(OpenApiTypes.STR)
    def get_evidence_url(self, objection):
        if not (self._unmasked() and objection.evidence):
            return None
        return reverse("notices:objection_evidence", args=[objection.pk])


class ObjectionActInput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[(name, step.label) for name, step in OBJECTION_WORKFLOW.items()],
        help_text="investigate（开始调查核实）、uphold（认定异议成立，须填结论）、dismiss（认定异议不成立，须填结论）",
        error_messages={"invalid_choice": "操作应为 investigate、uphold 或 dismiss。"})
    comment = serializers.CharField(default="", allow_blank=True, max_length=COMMENT_MAX_CHARS,
                                    help_text="调查结论（认定成立或不成立时必填）")


class ObjectionFilter(django_filters.FilterSet):
    class Meta:
        model = Objection
        fields = ["notice", "status"]


class ObjectionViewSet(ScopedReadOnlyViewSet):
    """Objections in scope (the notice's organizer and the levels above). The list masks every objector; the detail
    shows the identity in full to the officials handling the objection, and logs it. ``POST .../act/`` takes a
    workflow step (the handlers only)."""

    queryset = Objection.objects.select_related("notice", "entry", "handled_by")
    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilter
    # Never the objector's name or phone: searching or sorting by a masked value would reveal it.
    search_fields = ["receipt_number", "entry__team_name"]
    ordering_fields = ["created_at", "status", "receipt_number", "handled_at"]

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-pk")

    def _as_seen(self, objection) -> dict:
        """The objection as this user may see it; a handler's unmasked view is logged as on the page."""
        user = self.request.user
        handling = can(user, objection, CHANGE)
        if handling:
            SensitiveAccess.objects.create(user=user, content_type=ContentType.objects.get_for_model(Objection),
                                           object_id=str(objection.pk), field="name,phone", purpose="异议处理")
        return ObjectionSerializer(objection, context={**self.get_serializer_context(), "unmasked": handling}).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._as_seen(self.get_object()))

    @extend_schema(request=ObjectionActInput, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``{"action": "investigate"|"uphold"|"dismiss", "comment": "调查结论"}``: the organizer's workflow step."""
        # DRF's get_object_or_404: an id that is not a number ("abc") is 404 like a missing one; a reader who may not
        # handle the objection is refused by the service (403).
        objection = get_object_or_404(restrict(Objection.objects.select_related("notice", "entry"), request.user,
                                               VIEW), pk=pk)
        body = ObjectionActInput(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            objection = services.objection_handle(actor=request.user, objection=objection,
                                                  action=body.validated_data["action"],
                                                  finding=body.validated_data["comment"])
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)
        return Response(self._as_seen(objection))


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("notices", NoticeViewSet)
    router.register("objections", ObjectionViewSet)
