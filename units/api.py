"""API for dispatching units."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.roles import Role, is_system_admin
from core.api import ScopedModelViewSet, django_errors_to_drf
from core.scoping import VIEW, restrict
from core.services import record_save
from units.models import DispatchingUnit
from units.services import unit_transition


class DispatchingUnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = DispatchingUnit
        fields = ["id", "name", "kind", "kind_display", "credit_code", "address", "contact_name", "contact_phone",
                  "status", "status_display"]
        # 停用/恢复 only through ``POST .../act/`` (recorded with its reason), never by a PATCH.
        read_only_fields = ["status"]


    def validate(self, attrs):
        """On update, who the unit is (name, credit code, kind) is the system administrator's to correct."""
        request = self.context.get("request")
        if self.instance is not None and not (request and is_system_admin(request.user)):
            changed = [name for name in DispatchingUnit.IDENTITY_FIELDS
                       if name in attrs and attrs[name] != getattr(self.instance, name)]
            if changed:
                raise serializers.ValidationError({name: "单位名称、类型和统一社会信用代码如需更正，请联系系统管理员。"
                                                   for name in changed})
        return attrs


class UnitActInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["archive", "restore"], help_text="archive（停用，须填理由）、restore（恢复）")
    comment = serializers.CharField(default="", allow_blank=True, max_length=2000)


class DispatchingUnitViewSet(ScopedModelViewSet):
    """Dispatching units (派出单位): the city S&T bureau registers them; the unit keeps its contacts."""

    def perform_create(self, serializer):
        # Registering is not keeping: the registering city gets no change right over a shared unit.
        self.check_create_allowed()
        try:
            unit = DispatchingUnit(**serializer.validated_data)
            serializer.instance = record_save(actor=self.request.user, instance=unit, create_roles=self.create_roles,
                                              scoped_create=False)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors_to_drf(exc)

    queryset = DispatchingUnit.objects.all()
    serializer_class = DispatchingUnitSerializer
    create_roles = frozenset({Role.CITY_ST})
    filterset_fields = ["kind", "status"]
    search_fields = ["name", "credit_code"]

    @extend_schema(request=UnitActInput, responses=DispatchingUnitSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """``POST /api/v1/units/<id>/act/`` with ``{"action": "archive"|"restore", "comment": "理由"}``."""
        # The unit in view scope (change scope is the unit's own, for its contacts); the service checks the roles.
        unit = get_object_or_404(restrict(DispatchingUnit.objects.all(), request.user, VIEW), pk=pk)
        body = UnitActInput(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            unit = unit_transition(actor=request.user, unit=unit, action=body.validated_data["action"],
                                   comment=body.validated_data["comment"])
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)
        return Response(self.get_serializer(unit).data)
