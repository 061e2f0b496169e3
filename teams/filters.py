"""Filters for the registry and team lists."""
import django_filters

from core.scoping import restrict
from cycles.models import Cycle
from teams.choices import Education, TitleLevel
from teams.models import Commissioner, Team
from units.models import DispatchingUnit


class CommissionerFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(label="派出单位", empty_label="全部", queryset=lambda request: restrict(
        DispatchingUnit.objects.all(), request.user if request else None))
    education = django_filters.ChoiceFilter(label="学历", choices=Education.choices, empty_label="全部")
    title_level = django_filters.ChoiceFilter(label="职称级别", choices=TitleLevel.choices, empty_label="全部")
    unverified = django_filters.ChoiceFilter(label="账号核验", choices=[("1", "待核验")], empty_label="全部",
                                             method="filter_unverified")

    class Meta:
        model = Commissioner
        fields = ["unit", "education", "title_level"]

    def filter_unverified(self, queryset, name, value):
        return queryset.filter(user__isnull=False, verified_at__isnull=True) if value else queryset


class TeamFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=Cycle.objects.all(), empty_label="全部")

    class Meta:
        model = Team
        fields = ["cycle"]
