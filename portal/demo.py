"""Shaoguan demo data: regions from the division codes, two cycles, illustrative classes, units, teams, users.

Idempotent: running it twice leaves the same data. The 19 city-organized key towns and all
names of people are ILLUSTRATIVE — the real list is set by the city each cycle.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from core.roles import Role
from accounts.models import User
from core.china import make_credit_code
from cycles.models import Cycle
from regions.choices import OrganizingLevel, TownClass, TownKind
from regions.models import City, County, Town, TownClassification, WorkTeam, WorkTeamMember
from regions.services import divisions_load
from teams.models import Team
from units.models import DispatchingUnit

DEMO_PASSWORD = "Demo@2025kj"

# Illustrative: 19 key towns under city group assistance, spread over the ten counties.
CITY_KEY_TOWNS = [
    "440203103", "440203104",  # 武江区 江湾镇 重阳镇
    "440204104",  # 浈江区 花坪镇
    "440205109", "440205103",  # 曲江区 罗坑镇 小坑镇
    "440222105", "440222104",  # 始兴县 司前镇 罗坝镇
    "440224104", "440224106", "440224111",  # 仁化县 长江镇 红山镇 黄坑镇
    "440229114",  # 翁源县 新江镇
    "440232113", "440232112",  # 乳源 必背镇 游溪镇
    "440233104",  # 新丰县 遥田镇
    "440281111", "440281112",  # 乐昌市 五山镇 两江镇
    "440282120", "440282122", "440282104",  # 南雄市 百顺镇 帽子峰镇 坪田镇
]
# Illustrative: key towns assisted by Pearl River Delta cities under the province's own call.
PROVINCE_KEY_TOWNS = ["440232108", "440222106", "440281108"]
# Urban subdistricts outside the programme.
URBAN_SUBDISTRICTS = ["440203001", "440203002", "440204001", "440204002", "440204008"]

UNITS = [
    ("华南农业大学", DispatchingUnit.Kind.UNIVERSITY, "12440000455416300"),
    ("广东省农业科学院", DispatchingUnit.Kind.INSTITUTE, "12440000455858022"),
    ("韶关学院", DispatchingUnit.Kind.UNIVERSITY, "12440200455906003"),
    ("仲恺农业工程学院", DispatchingUnit.Kind.UNIVERSITY, "12440000455351004"),
    ("韶关市农业科技推广中心", DispatchingUnit.Kind.EXTENSION, "12440200MB2C56005"),
    ("广东省科学院微生物研究所", DispatchingUnit.Kind.INSTITUTE, "12440000455864006"),
]


def classification_for(town: Town) -> tuple[str, str]:
    if town.code in CITY_KEY_TOWNS:
        return TownClass.KEY, OrganizingLevel.CITY
    if town.code in PROVINCE_KEY_TOWNS:
        return TownClass.KEY, OrganizingLevel.PROVINCE
    if town.code in URBAN_SUBDISTRICTS:
        return TownClass.NONE, OrganizingLevel.NONE
    if town.kind == TownKind.SUBDISTRICT:
        return TownClass.NONE, OrganizingLevel.COUNTY
    return TownClass.CONSOLIDATION, OrganizingLevel.COUNTY


SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强", "海燕", "国平"]


def person_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Load (or refresh) the demo; returns the demo logins as (role label, username, password)."""
    divisions_load(city_code="4402")
    city = City.objects.get(code="4402")
    first, _ = Cycle.objects.update_or_create(
        name="第一批（2021—2024年）",
        defaults=dict(status=Cycle.Status.CLOSED, start_date=dt.date(2021, 12, 1), end_date=dt.date(2024, 11, 30),
                      dispatch_deadline=dt.date(2021, 12, 31), agreement_due_date=dt.date(2022, 3, 31)),
    )
    current, _ = Cycle.objects.update_or_create(
        name="第二批（2025—2027年）",
        defaults=dict(status=Cycle.Status.OPEN, start_date=dt.date(2025, 1, 1), end_date=dt.date(2027, 12, 31),
                      dispatch_deadline=dt.date(2026, 12, 31), agreement_due_date=dt.date(2027, 3, 31),
                      require_recommendation_letter=True),
    )
    towns = list(Town.objects.select_related("county").order_by("code"))
    for cycle in (first, current):
        existing = set(TownClassification.objects.filter(cycle=cycle).values_list("town_id", flat=True))
        TownClassification.objects.bulk_create([
            TownClassification(cycle=cycle, town=town, town_class=classification_for(town)[0],
                               organizing_level=classification_for(town)[1], note="演示数据（示意）")
            for town in towns if town.pk not in existing
        ])
    for index, town in enumerate(towns):
        if not WorkTeam.objects.filter(town=town).exists():
            team = WorkTeam.objects.create(
                town=town, leader_name=person_name(index), leader_phone="1380751%04d" % index,
                dispatched_by="%s驻镇帮镇扶村工作队（示意）" % town.county.name,
                contact_name=person_name(index + 3), contact_phone="0751-%07d" % (8800000 + index),
            )
            WorkTeamMember.objects.create(work_team=team, name=person_name(index + 11), position="队员",
                                          unit="%s农业农村局" % town.county.name)
    units = {}
    for name, kind, first17 in UNITS:
        unit, _ = DispatchingUnit.objects.update_or_create(
            name=name, defaults={"kind": kind, "credit_code": make_credit_code(first17),
                                 "contact_name": "科技处", "contact_phone": "020-8528%04d" % len(units)})
        units[name] = unit
    team_a, _ = Team.objects.update_or_create(
        cycle=current, name="华农柑橘绿色栽培团队",
        defaults={"lead_unit": units["华南农业大学"], "leader_name": "黄志强",
                  "summary": "贡柑、沙糖桔等柑橘类果树绿色高效栽培与病虫害防控（示意）"})
    team_b, _ = Team.objects.update_or_create(
        cycle=current, name="省农科院茶叶加工团队",
        defaults={"lead_unit": units["广东省农业科学院"], "leader_name": "陈海燕",
                  "summary": "白毛茶、红茶加工工艺与品牌建设（示意）"})
    renhua = County.objects.get(code="440224")
    nanxiong = County.objects.get(code="440282")
    huangkeng = Town.objects.get(code="440224111")
    accounts = [
        ("admin", Role.ADMIN, "系统管理员", {}),
        ("province", Role.PROVINCE, "省科技厅（只读）", {"province_code": city.province_code}),
        ("city_st", Role.CITY_ST, "市科技局 农村科技科", {"city": city}),
        ("city_rural", Role.CITY_RURAL, "市乡村振兴局", {"city": city}),
        ("renhua_st", Role.COUNTY_ST, "仁化县科技局", {"county": renhua}),
        ("renhua_rural", Role.COUNTY_RURAL, "仁化县乡村振兴局", {"county": renhua}),
        ("nanxiong_st", Role.COUNTY_ST, "南雄市科技局", {"county": nanxiong}),
        ("huangkeng", Role.TOWN, "仁化县黄坑镇驻镇工作队", {"town": huangkeng, "county": renhua}),
        ("leader", Role.TEAM_LEADER, "华农柑橘绿色栽培团队 负责人", {"team": team_a}),
        ("member", Role.TEAM_MEMBER, "华农柑橘绿色栽培团队 成员", {"team": team_a}),
        ("scau", Role.UNIT, "华南农业大学 科技处", {"unit": units["华南农业大学"]}),
        ("expert", Role.EXPERT, "评审专家", {}),
    ]
    logins = []
    for username, role, name, scope in accounts:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.full_name, user.organization = role, name, name
        for field, value in scope.items():
            setattr(user, field, value)
        user.must_change_password = False
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        logins.append((str(Role(role).label), username, DEMO_PASSWORD))
    from needs.demo import load_needs_demo

    load_needs_demo(current, User.objects.get(username="city_st"))
    from calls.demo import load_calls_demo

    load_calls_demo(current)
    return logins
