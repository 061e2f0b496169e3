"""Notice to-dos: objections to handle, pairings proposed but not yet on notice."""
from django.urls import reverse

from core.roles import Role, is_system_admin
from core.dashboard import TodoItem, provider
from core.scoping import CHANGE, restrict
from notices.choices import OPEN_OBJECTION_STATES
from notices.models import Objection
from notices.services import pairings_ready_for_notice


@provider
def todo(user, cycle):
    if cycle is None or not (is_system_admin(user) or user.role in (Role.CITY_ST, Role.COUNTY_ST)):
        return []
    waiting = restrict(Objection.objects.filter(status__in=OPEN_OBJECTION_STATES), user, CHANGE).count()
    ready = pairings_ready_for_notice(user, cycle).count()
    return [
        TodoItem(label="待处理的公示异议", count=waiting, url=reverse("notices:objection_list") + "?status=received",
                 level="danger"),
        TodoItem(label="已确定、待公示的拟结对", count=ready, url=reverse("notices:notice_create")),
    ]
