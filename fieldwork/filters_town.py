"""Filters of the work team's pages: tasks (status, overdue, town, team), flags (kind, status, county, team) and the
team's requests (status, category, county).

The town and team choices are those of the rows the user reads (never every town or team of the province)."""
import django_filters
from django_filters.fields import ModelChoiceField
from django.utils import timezone

from core.scoping import restrict
from fieldwork.choices import ConditionCategory, FlagKind, FlagStatus, RequestStatus, TaskStatus
from fieldwork.models import ConditionRequest, Flag, Task
from fieldwork.selectors import OPEN_TASK_STATES
from matching.models import Pairing
from regions.filters import counties_in_scope
from regions.models import Town
from teams.models import Team

YES_NO = [("yes", "是"), ("no", "否")]


def _towns_of(model):
    def choices(request):
        if request is None:
            return Town.objects.none()
        rows = restrict(model.objects.all(), request.user).values("home_town_id")
        return Town.objects.filter(pk__in=rows).select_related("county").order_by("code")
    return choices


def _teams_of(model):
    def choices(request):
        if request is None:
            return Team.objects.none()
        rows = restrict(model.objects.all(), request.user).values("team_id")
        return Team.objects.filter(pk__in=rows).order_by("name", "pk")
    return choices


class _TownField(ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name  # a town with its county: two towns of one name in two counties stay apart


class TownFilter(django_filters.ModelChoiceFilter):
    field_class = _TownField


def overdue_filter(queryset, name, value):
    """Overdue: still open (or reported, not yet accepted) past its due date (``selectors.overdue_tasks``)."""
    today = timezone.localdate()
    late = {"status__in": OPEN_TASK_STATES, "due_date__lt": today}
    if value == "yes":
        return queryset.filter(**late)
    if value == "no":
        return queryset.exclude(**late)
    return queryset


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=TaskStatus.choices, empty_label="全部")
    overdue = django_filters.ChoiceFilter(label="是否逾期", choices=YES_NO, method="filter_overdue",
                                          empty_label="全部")
    town = TownFilter(label="镇", queryset=_towns_of(Task), field_name="home_town",
                                            empty_label="全部")
    team = django_filters.ModelChoiceFilter(label="团队", queryset=_teams_of(Task), field_name="team",
                                            empty_label="全部")

    class Meta:
        model = Task
        fields = ["status", "overdue", "town", "team"]

    def filter_overdue(self, queryset, name, value):
        return overdue_filter(queryset, name, value)


class FlagFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="预警类型", choices=FlagKind.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=FlagStatus.choices, empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope,
                                              field_name="home_town__county", empty_label="全部")
    team = django_filters.ModelChoiceFilter(label="团队", queryset=_teams_of(Flag), field_name="team",
                                            empty_label="全部")

    class Meta:
        model = Flag
        fields = ["kind", "status", "county", "team"]


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=RequestStatus.choices, empty_label="全部")
    category = django_filters.ChoiceFilter(label="问题类别", choices=ConditionCategory.choices, empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope,
                                              field_name="home_town__county", empty_label="全部")

    class Meta:
        model = ConditionRequest
        fields = ["status", "category", "county"]


class ConditionsFilter(django_filters.FilterSet):
    """The working pairings' conditions: by county, and whether the work team has recorded them."""

    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, field_name="town__county",
                                              empty_label="全部")
    recorded = django_filters.ChoiceFilter(label="是否登记", choices=[("yes", "已登记"), ("no", "未登记")],
                                           method="filter_recorded", empty_label="全部")

    class Meta:
        model = Pairing
        fields = ["county", "recorded"]

    def filter_recorded(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(wc_id__isnull=(value == "no"))
        return queryset
