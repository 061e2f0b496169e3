"""The roles of the programme and the named groups the rules use — declared once.

Everything that asks "may this kind of user …" names a group here (``ORGANIZERS``, ``HANDLERS``, …) rather than
spelling out roles; the one question "is this the system administrator?" is :func:`is_system_admin`. This module is
at the bottom: it imports no app (``accounts.choices`` re-exports it for the user model's field).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who logs in (docs/domain.md, Roles)."""

    ADMIN = "admin", _("系统管理员")
    PROVINCE = "province", _("省科技厅")
    CITY_ST = "city_st", _("市科技局")
    CITY_RURAL = "city_rural", _("市乡村振兴局")
    COUNTY_ST = "county_st", _("县科技部门")
    COUNTY_RURAL = "county_rural", _("县乡村振兴部门")
    TOWN = "town", _("镇·驻镇工作队")
    TEAM_LEADER = "team_leader", _("团队负责人")
    TEAM_MEMBER = "team_member", _("团队成员")
    UNIT = "unit", _("派出单位")
    EXPERT = "expert", _("评审专家")


# ------------------------------------------------------------------ levels (what the scoping function reasons with)
CITY_ROLES = frozenset({Role.CITY_ST, Role.CITY_RURAL})
COUNTY_ROLES = frozenset({Role.COUNTY_ST, Role.COUNTY_RURAL})
OFFICIAL_ROLES = CITY_ROLES | COUNTY_ROLES | {Role.PROVINCE}
TEAM_ROLES = frozenset({Role.TEAM_LEADER, Role.TEAM_MEMBER})

# ------------------------------------------------------------------ named groups (who does what in the programme)
# The S&T bureaus of the city and the counties organize: surveys, calls, selection, notices, registration.
ORGANIZERS = S_AND_T_ROLES = frozenset({Role.CITY_ST, Role.COUNTY_ST})
# Objections to a notice are handled by its organizer.
HANDLERS = ORGANIZERS
# The city S&T bureau alone: cycles and their rules, town classes, dispatching units registered, registration review.
CITY_ORGANIZER = frozenset({Role.CITY_ST})
# Needs and town profiles are entered by the town, its organizer, and the rural-revitalization offices of that scope.
NEED_ENTERERS = frozenset({Role.TOWN, Role.CITY_ST, Role.COUNTY_ST, Role.CITY_RURAL, Role.COUNTY_RURAL})
# Villages and the stationed work team are kept by the town and the S&T offices above it.
TOWN_KEEPERS = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN})
# Team leaders apply for their team and keep its members.
LEADERS = frozenset({Role.TEAM_LEADER})
# Commissioners are registered by their dispatching unit or the S&T offices.
REGISTRARS = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.UNIT})
# Review experts score the projects they are assigned and declare their conflicts of interest.
EXPERTS = frozenset({Role.EXPERT})

# Which scope field each role is bound to; the user's record must carry it.
ROLE_SCOPE_FIELD = {
    Role.ADMIN: None,
    Role.PROVINCE: "province_code",
    Role.CITY_ST: "city",
    Role.CITY_RURAL: "city",
    Role.COUNTY_ST: "county",
    Role.COUNTY_RURAL: "county",
    Role.TOWN: "town",
    Role.TEAM_LEADER: "team",
    Role.TEAM_MEMBER: "team",
    Role.UNIT: "unit",
    Role.EXPERT: None,
}


def is_system_admin(user) -> bool:
    """The one superuser predicate: the system administrator, who sees every scope (and only he uses /admin/)."""
    return bool(user is not None and getattr(user, "is_active", False)
                and (getattr(user, "is_superuser", False) or getattr(user, "role", None) == Role.ADMIN))


def has_role(user, roles) -> bool:
    """``user`` is the system administrator or holds one of ``roles``."""
    return is_system_admin(user) or getattr(user, "role", None) in roles
