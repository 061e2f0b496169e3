"""Shared test data and helpers: named users per role in two counties, and the scope-denial assertion.

Every later issue writes a permission test in one line::

    def test_it_hides_a_town_from_another_county(world, assert_denied):
        assert_denied(url, allowed=["city_st", "renhua_st"])
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.roles import Role
from accounts.models import User
from core.china import make_credit_code
from cycles.models import Cycle
from regions.choices import OrganizingLevel, TownClass, TownKind
from regions.models import City, County, Town, TownClassification, WorkTeam
from teams.models import Team
from units.models import DispatchingUnit

PASSWORD = "Test@2025kj"
# The test world's cycle runs three calendar years around today (last year to next year), so tests never age out of
# it; tests that name dates inside the cycle write them as ``dt.date(CYCLE_YEAR, m, d)``.
CYCLE_YEAR = dt.date.today().year - 1


@dataclass
class World:
    """A small programme: one city, two counties (仁化县, 南雄市), each with a city- and a county-organized town."""

    cycle: Cycle
    city: City
    renhua: County
    nanxiong: County
    renhua_city_town: Town  # 黄坑镇, city-organized key town
    renhua_county_town: Town  # 董塘镇, county-organized consolidation town
    nanxiong_city_town: Town  # 百顺镇
    nanxiong_county_town: Town  # 珠玑镇
    unit: DispatchingUnit
    other_unit: DispatchingUnit
    team: Team
    other_team: Team
    users: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> User:
        return self.users[name]


def _user(username: str, role: str, **scope) -> User:
    user = User(username=username, role=role, full_name=username, must_change_password=False, **scope)
    user.set_password(PASSWORD)
    user.save()
    return user


def build_world() -> World:
    city = City.objects.create(code="4402", name="韶关市", province_code="44", province_name="广东省")
    renhua = County.objects.create(city=city, code="440224", name="仁化县")
    nanxiong = County.objects.create(city=city, code="440282", name="南雄市")
    cycle = Cycle.objects.create(
        name="测试周期", status=Cycle.Status.OPEN, start_date=dt.date(CYCLE_YEAR, 1, 1),
        end_date=dt.date(CYCLE_YEAR + 2, 12, 31), dispatch_deadline=dt.date(CYCLE_YEAR, 3, 31),
    )
    towns = {}
    for key, county, code, name, town_class, level in [
        ("renhua_city_town", renhua, "440224111", "黄坑镇", TownClass.KEY, OrganizingLevel.CITY),
        ("renhua_county_town", renhua, "440224108", "董塘镇", TownClass.CONSOLIDATION, OrganizingLevel.COUNTY),
        ("nanxiong_city_town", nanxiong, "440282120", "百顺镇", TownClass.KEY, OrganizingLevel.CITY),
        ("nanxiong_county_town", nanxiong, "440282113", "珠玑镇", TownClass.CONSOLIDATION, OrganizingLevel.COUNTY),
    ]:
        town = Town.objects.create(county=county, code=code, name=name, kind=TownKind.TOWN)
        TownClassification.objects.create(cycle=cycle, town=town, town_class=town_class, organizing_level=level)
        WorkTeam.objects.create(town=town, leader_name="%s队长" % name, contact_phone="0751-8888888")
        towns[key] = town
    unit = DispatchingUnit.objects.create(name="华南农业大学", kind="university",
                                          credit_code=make_credit_code("12440000455416300"))
    other_unit = DispatchingUnit.objects.create(name="韶关学院", kind="university",
                                                credit_code=make_credit_code("12440200455906003"))
    team = Team.objects.create(cycle=cycle, name="柑橘团队", lead_unit=unit, leader_name="黄志强")
    other_team = Team.objects.create(cycle=cycle, name="茶叶团队", lead_unit=other_unit, leader_name="陈海燕")
    world = World(cycle=cycle, city=city, renhua=renhua, nanxiong=nanxiong, unit=unit, other_unit=other_unit,
                  team=team, other_team=other_team, **towns)
    world.users = {
        "admin": _user("admin", Role.ADMIN),
        "province": _user("province", Role.PROVINCE, province_code="44"),
        "city_st": _user("city_st", Role.CITY_ST, city=city),
        "city_rural": _user("city_rural", Role.CITY_RURAL, city=city),
        "renhua_st": _user("renhua_st", Role.COUNTY_ST, county=renhua),
        "renhua_rural": _user("renhua_rural", Role.COUNTY_RURAL, county=renhua),
        "nanxiong_st": _user("nanxiong_st", Role.COUNTY_ST, county=nanxiong),
        "nanxiong_rural": _user("nanxiong_rural", Role.COUNTY_RURAL, county=nanxiong),
        "renhua_city_town": _user("renhua_city_town", Role.TOWN, town=towns["renhua_city_town"], county=renhua),
        "renhua_county_town": _user("renhua_county_town", Role.TOWN, town=towns["renhua_county_town"], county=renhua),
        "nanxiong_city_town": _user("nanxiong_city_town", Role.TOWN, town=towns["nanxiong_city_town"], county=nanxiong),
        "nanxiong_county_town": _user("nanxiong_county_town", Role.TOWN, town=towns["nanxiong_county_town"],
                                      county=nanxiong),
        "leader": _user("leader", Role.TEAM_LEADER, team=team),
        "member": _user("member", Role.TEAM_MEMBER, team=team),
        "other_leader": _user("other_leader", Role.TEAM_LEADER, team=other_team),
        "unit": _user("unit", Role.UNIT, unit=unit),
        "expert": _user("expert", Role.EXPERT),
    }
    return world


ALL_USERS = [
    "admin", "province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural",
    "renhua_city_town", "renhua_county_town", "nanxiong_city_town", "nanxiong_county_town", "leader", "member",
    "other_leader", "unit", "expert",
]


def check_denied(client, world: World, url: str, *, allowed, method: str = "get", data=None, ok_codes=(200, 201, 204, 302)):
    """Every named user not in ``allowed`` gets 404 (or 403 for a forbidden action); each allowed one does not.

    Returns a dict of failures (empty when the rule holds) so the assertion message names who leaked.
    """
    failures = {}
    allowed = set(allowed) | {"admin"}
    for name in ALL_USERS:
        client.force_login(world[name])
        response = getattr(client, method)(url, data=data) if data is not None else getattr(client, method)(url)
        code = response.status_code
        if name in allowed and code not in ok_codes:
            failures[name] = "expected allowed, got %s" % code
        if name not in allowed and code not in (403, 404, 405):
            failures[name] = "expected denied, got %s" % code
        client.logout()
    return failures
