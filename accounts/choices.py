"""Roles of docs/domain.md and the groups the scoping function reasons with."""


# The roles and their groups live in core.roles (the bottom layer); re-exported here for the user model and callers.
from core.roles import (  # noqa: E402,F401
    CITY_ROLES, COUNTY_ROLES, OFFICIAL_ROLES, ROLE_SCOPE_FIELD, S_AND_T_ROLES, TEAM_ROLES, Role,
)

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
    from core.roles import is_system_admin

    if is_system_admin(user):
        return ALL_MANAGED_ROLES
    return MANAGED_ROLES.get(user.role, ())
