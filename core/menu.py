"""The menu: each app lists its entries in ``<app>/menu.py`` as ``ITEMS``; a user sees the ones their role may use."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules

from core.roles import CITY_ROLES, COUNTY_ROLES, Role, TEAM_ROLES, is_system_admin

OFFICIALS = frozenset(CITY_ROLES | COUNTY_ROLES | {Role.PROVINCE})
S_AND_T = frozenset({Role.CITY_ST, Role.COUNTY_ST})
TOWN = frozenset({Role.TOWN})
TEAMS = frozenset(TEAM_ROLES)
EVERYONE = frozenset(Role.values)


@dataclass(frozen=True)
class MenuItem:
    """One menu entry: label, url name, the roles that see it, its group and icon, its order."""

    label: str
    url_name: str
    roles: frozenset
    group: str = "基础数据"
    icon: str = "circle"
    order: int = 100


GROUP_ORDER = ["工作台", "需求摸底", "征集申报", "遴选结对", "公示备案", "协议项目", "论证资助", "驻镇服务", "调整更换", "考评培训",
               "协调指导", "信息报送", "基础数据",
               "系统"]

_items: list[MenuItem] = []
_loaded = False


def register(*items: MenuItem) -> None:
    _items.extend(items)


def _load() -> None:
    global _loaded
    if not _loaded:
        autodiscover_modules("menu")
        _loaded = True


def menu_for(user, current_path: str = "") -> list[dict]:
    """Groups of entries the user's role may use, in programme order."""
    _load()
    if not user.is_authenticated:
        return []
    role = Role.ADMIN if is_system_admin(user) else user.role
    groups: dict[str, list] = {}
    for item in sorted(_items, key=lambda i: (i.order, i.label)):
        if role != Role.ADMIN and role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        groups.setdefault(item.group, []).append(
            {"label": item.label, "url": url, "icon": item.icon, "active": current_path.startswith(url) and url != "/"}
        )
    # Only the entry with the longest matching address is active (/registrations/ vs /registrations/dashboard/).
    matches = [entry for entries in groups.values() for entry in entries if entry["active"]]
    best = max(matches, key=lambda entry: len(entry["url"]), default=None)
    for entries in groups.values():
        for entry in entries:
            entry["active"] = entry is best
    return [{"name": name, "items": groups[name]} for name in GROUP_ORDER if name in groups] + [
        {"name": name, "items": entries} for name, entries in groups.items() if name not in GROUP_ORDER
    ]


register(
    MenuItem("工作台", "portal:home", EVERYONE, group="工作台", icon="speedometer2", order=1),
    MenuItem("站内通知", "portal:inbox", EVERYONE, group="工作台", icon="bell", order=2),
    MenuItem("API 文档", "api-docs", frozenset({Role.ADMIN}), group="系统", icon="code-slash", order=95),
    MenuItem("管理后台", "admin:index", frozenset({Role.ADMIN}), group="系统", icon="gear", order=99),
)
