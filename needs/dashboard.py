"""Needs to-dos: needs awaiting the organizer, returned needs and open surveys for a town."""
from django.urls import reverse
from django.utils import timezone

from core.roles import Role, is_system_admin
from core.dashboard import TodoItem, provider
from core.scoping import CHANGE, restrict
from needs.choices import NeedStatus
from needs.models import CampaignTown, Need


@provider
def todo(user, cycle):
    if cycle is None:
        return []
    items = []
    needs = Need.objects.filter(cycle=cycle)
    if is_system_admin(user) or user.role in (Role.CITY_ST, Role.COUNTY_ST):
        waiting = restrict(needs.filter(status=NeedStatus.SUBMITTED), user, CHANGE).count()
        items.append(TodoItem(label="待确认的需求", count=waiting,
                              url=reverse("needs:need_list") + "?status=submitted&mine=1&cycle=%d" % cycle.pk))
    if user.role in (Role.TOWN, Role.CITY_RURAL, Role.COUNTY_RURAL):
        returned = restrict(needs.filter(status=NeedStatus.RETURNED), user, CHANGE).count()
        items.append(TodoItem(label="被退回、待修改的需求", count=returned, level="warning",
                              url=reverse("needs:need_list") + "?status=returned&cycle=%d" % cycle.pk))
    if user.role == Role.TOWN:
        rows = CampaignTown.objects.filter(town_id=user.town_id, submitted_at__isnull=True, campaign__status="open",
                                           campaign__cycle=cycle).select_related("campaign")
        today = timezone.localdate()
        for row in rows:
            late = today > row.campaign.due_date
            items.append(TodoItem(label="需求调研待提交：%s" % row.campaign.title, count=1,
                                  url=row.campaign.get_absolute_url(), level="danger" if late else "warning",
                                  hint="截止 %s%s" % (row.campaign.due_date, "，已逾期" if late else "")))
    return items
