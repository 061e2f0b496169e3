"""Home dashboard: each app lists what a user must do next in ``<app>/dashboard.py`` (``def todo(user, cycle)``)."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

PROVIDERS: list = []
_loaded = False


@dataclass
class TodoItem:
    """One thing to do: what, how many, where, and whether it is late."""

    label: str
    count: int
    url: str = ""
    level: str = "primary"  # primary / warning / danger
    hint: str = ""


def provider(function):
    PROVIDERS.append(function)
    return function


def todo_for(user, cycle) -> list[TodoItem]:
    global _loaded
    if not _loaded:
        autodiscover_modules("dashboard")
        _loaded = True
    items = []
    for function in PROVIDERS:
        items.extend(item for item in function(user, cycle) if item.count)
    return items


EMPTY_TEXT = {
    "city_st": "目前没有待办事项。需求确认、征集申报审核、遴选与公示备案等事项将显示在这里。",
    "county_st": "目前没有待办事项。本县需求确认、申报审核、遴选、公示与备案事项将显示在这里。",
    "city_rural": "目前没有待办事项。需求调研协助事项将显示在这里。",
    "county_rural": "目前没有待办事项。需求调研协助事项将显示在这里。",
    "town": "目前没有待办事项。本镇的需求填报、帮扶协议和驻镇记录确认将显示在这里。",
    "team_leader": "目前没有待办事项。申报、帮扶项目和服务记录将显示在这里。",
    "team_member": "目前没有待办事项。服务活动与驻镇记录将显示在这里。",
    "unit": "目前没有待办事项。本单位特派员的申报确认、考评与培训将显示在这里。",
    "expert": "目前没有分配给您的评审任务。分配后将显示在这里。",
    "province": "目前没有待接收的备案。韶关市报送的备案与年度报告将显示在这里。",
    "admin": "目前没有待办事项。",
}
