"""Every figure of an annual report against a fixture counted by hand.

One closed cycle 2023–2025 and the report of 2024 (so nothing depends on today). 韶关市 has two counties, each with
county-organized towns, and towns the city or the province organizes:

========  ==========  =======  ==========================================================================
county    town        level    pairings (team: people born …)
========  ==========  =======  ==========================================================================
仁化县    董塘镇      county   T1 柑橘 from 2023-03-01 (p1 1990, p2 1980, p3 unknown)
仁化县    周田镇      county   T5 旧团队 ended 2023-12-31 (v1); T6 水稻 from 2024-06-01 (r1 1970)
仁化县    长江镇      county   T7 proposed only (w1) — to cover, not covered
仁化县    黄坑镇      city     T3 茶叶 from 2023-02-01 (q1 1979, q2 1968)
南雄市    珠玑镇      county   T6 水稻 2023-02-01 … replaced 2024-04-30; T2 蔬菜 from 2024-05-01 (s1 1960, s2 1989)
南雄市    乌迳镇      city     none — to cover, not covered
南雄市    百顺镇      province T4 菌菇 from 2023-01-15 (u1 1969)
英德市    英城街道    county   another city's team: never counted
========  ==========  =======  ==========================================================================

T6 works in both counties in 2024 (replaced in 珠玑镇, then paired with 周田镇): the city counts it and r1 once.
Records of 2023 and 2025, unconfirmed activities and stays, a draft evaluation, a rejected project and another city's
records are there and must not count. Every expected number below was counted by hand from the records built here.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regions.models import City, County
from reports import figures as F
from reports.tests import factories as f
from teams.choices import Education as E, TitleLevel as T

YEAR = 2024
D = dt.date

ZERO = {
    "teams.total": 0, "pairings.total": 0, "people.total": 0,
    "people.unit.university": 0, "people.unit.institute": 0, "people.unit.enterprise": 0,
    "people.unit.extension": 0, "people.unit.other": 0,
    "people.title.senior": 0, "people.title.associate": 0, "people.title.intermediate": 0, "people.title.junior": 0,
    "people.title.none": 0,
    "people.education.doctor": 0, "people.education.master": 0, "people.education.bachelor": 0,
    "people.education.college": 0, "people.education.other": 0,
    "people.age.le35": 0, "people.age.36_45": 0, "people.age.46_55": 0, "people.age.gt55": 0, "people.age.unknown": 0,
    "towns.to_cover": 0, "towns.covered": 0,
    "agreements.total": 0, "agreements.confirmed": 0,
    "projects.total": 0, "projects.approved": 0, "projects.demo_bases": 0, "projects.demo_area": "0.0",
    "grants.total": 0, "grants.amount": "0.00",
    "grants.source.city_st": "0.00", "grants.source.county": "0.00", "grants.source.rural": "0.00",
    "grants.source.province": "0.00", "grants.source.other": "0.00",
    "grants.level.province": "0.00", "grants.level.city": "0.00", "grants.level.county": "0.00",
    "payments.amount": "0.00",
    "activities.total": 0,
    "activities.type.guidance": 0, "activities.type.training": 0, "activities.type.transfer": 0,
    "activities.type.entrepreneurship": 0, "activities.type.policy": 0, "activities.type.planning": 0,
    "activities.month.01": 0, "activities.month.02": 0, "activities.month.03": 0, "activities.month.04": 0,
    "activities.month.05": 0, "activities.month.06": 0, "activities.month.07": 0, "activities.month.08": 0,
    "activities.month.09": 0, "activities.month.10": 0, "activities.month.11": 0, "activities.month.12": 0,
    "activities.trainings": 0, "activities.people_trained": 0, "activities.households": 0,
    "activities.enterprises": 0, "activities.technologies": 0, "activities.demo_bases": 0,
    "activities.demo_area": "0.0", "activities.cross_town": 0,
    "flags.total": 0,
    "flags.kind.pace": 0, "flags.kind.inactive": 0, "flags.kind.project_late": 0, "flags.kind.agreement_missing": 0,
    "flags.kind.tasks_overdue": 0, "flags.kind.noncooperation": 0,
    "cases.total": 0,
    "cases.cause.mismatch": 0, "cases.cause.noncooperation": 0, "cases.cause.no_work": 0,
    "cases.decision.no_action": 0, "cases.decision.warning": 0, "cases.decision.adjustment": 0,
    "cases.decision.replacement": 0,
    "evaluations.total": 0,
    "evaluations.grade.excellent": 0, "evaluations.grade.pass": 0, "evaluations.grade.basic": 0,
    "evaluations.grade.fail": 0,
}


def figures(**counted) -> dict:
    """Every figure of 2024: zero unless counted (keys written with "__" for "." )."""
    out = dict(ZERO)
    for key, value in counted.items():
        key = key.replace("__", ".")
        assert key in out, key
        out[key] = value
    return out


# ------------------------------------------------------------------------------------------------ by hand
RENHUA = figures(
    teams__total=2, pairings__total=2, people__total=4,                       # T1, T6@周田; p1 p2 p3 r1
    people__unit__university=2, people__unit__institute=1, people__unit__extension=1,
    people__title__senior=1, people__title__associate=1, people__title__intermediate=1, people__title__none=1,
    people__education__doctor=1, people__education__master=1, people__education__bachelor=1,
    people__education__college=1,
    **{"people.age.le35": 1, "people.age.36_45": 1, "people.age.46_55": 1, "people.age.unknown": 1},
    towns__to_cover=3, towns__covered=2,                                      # 董塘 周田 长江; 董塘 周田
    agreements__total=2, agreements__confirmed=1,
    projects__total=2, projects__approved=1, projects__demo_bases=1, projects__demo_area="50.0",
    grants__total=1, grants__amount="80000.00", grants__source__county="80000.00", grants__level__county="80000.00",
    payments__amount="40000.00",
    activities__total=4, activities__type__guidance=1, activities__type__training=1, activities__type__transfer=1,
    activities__type__policy=1,
    **{"activities.month.01": 1, "activities.month.03": 2, "activities.month.12": 1},
    activities__trainings=2, activities__people_trained=80, activities__households=25, activities__enterprises=3,
    activities__technologies=2, activities__demo_bases=2, activities__demo_area="30.5", activities__cross_town=1,
    flags__total=2, flags__kind__pace=1, flags__kind__inactive=1,
    cases__total=2, cases__cause__noncooperation=1, cases__cause__mismatch=1, cases__decision__warning=1,
    evaluations__total=2, evaluations__grade__excellent=1, evaluations__grade__pass=1,
)

NANXIONG = figures(
    teams__total=2, pairings__total=2, people__total=3,                       # T6@珠玑, T2; r1 s1 s2
    people__unit__institute=2, people__unit__enterprise=1,
    people__title__intermediate=1, people__title__senior=1, people__title__junior=1,
    people__education__bachelor=1, people__education__doctor=1, people__education__other=1,
    **{"people.age.le35": 1, "people.age.46_55": 1, "people.age.gt55": 1},  # s2 is 35: still ≤ 35
    towns__to_cover=1, towns__covered=1,                                      # 珠玑 (two pairings, one town)
    agreements__total=2, agreements__confirmed=1,
    projects__total=1, projects__approved=1,
    grants__total=1, grants__amount="50000.50", grants__source__rural="50000.50", grants__level__county="50000.50",
    payments__amount="25000.25",
    activities__total=3, activities__type__planning=1, activities__type__training=1, activities__type__guidance=1,
    **{"activities.month.02": 1, "activities.month.07": 2},
    activities__trainings=2, activities__people_trained=35, activities__households=9, activities__enterprises=1,
    activities__technologies=1, activities__demo_bases=1, activities__demo_area="5.5",
    flags__total=1, flags__kind__noncooperation=1,
    cases__total=1, cases__cause__no_work=1, cases__decision__replacement=1,
    evaluations__total=1, evaluations__grade__basic=1,
)

CITY_OWN = figures(
    teams__total=2, pairings__total=2, people__total=3,                       # T3, T4; q1 q2 u1
    people__unit__university=2, people__unit__enterprise=1,
    people__title__associate=2, people__title__none=1,
    people__education__master=1, people__education__bachelor=1, people__education__college=1,
    **{"people.age.36_45": 1, "people.age.46_55": 1, "people.age.gt55": 1},  # 45, 55 and 56 in 2024
    towns__to_cover=3, towns__covered=2,                                      # 黄坑 乌迳 百顺; 黄坑 百顺
    agreements__total=2, agreements__confirmed=1,
    projects__total=3, projects__approved=3, projects__demo_bases=2, projects__demo_area="42.5",
    grants__total=2, grants__amount="150000.25", grants__source__city_st="120000.00",
    grants__source__province="30000.25",
    # By the level that organizes the town (the labels: 市级组织 / 省级组织): 黄坑镇's grant is the city's,
    # 百顺镇's — funded by the city, as the city funds every town it or the province organizes — the province's.
    grants__level__city="120000.00", grants__level__province="30000.25",
    payments__amount="100000.25",                                             # incl. a 2023 grant paid in 2024
    activities__total=3, activities__type__entrepreneurship=1, activities__type__guidance=1,
    activities__type__policy=1,
    **{"activities.month.08": 2, "activities.month.10": 1},
    activities__trainings=2, activities__people_trained=75, activities__households=24, activities__enterprises=3,
    activities__technologies=1, activities__cross_town=1,
    flags__total=2, flags__kind__agreement_missing=1, flags__kind__pace=1,
    cases__total=1, cases__cause__mismatch=1, cases__decision__no_action=1,
    evaluations__total=2, evaluations__grade__fail=1, evaluations__grade__excellent=1,
)

CITY = figures(
    teams__total=5, pairings__total=6, people__total=9,                       # T6 and r1 once
    people__unit__university=4, people__unit__institute=2, people__unit__enterprise=2, people__unit__extension=1,
    people__title__senior=2, people__title__associate=3, people__title__intermediate=1, people__title__junior=1,
    people__title__none=2,
    people__education__doctor=2, people__education__master=2, people__education__bachelor=2,
    people__education__college=2, people__education__other=1,
    **{"people.age.le35": 2, "people.age.36_45": 2, "people.age.46_55": 2, "people.age.gt55": 2,
       "people.age.unknown": 1},
    towns__to_cover=7, towns__covered=5,
    agreements__total=6, agreements__confirmed=3,
    projects__total=6, projects__approved=5, projects__demo_bases=3, projects__demo_area="92.5",
    grants__total=4, grants__amount="280000.75", grants__source__county="80000.00",
    grants__source__rural="50000.50", grants__source__city_st="120000.00", grants__source__province="30000.25",
    grants__level__county="130000.50", grants__level__city="120000.00", grants__level__province="30000.25",
    payments__amount="165000.50",
    activities__total=10, activities__type__guidance=3, activities__type__training=2, activities__type__transfer=1,
    activities__type__policy=2, activities__type__planning=1, activities__type__entrepreneurship=1,
    **{"activities.month.01": 1, "activities.month.02": 1, "activities.month.03": 2, "activities.month.07": 2,
       "activities.month.08": 2, "activities.month.10": 1, "activities.month.12": 1},
    activities__trainings=6, activities__people_trained=190, activities__households=58, activities__enterprises=7,
    activities__technologies=4, activities__demo_bases=3, activities__demo_area="36.0", activities__cross_town=2,
    flags__total=5, flags__kind__pace=2, flags__kind__inactive=1, flags__kind__noncooperation=1,
    flags__kind__agreement_missing=1,
    cases__total=4, cases__cause__mismatch=2, cases__cause__noncooperation=1, cases__cause__no_work=1,
    cases__decision__warning=1, cases__decision__replacement=1, cases__decision__no_action=1,
    evaluations__total=5, evaluations__grade__excellent=2, evaluations__grade__pass=1, evaluations__grade__basic=1,
    evaluations__grade__fail=1,
)

# The requirement pro rata from the day the pairing began to 2024-12-31, of its days to the cycle's end (2025-12-31):
# 董塘 from 2023-03-01: 672 of 1037 days, 365 × 672 // 1037 = 236; 周田's new team from 2024-06-01: 214 of 579 days,
# 365 × 214 // 579 = 134; 珠玑's first team from 2023-02-01, replaced on 2024-04-30, judged up to that day: 455 of
# 1065 days, 365 × 455 // 1065 = 155; a pairing from the cycle's start: 731 of 1096 days, 365 × 731 // 1096 = 243.
EXPECTED_TO_DATE = 243
# Likewise 珠玑's second team from 2024-05-01: 245 of 610, 146; 黄坑 from 2023-02-01: 700 of 1065, 239; 百顺 from
# 2023-01-15: 717 of 1082, 241; 英城 from 2023-04-01: 641 of 1006, 232.
EXPECTED_FROM = {("2023-03-01", None): 236, ("2024-06-01", None): 134, ("2023-02-01", "2024-04-30"): 155,
                 ("2024-05-01", None): 146, ("2023-02-01", None): 239, ("2023-01-15", None): 241,
                 ("2023-04-01", None): 232}


def row(pairing, days_year, days_to_date, percent, behind):
    key = (pairing.active_from.isoformat() if pairing.active_from else None,
           pairing.ended_on.isoformat() if pairing.ended_on else None)
    expected = EXPECTED_FROM.get(key, EXPECTED_TO_DATE)
    return {"pairing_id": pairing.pk, "team_id": pairing.team_id, "team": pairing.team.name,
            "town_id": pairing.town_id, "town": pairing.town.name, "cycle_id": pairing.cycle_id,
            "days_year": days_year, "days_to_date": days_to_date, "expected_to_date": expected,
            "required": 365, "percent": percent, "behind": behind}


# ------------------------------------------------------------------------------------------------ the records
def build(world):
    """The fixture of the module docstring; returns its pieces by name."""
    c = f.cycle()
    renhua, nanxiong = world.renhua, world.nanxiong
    dongtang, huangkeng = world.renhua_county_town, world.renhua_city_town
    zhuji, baishun = world.nanxiong_county_town, world.nanxiong_city_town
    zhoutian = f.town(renhua, "440224109", "周田镇")
    changjiang = f.town(renhua, "440224110", "长江镇")
    wujing = f.town(nanxiong, "440282114", "乌迳镇")
    for town, level in ((dongtang, "county"), (zhoutian, "county"), (changjiang, "county"), (huangkeng, "city"),
                        (zhuji, "county"), (wujing, "city"), (baishun, "province")):
        f.classify(town, c, level)

    scau, sgu = world.unit, world.other_unit                                  # universities
    gdaas = f.unit("广东省农业科学院", "institute")
    firm = f.unit("韶关绿源农业有限公司", "enterprise")
    station = f.unit("仁化县农业技术推广站", "extension")

    p1 = f.person(scau, "黎一", birth_year=1990, title_level=T.SENIOR, education=E.DOCTOR)
    p2 = f.person(scau, "黎二", birth_year=1980, title_level=T.ASSOCIATE, education=E.MASTER)
    p3 = f.person(station, "黎三", birth_year=None, title_level=T.NONE, education=E.COLLEGE)
    r1 = f.person(gdaas, "罗一", birth_year=1970, title_level=T.INTERMEDIATE, education=E.BACHELOR)
    s1 = f.person(gdaas, "苏一", birth_year=1960, title_level=T.SENIOR, education=E.DOCTOR)
    s2 = f.person(firm, "苏二", birth_year=1989, title_level=T.JUNIOR, education=E.OTHER)
    q1 = f.person(sgu, "秦一", birth_year=1979, title_level=T.ASSOCIATE, education=E.MASTER)
    q2 = f.person(sgu, "秦二", birth_year=1968, title_level=T.ASSOCIATE, education=E.BACHELOR)
    u1 = f.person(firm, "于一", birth_year=1969, title_level=T.NONE, education=E.COLLEGE)
    v1 = f.person(scau, "魏一", birth_year=1985, title_level=T.SENIOR, education=E.DOCTOR)
    w1 = f.person(scau, "吴一", birth_year=1985, title_level=T.SENIOR, education=E.DOCTOR)

    t1 = f.team(c, "柑橘团队", scau, [p1, p2, p3])
    t2 = f.team(c, "蔬菜团队", firm, [s1, s2])
    t3 = f.team(c, "茶叶团队", sgu, [q1, q2])
    t4 = f.team(c, "菌菇团队", firm, [u1])
    t5 = f.team(c, "旧团队", scau, [v1])
    t6 = f.team(c, "水稻团队", gdaas, [r1])
    t7 = f.team(c, "新团队", scau, [w1])

    pt1 = f.pair(c, dongtang, t1, "county", D(2023, 3, 1))
    pt5 = f.pair(c, zhoutian, t5, "county", D(2023, 1, 10), status="ended", ended_on=D(2023, 12, 31))
    pt6a = f.pair(c, zhuji, t6, "county", D(2023, 2, 1), status="replaced", ended_on=D(2024, 4, 30))
    pt6b = f.pair(c, zhoutian, t6, "county", D(2024, 6, 1))
    pt7 = f.pair(c, changjiang, t7, "county", None, status="proposed")
    pt2 = f.pair(c, zhuji, t2, "county", D(2024, 5, 1))
    pt3 = f.pair(c, huangkeng, t3, "city", D(2023, 2, 1))
    pt4 = f.pair(c, baishun, t4, "province", D(2023, 1, 15))

    # Another city's county team, with records of 2024 everywhere: never in 韶关's figures.
    qingyuan = City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    yingde = County.objects.create(city=qingyuan, code="441881", name="英德市")
    yingcheng = f.town(yingde, "441881001", "英城街道")
    f.classify(yingcheng, c, "county")
    x1 = f.person(scau, "许一", birth_year=1990, title_level=T.SENIOR, education=E.DOCTOR)
    px = f.pair(c, yingcheng, f.team(c, "英德团队", scau, [x1]), "county", D(2023, 4, 1))
    f.activity(px, D(2024, 4, 4), "training", people_trained=99, households_served=9, technologies="外市")
    f.stay(px, x1, D(2024, 4, 1), D(2024, 4, 30))
    f.flag(px, "pace", f.local(2024, 4, 4))
    f.case(px, "no_work", f.local(2024, 4, 5))
    f.agreement(px)
    f.evaluation(x1, px, YEAR, "excellent")
    f.payment(f.grant(f.project(px, "approved", D(2024, 1, 1), D(2024, 12, 31), demo_area_mu="9"), "9999.00",
                      "county", D(2024, 2, 2)), "9999.00", D(2024, 3, 3))

    # ---- activities (confirmed unless said; the county of the paired town counts them, wherever they were done)
    f.activity(pt1, D(2024, 1, 15), "guidance", people_trained=30, households_served=12, enterprises_served=1,
               technologies="贡柑健康种苗")
    f.activity(pt1, D(2024, 3, 20), "training", people_trained=50, enterprises_served=2, demo_area_mu="20.5")
    f.activity(pt1, D(2024, 3, 25), "transfer", town=huangkeng, households_served=8, technologies="砂糖橘新品种",
               demo_area_mu="10.0")                                          # cross-town, in a city town
    f.activity(pt1, D(2024, 12, 31), "policy", households_served=5)
    f.activity(pt1, D(2024, 5, 1), "guidance", status="submitted", people_trained=100)
    f.activity(pt1, D(2024, 6, 1), "guidance", status="queried", people_trained=100)
    f.activity(pt1, D(2024, 7, 1), "guidance", status="withdrawn", people_trained=100)
    f.activity(pt1, D(2023, 12, 31), "guidance", people_trained=40)           # the year before
    f.activity(pt1, D(2025, 1, 1), "guidance", people_trained=40)             # the year after
    f.activity(pt5, D(2023, 6, 1), "policy", households_served=7)
    f.activity(pt2, D(2024, 7, 10), "planning", households_served=3, enterprises_served=1)
    f.activity(pt2, D(2024, 7, 20), "training", people_trained=25, technologies="水稻机插秧")
    f.activity(pt6a, D(2024, 2, 15), "guidance", people_trained=10, households_served=6, demo_area_mu="5.5")
    f.activity(pt3, D(2024, 8, 8), "entrepreneurship", enterprises_served=3)
    f.activity(pt3, D(2024, 8, 9), "guidance", town=dongtang, people_trained=15, households_served=4,
               technologies="茶树品种")                                       # a city team's work in a county town
    f.activity(pt4, D(2024, 10, 1), "policy", people_trained=60, households_served=20)

    # ---- stays (only confirmed ones, a person's day once, in the paired town)
    f.stay(pt1, p1, D(2024, 3, 1), D(2024, 3, 10))
    f.stay(pt1, p1, D(2024, 3, 5), D(2024, 3, 14))                            # overlaps: 3-01 … 3-14 = 14 days
    f.stay(pt1, p1, D(2024, 4, 1), D(2024, 4, 5), town=huangkeng)             # cross-town: not in the town's days
    f.stay(pt1, p1, D(2023, 6, 1), D(2023, 6, 30))                            # 30 days of 2023: to date only
    f.stay(pt1, p1, D(2025, 1, 10), D(2025, 1, 20))                           # after the year
    f.stay(pt1, p1, D(2024, 6, 1), D(2024, 6, 30), status="submitted")
    f.stay(pt1, p2, D(2024, 3, 1), D(2024, 3, 10))                            # the same days, another person: 10
    f.stay(pt1, p3, D(2023, 12, 25), D(2024, 1, 5))                           # 5 in 2024, 12 to date
    f.stay(pt6b, r1, D(2024, 7, 1), D(2024, 7, 20))
    f.stay(pt6b, r1, D(2024, 7, 15), D(2024, 7, 25), status="queried")
    f.stay(pt6a, r1, D(2023, 5, 1), D(2023, 5, 20))
    f.stay(pt6a, r1, D(2024, 2, 1), D(2024, 2, 10))
    f.stay(pt2, s1, D(2024, 6, 1), D(2024, 6, 15))
    f.stay(pt2, s2, D(2024, 6, 10), D(2024, 6, 20))
    f.stay(pt3, q1, D(2023, 2, 1), D(2023, 12, 31))                           # 334 days
    f.stay(pt3, q2, D(2024, 1, 1), D(2024, 3, 31))                            # 91 days (leap year)
    f.stay(pt5, v1, D(2023, 3, 1), D(2023, 3, 31))

    # ---- agreements (of the pairings that worked in 2024: any status; "confirmed" as the town confirmed it)
    f.agreement(pt1, "confirmed")
    f.agreement(pt6b, "draft")
    f.agreement(pt5, "confirmed")                                             # ended in 2023
    f.agreement(pt6a, "confirmed")
    f.agreement(pt2, "signed")
    f.agreement(pt3, "confirmed")
    f.agreement(pt4, "returned")

    # ---- projects (running some day of 2024), grants (granted in 2024), payments (paid in 2024)
    j1 = f.project(pt1, "approved", D(2024, 1, 1), D(2024, 12, 31), demo_area_mu="50.0")
    f.project(pt1, "accepted", D(2023, 6, 1), D(2024, 2, 28), demo_area_mu="10.0")
    f.project(pt1, "draft", D(2024, 1, 1), D(2024, 12, 31), demo_area_mu="7.0")
    j4 = f.project(pt1, "approved", D(2025, 1, 1), D(2025, 12, 31), demo_area_mu="8.0")
    j5 = f.project(pt2, "approved", D(2024, 5, 1), D(2025, 4, 30))
    f.project(pt6a, "rejected", D(2024, 1, 1), D(2024, 12, 31), demo_area_mu="3.0")
    j7 = f.project(pt3, "approved", D(2024, 1, 1), D(2024, 12, 31), demo_area_mu="30.0")
    j8 = f.project(pt4, "approved", D(2023, 1, 1), D(2024, 1, 1), demo_area_mu="12.5")   # one day of 2024
    j9 = f.project(pt4, "approved", D(2024, 3, 1), D(2024, 12, 31))

    g1 = f.grant(j1, "80000.00", "county", D(2024, 3, 1))
    g2 = f.grant(j4, "70000.00", "county", D(2025, 1, 10))                   # granted in 2025
    g3 = f.grant(j5, "50000.50", "rural", D(2024, 12, 31))
    g4 = f.grant(j7, "120000.00", "city_st", D(2024, 9, 1))
    g5 = f.grant(j9, "30000.25", "province", D(2024, 4, 1))
    g6 = f.grant(j8, "10000.00", "city_st", D(2023, 12, 1))                  # granted in 2023
    f.payment(g1, "40000.00", D(2024, 4, 1))
    f.payment(g1, "40000.00", D(2025, 2, 1))
    f.payment(g2, "35000.00", D(2025, 2, 1))
    f.payment(g3, "25000.25", D(2024, 12, 31))
    f.payment(g4, "60000.00", D(2024, 10, 10))
    f.payment(g5, "30000.25", D(2024, 5, 1))
    f.payment(g6, "10000.00", D(2024, 1, 20))
    f.payment(g6, "5000.00", D(2023, 12, 20))

    # ---- flags and cases (by the day they were opened, in Beijing time)
    f.flag(pt1, "pace", f.local(2024, 2, 1))
    f.flag(pt1, "inactive", f.local(2024, 12, 31, 23, 30))                   # 15:30 UTC: still 2024
    f.flag(pt1, "tasks_overdue", f.local(2025, 1, 1, 0, 30))                 # 2024-12-31 16:30 UTC: 2025 here
    f.flag(pt6a, "noncooperation", f.local(2024, 3, 1), status="closed")
    f.flag(pt2, "project_late", f.local(2023, 11, 1))
    f.flag(pt3, "agreement_missing", f.local(2024, 5, 5))
    f.flag(pt4, "pace", f.local(2024, 6, 6))
    f.case(pt6a, "no_work", f.local(2024, 3, 15), decision="replacement")
    f.case(pt1, "noncooperation", f.local(2024, 8, 1), decision="warning")
    f.case(pt1, "mismatch", f.local(2024, 10, 1))
    f.case(pt3, "no_work", f.local(2023, 9, 1), decision="warning")          # 2023
    f.case(pt4, "mismatch", f.local(2024, 11, 11), decision="no_action")

    # ---- the units' evaluations (submitted ones, of the year)
    f.evaluation(p1, pt1, YEAR, "excellent")
    f.evaluation(p2, pt1, YEAR, "pass")
    f.evaluation(p3, pt1, YEAR, "pass", status="draft")
    f.evaluation(p1, pt1, YEAR - 1, "excellent")
    f.evaluation(r1, pt6a, YEAR, "basic")
    f.evaluation(q1, pt3, YEAR, "fail")
    f.evaluation(u1, pt4, YEAR, "excellent")
    f.evaluation(u1, pt4, YEAR + 1, "fail")

    return SimpleNamespace(cycle=c, city=world.city, renhua=renhua, nanxiong=nanxiong, pt1=pt1, pt2=pt2, pt3=pt3,
                           pt4=pt4, pt5=pt5, pt6a=pt6a, pt6b=pt6b, pt7=pt7, p1=p1, p2=p2, p3=p3)


@pytest.fixture
def hand(world):
    return build(world)


def county(hand, which):
    return F.county_scope(YEAR, getattr(hand, which))


def differences(got: dict, expected: dict) -> dict:
    """``{key: (computed, counted by hand)}`` of the figures that differ, and of any key on one side only."""
    return {key: (got.get(key, "—"), expected.get(key, "—")) for key in set(got) | set(expected)
            if got.get(key, "—") != expected.get(key, "—")}


# ------------------------------------------------------------------------------------------------ the figures
def test_every_figure_of_every_scope(hand):
    """The two counties (the towns each organizes), the city's own towns (the city's and the province's) and the
    whole city; then a few figures of 2023 and 2025, which count their own records and not 2024's."""
    scopes = {"仁化县": (county(hand, "renhua"), RENHUA), "南雄市": (county(hand, "nanxiong"), NANXIONG),
              "市本级": (F.city_own_scope(YEAR, hand.city), CITY_OWN), "全市": (F.city_scope(YEAR, hand.city), CITY)}
    wrong = {name: differences(F.compute(scope), expected) for name, (scope, expected) in scopes.items()}
    keys = ["activities.total", "activities.people_trained", "grants.total", "grants.amount", "payments.amount",
            "flags.total", "cases.total", "evaluations.total", "pairings.total", "projects.total"]
    wrong["仁化县2023"] = differences(F.compute(F.county_scope(2023, hand.renhua), keys=keys), {
        "activities.total": 2, "activities.people_trained": 40, "grants.total": 0, "grants.amount": "0.00",
        "payments.amount": "0.00", "flags.total": 0, "cases.total": 0, "evaluations.total": 1, "pairings.total": 2,
        "projects.total": 1})
    wrong["全市2025"] = differences(F.compute(F.city_scope(2025, hand.city), keys=keys), {
        "activities.total": 1, "activities.people_trained": 40, "grants.total": 1, "grants.amount": "70000.00",
        "payments.amount": "75000.00", "flags.total": 1, "cases.total": 0, "evaluations.total": 1,
        "pairings.total": 5, "projects.total": 2})
    assert {name: diff for name, diff in wrong.items() if diff} == {}


def test_stationed_days_per_team_with_the_pace(hand):
    """Per pairing that worked in 2024: days in the year, to date, against 365 pro rata (the pace); the trace of a
    team's days is its people's; cross-town days count where the cycle says so."""
    h = hand
    assert F.team_days(county(h, "renhua")) == [row(h.pt1, 29, 66, 18, True), row(h.pt6b, 20, 20, 5, True)]
    assert F.team_days(county(h, "nanxiong")) == [row(h.pt6a, 10, 30, 8, True), row(h.pt2, 26, 26, 7, True)]
    assert F.team_days(F.city_own_scope(YEAR, h.city)) == [row(h.pt3, 91, 425, 100, False),
                                                            row(h.pt4, 0, 0, 0, True)]
    city = F.team_days(F.city_scope(YEAR, h.city))
    assert city == [row(h.pt1, 29, 66, 18, True), row(h.pt6b, 20, 20, 5, True), row(h.pt3, 91, 425, 100, False),
                    row(h.pt6a, 10, 30, 8, True), row(h.pt2, 26, 26, 7, True), row(h.pt4, 0, 0, 0, True)]
    assert F.day_totals(city) == {"days.total": 176, "days.teams_behind": 5}

    # 柑橘团队's 29 days: p1 14 (and 5 cross-town days not counted), p2 10, p3 5.
    assert F.person_days(h.pt1.pk, YEAR) == [
        {"commissioner_id": h.p1.pk, "name": "黎一", "days": 14, "cross": 5},
        {"commissioner_id": h.p2.pk, "name": "黎二", "days": 10, "cross": 0},
        {"commissioner_id": h.p3.pk, "name": "黎三", "days": 5, "cross": 0}]

    snap = F.snapshot(county(h, "renhua"))
    assert snap["values"] == {**RENHUA, "days.total": 49, "days.teams_behind": 2}
    assert [r["pairing_id"] for r in snap["teams"]] == [h.pt1.pk, h.pt6b.pk]
    assert snap["scope"] == {"year": YEAR, "levels": "county", "city": h.city.pk, "county": h.renhua.pk}

    from cycles.models import Cycle

    Cycle.objects.filter(pk=h.cycle.pk).update(cross_town_days_count=True)
    rows = F.team_days(county(h, "renhua"))
    assert (rows[0]["days_year"], rows[0]["days_to_date"]) == (34, 71)


def test_traced_lists_count_their_figures(hand):
    """Every figure of every scope equals its traced list's count (or total); a chart's cell (``key@mNN``) too."""
    for scope in (county(hand, "renhua"), county(hand, "nanxiong"), F.city_own_scope(YEAR, hand.city),
                  F.city_scope(YEAR, hand.city)):
        values = F.compute(scope)
        for key in values:
            item, _source, rows = F.trace(key, scope)
            assert F.measure_of(item, rows) == values[key], key
    scope = county(hand, "renhua")
    assert F.compute(scope, keys=["activities.total@m03", "activities.people_trained@m03"]) == {
        "activities.total@m03": 2, "activities.people_trained@m03": 50}
    item, _source, rows = F.trace("activities.people_trained@m03", scope)
    assert F.measure_of(item, rows) == 50 and rows.count() == 2
    with pytest.raises(KeyError):
        F.figure("grants.amount@m03", YEAR)


# ------------------------------------------------------------------------------------------------ bounded queries
def test_compute_takes_one_query_per_source_whatever_the_rows(hand, django_assert_max_num_queries):
    scope = F.city_scope(YEAR, hand.city)
    with django_assert_max_num_queries(len(F.SOURCES) + 2):
        F.compute(scope)
    with CaptureQueriesContext(connection) as few:
        F.compute(scope)
    for index in range(40):
        f.activity(hand.pt1, D(2024, 1 + index % 12, 1 + index % 28), "guidance", people_trained=index)
        f.flag(hand.pt2 if index % 2 else hand.pt3, "noncooperation", f.local(2024, 5, 1 + index % 28))
    with CaptureQueriesContext(connection) as many:
        values = F.compute(scope)
    assert len(many) == len(few) <= len(F.SOURCES) + 2
    assert values["activities.total"] == CITY["activities.total"] + 40
    with django_assert_max_num_queries(3):  # the pairings, then two windowed day counts for the one cycle
        F.team_days(scope)
