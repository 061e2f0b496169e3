"""Reads of adjustment and replacement: a pairing's cases, the open items when a cycle ends."""
from __future__ import annotations

from django.db.models import Q

from core.scoping import VIEW, restrict


def open_items(user, cycle) -> dict:
    """What is left to settle in ``cycle`` as ``user`` may see it: each a scoped queryset (the page counts them in
    the database and lists the first of each)."""
    from fieldwork.choices import FlagStatus, RequestStatus, TaskStatus
    from fieldwork.models import ConditionRequest, Flag, Task
    from matching.choices import LIVE_PAIRING_STATES
    from matching.models import Pairing
    from projects.models import Project
    from replacements.choices import ChangeStatus
    from replacements.models import Case, MemberChange
    from replacements.services import OPEN_CASE
    from reviews.models import Grant
    from reviews.selectors import grants_with_figures

    return {
        "pairings": restrict(Pairing.objects.filter(cycle=cycle, status__in=LIVE_PAIRING_STATES), user, VIEW)
        .select_related("town", "team"),
        "projects": restrict(Project.objects.filter(cycle=cycle, status__in=("draft", "submitted", "returned",
                                                                           "accepted")), user, VIEW)
        .select_related("town", "team"),
        "grants": grants_with_figures(restrict(Grant.objects.filter(cycle=cycle, closure=""), user, VIEW))
        .filter(undisbursed__gt=0).select_related("town", "team", "project"),
        "flags": restrict(Flag.objects.filter(cycle=cycle, status=FlagStatus.OPEN), user, VIEW)
        .select_related("home_town", "team"),
        "cases": restrict(Case.objects.filter(cycle=cycle, status__in=OPEN_CASE), user, VIEW)
        .select_related("home_town", "team"),
        "changes": restrict(MemberChange.objects.filter(cycle=cycle).filter(
            Q(status=ChangeStatus.PENDING) | Q(status=ChangeStatus.CITY_CONFIRMED)), user, VIEW)
        .select_related("home_town", "team"),
        "tasks": restrict(Task.objects.filter(cycle=cycle, status__in=(TaskStatus.OPEN, TaskStatus.REPORTED)), user,
                          VIEW).select_related("home_town", "team"),
        "requests": restrict(ConditionRequest.objects.filter(cycle=cycle).exclude(status=RequestStatus.CLOSED), user,
                             VIEW).select_related("home_town", "team"),
    }
