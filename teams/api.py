"""API for teams and the commissioner registry (ID numbers masked)."""
from rest_framework import serializers

from core.api import ScopedReadOnlyViewSet
from teams.models import Commissioner, Team, TeamMembership


class MembershipSerializer(serializers.ModelSerializer):
    commissioner_name = serializers.CharField(source="commissioner.name", read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["commissioner", "commissioner_name", "role"]


class TeamSerializer(serializers.ModelSerializer):
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "cycle", "name", "lead_unit", "lead_unit_name", "leader_name", "summary", "expertise_summary",
                  "research_directions", "service_types", "memberships"]


class TeamViewSet(ScopedReadOnlyViewSet):
    """Commissioner teams in scope, with their members."""

    queryset = Team.objects.select_related("lead_unit").prefetch_related("memberships__commissioner")
    serializer_class = TeamSerializer
    filterset_fields = ["cycle", "lead_unit"]
    search_fields = ["name"]


class CommissionerSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Commissioner
        fields = ["id", "name", "gender", "id_number", "unit", "unit_name", "title", "title_level", "education",
                  "specialty", "expertise_keywords", "bio", "verified_at"]


class CommissionerViewSet(ScopedReadOnlyViewSet):
    """The commissioner registry in scope; ID numbers are always masked here."""

    queryset = Commissioner.objects.select_related("unit")
    serializer_class = CommissionerSerializer
    filterset_fields = ["unit", "education", "title_level"]
    search_fields = ["name", "specialty", "expertise_keywords"]


def register_routes(router):
    router.register("teams", TeamViewSet)
    router.register("commissioners", CommissionerViewSet)
