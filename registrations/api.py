"""API for registration submissions (备案报送) and the deadline dashboard (the same figures as the page)."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import PasswordChanged, ScopedReadOnlyViewSet, django_errors_to_drf
from core.api import read_input as _input, call_service as _call  # the shared API helpers
from core.menu import OFFICIALS
from core.scoping import VIEW, restrict
from cycles.models import Cycle
from matching.models import Pairing
from registrations import services
from registrations.models import RegistrationSubmission
from registrations.selectors import actions_for, deadline_dashboard
from core.roles import is_system_admin


class RegistrationSubmissionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    recipient_display = serializers.CharField(source="get_recipient_display", read_only=True)
    pairings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = RegistrationSubmission
        fields = ["id", "cycle", "organizer_level", "city", "county", "recipient", "recipient_display", "status",
                  "status_display", "doc_number", "contact", "sent_on", "confirmed_on", "reference_number",
                  "confirmed_by", "return_comment", "pairings", "created_at"]


ID = {"min_value": 1, "max_value": 2**63 - 1}


class SubmissionCreateInput(serializers.Serializer):
    cycle = serializers.IntegerField(**ID)
    recipient = serializers.CharField(max_length=32, help_text="city 或 province")
    pairings = serializers.ListField(child=serializers.IntegerField(**ID), max_length=1000)
    doc_number = serializers.CharField(default="", allow_blank=True, max_length=100)
    contact = serializers.CharField(default="", allow_blank=True, max_length=200)


class SubmissionActInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["send", "resubmit", "return", "confirm"],
                                     error_messages={"invalid_choice": "操作应为 send、resubmit、return 或 confirm。"})
    comment = serializers.CharField(default="", allow_blank=True, max_length=2000)
    sent_on = serializers.DateField(required=False, allow_null=True)
    confirmed_on = serializers.DateField(required=False, allow_null=True)
    reference_number = serializers.CharField(default="", allow_blank=True, max_length=100)






class RegistrationSubmissionViewSet(ScopedReadOnlyViewSet):
    """Submissions in scope. POST creates one (``cycle``, ``recipient``, ``pairings``, ``doc_number``, ``contact``);
    ``POST .../act/`` with ``action`` (send, resubmit, return, confirm) and its data takes a step."""

    queryset = RegistrationSubmission.objects.prefetch_related("pairings")
    serializer_class = RegistrationSubmissionSerializer
    filterset_fields = ["cycle", "recipient", "status", "county"]

    @extend_schema(request=SubmissionCreateInput)
    def create(self, request):
        data = _input(SubmissionCreateInput, request)
        cycle = Cycle.objects.filter(pk=data["cycle"]).first()
        if cycle is None:
            raise serializers.ValidationError({"cycle": "请指定帮扶周期。"})
        ids = set(data["pairings"])
        pairings = list(restrict(Pairing.objects.filter(pk__in=ids), request.user, VIEW))
        if len(pairings) != len(ids):
            raise serializers.ValidationError({"pairings": "有结对不存在或不在您的管辖范围内。"})
        submission = _call(services.submission_create, actor=request.user, cycle=cycle,
                           recipient=data["recipient"], pairings=pairings,
                           doc_number=data["doc_number"], contact=data["contact"])
        return Response(RegistrationSubmissionSerializer(submission).data, status=201)

    @extend_schema(request=SubmissionActInput)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        # DRF's get_object_or_404: an id that is not a number ("abc") is 404 like a missing one.
        submission = get_object_or_404(restrict(RegistrationSubmission.objects.all(), request.user, VIEW), pk=pk)
        data = _input(SubmissionActInput, request)
        submission = _call(services.submission_act, actor=request.user, submission=submission, action=data["action"],
                           comment=data["comment"], sent_on=data.get("sent_on"),
                           confirmed_on=data.get("confirmed_on"), reference_number=data["reference_number"])
        data = RegistrationSubmissionSerializer(submission).data
        data["registered_pairings"] = [p.pk for p in getattr(submission, "registered_now", [])]
        return Response(data)

    @action(detail=True, methods=["get"])
    def actions(self, request, pk=None):
        """The steps the signed-in user may take on this submission now."""
        return Response(actions_for(request.user, self.get_object()))


class RegistrationDashboardViewSet(viewsets.ViewSet):
    """选派备案进度 of a cycle (``?cycle=id``, default the current one): the page's figures, scoped."""

    permission_classes = [PasswordChanged]

    @extend_schema(parameters=[OpenApiParameter("cycle", OpenApiTypes.INT, description="帮扶周期 id")],
                   responses=OpenApiTypes.OBJECT)
    def list(self, request):
        user = request.user
        if not (is_system_admin(user) or user.role in OFFICIALS):
            raise Http404
        cycle_id = request.query_params.get("cycle")
        cycle = Cycle.objects.filter(pk=cycle_id).first() if cycle_id and cycle_id.isdigit() else Cycle.current()
        if cycle is None:
            raise Http404
        return Response(deadline_dashboard(user=user, cycle=cycle).as_dict())


def register_routes(router):
    router.register("registration-submissions", RegistrationSubmissionViewSet)
    router.register("registration-dashboard", RegistrationDashboardViewSet, basename="registration-dashboard")
