"""To-dos from calls: applications to review, returned applications, accounts to verify."""
from django.urls import reverse

from core.roles import Role, is_system_admin
from calls.choices import ApplicationStatus
from calls.models import Application
from core.dashboard import TodoItem, provider
from core.scoping import CHANGE, restrict
from teams.models import Commissioner


@provider
def todo(user, cycle):
    items = []
    role = Role.ADMIN if is_system_admin(user) else user.role
    applications = Application.objects.filter(call__cycle=cycle) if cycle else Application.objects.all()
    if role in {Role.CITY_ST, Role.COUNTY_ST, Role.ADMIN}:
        count = restrict(applications.filter(status=ApplicationStatus.SUBMITTED), user, CHANGE).count()
        items.append(TodoItem(label="待审核的申报", count=count,
                              url=reverse("calls:application_list") + "?status=submitted", level="warning",
                              hint="审核后可受理进入遴选、退回修改或不予受理。"))
    if role == Role.TEAM_LEADER:
        count = restrict(applications.filter(status=ApplicationStatus.RETURNED), user).count()
        items.append(TodoItem(label="被退回待修改的申报", count=count,
                              url=reverse("calls:application_list") + "?status=returned", level="danger"))
        drafts = restrict(applications.filter(status=ApplicationStatus.DRAFT), user).count()
        items.append(TodoItem(label="尚未提交的申报草稿", count=drafts,
                              url=reverse("calls:application_list") + "?status=draft", level="primary"))
    if role == Role.UNIT:
        count = restrict(Commissioner.objects.filter(user__isnull=False, verified_at__isnull=True), user).count()
        items.append(TodoItem(label="待核验的特派员账号", count=count,
                              url=reverse("teams:commissioner_list") + "?unverified=1", level="warning",
                              hint="本单位人员注册为团队负责人后，须经核验申报方可受理。"))
    return items
