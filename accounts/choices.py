"""Roles of DOMAIN.md and the groups the scoping function reasons with."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who logs in (DOMAIN.md, Roles)."""

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


CITY_ROLES = {Role.CITY_ST, Role.CITY_RURAL}
COUNTY_ROLES = {Role.COUNTY_ST, Role.COUNTY_RURAL}
OFFICIAL_ROLES = CITY_ROLES | COUNTY_ROLES | {Role.PROVINCE}
S_AND_T_ROLES = {Role.CITY_ST, Role.COUNTY_ST}
TEAM_ROLES = {Role.TEAM_LEADER, Role.TEAM_MEMBER}

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

# Which roles each role may create or manage, always inside its own scope (only roles below its own; a unit's
# account may add accounts for its own unit, a team leader its members). Everything else is the system
# administrator's: province and city accounts, and the first account of each dispatching unit.
MANAGED_ROLES = {
    Role.CITY_ST: (Role.COUNTY_ST, Role.COUNTY_RURAL, Role.TOWN, Role.EXPERT),
    Role.COUNTY_ST: (Role.TOWN, Role.EXPERT),
    Role.UNIT: (Role.UNIT,),
    Role.TEAM_LEADER: (Role.TEAM_MEMBER,),
}
ALL_MANAGED_ROLES = tuple(role for role in Role if role != Role.ADMIN) + (Role.ADMIN,)


def managed_roles(user) -> tuple:
    """The roles ``user`` may create and manage (within their scope)."""
    if user.is_superuser or user.role == Role.ADMIN:
        return ALL_MANAGED_ROLES
    return MANAGED_ROLES.get(user.role, ())
