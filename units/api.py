"""API for dispatching units."""
from rest_framework import serializers

from accounts.choices import Role
from core.api import ScopedModelViewSet
from units.models import DispatchingUnit


class DispatchingUnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = DispatchingUnit
        fields = ["id", "name", "kind", "kind_display", "credit_code", "address", "contact_name", "contact_phone"]


class DispatchingUnitViewSet(ScopedModelViewSet):
    """Dispatching units (派出单位)."""

    queryset = DispatchingUnit.objects.all()
    serializer_class = DispatchingUnitSerializer
    create_roles = frozenset({Role.CITY_ST, Role.COUNTY_ST})
    filterset_fields = ["kind"]
    search_fields = ["name", "credit_code"]
