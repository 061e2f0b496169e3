"""Shaoguan demo data: a living programme over two cycles (``manage.py load_demo``, run by ``make run``).

Reference data is written directly (regions from the division codes, illustrative town classes, work teams, units,
the demo accounts); everything else is the story told through the services by ``portal.demo_story``: the first
cycle (2021–2024) completed and closed, the current cycle in progress at several steps in different counties.

Idempotent: running it twice leaves the same data (each story is told once: it is skipped when its records exist).
The 19 city-organized key towns and all names of people are ILLUSTRATIVE — the real list is set by the city each
cycle; places and institutions are real.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from core.roles import Role
from accounts.models import User
from core.china import make_credit_code, make_id_number
from cycles.models import Cycle
from regions.choices import OrganizingLevel, TownClass, TownKind
from regions.models import City, County, Town, TownClassification, WorkTeam, WorkTeamMember
from regions.services import divisions_load
from units.models import DispatchingUnit

from portal import demo_data
from portal.demo_clock import on

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


FIRST_CYCLE = "第一批（2021—2024年）"
CURRENT_CYCLE = "第二批（2025—2027年）"
COUNTY_ACCOUNTS = {  # county code -> username of its S&T bureau's account (renhua_st and nanxiong_st are in README)
    "440203": "wujiang_st", "440204": "zhenjiang_st", "440205": "qujiang_st", "440222": "shixing_st",
    "440224": "renhua_st", "440229": "wengyuan_st", "440232": "ruyuan_st", "440233": "xinfeng_st",
    "440281": "lechang_st", "440282": "nanxiong_st",
}
UNIT_ACCOUNTS = {
    "华南农业大学": "scau", "广东省农业科学院": "gdaas", "韶关学院": "sgu", "仲恺农业工程学院": "zhku",
    "韶关市农业科技推广中心": "sgnjzx", "广东省科学院微生物研究所": "gdim", "华南理工大学": "scut",
    "广东药科大学": "gdpu", "广东省林业科学研究院": "gdfri", "广东省科学院动物研究所": "giz", "广东海洋大学": "gdou",
    "韶关市农业科学研究所": "sgaas",
}


def _account(username, role, name, password_hash, **scope) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.role, user.full_name, user.organization = role, name, name
    for field, value in scope.items():
        setattr(user, field, value)
    user.must_change_password = False
    user.is_active = True
    user.password = password_hash  # one hash of the demo password for every account (hashing is slow on purpose)
    user.full_clean()
    user.save()
    return user


def _cycle(name, actor, *, day, copy_from=None, **fields) -> tuple[Cycle, bool]:
    """The named cycle, made and opened through the cycle services on ``day`` if it is missing."""
    from cycles import services as cycles

    cycle = Cycle.objects.filter(name=name).first()
    if cycle is not None:
        return cycle, False
    with on(day):
        if copy_from is not None:
            cycle = cycles.cycle_copy(actor=actor, source=copy_from, name=name, **fields)
        else:
            cycle = cycles.cycle_create(actor=actor, name=name, **fields)
    with on(fields["start_date"], 9):
        cycles.cycle_transition(actor=actor, cycle=cycle, action="open")
    return cycle, True


def _classify(cycle, towns) -> None:
    existing = set(TownClassification.objects.filter(cycle=cycle).values_list("town_id", flat=True))
    TownClassification.objects.bulk_create([
        TownClassification(cycle=cycle, town=town, town_class=classification_for(town)[0],
                           organizing_level=classification_for(town)[1], note="")
        for town in towns if town.pk not in existing
    ])


def _work_teams(towns) -> None:
    have = set(WorkTeam.objects.values_list("town_id", flat=True))
    for index, town in enumerate(towns):
        if town.pk in have:
            continue
        team = WorkTeam.objects.create(
            town=town, leader_name=person_name(index), leader_phone="1380751%04d" % index,
            dispatched_by="%s驻镇帮镇扶村工作队" % town.county.name,
            contact_name=person_name(index + 3), contact_phone="0751-%07d" % (8800000 + index),
        )
        WorkTeamMember.objects.create(work_team=team, name=person_name(index + 11), position="队员",
                                      unit="%s农业农村局" % town.county.name)


def _team_a(cycle, units, unit_users, password_hash):
    """The demo leader's team of the current cycle (华农柑橘绿色栽培团队), staffed through the team services."""
    from teams import services as teams
    from teams.models import Commissioner, Team
    from teams.protect import digest

    team = Team.objects.filter(cycle=cycle, name="华农柑橘绿色栽培团队").first()
    if team is not None and team.memberships.exists():
        return team
    scau, unit_user = units["华南农业大学"], unit_users["华南农业大学"]
    people = [  # (name, gender, title, level, education, specialty)
        ("黄志强", "male", "研究员", "senior", "doctor", "果树学"),
        ("林秀英", "female", "副教授", "associate", "doctor", "植物保护"),
        ("郭建华", "male", "农艺师", "intermediate", "bachelor", "土壤肥料"),
    ]
    registry = []
    for index, (name, gender, title, level, education, specialty) in enumerate(people):
        number = make_id_number("440104", dt.date(1975 + index, 3, 1 + index), 101 + index * 2)
        person = Commissioner.objects.filter(id_number_digest=digest(number)).first()
        if person is None:
            person = teams.commissioner_create(
                actor=unit_user, id_number=number, name=name, gender=gender, phone="1390751%04d" % (index + 1),
                unit=scau, title=title, title_level=level, education=education, specialty=specialty,
                expertise_keywords="柑橘、黄龙病、绿色防控", bio="长期从事柑橘栽培与病虫害绿色防控研究与推广。")
        registry.append(person)
    summary = dict(summary="贡柑、沙糖桔等柑橘类果树绿色高效栽培与病虫害防控",
                   expertise_summary="柑橘黄龙病综合防控、贡柑绿色高效栽培与无病种苗",
                   service_types=["guidance", "training", "transfer"])
    if team is None:
        team = teams.team_create(actor=User.objects.get(username="admin"), cycle=cycle, name="华农柑橘绿色栽培团队",
                                 lead_unit=scau,
                                 leader=registry[0], members=registry[1:], **summary)
    else:  # made by an earlier version of the demo without its people
        teams.team_update(actor=User.objects.get(username="admin"), team=team, **summary)
        from teams.models import TeamMembership

        for person, role in zip(registry, ["leader", "member", "member"]):
            teams.membership_save(actor=User.objects.get(username="admin"),
                                  membership=TeamMembership(team=team, commissioner=person, role=role, cycle=cycle))
    return team


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Load (or refresh) the demo; returns the demo logins as (role label, username, password)."""
    from portal import demo_story
    from teams.models import Commissioner, Team

    password_hash = make_password(DEMO_PASSWORD)
    divisions_load(city_code="4402")
    city = City.objects.get(code="4402")
    counties = {county.code: county for county in County.objects.filter(city=city)}
    towns = list(Town.objects.select_related("county").order_by("code"))
    _account("admin", Role.ADMIN, "系统管理员", password_hash)
    _account("province", Role.PROVINCE, "广东省科学技术厅", password_hash, province_code=city.province_code)
    city_st = _account("city_st", Role.CITY_ST, "韶关市科学技术局 农村科技科", password_hash, city=city)
    _account("city_rural", Role.CITY_RURAL, "韶关市乡村振兴局", password_hash, city=city)
    for code, username in COUNTY_ACCOUNTS.items():
        _account(username, Role.COUNTY_ST, "%s科学技术局" % counties[code].name, password_hash, county=counties[code])
    _account("renhua_rural", Role.COUNTY_RURAL, "仁化县乡村振兴局", password_hash, county=counties["440224"])
    # The demo's expert is 曾德明 of the city's expert pool (portal.demo_data.CITY_EXPERTS).
    _account("expert", Role.EXPERT, "曾德明", password_hash, city=city)

    first, first_made = _cycle(
        FIRST_CYCLE, city_st, day=dt.date(2021, 11, 20), start_date=dt.date(2021, 12, 1),
        end_date=dt.date(2024, 11, 30), dispatch_deadline=dt.date(2021, 12, 31),
        agreement_due_date=dt.date(2022, 3, 31), note="韶科〔2021〕85号首批")
    _classify(first, towns)
    _work_teams(towns)

    units, unit_users = {}, {}
    for name, kind, first17, _short in demo_data.UNITS:
        unit, _ = DispatchingUnit.objects.update_or_create(
            name=name, defaults={"kind": kind, "credit_code": make_credit_code(first17),
                                 "contact_name": "科技处", "contact_phone": "020-8528%04d" % len(units)})
        units[name] = unit
        label = "%s 科技处" % name
        unit_users[name] = _account(UNIT_ACCOUNTS[name], Role.UNIT, label, password_hash, unit=unit)

    # The first cycle's story is told once, while the cycle is open (a closed cycle's records are read-only).
    if not _told(first):
        from cycles import services as cycles

        if first.status == Cycle.Status.CLOSED:  # a database from an earlier demo: reopen, tell, close again
            cycles.cycle_transition(actor=city_st, cycle=first, action="reopen", comment="补录第一批演示数据")
        story = demo_story.Story(password_hash=password_hash, units=units, unit_users=unit_users, people_start=1000)
        with demo_story.one_taxonomy():
            demo_story.first_cycle_story(story, first)
        with on(dt.date(2024, 11, 30), 18):
            cycles.cycle_transition(actor=city_st, cycle=first, action="close",
                                    comment="第一批帮扶周期届满，各结对团队已完成三年帮扶任务。")

    current, _made = _cycle(
        CURRENT_CYCLE, city_st, day=dt.date(2024, 12, 10), copy_from=first, start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2027, 12, 31), dispatch_deadline=dt.date(2026, 12, 31),
        agreement_due_date=dt.date(2027, 3, 31), require_recommendation_letter=True)
    _classify(current, towns)
    team_a = _team_a(current, units, unit_users, password_hash)
    team_b = Team.objects.filter(cycle=current, name="省农科院茶叶加工团队").first()
    if team_b is None:
        story = demo_story.Story(password_hash=password_hash, units=units, unit_users=unit_users, people_start=3000)
        team_b, _leader = story.team(cycle=current, topic="白毛茶", category="茶叶", unit_name="广东省农业科学院",
                                     username="chenhaiyan", name="省农科院茶叶加工团队")
    huangkeng = Town.objects.get(code="440224111")
    leader = _account("leader", Role.TEAM_LEADER, "华农柑橘绿色栽培团队 负责人", password_hash, team=team_a)
    member = _account("member", Role.TEAM_MEMBER, "华农柑橘绿色栽培团队 成员", password_hash, team=team_a)
    for account, name in ((leader, "黄志强"), (member, "林秀英")):
        person = Commissioner.objects.filter(memberships__team=team_a, name=name).first()
        if person is not None and person.user_id != account.pk:
            # Links the demo logins to their registry entries (no service links an existing account).
            Commissioner.objects.filter(pk=person.pk).update(user=account)
    leader_entry = Commissioner.objects.filter(user=leader).first()
    if leader_entry is not None and not leader_entry.verified_at:
        from teams import services as teams

        teams.commissioner_verify(actor=unit_users["华南农业大学"], commissioner=leader_entry)
    _account("huangkeng", Role.TOWN, "仁化县黄坑镇驻镇工作队", password_hash, town=huangkeng, county=counties["440224"])

    from calls.models import Call

    if not Call.objects.filter(cycle=current, organizer_level="city").exists():
        story = demo_story.Story(password_hash=password_hash, units=units, unit_users=unit_users, people_start=5000)
        with demo_story.one_taxonomy():
            demo_story.current_cycle_story(story, current, team_a=team_a, team_a_leader=leader,
                                           today=timezone.localdate())

    from portal import demo_reports

    demo_reports.annual_reports()  # 2024's annual reports (2022's and 2023's are told in the first cycle's timeline)

    logins = []
    for username in ("admin", "province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st",
                     "huangkeng", "leader", "member", "scau", "expert"):
        user = User.objects.get(username=username)
        logins.append((str(Role(user.role).label), username, DEMO_PASSWORD))
    return logins


def _told(cycle) -> bool:
    """Whether the cycle's story was told (its pairings exist)."""
    from matching.models import Pairing

    return Pairing.objects.filter(cycle=cycle).exists()
