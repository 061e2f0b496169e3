"""Filters of the service-activity list (status, service type, cross-town, town, team, date range) and of the photo
gallery (confirmed only or all, town, team).

The towns and teams offered are those of the activities the user can see (a subquery of the scoped rows): a choice
never names a town or a team outside the user's scope.
"""
from __future__ import annotations

import django_filters
from django_filters import fields as filter_fields
from django import forms

from core.roles import TEAM_ROLES
from core.scoping import VIEW, restrict
from fieldwork.choices import RecordStatus, ServiceType
from fieldwork.models import Activity
from regions.models import Town
from teams.models import Team

YES_NO = [("yes", "是"), ("no", "否")]


def _visible_activities(request):
    if request is None or not request.user.is_authenticated:
        return Activity.objects.none()
    return restrict(Activity.objects.all(), request.user, VIEW)


def towns_of_visible(request):
    """The towns where the activities this user can see were done."""
    return Town.objects.filter(pk__in=_visible_activities(request).values("town_id")).select_related(
        "county").order_by("county__code", "code")


def teams_of_visible(request):
    return Team.objects.filter(pk__in=_visible_activities(request).values("team_id")).order_by("name", "pk")


class TownField(filter_fields.ModelChoiceField):
    def label_from_instance(self, town):
        return "%s%s" % (town.county.name, town.name)


class TownChoiceFilter(django_filters.ModelChoiceFilter):
    """A town shown with its county (two towns of one name in two counties stay apart)."""

    field_class = TownField


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=RecordStatus.choices, empty_label="全部")
    service_type = django_filters.ChoiceFilter(label="服务类型", choices=ServiceType.choices, empty_label="全部")
    cross_town = django_filters.ChoiceFilter(label="跨镇帮扶", choices=YES_NO, method="filter_cross_town",
                                             empty_label="全部")
    town = TownChoiceFilter(label="所在镇", queryset=towns_of_visible, empty_label="全部")
    team = django_filters.ModelChoiceFilter(label="团队", queryset=teams_of_visible, empty_label="全部")
    date_from = django_filters.DateFilter(label="日期从", field_name="date", lookup_expr="gte", widget=_date_input(),
                                          error_messages={"invalid": "“日期从”格式不正确，应如 2025-03-01。"})
    date_to = django_filters.DateFilter(label="日期至", field_name="date", lookup_expr="lte", widget=_date_input(),
                                        error_messages={"invalid": "“日期至”格式不正确，应如 2025-03-31。"})

    class Meta:
        model = Activity
        fields = ["status", "service_type", "cross_town", "town", "team", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.request
        if request is not None and request.user.is_authenticated and request.user.role in TEAM_ROLES:
            self.filters.pop("team", None)  # a team sees only its own

    def filter_cross_town(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(cross_town=value == "yes")
        return queryset


GALLERY_STATUS = [("confirmed", "仅已确认"), ("all", "含待确认")]


class GalleryFilter(django_filters.FilterSet):
    """The gallery shows confirmed activities' photos unless asked for all (withdrawn ones never)."""

    status = django_filters.ChoiceFilter(label="范围", choices=GALLERY_STATUS, method="filter_status",
                                         empty_label=None)
    town = TownChoiceFilter(label="所在镇", queryset=towns_of_visible, field_name="activity__town", empty_label="全部")
    team = django_filters.ModelChoiceFilter(label="团队", queryset=teams_of_visible, field_name="activity__team",
                                            empty_label="全部")

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None and data.get("status") not in dict(GALLERY_STATUS):
            data["status"] = "confirmed"
        super().__init__(data, *args, **kwargs)
        request = self.request
        if request is not None and request.user.is_authenticated and request.user.role in TEAM_ROLES:
            self.filters.pop("team", None)

    def filter_status(self, queryset, name, value):
        if value == "all":
            return queryset.exclude(activity__status=RecordStatus.WITHDRAWN)
        return queryset.filter(activity__status=RecordStatus.CONFIRMED)
