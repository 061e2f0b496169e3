"""API for counties, towns (with class and level per cycle), villages and work teams."""
from django.db.models import Prefetch
from rest_framework import serializers
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied, ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from core.roles import Role
from core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from regions import services
from cycles.models import Cycle
from regions.models import County, Town, TownClassification, Village, WorkTeam, WorkTeamMember


class CountySerializer(serializers.ModelSerializer):
    city = serializers.StringRelatedField()

    class Meta:
        model = County
        fields = ["id", "code", "name", "city"]


class CountyViewSet(ScopedReadOnlyViewSet):
    """County-level divisions in the caller's scope."""

    queryset = County.objects.select_related("city")
    serializer_class = CountySerializer
    search_fields = ["name", "code"]


class TownClassificationSerializer(serializers.ModelSerializer):
    town_class_display = serializers.CharField(source="get_town_class_display", read_only=True)
    organizing_level_display = serializers.CharField(source="get_organizing_level_display", read_only=True)

    class Meta:
        model = TownClassification
        fields = ["id", "cycle", "town", "town_class", "town_class_display", "organizing_level",
                  "organizing_level_display", "note"]


class TownSerializer(serializers.ModelSerializer):
    county = serializers.StringRelatedField()
    county_code = serializers.CharField(source="county.code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    classifications = serializers.SerializerMethodField()

    class Meta:
        model = Town
        fields = ["id", "code", "name", "kind", "kind_display", "county", "county_code", "classifications"]

    def get_classifications(self, town) -> list[dict]:
        return TownClassificationSerializer(town.cycle_classifications, many=True).data


class TownViewSet(ScopedReadOnlyViewSet):
    """Towns in scope; ``?cycle=ID`` limits the class and level shown to that cycle (default: current)."""

    queryset = Town.objects.select_related("county")
    serializer_class = TownSerializer
    filterset_fields = ["county", "kind", "county__code"]
    search_fields = ["name", "code"]

    def get_queryset(self):
        cycle_id = self.request.query_params.get("cycle")
        classifications = TownClassification.objects.all()
        if cycle_id:
            if not cycle_id.isdigit() or len(cycle_id) > 18:
                raise ValidationError({"cycle": "帮扶周期应为数字 id。"})
            classifications = classifications.filter(cycle_id=cycle_id)
        else:
            current = Cycle.current()
            classifications = classifications.filter(cycle=current) if current else classifications
        queryset = super().get_queryset().prefetch_related(
            Prefetch("classifications", queryset=classifications, to_attr="cycle_classifications")
        )
        town_class = self.request.query_params.get("town_class")
        level = self.request.query_params.get("organizing_level")
        if town_class or level:
            rows = classifications
            if town_class:
                rows = rows.filter(town_class=town_class)
            if level:
                rows = rows.filter(organizing_level=level)
            queryset = queryset.filter(pk__in=rows.values("town_id"))
        return queryset


class TownClassificationViewSet(ScopedModelViewSet):
    """Class and organizing level of each town per cycle; the city edits them."""

    queryset = TownClassification.objects.select_related("town", "cycle")
    serializer_class = TownClassificationSerializer
    create_roles = frozenset({Role.CITY_ST})
    filterset_fields = ["cycle", "town", "town_class", "organizing_level", "town__county"]

    def save_record(self, instance):
        if instance._state.adding and TownClassification.objects.filter(cycle_id=instance.cycle_id,
                                                                         town_id=instance.town_id).exists():
            raise DjangoValidationError(_("该镇本周期已有类别，请修改已有记录。"))
        if not instance._state.adding and TownClassification.objects.filter(pk=instance.pk).exclude(
                cycle_id=instance.cycle_id, town_id=instance.town_id).exists():
            raise DjangoValidationError(_("镇和周期不能修改；请修改对应镇的类别。"))
        return services.town_classification_set(actor=self.request.user, cycle=instance.cycle, town=instance.town,
                                                 town_class=instance.town_class,
                                                 organizing_level=instance.organizing_level, note=instance.note)


class VillageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "town", "name", "code"]


class VillageViewSet(ScopedModelViewSet):
    """Administrative villages; a town's users add their own."""

    queryset = Village.objects.select_related("town")
    serializer_class = VillageSerializer
    create_roles = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN})
    filterset_fields = ["town"]
    search_fields = ["name"]

    def save_record(self, instance):
        if instance._state.adding:
            return services.village_create(actor=self.request.user, town=instance.town, name=instance.name,
                                           code=instance.code)
        return super().save_record(instance)


class WorkTeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkTeamMember
        fields = ["id", "name", "position", "unit", "phone"]


class WorkTeamSerializer(serializers.ModelSerializer):
    members = WorkTeamMemberSerializer(many=True, read_only=True)

    class Meta:
        model = WorkTeam
        fields = ["id", "town", "leader_name", "leader_phone", "dispatched_by", "contact_name", "contact_phone",
                  "note", "members"]


class WorkTeamViewSet(ScopedModelViewSet):
    """Stationed work teams (驻镇工作队)."""

    queryset = WorkTeam.objects.select_related("town").prefetch_related("members")
    serializer_class = WorkTeamSerializer
    create_roles = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN})
    filterset_fields = ["town", "town__county"]

    def save_record(self, instance):
        from core.scoping import may_write

        if not may_write(self.request.user, instance):  # first: a town outside scope learns nothing of its team
            raise DjangoPermissionDenied(_("不能修改您管辖范围之外的记录。"))
        if instance._state.adding and WorkTeam.objects.filter(town_id=instance.town_id).exists():
            raise DjangoValidationError(_("该镇已登记驻镇工作队，请修改已有记录。"))
        if not instance._state.adding and WorkTeam.objects.filter(pk=instance.pk).exclude(town_id=instance.town_id).exists():
            raise DjangoValidationError(_("驻镇工作队所在的镇不能修改。"))
        fields = {name: getattr(instance, name) for name in
                  ("leader_name", "leader_phone", "dispatched_by", "contact_name", "contact_phone", "note")}
        return services.work_team_save(actor=self.request.user, town=instance.town, **fields)
