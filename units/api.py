"""API for dispatching units."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.choices import Role
from core.api import ScopedModelViewSet, django_errors_to_drf
from core.services import record_save
from units.models import DispatchingUnit


class DispatchingUnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = DispatchingUnit
        fields = ["id", "name", "kind", "kind_display", "credit_code", "address", "contact_name", "contact_phone"]


    def validate(self, attrs):
        """On update, who the unit is (name, credit code, kind) is the system administrator's to correct."""
        request = self.context.get("request")
        if self.instance is not None and not (request and request.user.is_superuser):
            changed = [name for name in DispatchingUnit.IDENTITY_FIELDS
                       if name in attrs and attrs[name] != getattr(self.instance, name)]
            if changed:
                raise serializers.ValidationError({name: "单位名称、类型和统一社会信用代码如需更正，请联系系统管理员。"
                                                   for name in changed})
        return attrs


class DispatchingUnitViewSet(ScopedModelViewSet):
    """Dispatching units (派出单位): the city S&T bureau registers them; the unit keeps its contacts."""

    def perform_create(self, serializer):
        # Registering is not keeping: the registering city gets no change right over a shared unit.
        self.check_create_allowed()
        try:
            unit = DispatchingUnit(**serializer.validated_data)
            serializer.instance = record_save(actor=self.request.user, instance=unit, create_roles=self.create_roles)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors_to_drf(exc)

    queryset = DispatchingUnit.objects.all()
    serializer_class = DispatchingUnitSerializer
    create_roles = frozenset({Role.CITY_ST})
    filterset_fields = ["kind"]
    search_fields = ["name", "credit_code"]
