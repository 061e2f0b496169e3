"""Filters for the town list (class and level are per cycle)."""
import django_filters
from django.db.models import OuterRef, Subquery

from core.scoping import restrict
from cycles.models import Cycle
from regions.choices import OrganizingLevel, TownClass, TownKind
from regions.models import City, County, TownClassification, Village


def cities_in_scope(request):
    if request is None:
        return City.objects.none()
    return restrict(City.objects.all(), request.user)


def counties_in_scope(request):
    if request is None:
        return County.objects.none()
    return restrict(County.objects.all(), request.user)


class TownFilter(django_filters.FilterSet):
    """County, kind, class and level in a cycle, and what is missing."""

    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=Cycle.objects.all(), method="filter_cycle",
                                             empty_label="当前周期")
    city = django_filters.ModelChoiceFilter(label="地级市", queryset=cities_in_scope, field_name="county__city",
                                            empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, empty_label="全部")
    kind = django_filters.ChoiceFilter(label="类型", choices=TownKind.choices, empty_label="全部")
    town_class = django_filters.ChoiceFilter(label="镇类别", choices=TownClass.choices, empty_label="全部",
                                             field_name="cycle_town_class")
    organizing_level = django_filters.ChoiceFilter(label="组织层级", choices=OrganizingLevel.choices, empty_label="全部",
                                                   field_name="cycle_organizing_level")
    classified = django_filters.ChoiceFilter(label="已设类别", choices=[("yes", "已设置"), ("no", "未设置")],
                                             method="filter_classified", empty_label="全部")
    work_team = django_filters.ChoiceFilter(label="驻镇工作队", choices=[("missing", "未登记"), ("present", "已登记")],
                                            method="filter_work_team", empty_label="全部")

    def filter_cycle(self, queryset, name, value):
        return queryset  # applied when the list annotates the cycle's class and level

    def filter_classified(self, queryset, name, value):
        if value == "no":
            return queryset.filter(cycle_town_class__isnull=True)
        if value == "yes":
            return queryset.filter(cycle_town_class__isnull=False)
        return queryset

    def filter_work_team(self, queryset, name, value):
        return queryset.filter(work_team__isnull=(value == "missing"))


def annotate_cycle(queryset, cycle):
    """Add the town's class and level in ``cycle`` as ``cycle_town_class`` and ``cycle_organizing_level``."""
    rows = TownClassification.objects.filter(cycle=cycle, town=OuterRef("pk"))
    return queryset.annotate(
        cycle_town_class=Subquery(rows.values("town_class")[:1]),
        cycle_organizing_level=Subquery(rows.values("organizing_level")[:1]),
    )


class VillageFilter(django_filters.FilterSet):
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, field_name="town__county",
                                              empty_label="全部")

    class Meta:
        model = Village
        fields = ["county"]
