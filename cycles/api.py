"""API for cycles."""
from rest_framework import serializers

from core.roles import Role
from core.api import ScopedModelViewSet
from cycles.models import Cycle


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        exclude = ["created_at", "updated_at"]
        read_only_fields = ["status"]  # moved by the cycle workflow only


class CycleViewSet(ScopedModelViewSet):
    """Programme cycles and their rules; the city S&T bureau edits them."""

    queryset = Cycle.objects.all()
    serializer_class = CycleSerializer
    create_roles = frozenset({Role.CITY_ST})
    filterset_fields = ["status"]
    search_fields = ["name"]
