"""Filters of the grant list (year, county, source) and the envelope list (year, level)."""
import django_filters

from regions.filters import counties_in_scope
from reviews.choices import BudgetSourceKind
from reviews.models import POOL_LEVELS, Envelope, Grant


class GrantFilter(django_filters.FilterSet):
    fiscal_year = django_filters.NumberFilter(label="资金年度", field_name="fiscal_year", min_value=2000, max_value=2100)
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, field_name="town__county",
                                              empty_label="全部")
    budget_source = django_filters.ChoiceFilter(label="资金来源", choices=BudgetSourceKind.choices, empty_label="全部")
    level = django_filters.ChoiceFilter(label="资助层级", choices=POOL_LEVELS, field_name="organizer_level",
                                        empty_label="全部")

    class Meta:
        model = Grant
        fields = ["fiscal_year", "county", "budget_source", "level"]


class EnvelopeFilter(django_filters.FilterSet):
    fiscal_year = django_filters.NumberFilter(label="预算年度", field_name="fiscal_year", min_value=2000, max_value=2100)
    level = django_filters.ChoiceFilter(label="层级", choices=POOL_LEVELS, field_name="organizer_level",
                                        empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, field_name="county",
                                              empty_label="全部")

    class Meta:
        model = Envelope
        fields = ["fiscal_year", "level", "county"]
