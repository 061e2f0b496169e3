"""Reads of coordination: overdue follow-ups, the groups with their figures (counted in the database), who keeps a
group, and whether a viewer sees the members' phones."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from coordination.choices import FollowUpStatus
from coordination.models import FollowUp, Group, office_q
from core.roles import is_system_admin
from core.scoping import NOTHING, VIEW, restrict


def overdue(queryset: QuerySet, today=None) -> QuerySet:
    """Follow-ups still open past their due date."""
    return queryset.filter(status=FollowUpStatus.OPEN, due_date__lt=today or timezone.localdate())


def keeps(user, group: Group) -> bool:
    """Whether ``user`` keeps ``group``'s members, meetings and follow-ups (its level's S&T and rural offices)."""
    if is_system_admin(user):
        return True
    q = office_q(user, "level", "city", "county")
    return q != NOTHING and Group.objects.filter(q, pk=group.pk).exists()


def sees_phone(user, group: Group) -> bool:
    """Members' phones show in full only to the group's keepers; every other reader sees them masked."""
    return keeps(user, group)


def groups_with_figures(user) -> QuerySet:
    """The groups ``user`` reads, each with its members in office, meetings, open and overdue follow-ups (one query)."""
    today = timezone.localdate()
    return (restrict(Group.objects.select_related("city", "county"), user, VIEW)
            .annotate(member_count=Count("members", filter=Q(members__active=True), distinct=True),
                      meeting_count=Count("meetings", distinct=True),
                      open_count=Count("follow_ups", filter=Q(follow_ups__status=FollowUpStatus.OPEN), distinct=True),
                      overdue_count=Count("follow_ups", filter=Q(follow_ups__status=FollowUpStatus.OPEN,
                                                                 follow_ups__due_date__lt=today), distinct=True))
            .order_by("level", "county__code", "pk"))


def own_open_items(user) -> QuerySet:
    """The open follow-ups whose owner is ``user``'s own member entry."""
    return restrict(FollowUp.objects.filter(owner__user=user, status=FollowUpStatus.OPEN), user, VIEW)
