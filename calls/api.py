"""API for calls and applications, read through the scoping function; applications take workflow actions."""
from rest_framework import serializers
from rest_framework.decorators import action
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


class ApplicationActionMixin:
    """``POST /api/v1/applications/<id>/act/`` with ``{"action": "submit"|"accept"|"return"|…, "comment": ""}``."""

    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.core.exceptions import ValidationError as DjangoValidationError

        from calls.models import Application
        from calls.services import application_act
        from core.api import django_errors_to_drf
        from core.scoping import VIEW, get_for_user

        application = get_for_user(Application.objects.all(), request.user, VIEW, pk=pk)
        try:
            application = application_act(actor=request.user, application=application,
                                          action=str(request.data.get("action", "")),
                                          comment=str(request.data.get("comment", "")))
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
