"""Filters for the agreement list: cycle, county, status and lateness (project filters live beside the project pages)."""
import django_filters
from django.db.models import F, Q
from django.utils import timezone

from cycles.models import Cycle
from projects.choices import AgreementStatus
from projects.models import Agreement
from regions.filters import counties_in_scope

LATE_CHOICES = [("yes", "逾期"), ("no", "未逾期")]


def late_q() -> Q:
    """An agreement is late (``Agreement.is_late``): still unconfirmed past its due date, or confirmed after it."""
    today = timezone.localdate()
    return (Q(confirmed_at__isnull=True, due_date__lt=today)
            | Q(confirmed_at__isnull=False, confirmed_at__date__gt=F("due_date")))


class AgreementFilter(django_filters.FilterSet):
    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=Cycle.objects.all(), empty_label="全部周期")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, field_name="town__county",
                                              empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=AgreementStatus.choices, empty_label="全部")
    late = django_filters.ChoiceFilter(label="是否逾期", choices=LATE_CHOICES, method="filter_late", empty_label="全部")

    class Meta:
        model = Agreement
        fields = ["cycle", "county", "status", "late"]

    def filter_late(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(late_q())
        if value == "no":
            return queryset.exclude(late_q())
        return queryset
