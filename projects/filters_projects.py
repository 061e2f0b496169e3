"""Filters of the project list (status, cycle, county, late) and the change-request list (status)."""
import django_filters
from django.db.models import Q
from django.utils import timezone

from cycles.models import Cycle
from projects.choices import ChangeStatus, ProjectStatus
from projects.models import Project, ProjectChange
from regions.filters import counties_in_scope


def overdue_q() -> Q:
    """Late: submitted after the due date, or still unsubmitted past it (projects.tables_projects.is_overdue)."""
    return Q(late=True) | Q(submitted_at__isnull=True, due_date__lt=timezone.localdate())


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ProjectStatus.choices, empty_label="全部")
    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=Cycle.objects.all(), empty_label="全部周期")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, field_name="town__county",
                                              empty_label="全部")
    late = django_filters.ChoiceFilter(label="逾期", choices=[("yes", "逾期"), ("no", "未逾期")], method="filter_late",
                                       empty_label="全部")

    class Meta:
        model = Project
        fields = ["status", "cycle", "county", "late"]

    def filter_late(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(overdue_q())
        if value == "no":
            return queryset.exclude(overdue_q())
        return queryset


class ChangeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ChangeStatus.choices, empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope,
                                              field_name="project__town__county", empty_label="全部")

    class Meta:
        model = ProjectChange
        fields = ["status", "county"]
