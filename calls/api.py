"""API for calls and applications, read through the scoping function."""
from rest_framework import serializers

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


class ApplicationViewSet(ScopedReadOnlyViewSet):
    """Applications in scope: the team's own, its units', the organizer's and the levels above."""

    queryset = Application.objects.select_related("team").prefetch_related("towns__town")
    serializer_class = ApplicationSerializer
    filterset_fields = ["call", "status", "team"]


def register_routes(router):
    """Register this app's viewsets on the API router."""
    router.register("calls", CallViewSet)
    router.register("applications", ApplicationViewSet)
