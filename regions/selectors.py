"""Reads about who organizes which town in a cycle (used by needs, calls, selection and notices)."""
from django.db.models import F, Q

from core.roles import CITY_ROLES, COUNTY_ROLES, Role
from regions.choices import OrganizingLevel

CITY_LEVELS = (OrganizingLevel.CITY, OrganizingLevel.PROVINCE)


def sees_several_cities(user) -> bool:
    """Whether the user's scope spans more than one city (the province, the administrator): their summaries go by
    city, not by county, so that a province's table has 20 rows rather than 120 and does not grow with the towns."""
    from core.scoping import restrict
    from regions.models import City

    return len(restrict(City.objects.all(), user)[:2]) > 1


def organized_towns_q(user, *, town_path: str = "town", cycle_path: str | None = "cycle", cycle=None) -> Q:
    """Rows whose town the user's level organizes in that row's cycle (or in ``cycle``).

    City roles organize the city- (and record the province-) organized towns of their city; county roles the
    county-organized towns of their county; the town user their own town.
    """
    prefix = f"{town_path}__" if town_path else ""
    cycle_ref = cycle if cycle is not None else F(cycle_path)
    if user.role in CITY_ROLES and user.city_id:
        return Q(**{f"{prefix}county__city_id": user.city_id,
                    f"{prefix}classifications__cycle": cycle_ref,
                    f"{prefix}classifications__organizing_level__in": CITY_LEVELS})
    if user.role in COUNTY_ROLES and user.county_id:
        return Q(**{f"{prefix}county_id": user.county_id,
                    f"{prefix}classifications__cycle": cycle_ref,
                    f"{prefix}classifications__organizing_level": OrganizingLevel.COUNTY})
    if user.role == Role.TOWN and user.town_id:
        return Q(**{f"{town_path}_id" if town_path else "pk": user.town_id})
    return Q(pk__in=[])


def organizer_level_for(user) -> str | None:
    if user.role in CITY_ROLES:
        return "city"
    if user.role in COUNTY_ROLES:
        return "county"
    return None


def organizer_change_q(user) -> Q:
    """Rows of an organizer-owned model (fields ``organizer_level``, ``city``, ``county``) the user's S&T office manages."""
    if user.role == Role.CITY_ST and user.city_id:
        return Q(organizer_level="city", city_id=user.city_id)
    if user.role == Role.COUNTY_ST and user.county_id:
        return Q(organizer_level="county", county_id=user.county_id)
    return Q(pk__in=[])
