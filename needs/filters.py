"""Filters for the needs library: county, town, class, category, service type, state, cycle."""
import django_filters

from cycles.models import Cycle
from needs.choices import NeedStatus, Priority, ServiceType
from needs.models import IndustryCategory, Need
from regions.choices import OrganizingLevel, TownClass
from regions.filters import counties_in_scope
from regions.models import TownClassification


class NeedFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=Cycle.objects.all(), empty_label="全部周期")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, field_name="town__county",
                                              empty_label="全部")
    town_name = django_filters.CharFilter(label="镇", field_name="town__name", lookup_expr="contains")
    town_class = django_filters.ChoiceFilter(label="镇类别", choices=TownClass.choices, method="filter_class", empty_label="全部")
    organizing_level = django_filters.ChoiceFilter(label="组织层级", choices=OrganizingLevel.choices,
                                                   method="filter_level", empty_label="全部")
    category = django_filters.ModelChoiceFilter(label="产业类别", queryset=IndustryCategory.objects.all(), empty_label="全部")
    service_type = django_filters.ChoiceFilter(label="服务类型", choices=ServiceType.choices, method="filter_service",
                                               empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=NeedStatus.choices, empty_label="全部")
    priority = django_filters.ChoiceFilter(label="优先级", choices=Priority.choices, empty_label="全部")

    class Meta:
        model = Need
        fields = ["cycle", "county", "town_name", "town_class", "organizing_level", "category", "service_type",
                  "status", "priority"]

    def filter_class(self, queryset, name, value):
        return queryset.filter(pk__in=_need_ids_with(town_class=value))

    def filter_level(self, queryset, name, value):
        return queryset.filter(pk__in=_need_ids_with(organizing_level=value))

    def filter_service(self, queryset, name, value):
        # JSON list membership in a way both SQLite and PostgreSQL index-free paths support.
        return queryset.filter(service_types__icontains='"%s"' % value)


def _need_ids_with(**lookup):
    """Needs whose town has the given class or level in the need's own cycle."""
    from django.db.models import OuterRef, Exists

    rows = TownClassification.objects.filter(town=OuterRef("town"), cycle=OuterRef("cycle"), **lookup)
    return Need.objects.filter(Exists(rows)).values("pk")

