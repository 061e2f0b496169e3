"""Filters of the stay list (status, cross-town, member, town, team, date range) and of the day-count page (cycle,
county).

The members, towns and teams offered are those of the stays the user can see (a subquery of the scoped rows): a
choice never names a person, a town or a team outside the user's scope. Whoever sees a whole city or more types a
member's name instead of choosing among hundreds of people.
"""
from __future__ import annotations

import django_filters
from django import forms
from django_filters import fields as filter_fields

from core.roles import COUNTY_ROLES, TEAM_ROLES, Role
from core.scoping import VIEW, restrict
from cycles.models import Cycle
from fieldwork.choices import RecordStatus
from fieldwork.models import Stay
from matching.models import Pairing
from regions.filters import counties_in_scope
from regions.models import Town
from teams.models import Commissioner, Team

YES_NO = [("yes", "是"), ("no", "否")]
# Who chooses a member from a list: a team, a town, a county (a few dozen people at most).
MEMBER_CHOOSERS = TEAM_ROLES | COUNTY_ROLES | {Role.TOWN}


def _visible_stays(request):
    if request is None or not request.user.is_authenticated:
        return Stay.objects.none()
    return restrict(Stay.objects.all(), request.user, VIEW)


def members_of_visible(request):
    return Commissioner.objects.filter(pk__in=_visible_stays(request).values("commissioner_id")).order_by("name", "pk")


def towns_of_visible(request):
    """The towns where the stays this user can see were."""
    return Town.objects.filter(pk__in=_visible_stays(request).values("town_id")).select_related(
        "county").order_by("county__code", "code")


def teams_of_visible(request):
    return Team.objects.filter(pk__in=_visible_stays(request).values("team_id")).order_by("name", "pk")


class TownField(filter_fields.ModelChoiceField):
    def label_from_instance(self, town):
        return "%s%s" % (town.county.name, town.name)


class TownChoiceFilter(django_filters.ModelChoiceFilter):
    """A town shown with its county (two towns of one name in two counties stay apart)."""

    field_class = TownField


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StayFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=RecordStatus.choices, empty_label="全部")
    cross_town = django_filters.ChoiceFilter(label="跨镇帮扶", choices=YES_NO, method="filter_cross_town",
                                             empty_label="全部")
    member = django_filters.ModelChoiceFilter(label="驻镇成员", queryset=members_of_visible, field_name="commissioner",
                                              empty_label="全部")
    town = TownChoiceFilter(label="所在镇", queryset=towns_of_visible, empty_label="全部")
    team = django_filters.ModelChoiceFilter(label="团队", queryset=teams_of_visible, empty_label="全部")
    # A stay is shown when any of its days falls in the range.
    date_from = django_filters.DateFilter(label="日期从", field_name="end_date", lookup_expr="gte", widget=_date_input(),
                                          error_messages={"invalid": "“日期从”格式不正确，应如 2025-03-01。"})
    date_to = django_filters.DateFilter(label="日期至", field_name="start_date", lookup_expr="lte", widget=_date_input(),
                                        error_messages={"invalid": "“日期至”格式不正确，应如 2025-03-31。"})

    class Meta:
        model = Stay
        fields = ["status", "cross_town", "member", "town", "team", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.request
        user = request.user if request is not None and request.user.is_authenticated else None
        if user is None:
            return
        if user.role in TEAM_ROLES:
            self.filters.pop("team", None)  # a team sees only its own
        if user.role not in MEMBER_CHOOSERS:
            self.filters["member"] = django_filters.CharFilter(label="成员姓名", field_name="commissioner__name",
                                                               lookup_expr="icontains")

    def filter_cross_town(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(cross_town=value == "yes")
        return queryset


def _no_filter(queryset, name, value):
    """The cycle is applied by the view (the current cycle when none is chosen)."""
    return queryset


class DaysFilter(django_filters.FilterSet):
    """The day-count page: a cycle (the current one unless chosen) and a county."""

    cycle = django_filters.ModelChoiceFilter(label="帮扶周期", queryset=Cycle.objects.order_by("-start_date"),
                                             method=_no_filter, empty_label="当前周期")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, field_name="town__county",
                                              empty_label="全部")

    class Meta:
        model = Pairing
        fields = ["cycle", "county"]
