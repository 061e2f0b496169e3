"""To-dos of adjustment and replacement, counted in the database and scoped with ``restrict``:

* the organizing S&T office: cases waiting for its decision (the team answered, or its deadline passed);
* a team's leader: cases waiting for the team's answer;
* the city S&T bureau and the province: member changes waiting for the registration step they may take now (the
  city first for a county team's change; the province after it, or directly for a city team's change).
"""
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.dashboard import TodoItem, provider
from core.roles import ORGANIZERS, Role, is_system_admin
from core.scoping import CHANGE, VIEW, restrict
from replacements.choices import CaseStatus, ChangeStatus
from replacements.models import Case, MemberChange


def _in_cycle(queryset, cycle):
    return queryset.filter(cycle=cycle) if cycle else queryset


def _item(queryset, label, list_url, level="warning", hint="") -> list[TodoItem]:
    count = queryset.count()
    if not count:
        return []
    url = queryset.order_by("pk").first().get_absolute_url() if count == 1 else list_url
    return [TodoItem(label=label, count=count, url=url, level=level, hint=hint)]


def _organizer(user, cycle) -> list[TodoItem]:
    today = timezone.localdate()
    waiting = restrict(_in_cycle(Case.objects.filter(
        Q(status=CaseStatus.ANSWERED) | Q(status=CaseStatus.OPEN, answer_due__lt=today)), cycle), user, CHANGE)
    return _item(waiting, "调整更换案件待决定", reverse("replacements:case_list") + "?mine=1", level="danger",
                 hint="团队已答复或答复期限已过，请核实后作出决定。")


def _leader(user, cycle) -> list[TodoItem]:
    waiting = restrict(_in_cycle(Case.objects.filter(status=CaseStatus.OPEN, team_id=user.team_id), cycle), user,
                       VIEW)
    return _item(waiting, "调整更换调查待答复", reverse("replacements:case_list") + "?status=open", level="danger",
                 hint="组织单位就团队履职情况发起调查，请在答复期限前说明情况。")


def _changes(user, cycle) -> list[TodoItem]:
    if user.role == Role.CITY_ST:
        due = Q(status=ChangeStatus.PENDING, organizer_level="county")
    else:
        due = (Q(status=ChangeStatus.CITY_CONFIRMED, organizer_level="county")
               | Q(status=ChangeStatus.PENDING) & ~Q(organizer_level="county"))
    waiting = restrict(_in_cycle(MemberChange.objects.filter(due), cycle), user, VIEW)
    return _item(waiting, "成员变更待备案确认", reverse("replacements:change_list"), level="warning",
                 hint="核对变更后的团队人数和新成员资格，确认备案。")


@provider
def todo(user, cycle):
    if is_system_admin(user):
        return _organizer(user, cycle)
    items = []
    role = user.role
    if role in ORGANIZERS:
        items += _organizer(user, cycle)
    if role == Role.TEAM_LEADER and user.team_id:
        items += _leader(user, cycle)
    if role in (Role.CITY_ST, Role.PROVINCE):
        items += _changes(user, cycle)
    return items
