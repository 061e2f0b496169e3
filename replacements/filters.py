"""Filters of adjustment and replacement: cases (status, cause, decision, county, cycle), member changes (status,
cycle) and the figures pairings closed with (cycle, outcome, county). The county choices are those the user reads."""
import django_filters

from cycles.models import Cycle
from regions.filters import counties_in_scope
from replacements.choices import Cause, CaseStatus, ChangeStatus, Decision
from replacements.models import Case, MemberChange, PairingFigures


def _cycles(request):
    return Cycle.objects.order_by("-start_date")


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=CaseStatus.choices, empty_label="全部")
    cause = django_filters.ChoiceFilter(label="事由", choices=Cause.choices, empty_label="全部")
    decision = django_filters.ChoiceFilter(label="处理决定", choices=Decision.choices, empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope,
                                              field_name="home_town__county", empty_label="全部")
    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=_cycles, empty_label="全部")

    class Meta:
        model = Case
        fields = ["status", "cause", "decision", "county", "cycle"]


class ChangeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="备案状态", choices=ChangeStatus.choices, empty_label="全部")
    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=_cycles, empty_label="全部")

    class Meta:
        model = MemberChange
        fields = ["status", "cycle"]


class FiguresFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=_cycles, empty_label="全部")
    outcome = django_filters.ChoiceFilter(label="结束方式", choices=[("ended", "周期届满"), ("replaced", "调整更换")],
                                          empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope,
                                              field_name="town__county", empty_label="全部")

    class Meta:
        model = PairingFigures
        fields = ["cycle", "outcome", "county"]
