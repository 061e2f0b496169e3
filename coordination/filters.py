"""Filters of the follow-up list: status, overdue, group and owner (the groups and members the user reads)."""
import django_filters
from django.utils import timezone

from coordination.choices import FollowUpStatus
from coordination.models import Group, GroupMember
from core.scoping import restrict

YES_NO = [("yes", "是"), ("no", "否")]


def _groups(request):
    if request is None:
        return Group.objects.none()
    return restrict(Group.objects.all(), request.user).order_by("level", "county__code", "pk")


def _members(request):
    if request is None:
        return GroupMember.objects.none()
    return restrict(GroupMember.objects.select_related("group"), request.user).order_by("group_id", "pk")


class FollowUpFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=FollowUpStatus.choices, empty_label="全部")
    overdue = django_filters.ChoiceFilter(label="是否逾期", choices=YES_NO, empty_label="全部", method="filter_overdue")
    group = django_filters.ModelChoiceFilter(label="小组", queryset=_groups, empty_label="全部")
    owner = django_filters.ModelChoiceFilter(label="责任人", queryset=_members, empty_label="全部")

    def filter_overdue(self, queryset, name, value):
        """Overdue: still open past the due date (computed from the dates, nothing is written)."""
        late = {"status": FollowUpStatus.OPEN, "due_date__lt": timezone.localdate()}
        if value == "yes":
            return queryset.filter(**late)
        if value == "no":
            return queryset.exclude(**late)
        return queryset
