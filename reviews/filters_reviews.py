"""Filters of the review list (status, mode, cycle, county, panel short of experts, funded or not) and the seat list."""
import django_filters
from django.db.models import Count, F, Q

from cycles.models import Cycle
from regions.filters import counties_in_scope
from reviews.choices import APPROVED_STATES, LIVE_SEATS, ReviewMode, ReviewStatus, SeatStatus
from reviews.models import Review, ReviewSeat


def short_panels(queryset):
    """Panels still open (forming or scoring) with fewer experts than their size after a withdrawal or removal."""
    return queryset.filter(mode=ReviewMode.PANEL, status__in=(ReviewStatus.FORMING, ReviewStatus.SCORING)).annotate(
        live_n=Count("seats", filter=Q(seats__status__in=LIVE_SEATS), distinct=True),
        gone_n=Count("seats", filter=Q(seats__status__in=(SeatStatus.DECLINED, SeatStatus.REMOVED)), distinct=True),
    ).filter(gone_n__gt=0, live_n__lt=F("panel_size"))


class ReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ReviewStatus.choices, empty_label="全部")
    mode = django_filters.ChoiceFilter(label="论证方式", choices=ReviewMode.choices, empty_label="全部")
    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=Cycle.objects.all(), empty_label="全部周期")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope,
                                              field_name="town__county", empty_label="全部")
    stage = django_filters.ChoiceFilter(label="待办", method="filter_stage", empty_label="全部", choices=[
        ("short", "专家回避待补充"), ("ungranted", "论证通过待立项资助"), ("granted", "已立项资助")])

    class Meta:
        model = Review
        fields = ["status", "mode", "cycle", "county", "stage"]

    def filter_stage(self, queryset, name, value):
        if value == "short":
            return queryset.filter(pk__in=short_panels(Review.objects.all()).values("pk"))
        if value == "ungranted":
            return queryset.filter(status__in=APPROVED_STATES, grant__isnull=True)
        if value == "granted":
            return queryset.filter(grant__isnull=False)
        return queryset


class SeatFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="评审任务状态", choices=SeatStatus.choices, empty_label="全部")
    review_status = django_filters.ChoiceFilter(label="论证状态", choices=ReviewStatus.choices,
                                                field_name="review__status", empty_label="全部")

    class Meta:
        model = ReviewSeat
        fields = ["status", "review_status"]
