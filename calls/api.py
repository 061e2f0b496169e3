"""API for calls and applications, read through the scoping function; applications take workflow actions."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from calls.models import Application, ApplicationTown, Call, CallAmendment
from core.api import ScopedReadOnlyViewSet


class CallAmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallAmendment
        fields = ["kind", "summary", "old_close_date", "new_close_date", "created_at"]


class CallSerializer(serializers.ModelSerializer):
    amendments = CallAmendmentSerializer(many=True, read_only=True)

    class Meta:
        model = Call
        fields = ["id", "cycle", "organizer_level", "city", "county", "issuer", "title", "doc_number", "notice",
                  "open_date", "close_date", "contact", "towns", "status", "amendments"]


class CallViewSet(ScopedReadOnlyViewSet):
    """Calls in scope (the organizer's own, the levels above, published ones for teams and units)."""

    queryset = Call.objects.prefetch_related("towns", "amendments")
    serializer_class = CallSerializer
    filterset_fields = ["cycle", "status", "organizer_level", "county"]
    search_fields = ["title", "doc_number"]


class ApplicationTownSerializer(serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = ApplicationTown
        fields = ["rank", "town", "town_name", "past_projects", "visits", "years", "engagement_note"]


class ApplicationSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    towns = ApplicationTownSerializer(many=True, read_only=True)
    has_unit_endorsement = serializers.SerializerMethodField()
    has_recommendation_letter = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "call", "team", "team_name", "status", "service_plan", "submitted_at", "towns",
                  "has_unit_endorsement", "has_recommendation_letter"]

    def get_has_unit_endorsement(self, obj) -> bool:
        return bool(obj.unit_endorsement)

    def get_has_recommendation_letter(self, obj) -> bool:
        return bool(obj.recommendation_letter)


class ApplicationActInput(serializers.Serializer):
    action = serializers.CharField(max_length=32, help_text="submit、accept、return、reject、withdraw 等")
    comment = serializers.CharField(default="", allow_blank=True, max_length=2000)
    confirmed = serializers.BooleanField(default=False, help_text="已知悉该步骤的提示（如团队已被其他征集受理）仍要执行")


class ApplicationActionMixin:
    """``POST /api/v1/applications/<id>/act/`` with ``{"action": "submit"|"accept"|"return"|…, "comment": ""}``."""

    @extend_schema(request=ApplicationActInput)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.core.exceptions import ValidationError as DjangoValidationError

        from calls.models import Application
        from calls.services import application_act
        from core.api import django_errors_to_drf
        from core.scoping import VIEW, restrict

        # DRF's get_object_or_404: an id that is not a number ("abc") is 404 like a missing one.
        application = get_object_or_404(restrict(Application.objects.all(), request.user, VIEW), pk=pk)
        body = ApplicationActInput(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            application = application_act(actor=request.user, application=application,
                                          action=body.validated_data["action"],
                                          comment=body.validated_data["comment"],
                                          confirmed=body.validated_data["confirmed"])
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)
        return Response(ApplicationSerializer(application).data)


class ApplicationViewSet(ApplicationActionMixin, ScopedReadOnlyViewSet):
    """Applications in scope: the team's own, its units', the organizer's and the levels above."""

    queryset = Application.objects.select_related("team").prefetch_related("towns__town")
    serializer_class = ApplicationSerializer
    filterset_fields = ["call", "status", "team"]


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("calls", CallViewSet)
    router.register("applications", ApplicationViewSet)
