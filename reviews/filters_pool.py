"""Filters of the expert pool list: the pool (level and county), the field and the availability."""
import django_filters

from regions.filters import counties_in_scope
from reviews.models import POOL_LEVELS, Expert

YES_NO = [("yes", "可参加"), ("no", "暂不能参加")]


class ExpertFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label="专家库层级", choices=POOL_LEVELS, field_name="organizer_level",
                                        empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="县（市、区）专家库", queryset=counties_in_scope, field_name="county",
                                              empty_label="全部")
    field = django_filters.CharFilter(label="专业领域", field_name="field", lookup_expr="icontains", max_length=100)
    available = django_filters.ChoiceFilter(label="可参加评审", choices=YES_NO, method="filter_available",
                                            empty_label="全部")

    class Meta:
        model = Expert
        fields = ["level", "county", "field", "available"]

    def filter_available(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(available=True)
        if value == "no":
            return queryset.filter(available=False)
        return queryset
