"""What the regions data asks of officials: towns without a class, work teams missing."""
from django.urls import reverse

from core.roles import Role, is_system_admin
from core.dashboard import TodoItem, provider
from core.scoping import restrict
from regions.models import Town, TownClassification


@provider
def todo(user, cycle):
    if cycle is None:
        return []
    items = []
    if is_system_admin(user) or user.role == Role.CITY_ST:
        towns = restrict(Town.objects.all(), user)
        unclassified = towns.exclude(classifications__cycle=cycle).count()
        items.append(TodoItem(label="未设置类别与组织层级的镇", count=unclassified,
                              url=reverse("regions:town_list") + "?classified=no", level="warning",
                              hint="请在“镇（乡、街道）”中设置或导入本周期的镇类别。"))
    if is_system_admin(user) or user.role in {Role.CITY_ST, Role.COUNTY_ST, Role.TOWN}:
        covered = TownClassification.objects.filter(cycle=cycle).exclude(organizing_level="none").values("town_id")
        missing = restrict(Town.objects.filter(pk__in=covered, work_team__isnull=True), user).count()
        items.append(TodoItem(label="尚未登记驻镇工作队的帮扶镇", count=missing,
                              url=reverse("regions:town_list") + "?work_team=missing", level="warning"))
    return items
