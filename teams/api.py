"""API for teams (extended by the calls issue)."""
from rest_framework import serializers

from core.api import ScopedReadOnlyViewSet
from teams.models import Team


class TeamSerializer(serializers.ModelSerializer):
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "cycle", "name", "lead_unit", "lead_unit_name", "leader_name", "summary"]


class TeamViewSet(ScopedReadOnlyViewSet):
    """Commissioner teams in scope."""

    queryset = Team.objects.select_related("lead_unit")
    serializer_class = TeamSerializer
    filterset_fields = ["cycle", "lead_unit"]
    search_fields = ["name"]


def register_routes(router):
    router.register("teams", TeamViewSet)
