"""Scale data for page benchmarks: ``manage.py load_scale --scale city|province|nation [--cycles N] [--seed S]``.

A seeded generator that fills the platform's own tables with BULK inserts (``bulk_create`` in batches of 2,000; the
need search tokens by ``needs.search.index_needs``, which uses ``executemany``), so that the pages can be measured at
city (韶关市 4402), province (广东 44) and nation scale.

It bypasses the services on purpose (one service call per row would take hours at nation scale), but writes what the
services would have written (see ``portal/demo_story.py`` for the same story told through the services):

* the same fields and statuses, the denormalised columns kept consistent (``User`` scope chain, ``TeamMembership.cycle``,
  ``SubmissionItem.recipient``, ``Team.leader_name``, notice periods from ``core.china.notice_period``, the stamps
  each workflow step sets: ``proposed_at``, ``notice_started_at``, ``notice_cleared_at``, ``registered_at``,
  ``active_from``, ``ended_at``, ``finalized_at``, ``closed_at`` …);
* one ``core.models.Transition`` row per workflow step, in the order the services take them, with the creation rows
  the services record (``propose``, ``record_province``, a round's ``open``), so every record is in the state of its
  latest transition and its transitions form one chain (``tests/invariants``);
* one history row ("+", created) per domain record (django-simple-history's ``bulk_history_create``);
* the one-to-one rules: one live pairing per town and per team per cycle, one leader per team, one team per person
  per cycle, every pairing's town organized at the pairing's level in that cycle.

What it leaves out: in-app notifications (inbox messages the services post), ``SensitiveAccess`` logs, task runs,
panel scores and constraints, rewards, training materials and meeting documents; no objection is upheld (so no withdrawn/replaced pairings), no call is cancelled; no case
ends in a replacement (cases are decided as a warning or no action: ``CycleStory.oversight``) and no member change.

Story per cycle (dates from the cycle's start S; earlier cycles closed with their pairings ended, the last cycle open
with its pairings active, a few province-recorded ones registered):
S+5 survey campaigns (city over its towns, each county over its own), S+15 profiles and needs, S+38 needs confirmed
(some returned, some left submitted), S+45 one call per organizer published, S+55 applications (one winning team per
town plus some contenders), S+78 accepted (a few contenders rejected), S+80 selection round and its run, S+86
finalized (pairings proposed, needs matched), S+88 public notice (a few objections dismissed), closed by the
scheduled job, then registration (city calls to the province; county calls to the city and the province), confirmed,
pairings registered and active; province-organized towns get the team the province sent, recorded by the city; then
every pairing's agreement (a closed cycle's confirmed; the open cycle's mostly confirmed, some signed, draft or
returned) and one or two projects on its town's needs (a closed cycle's accepted; the open cycle's mostly accepted,
some submitted, returned or draft; a few late; the needs of a submitted project in assistance), each with its yearly
plans, budget lines adding up, members' duties and, for a few accepted ones, a change request (``CycleStory.assistance``);
then the expert review and funding (``CycleStory.decide``/``reviews``): each city's pool of 40 experts and each county's
of 10 (with accounts), per accepted project a review by a panel of 3 from its funder's pool (never from a team
member's unit; submitted scores, a few outliers), decided (a closed cycle's all: mostly approved, some with changes, a
few rejected; the open cycle's at every step) with the project following, a grant per funded approval (within the
approved amount) with one or two tranches (vouchers point at one stored PDF) and each funder's envelope per fiscal
year above what it committed; then every pairing's field work (``CycleStory.fieldwork``, ``FieldHistory``): ~10
service activities a year, ~36 stays of its three people over a cycle (about one in twelve overlapping the same
person's previous one, so the day count's union is exercised; most teams near or above the cycle's 365 days, a few
short or slow), some cross-town work in another town of the county, the work team's tasks, a town's working
conditions, requests, and the monitor's flags — a closed cycle's all settled, the open cycle's up to its story day
(``FIELD_HORIZON_DAYS`` after its start) at every step; then oversight (``CycleStory.oversight``): about 2 % of the
pairings with a case (调整更换: a closed cycle's decided, the open cycle's open, answered or decided) and every ended
pairing's closing figures (``replacements.PairingFigures``); then each worked team's people's annual evaluations
(``CycleStory.evaluations``: one per person and ended year, graded, with the year's figures). Per city, the city's
coordination group and each county's mechanism (``coordination``: four members, two meetings, three follow-up items,
the last open), then its annual reports (``annual_reports``: in the first cycle's last full year —
``REPORT_KEPT_YEARS`` — every county's report accepted by the city with its figures kept, ``reports.figures.snapshot``,
and the city's accepted by the province; the current year's at every step); at the end, one training event per unit
and year with a few of its people (``trainings``).

Densities (per town unless said): city and province — 3 villages, 3-5 needs, a TOWN account for every town (city) or
every 5th town (province), 20 % extra competing teams per call; nation — 2 villages, 3 needs, a TOWN account for every
20th town, 10 % extra teams. Teams have 3 people (leader + 2 members: the cycle's default team size 3..3).

Memory stays modest: each city (地级市) is one chunk, generated, inserted and committed (``transaction.atomic``) before
the next. Deterministic for a seed: each chunk draws from its own ``random.Random`` seeded by (seed, city code) and
timestamps come from the story's calendar, not the clock.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import random
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from matching.engine.service_types import SERVICE_TYPE_CHOICES, SERVICE_TYPE_VALUES

SERVICE_LABEL = dict(SERVICE_TYPE_CHOICES)
# The whole country's division codes: shared/data/divisions beside the checkout (or SCALE_DIVISIONS_DIR). Without
# it, city and province scale read Guangdong's rows kept in the repository (portal/data/*_44.csv, the same file's
# rows for province 44; not in regions/data, whose streets_*.csv the engine reads as its fallback); nation scale needs
# the whole file.
DIVISIONS = Path(os.environ.get("SCALE_DIVISIONS_DIR") or Path(getattr(
    settings, "BASE_DIR", Path(__file__).resolve().parents[1])).parent / "shared" / "data" / "divisions")
GUANGDONG = Path(__file__).resolve().parent / "data"
GUANGDONG_FILES = {"provinces.csv": "provinces.csv", "cities.csv": "cities_44.csv", "areas.csv": "areas_44.csv",
                   "streets.csv": "streets_44.csv"}
BATCH = 2000
TZ = ZoneInfo("Asia/Shanghai")
SCALES = ("city", "province", "nation")
# Statistical-only rows are dropped exactly as bench/match_speed.py's read_towns does (reimplemented, not imported:
# bench/ is no package): codes whose last three digits are 400-599, or names not ending in one of these suffixes.
REAL_SUFFIXES = ("镇", "乡", "街道", "苏木", "地区")
KIND_BY_SUFFIX = (("街道", "subdistrict"), ("镇", "town"), ("乡", "township"), ("苏木", "township"), ("地区", "town"))


@dataclass(frozen=True)
class Density:
    villages: int
    needs: tuple  # (min, max) needs per town and cycle
    town_user_every: int  # a TOWN account for every n-th town
    extra_teams: float  # competing teams per call, as a share of its towns


DENSITY = {
    "city": Density(villages=3, needs=(3, 5), town_user_every=1, extra_teams=0.2),
    "province": Density(villages=3, needs=(3, 5), town_user_every=5, extra_teams=0.2),
    "nation": Density(villages=2, needs=(3, 3), town_user_every=20, extra_teams=0.1),
}

# ------------------------------------------------------------------------------------------------ word lists
ISSUES = ["品质下降", "病虫害严重", "品种退化", "产量偏低", "加工滞后", "销售困难", "标准化程度低", "技术人员缺乏"]
ASKS = ["现场技术指导", "品种改良", "绿色防控", "深加工", "品牌打造", "标准化种植", "人才培训", "冷链保鲜"]
TECHNIQUES = ["高效栽培", "病虫害绿色防控", "良种繁育", "精深加工", "采后贮藏保鲜", "标准化生产", "品质提升",
              "生态种植", "土壤改良", "水肥一体化", "品牌营销", "机械化生产"]
SERVICES = list(SERVICE_TYPE_VALUES)  # guidance, training, transfer, …: the one list (matching.engine.service_types)
TEAM_SERVICES = tuple(SERVICES[:3])  # what every generated team offers
BUDGET_CATEGORIES = ["equipment", "materials", "testing", "travel", "training", "demonstration", "consulting"]
BUDGET_SOURCES = ["city", "county", "unit", "town", "enterprise"]
BUDGET_NOTES = {"equipment": "加工及检测设备", "materials": "种苗、农资", "testing": "产品质量检测", "travel": "驻镇交通、住宿",
                "training": "技术培训", "demonstration": "示范基地建设", "consulting": "专家咨询"}
MEMBER_DUTIES = ["项目负责人，统筹技术方案", "示范基地建设与技术指导", "农户培训与数据记录"]
VILLAGE_WORDS = ["新", "东", "西", "南", "北", "上", "下", "大", "小", "石", "水", "山", "塘", "坪", "岭", "坑", "田",
                 "江", "河", "龙", "凤", "竹", "松", "桥", "头", "围", "洞", "溪", "湖", "口"]
SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐邓冯曾彭萧蔡潘田董袁叶钟温赖邱"
GIVEN = ["伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强",
         "海燕", "国平", "丽华", "文辉", "振宇", "晓东", "春梅", "嘉欣", "永健", "少华", "锦荣", "德明", "慧玲", "立新"]
TITLES = [("研究员", "senior", "doctor", "农学"), ("教授", "senior", "doctor", "园艺学"),
          ("副研究员", "associate", "doctor", "植物保护"), ("副教授", "associate", "master", "农业资源与环境"),
          ("高级农艺师", "associate", "bachelor", "作物栽培"), ("农艺师", "intermediate", "master", "土壤肥料"),
          ("助理研究员", "intermediate", "doctor", "食品科学"), ("讲师", "intermediate", "master", "农业经济管理")]
# Real universities and institutes (the first ones are the demo's, with its credit codes); numbered ones fill up.
REAL_UNITS = [
    ("中山大学", "university"), ("暨南大学", "university"), ("华南师范大学", "university"), ("广东工业大学", "university"),
    ("嘉应学院", "university"), ("肇庆学院", "university"), ("惠州学院", "university"), ("岭南师范学院", "university"),
    ("广东石油化工学院", "university"), ("佛山科学技术学院", "university"), ("五邑大学", "university"),
    ("汕头大学", "university"), ("韩山师范学院", "university"), ("广东农工商职业技术学院", "university"),
    ("广东科贸职业学院", "university"), ("中国农业大学", "university"), ("南京农业大学", "university"),
    ("华中农业大学", "university"), ("西北农林科技大学", "university"), ("浙江大学", "university"),
    ("福建农林大学", "university"), ("湖南农业大学", "university"), ("四川农业大学", "university"),
    ("云南农业大学", "university"), ("广西大学", "university"), ("中国农业科学院", "institute"),
    ("中国热带农业科学院", "institute"), ("中国科学院华南植物园", "institute"), ("广东省科学院", "institute"),
    ("广东省科学院生物与医学工程研究所", "institute"), ("广东省农业科学院果树研究所", "institute"),
    ("广东省农业科学院茶叶研究所", "institute"), ("广东省农业科学院蔬菜研究所", "institute"),
    ("广东省农业科学院植物保护研究所", "institute"), ("广东省农业科学院水稻研究所", "institute"),
    ("广东省农业科学院动物科学研究所", "institute"), ("广东省农业技术推广中心", "extension"),
    ("广东省现代农业装备研究所", "institute"), ("珠江水产研究所", "institute"), ("广东省微生物分析检测中心", "institute"),
]
UNIT_COUNT = 300


def person_name(index: int) -> str:
    return SURNAMES[(index * 7) % len(SURNAMES)] + GIVEN[(index * 11 + index // len(SURNAMES)) % len(GIVEN)]


# ------------------------------------------------------------------------------------------------ divisions


def _read(name: str, scale: str = "nation") -> list[dict]:
    path = DIVISIONS / name
    if not path.exists():
        if scale == "nation":
            raise FileNotFoundError("全国规模需要完整的区划代码文件：%s（或设置 SCALE_DIVISIONS_DIR）。" % path)
        path = GUANGDONG / GUANGDONG_FILES[name]
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def real_town(code: str, name: str) -> bool:
    """bench/match_speed.py's filter: drop statistical-only rows (last three digits 400-599, or no real suffix)."""
    return not 400 <= int(code[-3:]) <= 599 and name.endswith(REAL_SUFFIXES)


def town_kind(name: str) -> str:
    return next(kind for suffix, kind in KIND_BY_SUFFIX if name.endswith(suffix))


def read_divisions(scale: str) -> list[dict]:
    """[{province: (code, name), cities: [{code, name, counties: [(code, name)], towns: [(code, name, county)]}]}]
    for the scale, sorted by code; only cities with at least one real town, only counties with one."""
    provinces = {row["code"]: row["name"] for row in _read("provinces.csv", scale)}
    cities = {row["code"]: row for row in _read("cities.csv", scale)}
    areas = {row["code"]: row for row in _read("areas.csv", scale)}
    towns = defaultdict(list)
    for row in _read("streets.csv", scale):
        if scale == "city" and row["cityCode"] != "4402":
            continue
        if scale == "province" and row["provinceCode"] != "44":
            continue
        if not real_town(row["code"], row["name"]) or row["areaCode"] not in areas or row["cityCode"] not in cities:
            continue
        towns[row["cityCode"]].append((row["code"], row["name"], row["areaCode"]))
    result: dict = {}
    for city_code in sorted(towns):
        city = cities[city_code]
        city_towns = sorted(towns[city_code])
        county_codes = sorted({county for _c, _n, county in city_towns})
        entry = result.setdefault(city["provinceCode"], {"province": (city["provinceCode"], provinces[city["provinceCode"]]),
                                                          "cities": []})
        entry["cities"].append({"code": city_code, "name": city["name"],
                                "counties": [(code, areas[code]["name"]) for code in county_codes],
                                "towns": city_towns})
    return [result[code] for code in sorted(result)]


# ------------------------------------------------------------------------------------------------ writing


DATED_MODELS = None


@contextmanager
def historical_timestamps():
    """Let ``bulk_create`` keep the story's ``created_at``/``updated_at`` (auto_now/auto_now_add off meanwhile)."""
    switched = []
    for model in apps.get_models():
        for name in ("created_at", "updated_at", "date_joined"):
            try:
                column = model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - the model has no such field
                continue
            if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
                switched.append((column, column.auto_now, column.auto_now_add))
                column.auto_now = column.auto_now_add = False
    try:
        yield
    finally:
        for column, now, add in switched:
            column.auto_now, column.auto_now_add = now, add


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


class Writer:
    """Bulk inserts with their history rows and transitions, counting the rows written per table."""

    def __init__(self, history: bool = True):
        self.counts: Counter = Counter()
        self.history = history
        self.transitions: list = []
        self._types: dict = {}

    def put(self, model, objs: list, *, history: bool = True) -> list:
        if not objs:
            return objs
        model.objects.bulk_create(objs, batch_size=BATCH)
        self.counts[model._meta.label] += len(objs)
        manager = getattr(model, "history", None)
        if history and self.history and manager is not None:
            for obj in objs:
                obj._history_date = getattr(obj, "created_at", None) or getattr(obj, "date_joined", None)
            manager.bulk_history_create(objs, batch_size=BATCH)
            self.counts["history"] += len(objs)
        return objs

    def through(self, model, rows: list) -> None:
        """Rows of an auto-created many-to-many table (``model`` is its through model)."""
        model.objects.bulk_create(rows, batch_size=BATCH)
        self.counts[model._meta.label] += len(rows)

    def ct(self, model) -> int:
        if model not in self._types:
            self._types[model] = ContentType.objects.get_for_model(model).pk
        return self._types[model]

    def move(self, obj, action: str, source: str, target: str, actor, when: dt.datetime, comment: str = "") -> None:
        """One workflow step taken on ``obj`` (``source`` "" for the creation rows services record)."""
        from core.models import Transition

        self.transitions.append(Transition(content_type_id=self.ct(type(obj)), object_id=str(obj.pk), action=action,
                                           from_state=source, to_state=target, actor_id=getattr(actor, "pk", actor),
                                           comment=comment, created_at=when))

    def flush_transitions(self) -> None:
        from core.models import Transition

        # In the order taken (the invariant reads chains in pk order).
        self.transitions.sort(key=lambda t: (t.created_at, t.content_type_id, int(t.object_id)))
        self.put(Transition, self.transitions, history=False)
        self.transitions = []


class MemoAnalyzer:
    """The search analyzer with its features memoised per text (the generated texts repeat)."""

    def __init__(self, analyzer):
        self.analyzer = analyzer
        self.cache: dict = {}

    def features(self, text):
        if text not in self.cache:
            self.cache[text] = list(self.analyzer.features(text))
        return self.cache[text]

    def __getattr__(self, name):
        """The rest (the taxonomy, the problems a text speaks of) from the analyzer itself."""
        return getattr(self.analyzer, name)


# ------------------------------------------------------------------------------------------------ the generator


@dataclass
class Context:
    scale: str
    seed: int
    cycles: list
    density: Density
    password_hash: str
    units: list
    products: list  # [(product name, category)]
    taxonomy: object
    analyzer: MemoAnalyzer
    endorsement: str
    writer: Writer
    counters: Counter = field(default_factory=Counter)
    scan: str = ""  # the signed agreement scan every generated agreement points at
    voucher: str = ""  # the disbursement voucher every generated tranche points at
    # Seconds spent on the annual reports (``annual_reports``: their figure snapshots cost queries).
    report_seconds: float = 0.0


def cycle_dates(count: int) -> list[dict]:
    """The cycles' names and dates: the last starts 2025-01-01, each earlier one three years before."""
    numerals = "一二三四五六七八九十"
    result = []
    for index in range(count):
        year = 2025 - 3 * (count - 1 - index)
        result.append(dict(name="第%s批（%d—%d年）" % (numerals[index] if index < 10 else index + 1, year, year + 2),
                           start_date=dt.date(year, 1, 1), end_date=dt.date(year + 2, 12, 31),
                           dispatch_deadline=dt.date(year, 12, 31), agreement_due_date=dt.date(year + 1, 3, 31)))
    return result


def make_cycles(writer: Writer, count: int) -> list:
    from cycles.models import Cycle

    rows = []
    for index, spec in enumerate(cycle_dates(count)):
        last = index == count - 1
        start = spec["start_date"]
        rows.append(Cycle(status="open" if last else "closed", note="规模测试数据",
                          created_at=at(start - dt.timedelta(days=30)),
                          updated_at=at(start) if last else at(spec["end_date"], 18), **spec))
    writer.put(Cycle, rows)
    for cycle in rows:
        # Taken by the city S&T bureau; there is no single city at province or nation scale: recorded as the platform.
        writer.move(cycle, "open", "planned", "open", None, at(cycle.start_date))
        if cycle.status == "closed":
            writer.move(cycle, "close", "open", "closed", None, at(cycle.end_date, 18), "帮扶周期届满")
    return rows


def make_units(writer: Writer) -> list:
    from core.china import make_credit_code
    from portal.demo_data import UNITS
    from units.models import DispatchingUnit

    when = at(dt.date(2018, 6, 1))
    specs = [(name, kind, first17) for name, kind, first17, _short in UNITS]
    for index, (name, kind) in enumerate(REAL_UNITS):
        specs.append((name, kind, "12440000%09d" % (700000000 + index)))
    number = 1
    kinds = ["extension", "enterprise", "institute", "other"]
    while len(specs) < UNIT_COUNT:
        kind = kinds[number % len(kinds)]
        label = {"extension": "农业技术推广站", "enterprise": "农业科技有限公司", "institute": "农业科学研究所",
                 "other": "乡村振兴服务中心"}[kind]
        specs.append(("规模测试第%03d%s" % (number, label), kind, "91440000%09d" % (800000000 + number)))
        number += 1
    rows = [DispatchingUnit(name=name, kind=kind, credit_code=make_credit_code(first17), address="广东省广州市",
                            contact_name="科技处", contact_phone="020-8528%04d" % index, status="active",
                            created_at=when, updated_at=when)
            for index, (name, kind, first17) in enumerate(specs)]
    return writer.put(DispatchingUnit, rows)


def taxonomy_products() -> list:
    from needs.models import IndustryCategory, IndustryProduct

    if not IndustryCategory.objects.exists():  # the seed migration's rows are gone (a flushed test database)
        import importlib

        importlib.import_module("needs.migrations.0002_seed_taxonomy").seed(apps, None)
    categories = {c.pk: c for c in IndustryCategory.objects.all()}
    products = [(p.name, categories[p.category_id]) for p in IndustryProduct.objects.order_by("name")]
    if not products:
        products = [(c.name, c) for c in categories.values()]
    return products


def endorsement_file(name: str = "applications/scale/endorsement.pdf") -> str:
    """One stamped-endorsement PDF in storage that every generated application points at (or, by ``name``, the
    signed agreement scan every generated agreement points at)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
    return name


def user(ctx: Context, username: str, role: str, full_name: str, when: dt.datetime, **scope):
    from accounts.models import User

    return User(username=username, role=role, full_name=full_name, organization=full_name, password=ctx.password_hash,
                must_change_password=False, is_active=True, is_staff=False, is_superuser=False, email="",
                date_joined=when, **scope)


def province_users(ctx: Context, province: tuple) -> object:
    from accounts.models import User

    code, name = province
    account = user(ctx, "scale_province_%s" % code, "province", "%s科学技术厅" % name, at(dt.date(2018, 6, 1)),
                   province_code=code)
    ctx.writer.put(User, [account])
    return account


def generate_city(ctx: Context, city_spec: dict, province: tuple, province_user) -> None:
    """One city (地级市): its regions, accounts and every cycle's story, inserted in one transaction."""
    from accounts.models import User
    from regions.models import City, County, Town, Village, WorkTeam, WorkTeamMember

    writer = ctx.writer
    rng = random.Random("%s:%s" % (ctx.seed, city_spec["code"]))
    first_start = ctx.cycles[0].start_date
    when = at(first_start - dt.timedelta(days=60))
    city = City(code=city_spec["code"], name=city_spec["name"], province_code=province[0], province_name=province[1],
                created_at=when, updated_at=when)
    writer.put(City, [city])
    counties = {code: County(city=city, code=code, name=name, created_at=when, updated_at=when)
                for code, name in city_spec["counties"]}
    writer.put(County, list(counties.values()))
    towns = [Town(county=counties[county], code=code, name=name, kind=town_kind(name), created_at=when, updated_at=when)
             for code, name, county in city_spec["towns"]]
    writer.put(Town, towns)

    # Villages, work teams (with one member each).
    villages, by_town_village = [], {}
    for town in towns:
        names = set()
        while len(names) < ctx.density.villages:
            names.add(rng.choice(VILLAGE_WORDS) + rng.choice(VILLAGE_WORDS) + "村")
        made = [Village(town=town, name=name, code="%s%03d" % (town.code, 200 + i), created_at=when, updated_at=when)
                for i, name in enumerate(sorted(names))]
        by_town_village[town.pk] = made
        villages.extend(made)
    writer.put(Village, villages)
    work_teams = [WorkTeam(town=town, leader_name=person_name(i + 17), leader_phone="138%08d" % (int(town.code) % 10 ** 8),
                           dispatched_by="%s驻镇帮镇扶村工作队" % town.county.name, contact_name=person_name(i + 3),
                           contact_phone="0751-%07d" % (8000000 + int(town.code) % 1000000), created_at=when,
                           updated_at=when) for i, town in enumerate(towns)]
    writer.put(WorkTeam, work_teams)
    writer.put(WorkTeamMember, [WorkTeamMember(work_team=wt, name=person_name(i + 11), position="队员",
                                               unit="%s农业农村局" % wt.town.county.name, phone="139%08d" % (int(wt.town.code) % 10 ** 8),
                                               created_at=when, updated_at=when) for i, wt in enumerate(work_teams)])

    # Accounts of the city, its counties and a sample of towns (usernames by division code, one password hash).
    province_code = province[0]
    city_user = user(ctx, "scale_city_%s00" % city.code, "city_st", "%s科学技术局" % city.name, when, city=city,
                     province_code=province_code)
    county_users = {county.pk: user(ctx, "scale_county_%s" % county.code, "county_st", "%s科学技术局" % county.name, when,
                                    county=county, city=city, province_code=province_code)
                    for county in counties.values()}
    town_users = [user(ctx, "scale_town_%s" % town.code, "town", "%s驻镇工作队" % town.name, when, town=town,
                       county=town.county, city=city, province_code=province_code)
                  for index, town in enumerate(towns) if index % ctx.density.town_user_every == 0]
    writer.put(User, [city_user] + list(county_users.values()) + town_users)

    pools = expert_pools(ctx, rng, city, counties, province_code, when)
    for cycle in ctx.cycles:
        CycleStory(ctx, rng, cycle, city, counties, towns, by_town_village, city_user, county_users,
                   province_user, town_users={account.town_id: account for account in town_users},
                   pools=pools).tell()
    coordination(ctx, rng, city, counties, city_user, county_users)
    annual_reports(ctx, city, counties, city_user, county_users, province_user)
    writer.flush_transitions()


EXPERT_FIELDS = [  # (field, keywords)
    ("果树栽培", "柑橘、黄龙病、沙田柚、李、桃"), ("茶叶栽培与加工", "茶叶、红茶、茶园管理、品牌"),
    ("蔬菜栽培", "蔬菜、设施栽培、连作障碍、马蹄、香芋"), ("食用菌", "香菇、菌种、林下栽培"),
    ("畜禽养殖", "生猪、家禽、粪污资源化、防疫"), ("水产养殖", "稻渔综合种养、鱼类养殖"),
    ("植物保护", "病虫害绿色防控、统防统治、农药减量"), ("农产品加工", "精深加工、保鲜、烘干"),
    ("农村电商与品牌", "电商、品牌、营销、乡村旅游"), ("中药材", "南药、黄精、林下种植"),
    ("林业", "油茶、竹产业、低产林改造"), ("作物栽培", "优质稻、烤烟、机械化、土壤改良"),
]
EXPERT_TITLES = [("研究员", "senior"), ("教授", "senior"), ("副研究员", "associate"), ("副教授", "associate"),
                 ("高级农艺师", "associate"), ("推广研究员", "senior"), ("农艺师", "intermediate")]
CITY_POOL, COUNTY_POOL = 40, 10


def expert_pools(ctx: Context, rng, city, counties: dict, province_code: str, when) -> dict:
    """The city's expert pool (``CITY_POOL`` experts) and each county's (``COUNTY_POOL``), each expert with an
    account, as ``reviews.services.expert_save`` leaves them: {("city", None) or ("county", county pk): [experts]}."""
    from accounts.models import User
    from reviews.models import Expert

    pools, accounts, experts = {}, [], []
    keepers = [("city", None, CITY_POOL)] + [("county", county, COUNTY_POOL) for county in counties.values()]
    for level, county, size in keepers:
        # The city's pool by "city" + its code: a city without counties (东莞 4419, 中山 4420) has one whose code is
        # the city's + "00".
        code = county.code if county else "city" + city.code
        members = pools.setdefault((level, county.pk if county else None), [])
        for index in range(size):
            number = ctx.counters["expert"] = ctx.counters["expert"] + 1
            name = person_name(number * 7 + 3)
            field, keywords = EXPERT_FIELDS[(index + rng.randrange(3)) % len(EXPERT_FIELDS)]
            title, rank = EXPERT_TITLES[rng.randrange(len(EXPERT_TITLES))]
            unit = ctx.units[rng.randrange(min(40, len(ctx.units)))]
            scope = {"county": county, "city": city} if county else {"city": city}
            account = user(ctx, "scale_expert_%s_%02d" % (code, index + 1), "expert", name, when,
                           province_code=province_code, **scope)
            accounts.append(account)
            away = rng.random() < 0.05
            experts.append(Expert(organizer_level=level, city=city, county=county, user=account, name=name,
                                  field=field, keywords=keywords, title=title, title_rank=rank, unit=unit,
                                  unit_name=unit.name, phone="186%08d" % number, email="",
                                  available=not away, availability_note="外出挂职，暂不能参加评审" if away else "",
                                  created_at=when, updated_at=when))
            members.append(experts[-1])
    ctx.writer.put(User, accounts)
    for expert in experts:
        expert.user = expert.user  # the account's pk, now set
    ctx.writer.put(Expert, experts)
    return pools


class CycleStory:
    """One cycle of one city, from the survey to active (or, in a closed cycle, ended) pairings."""

    def __init__(self, ctx, rng, cycle, city, counties, towns, villages, city_user, county_users, province_user,
                 town_users=None, pools=None):
        self.ctx, self.rng, self.cycle, self.city = ctx, rng, cycle, city
        self.counties, self.towns, self.villages = counties, towns, villages
        self.city_user, self.county_users, self.province_user = city_user, county_users, province_user
        self.w = ctx.writer
        self.S = cycle.start_date
        self.closed = cycle.status == "closed"
        self.year = self.S.year
        self.town_users = town_users or {}  # town pk -> its TOWN account (not every town has one)
        self.pairings = []  # every pairing told, registered or later (agreements and projects are written for them)
        self.pools = pools or {}  # the city's and the counties' expert pools (``expert_pools``)

    def day(self, offset: int, hour: int = 9, minute: int = 0) -> dt.datetime:
        return at(self.S + dt.timedelta(days=offset), hour, minute)

    def organizer_user(self, level: str, town):
        return self.city_user if level in ("city", "province") else self.county_users[town.county_id]

    # ---------------------------------------------------------------- the story

    def tell(self):
        self.classify()
        self.survey()
        self.calls_and_selection()
        self.province_towns()
        self.assistance()
        self.reviews()
        self.fieldwork()
        self.oversight()
        self.evaluations()

    def classify(self):
        from regions.models import TownClassification

        self.level = {}
        rows = []
        when = self.day(-20)
        for town in self.towns:
            draw = self.rng.random()
            if town.kind == "subdistrict":
                town_class, level = ("none", "none") if draw < 0.5 else ("none", "county")
            elif draw < 0.03:
                town_class, level = "key", "province"
            elif draw < 0.18:
                town_class, level = "key", "city"
            else:
                town_class, level = "consolidation", "county"
            self.level[town.pk] = level
            rows.append(TownClassification(cycle=self.cycle, town=town, town_class=town_class, organizing_level=level,
                                           note="", created_at=when, updated_at=when))
        self.w.put(TownClassification, rows)

    def survey(self):
        from needs.models import CampaignTown, Need, SurveyCampaign, TownProfile
        from needs.search import index_needs

        w, rng = self.w, self.rng
        # Campaigns: the city over its towns, each county over its own organized towns.
        groups = defaultdict(list)
        for town in self.towns:
            level = self.level[town.pk]
            if level == "city":
                groups[("city", None)].append(town)
            elif level == "county":
                groups[("county", town.county_id)].append(town)
        campaigns, campaign_of = [], {}
        for (level, county_id), members in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            county = self.counties_by_pk().get(county_id)
            actor = self.city_user if level == "city" else self.county_users[county_id]
            campaign = SurveyCampaign(
                cycle=self.cycle, title="%d年%s农村科技特派员驻镇帮镇扶村科技需求调研" % (self.year, (county or self.city).name),
                organizer_level=level, city=self.city, county=county, due_date=self.S + dt.timedelta(days=35),
                instructions="请各镇填写镇域发展情况，并逐条填报产业发展中的科技需求。", status="closed",
                created_by=actor, created_at=self.day(5), updated_at=self.day(40))
            campaign._members, campaign._actor = members, actor
            campaigns.append(campaign)
            for town in members:
                campaign_of[town.pk] = campaign
        w.put(SurveyCampaign, campaigns)
        rows = []
        for campaign in campaigns:
            w.move(campaign, "close", "open", "closed", campaign._actor, self.day(40))
            for index, town in enumerate(campaign._members):
                submitted = rng.random() < 0.9
                rows.append(CampaignTown(campaign=campaign, town=town,
                                         submitted_at=self.day(20 + index % 14, 16) if submitted else None,
                                         submitted_by=campaign._actor if submitted else None,
                                         created_at=self.day(5), updated_at=self.day(20 + index % 14, 16)))
        w.put(CampaignTown, rows)

        profiles, needs, need_villages = [], [], []
        products = self.ctx.products
        low, high = self.ctx.density.needs
        self.needs_of = defaultdict(list)
        self.topic_of = {}
        for index, town in enumerate(self.towns):
            level = self.level[town.pk]
            actor = self.organizer_user(level, town) if level != "none" else self.county_users[town.county_id]
            picks = rng.sample(range(len(products)), 3)
            topics = [products[k] for k in picks]
            self.topic_of[town.pk] = topics[0]
            population = rng.randint(8000, 60000)
            profiles.append(TownProfile(
                cycle=self.cycle, town=town, population=population, households=population // 4,
                area_km2=rng.randint(3000, 40000) / 100, arable_land_mu=rng.randint(5000, 80000),
                leading_industries="、".join(name for name, _c in topics),
                characteristic_products="%s%s" % (town.name[:-1], topics[0][0]),
                technical_base="有农民专业合作社%d家、家庭农场%d家" % (rng.randint(2, 12), rng.randint(5, 30)),
                main_problems="%s%s" % (topics[0][0], rng.choice(ISSUES)), contact_name="%s农业办" % town.name,
                contact_phone="0751-88%05d" % (index % 100000), created_at=self.day(15), updated_at=self.day(15)))
            for k in range(rng.randint(low, high)):
                product, category = topics[k % len(topics)]
                issue, ask, technique = rng.choice(ISSUES), rng.choice(ASKS), rng.choice(TECHNIQUES)
                draw = rng.random()
                status = "returned" if draw < 0.04 else "submitted" if draw < 0.12 else "confirmed"
                if status == "confirmed" and level in ("city", "county"):
                    status = "matched"  # every city or county town is paired by its round, which matches its needs
                need = Need(cycle=self.cycle, town=town, campaign=campaign_of.get(town.pk),
                            title="%s%s" % (product, ask),
                            description="%s%s，需要%s、%s技术。" % (product, issue, technique, ask),
                            category=category, service_types=sorted(rng.sample(SERVICES, rng.randint(1, 3)),
                                                                     key=SERVICES.index),
                            priority=rng.choice(("high", "medium", "medium", "low")),
                            expected_outcome="%s%s水平明显提升" % (product, technique),
                            surveyed_by="%s农业办" % town.name, surveyed_on=self.S + dt.timedelta(days=14),
                            status=status, status_reason="请补充种植面积、受害程度和希望解决的具体问题。" if status == "returned" else "",
                            created_by=actor, created_at=self.day(16, 10, k),
                            updated_at={"submitted": self.day(16, 10, k), "matched": self.day(86, 10)}.get(
                                status, self.day(38)))
                need._actor = actor
                needs.append(need)
                self.needs_of[town.pk].append(need)
        w.put(TownProfile, profiles)
        w.put(Need, needs)
        through = Need.villages.through
        for need in needs:
            village = self.villages[need.town_id][need.pk % len(self.villages[need.town_id])]
            need_villages.append(through(need_id=need.pk, village_id=village.pk))
        w.through(through, need_villages)
        w.counts["needs.NeedToken"] += index_needs(needs, analyzer=self.ctx.analyzer, fresh=True)
        for need in needs:
            organizer = self.organizer_user(self.level[need.town_id], need.town) if self.level[need.town_id] != "none" \
                else self.county_users[need.town.county_id]
            if need.status in ("confirmed", "matched"):
                w.move(need, "confirm", "submitted", "confirmed", organizer, self.day(38))
            elif need.status == "returned":
                w.move(need, "return", "submitted", "returned", organizer, self.day(38), need.status_reason)

    def counties_by_pk(self):
        if not hasattr(self, "_counties_by_pk"):
            self._counties_by_pk = {county.pk: county for county in self.counties.values()}
        return self._counties_by_pk

    # ---------------------------------------------------------------- calls, applications, selection

    def calls_and_selection(self):
        from calls.models import Application, ApplicationTown, Call

        w, rng = self.w, self.rng
        groups = defaultdict(list)
        for town in self.towns:
            level = self.level[town.pk]
            if level in ("city", "county"):
                groups[(level, town.county_id if level == "county" else None)].append(town)
        counties = self.counties_by_pk()
        calls = []
        for number, ((level, county_id), members) in enumerate(
                sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)), start=1):
            county = counties.get(county_id)
            place = county or self.city
            actor = self.city_user if level == "city" else self.county_users[county_id]
            call = Call(cycle=self.cycle, organizer_level=level, city=self.city, county=county,
                        issuer="%s科学技术局" % place.name,
                        title="%s%d年农村科技特派员驻镇帮镇扶村团队公开征集通知" % (place.name, self.year),
                        doc_number="%s科〔%d〕%d号" % (place.name[0], self.year, 10 + number),
                        notice=CALL_NOTICE % {"place": place.name}, open_date=self.S + dt.timedelta(days=46),
                        close_date=self.S + dt.timedelta(days=76), contact="%s科学技术局 0751-8868100" % place.name,
                        status="published", created_by=actor, created_at=self.day(45), updated_at=self.day(46))
            call._towns, call._actor, call._place = members, actor, place
            calls.append(call)
        w.put(Call, calls)
        through = Call.towns.through
        w.through(through, [through(call_id=call.pk, town_id=town.pk) for call in calls for town in call._towns])
        for call in calls:
            w.move(call, "publish", "draft", "published", call._actor, self.day(46))

        # Teams: one winner per town, some contenders; each applies to its call.
        entries = []  # (call, team, towns ranked, winner town or None, accepted?)
        for call in calls:
            for town in call._towns:
                entries.append((call, [town], town))
            extra = int(round(len(call._towns) * self.ctx.density.extra_teams))
            for _ in range(extra):
                wanted = rng.sample(call._towns, min(2, len(call._towns)))
                entries.append((call, wanted, None))
        teams = self.make_teams([(towns[0], call.organizer_level) for call, towns, _winner in entries])
        applications, app_towns = [], []
        for (call, towns, winner), team in zip(entries, teams):
            accepted = winner is not None or rng.random() < 0.8
            application = Application(
                call=call, team=team, status="accepted" if accepted else "rejected",
                service_plan="围绕%s的%s需求，派驻团队成员累计驻镇不少于365天，建设示范基地，开展技术指导、技能培训和成果转化，"
                             "每年举办培训班不少于4期。" % (towns[0].name, team._topic),
                unit_endorsement=self.ctx.endorsement, recommendation_letter="", submitted_at=self.day(60, 10),
                created_by=team._leader_user, created_at=self.day(55), updated_at=self.day(78))
            application._towns, application._winner = towns, winner
            applications.append(application)
        w.put(Application, applications)
        for application in applications:
            for rank, town in enumerate(application._towns, start=1):
                engaged = application._winner is not None
                app_towns.append(ApplicationTown(
                    application=application, town=town, rank=rank,
                    past_projects="%d年起在%s建设%s示范基地" % (self.year - 2, town.name, application.team._topic) if engaged else "",
                    visits=8 if engaged else 1, years=2 if engaged else 0,
                    engagement_note="团队成员多次到镇开展技术指导和培训" if engaged else "",
                    created_at=self.day(55), updated_at=self.day(55)))
            w.move(application, "submit", "draft", "submitted", application.team._leader_user, self.day(60, 10))
            if application.status == "accepted":
                w.move(application, "accept", "submitted", "accepted", application.call._actor, self.day(78))
            else:
                w.move(application, "reject", "submitted", "rejected", application.call._actor, self.day(78),
                       "申报材料不符合征集通知要求，不予受理。")
        w.put(ApplicationTown, app_towns)
        by_call = defaultdict(list)
        for application in applications:
            by_call[application.call_id].append(application)
        self.select(calls, by_call)

    def make_teams(self, specs: list) -> list:
        """Teams of three (leader + 2 members), new people each, with the leader's account; ``specs`` (town, level)."""
        from accounts.models import User
        from core.china import make_id_number, mask_id_number
        from teams.models import Commissioner, Team, TeamMembership
        from teams.protect import digest, seal

        ctx, w, rng = self.ctx, self.w, self.rng
        when = self.day(50)
        teams, people, leaders = [], [], []
        address = next(iter(self.counties.values())).code
        for town, level in specs:
            product, category = self.topic_of[town.pk]
            unit = ctx.units[rng.randrange(len(ctx.units))]
            ctx.counters["team"] += 1
            number = ctx.counters["team"]
            prefix = "省派" if level == "province" else ""
            team = Team(cycle=self.cycle, name="%s%s%s科技服务团队%d" % (prefix, unit.name[:6], product, number),
                        lead_unit=unit, summary="%s团队，围绕%s开展技术指导、技能培训和成果转化。" % (unit.name, product),
                        expertise_summary="%s%s、%s" % (product, rng.choice(TECHNIQUES), rng.choice(TECHNIQUES)),
                        research_directions="", service_types=list(TEAM_SERVICES),
                        created_at=when, updated_at=when)
            team._topic, team._people = product, []
            for role in ("leader", "member", "member"):
                ctx.counters["person"] += 1
                index = ctx.counters["person"]
                number_id = make_id_number(address, dt.date(1962, 1, 1) + dt.timedelta(days=index // 1000 % 10950),
                                           index % 1000)
                title, level_, education, specialty = TITLES[index % len(TITLES)]
                person = Commissioner(
                    name=person_name(index), gender="male" if int(number_id[16]) % 2 else "female",
                    id_number_sealed=seal(number_id), id_number_digest=digest(number_id),
                    id_number_masked=mask_id_number(number_id),
                    birth_year=int(number_id[6:10]), phone="13%d%08d" % (5 + index % 5, index % 10 ** 8),
                    unit=unit if role == "leader" or rng.random() < 0.7 else ctx.units[rng.randrange(len(ctx.units))],
                    title=title, title_level=level_, education=education, specialty=specialty,
                    expertise_keywords="%s、%s" % (product, rng.choice(TECHNIQUES)),
                    bio="长期从事%s研究与技术推广。" % product, in_work_team=False, created_at=when, updated_at=when)
                team._people.append((person, role))
                people.append(person)
            team.leader_name = team._people[0][0].name
            teams.append(team)
        w.put(Team, teams)
        for team in teams:
            ctx.counters["leader"] += 1
            leader = team._people[0][0]
            account = user(ctx, "scale_leader_%d" % ctx.counters["leader"], "team_leader", leader.name, when, team=team,
                           phone=leader.phone)
            account.organization = team.lead_unit.name
            team._leader_user = account
            leaders.append(account)
        w.put(User, leaders)
        for team in teams:
            team._people[0][0].user = team._leader_user
        w.put(Commissioner, people)
        w.put(TeamMembership, [TeamMembership(team=team, commissioner=person, cycle=self.cycle, role=role,
                                              created_at=when, updated_at=when)
                               for team in teams for person, role in team._people])
        return teams

    def select(self, calls, by_call):
        from matching.models import Pairing, SelectionRound, SelectionRun, default_weights

        w, rng, ctx = self.w, self.rng, self.ctx
        rounds, runs = [], []
        for call in calls:
            selection_round = SelectionRound(
                call=call, cycle=self.cycle, title="%s · 遴选" % call.title, status="finalized", weights=default_weights(),
                meeting_date=self.S + dt.timedelta(days=85),
                meeting_participants="%s科学技术局、农业农村局、乡村振兴局及特邀专家5人" % call._place.name,
                finalized_at=self.day(86, 10), finalized_by=call._actor, created_by=call._actor,
                created_at=self.day(80), updated_at=self.day(86, 10))
            call._round = selection_round
            rounds.append(selection_round)
        w.put(SelectionRound, rounds)
        pairings = []
        for call in calls:
            selection_round = call._round
            applications = by_call[call.pk]
            contenders = defaultdict(list)
            for application in applications:
                if application._winner is None and application.status == "accepted":
                    for town in application._towns:
                        contenders[town.code].append(application.team)
            assignments, candidates, team_inputs = [], {}, []
            for application in applications:
                team = application.team
                if application.status == "accepted":
                    team_inputs.append({"team_id": str(team.pk), "name": team.name, "unit": team.lead_unit.name,
                                        "specialties": team.expertise_summary, "summary": team.summary,
                                        "research_directions": "", "member_fields": "、".join(
                                            p.title for p, _r in team._people),
                                        "service_types": [SERVICE_LABEL[value] for value in TEAM_SERVICES],
                                        "preferred_towns": [t.code for t in application._towns],
                                        "prior_towns": [application._winner.code] if application._winner else [],
                                        "application_id": application.pk, "first_choice": application._towns[0].code})
                town = application._winner
                if town is None:
                    continue
                score = round(rng.uniform(1.2, 1.9), 3)
                reasons = ["综合得分 %.3f：专业匹配度 %d%%，服务类型吻合 %d%%" % (score, rng.randint(60, 100), rng.randint(50, 100)),
                           "有前期对接基础：团队已与本镇对接过", "意向排序：本镇是团队的第 1 意向镇"]
                others = [{"team_id": str(t.pk), "score": round(score - rng.uniform(0.1, 0.8), 3)}
                          for t in contenders.get(town.code, [])]
                candidates[town.code] = [{"team_id": str(team.pk), "score": score}] + others
                assignments.append({"town_code": town.code, "team_id": str(team.pk), "score": score, "reasons": reasons,
                                    "components": {"fit": 1.0, "service": 1.0, "prior": 1.0, "preference": 1.0,
                                                   "panel": 0.0}, "locked": False})
                names = {str(t.pk): t.name for t in contenders.get(town.code, [])}
                pairings.append(Pairing(
                    cycle=self.cycle, town=town, team=team, organizer_level=call.organizer_level, round=selection_round,
                    score=score, reasons=reasons,
                    alternates=[dict(o, team_name=names[o["team_id"]]) for o in others],
                    proposed_at=self.day(86, 10), created_at=self.day(86, 10)))
            inputs = {
                "towns": [{"code": t.code, "name": t.name, "county": self.counties_by_pk()[t.county_id].name, "id": t.pk,
                           "has_needs": bool(self.needs_of[t.pk])} for t in call._towns],
                "needs": [{"town_code": n.town.code, "town_name": n.town.name, "need_id": n.pk, "title": n.title,
                           "description": n.description, "industry": n.category.name, "service_types": n.service_types}
                          for t in call._towns for n in self.needs_of[t.pk] if n.status in ("confirmed", "matched")],
                "teams": team_inputs, "skipped_teams": [], "paired_elsewhere_towns": [], "constraints": [], "panel": []}
            run = SelectionRun(round=selection_round, number=1, status="done", weights=selection_round.weights,
                               inputs=inputs, taxonomy=ctx.taxonomy_dict, taxonomy_version=ctx.taxonomy.version,
                               result={"assignments": assignments, "unassigned_towns": [], "unassigned_reasons": {},
                                       "candidates": candidates},
                               total_score=round(sum(a["score"] for a in assignments), 3), error="",
                               created_by=call._actor, created_at=self.day(80, 10), updated_at=self.day(80, 10, 1))
            runs.append(run)
        w.put(SelectionRun, runs)
        for selection_round, run in zip(rounds, runs):
            selection_round.finalized_run = run
        SelectionRound.objects.bulk_update(rounds, ["finalized_run"], batch_size=BATCH)
        for selection_round, run in zip(rounds, runs):
            actor = selection_round.created_by
            w.move(selection_round, "open", "", "open", actor, self.day(80))
            w.move(run, "start", "pending", "running", actor, self.day(80, 10, 1))
            w.move(run, "finish", "running", "done", actor, self.day(80, 10, 1))
            w.move(selection_round, "finalize", "open", "finalized", actor, self.day(86, 10), "第1次运行")
        # Needs of the paired towns still confirmed are matched by finalize (inserted as matched already).
        for pairing in pairings:
            for need in self.needs_of[pairing.town_id]:
                if need.status == "matched":
                    w.move(need, "match", "confirmed", "matched", pairing.round.created_by, self.day(86, 10),
                           pairing.round.title)
        self.notice_and_register(calls, pairings)

    # ---------------------------------------------------------------- notice and registration

    def notice_and_register(self, calls, pairings):
        from core.china import notice_period
        from matching.models import Pairing
        from notices.models import NoticeEntry, Objection, PublicNotice
        from notices.services import default_body
        from registrations.models import RegistrationSubmission, SubmissionItem

        w, rng, ctx = self.w, self.rng, self.ctx
        start = self.S + dt.timedelta(days=88)
        period = notice_period(start, self.cycle.notice_working_days)
        closed_at = at(period.last_day + dt.timedelta(days=1), 0)
        sent = period.last_day + dt.timedelta(days=3)
        city_confirm, province_confirm = sent + dt.timedelta(days=5), sent + dt.timedelta(days=10)
        registered_at = at(province_confirm, 10)
        by_call = defaultdict(list)
        for pairing in pairings:
            by_call[pairing.round.call_id].append(pairing)
        notices = []
        for call in calls:
            mine = by_call[call.pk]
            contact = "%s科学技术局农村科技股 0751-8868100" % call._place.name
            notice = PublicNotice(
                cycle=self.cycle, organizer_level=call.organizer_level, city=self.city, county=call.county,
                issuer=call.issuer, title="%s农村科技特派员驻镇帮镇扶村团队拟选派名单公示" % call._place.name,
                doc_number="%s科〔%d〕%d号" % (call._place.name[0], self.year, 50 + len(notices)),
                body=default_body(issuer=call.issuer, entries_count=len(mine), period=period, contact=contact),
                contact=contact, start_date=start, working_days=period.working_days, first_day=period.first_day,
                last_day=period.last_day, ends_at=period.ends_at, uses_fallback_calendar=period.uses_fallback,
                status="closed", closed_at=closed_at, created_by=call._actor, created_at=self.day(87),
                updated_at=closed_at)
            notice._call, notice._pairings = call, mine
            notices.append(notice)
        w.put(PublicNotice, notices)
        entries = []
        for notice in notices:
            w.move(notice, "publish", "draft", "published", notice._call._actor, at(start), notice.title)
            w.move(notice, "close", "published", "closed", None, closed_at, "公示期满")
            for pairing in notice._pairings:
                people = pairing.team._people
                label = lambda p: "%s（%s%s）" % (p.name, p.unit.name, "，" + p.title if p.title else "")  # noqa: E731
                entries.append(NoticeEntry(
                    notice=notice, pairing=pairing, town=pairing.town, team_name=pairing.team.name,
                    leader=label(people[0][0]), members="；".join(label(p) for p, _r in people[1:]),
                    town_label=pairing.town.name, county_name=self.counties_by_pk()[pairing.town.county_id].name,
                    outcome="cleared", created_at=self.day(87), updated_at=closed_at))
        # Pairings: proposed → on notice → cleared → registered → active (→ ended in a closed cycle).
        for pairing in pairings:
            pairing.status = "ended" if self.closed else "active"
            pairing.notice_started_at = at(start)
            pairing.notice_cleared_at = closed_at
            pairing.registered_at = registered_at
            pairing.active_from = province_confirm
            if self.closed:
                pairing.ended_at = at(self.cycle.end_date, 17)
                pairing.ended_on = self.cycle.end_date
                pairing.end_reason = "帮扶周期届满，完成三年帮扶任务"
            pairing.updated_at = pairing.ended_at or registered_at
        w.put(Pairing, pairings)
        self.pairings.extend(pairings)
        w.put(NoticeEntry, entries)
        for notice in notices:
            for pairing in notice._pairings:
                w.move(pairing, "propose", "", "proposed", notice._call._actor, pairing.proposed_at, pairing.round.title)
                w.move(pairing, "notice", "proposed", "on_notice", notice._call._actor, at(start), notice.title)
                w.move(pairing, "clear", "on_notice", "notice_cleared", None, closed_at, "公示无异议")

        # A few objections, filed in the period and dismissed by the notice's organizer.
        objections = []
        for notice_entry in entries:
            if rng.random() < 0.03:
                ctx.counters["objection"] += 1
                number = ctx.counters["objection"]
                notice = notice_entry.notice
                objections.append(Objection(
                    notice=notice, entry=notice_entry, receipt_number=receipt_number(number), name=person_name(number + 500),
                    phone="137%08d" % number, grounds="反映该团队一名成员同时在其他县申报团队，请核实是否重复申报。",
                    status="dismissed", finding="经核实，该成员未重复申报，异议不成立。", handled_by=notice._call._actor,
                    handled_at=at(period.last_day, 15), client_hash=hashlib.sha256(b"%d" % number).hexdigest(),
                    created_at=at(period.first_day, 10), updated_at=at(period.last_day, 15)))
        w.put(Objection, objections)
        for objection in objections:
            actor = objection.handled_by
            if objection.pk % 2:
                w.move(objection, "investigate", "received", "investigating", actor, at(period.first_day, 16))
                w.move(objection, "dismiss", "investigating", "dismissed", actor, objection.handled_at, objection.finding)
            else:
                w.move(objection, "dismiss", "received", "dismissed", actor, objection.handled_at, objection.finding)

        # Registration: a city call to the province; a county call to the city and to the province.
        submissions = []
        for notice in notices:
            call = notice._call
            recipients = ["province"] if call.organizer_level == "city" else ["city", "province"]
            for number, recipient in enumerate(recipients):
                confirmed_on = city_confirm if recipient == "city" else province_confirm
                confirmer = self.city_user if recipient == "city" else self.province_user
                submission = RegistrationSubmission(
                    cycle=self.cycle, organizer_level=call.organizer_level, city=self.city, county=call.county,
                    recipient=recipient, status="confirmed",
                    doc_number="%s科〔%d〕%d号" % (call._place.name[0], self.year, 150 + number),
                    contact="%s 0751-8868001" % call._actor.full_name, sent_on=sent, confirmed_on=confirmed_on,
                    reference_number=("粤科农字〔%d〕%d号" if recipient == "province" else "%s科备〔%%d〕%%d号" % self.city.name[0])
                    % (self.year, 10 + len(submissions)), confirmed_by=confirmer, return_comment="",
                    created_by=call._actor, created_at=at(sent, 9), updated_at=at(confirmed_on, 10))
                submission._notice, submission._actor, submission._confirmer = notice, call._actor, confirmer
                submissions.append(submission)
        w.put(RegistrationSubmission, submissions)
        items = []
        for submission in submissions:
            w.move(submission, "send", "draft", "sent", submission._actor, at(sent, 9))
            w.move(submission, "confirm", "sent", "confirmed", submission._confirmer, at(submission.confirmed_on, 10),
                   "备案文号：%s" % submission.reference_number)
            for pairing in submission._notice._pairings:
                items.append(SubmissionItem(submission=submission, pairing=pairing, recipient=submission.recipient,
                                            created_at=at(sent, 9), updated_at=at(sent, 9)))
        w.put(SubmissionItem, items)
        for pairing in pairings:
            # Registered when the last recipient (the province) confirmed, by its confirmation.
            w.move(pairing, "register", "notice_cleared", "registered", self.province_user, registered_at,
                   "纳入广东省驻镇帮镇扶村农村科技特派员")
            w.move(pairing, "activate", "registered", "active", self.province_user, registered_at, "备案完成，开始帮扶")
            if self.closed:
                actor = self.organizer_user(pairing.organizer_level, pairing.town)
                w.move(pairing, "end", "active", "ended", actor, pairing.ended_at, pairing.end_reason)

    def province_towns(self):
        """The team the province's own call sent to each province-organized town, recorded by the city."""
        from matching.models import Pairing

        w = self.w
        towns = [town for town in self.towns if self.level[town.pk] == "province"]
        if not towns:
            return
        teams = self.make_teams([(town, "province") for town in towns])
        when = self.day(100)
        comment = "省科技厅粤科农字〔%d〕2号选派，市科技局登记" % self.year
        pairings = []
        for index, (town, team) in enumerate(zip(towns, teams)):
            if self.closed:
                status = "ended"
            else:
                status = "registered" if index % 4 == 3 else "active"
            pairing = Pairing(cycle=self.cycle, town=town, team=team, organizer_level="province", status=status,
                              registered_at=when, reasons=[comment], alternates=[],
                              active_from=when.date() if status != "registered" else None,
                              ended_at=at(self.cycle.end_date, 17) if self.closed else None,
                              ended_on=self.cycle.end_date if self.closed else None,
                              end_reason="帮扶周期届满，完成三年帮扶任务" if self.closed else "",
                              created_at=when, updated_at=at(self.cycle.end_date, 17) if self.closed else when)
            pairings.append(pairing)
        w.put(Pairing, pairings)
        self.pairings.extend(pairings)
        for pairing in pairings:
            w.move(pairing, "record_province", "", "registered", self.city_user, when, comment)
            if pairing.status != "registered":
                w.move(pairing, "activate", "registered", "active", self.city_user, when, comment)
            if pairing.status == "ended":
                w.move(pairing, "end", "active", "ended", self.city_user, pairing.ended_at, pairing.end_reason)


    # ---------------------------------------------------------------- agreements and projects

    def assistance(self):
        """Every pairing's agreement and one or two projects, as ``projects.services`` would have left them.

        A closed cycle's agreements are confirmed and its projects accepted; in the open cycle most agreements are
        confirmed, some signed (awaiting the town), in draft or returned by the town, and most projects accepted, some
        submitted, returned or in draft (a draft while the agreement is not signed). Dates from the registration:
        drafted +4 days, signed +12, confirmed +14 (a few late: +35/+38); projects written +20, submitted +40 (a few
        late: +65, flagged), accepted +50. A project links the town's confirmed (or matched) needs; submitting moves
        them to "in assistance". A few accepted projects have a change request (approved: version 2 with the proposed
        content; rejected; in the open cycle also pending or withdrawn)."""
        from needs.models import Need
        from projects.models import Agreement, BudgetLine, Project, ProjectChange, ProjectMember, ProjectYear
        from projects.selectors import agreement_due, project_due
        from projects.services import PROJECT_FIELDS, Content, snapshot

        w, rng = self.w, self.rng
        agreements, projects, years, lines, members, changes, moves, moved_needs = [], [], [], [], [], [], [], []
        organizer_of = {}
        for pairing in self.pairings:
            town, team = pairing.town, pairing.team
            leader, town_user = team._leader_user, self.town_users.get(town.pk)
            organizer = self.organizer_user(pairing.organizer_level, town)
            registered = pairing.registered_at.astimezone(TZ).date()
            when = lambda days, hour=10: at(registered + dt.timedelta(days=days), hour)  # noqa: E731
            product = self.topic_of[town.pk][0]

            # The agreement.
            draw = rng.random()
            status = "confirmed" if self.closed or draw < 0.75 else "signed" if draw < 0.85 else \
                "draft" if draw < 0.93 else "returned"
            late = rng.random() < 0.06
            drafted, signed, answered = when(4, 15), when(35 if late else 12, 11), when(38 if late else 14, 16)
            kind = "人民政府" if town.name.endswith(("镇", "乡")) else "办事处"
            agreement = Agreement(
                pairing=pairing, cycle=self.cycle, town=town, team=team, organizer_level=pairing.organizer_level,
                due_date=agreement_due(pairing), created_by=leader, town_party="%s%s" % (town.full_name, kind),
                work_team_party="%s驻镇帮镇扶村工作队" % town.full_name,
                term_start=max(registered, self.cycle.start_date), term_end=self.cycle.end_date,
                summary="围绕%s%s产业发展需求，派驻团队成员开展技术指导、技能培训和成果转化，建设示范基地。" % (town.name, product),
                team_duties="组织团队成员定期驻镇，每年驻镇服务累计不少于120天；按帮扶项目开展技术指导、培训和示范推广。",
                town_duties="协调落实示范基地用地和示范农户；每季度召开一次工作对接会。",
                work_team_duties="统筹安排团队驻镇工作任务，督促落实帮扶计划，确认服务活动和驻镇时间。",
                conditions="镇政府提供办公室1间、宿舍2间，镇内交通由镇农业办协调；提供试验示范用地约%d亩。" % rng.randint(10, 60),
                status=status, signed_on=None if status == "draft" else signed.date(),
                signed_scan="" if status == "draft" else self.ctx.scan,
                signed_uploaded_at=None if status == "draft" else signed,
                confirmed_at=answered if status == "confirmed" else None,
                return_comment="协议未写明团队每年驻镇时间，请修改后重新签署上传。" if status == "returned" else "",
                created_at=drafted, updated_at={"draft": drafted, "signed": signed}.get(status, answered))
            agreements.append(agreement)
            moves.append((agreement, "draft", "", "draft", leader, drafted, "起草帮扶协议"))
            if status != "draft":
                moves.append((agreement, "sign", "draft", "signed", leader, signed, ""))
            if status in ("confirmed", "returned"):
                action = "confirm" if status == "confirmed" else "return"
                moves.append((agreement, action, "signed", status, town_user, answered, agreement.return_comment))

            # The projects.
            linkable = [need for need in self.needs_of[town.pk] if need.status in ("confirmed", "matched")]
            count = 2 if rng.random() < 0.3 else 1
            for k in range(count):
                draw = rng.random()
                if not linkable or status in ("draft", "returned"):
                    state = "draft"
                elif self.closed:
                    state = "accepted"
                elif status == "signed":
                    state = "submitted" if draw < 0.5 else "draft"
                else:
                    state = "accepted" if draw < 0.7 else "submitted" if draw < 0.82 else \
                        "returned" if draw < 0.9 else "draft"
                returned_first = state == "accepted" and rng.random() < 0.1
                late = state != "draft" and rng.random() < 0.08
                written, sent = when(20 + k, 15), when(65 + k if late else 40 + k)
                back, again = sent + dt.timedelta(days=5), sent + dt.timedelta(days=12)
                accepted = (again if returned_first else sent) + dt.timedelta(days=8, hours=5)
                start = (registered + dt.timedelta(days=62)).replace(day=1)
                end = self.cycle.end_date if k == 0 else dt.date(self.cycle.end_date.year - 1, 12, 31)
                total = rng.randrange(50, 301) * 1000
                technique = TECHNIQUES[(TECHNIQUES.index(rng.choice(TECHNIQUES)) + k) % len(TECHNIQUES)]
                trainings = rng.randint(4, 16)
                project = Project(
                    pairing=pairing, cycle=self.cycle, town=town, team=team, organizer_level=pairing.organizer_level,
                    due_date=project_due(pairing), created_by=leader,
                    title="%s%s%s示范" % (town.name, product, technique),
                    objectives="集成推广%s%s技术，建设示范基地，培训农户，带动增收。" % (product, technique),
                    content="建设%s示范基地，开展%s技术培训和现场指导，联结合作社和农户推广新技术、新品种。" % (product, technique),
                    start_date=start, end_date=end, trainings=trainings, people_trained=trainings * rng.randint(25, 60),
                    technologies=rng.randint(1, 4), varieties=rng.randint(0, 3), demo_bases=rng.randint(1, 3),
                    demo_area_mu=Decimal(rng.randint(20, 300)), households=rng.randint(50, 400),
                    enterprises=rng.randint(1, 8), income_raised=Decimal(total * rng.randint(2, 8)),
                    total_budget=Decimal(total), status=state,
                    submitted_at=None if state == "draft" else sent,
                    last_submitted_at=None if state == "draft" else (again if returned_first else sent),
                    late=late, accepted_at=accepted if state == "accepted" else None,
                    return_comment="年度计划未写明示范面积和培训场次，请细化后重新报送。" if state == "returned" or returned_first else "",
                    created_at=written,
                    updated_at={"draft": written, "submitted": sent, "returned": back}.get(state, accepted))
                project._needs = linkable[k::count] or linkable
                cuts = sorted(rng.sample(range(1, total // 1000), rng.randint(2, 4) - 1))
                amounts = [(b - a) * 1000 for a, b in zip([0] + cuts, cuts + [total // 1000])]
                project._lines = [{"category": category, "amount": Decimal(amount), "source": rng.choice(BUDGET_SOURCES),
                                   "note": "%s%s" % (product, BUDGET_NOTES.get(category, ""))}
                                  for category, amount in zip(rng.sample(BUDGET_CATEGORIES, len(amounts)), amounts)]
                project._years = [{"year": year, "plan": "%d年：%s%s示范，开展培训%d场。" % (year, product, technique,
                                                                                     max(1, trainings // 3))}
                                  for year in range(start.year, end.year + 1)]
                project._members = [{"commissioner": person, "duty": duty} for (person, _role), duty in
                                    zip(team._people[:rng.randint(2, 3)], MEMBER_DUTIES)]
                projects.append(project)
                project._key = len(projects)
                organizer_of[project._key] = organizer
                moves.append((project, "draft", "", "draft", leader, written, "编制帮扶项目"))
                if state == "draft":
                    continue
                moves.append((project, "submit", "draft", "submitted", leader, sent, ""))
                for need in project._needs:
                    if need.status in ("confirmed", "matched"):
                        moves.append((need, "start_assistance", need.status, "in_assistance", leader, sent,
                                      "纳入帮扶项目“%s”" % project.title))
                        need.status, need.updated_at = "in_assistance", sent
                        moved_needs.append(need)
                if state == "returned" or returned_first:
                    moves.append((project, "return", "submitted", "returned", organizer, back, project.return_comment))
                if returned_first:
                    moves.append((project, "resubmit", "returned", "submitted", leader, again, "已按意见修改。"))
                if state == "accepted":
                    moves.append((project, "accept", "submitted", "accepted", organizer, accepted, ""))
                if state == "accepted" and rng.random() < 0.08:
                    changes.append(self.change(project, leader, organizer, accepted, Content, snapshot, PROJECT_FIELDS,
                                               moves))
        self.decisions = [self.decide(project, organizer_of[project._key], moves) for project in projects
                          if project.status == "accepted"]
        w.put(Agreement, agreements)
        w.put(Project, projects)
        self.projects_of = defaultdict(list)  # pairing pk -> its projects (the field work's activities name one)
        for project in projects:
            self.projects_of[project.pairing_id].append(project)
        through = Project.needs.through
        w.through(through, [through(project_id=project.pk, need_id=need.pk)
                            for project in projects for need in project._needs])
        for project in projects:
            stamp = dict(created_at=project.created_at, updated_at=project.created_at)
            years += [ProjectYear(project=project, **row, **stamp) for row in project._years]
            lines += [BudgetLine(project=project, **row, **stamp) for row in project._lines]
            members += [ProjectMember(project=project, **row, **stamp) for row in project._members]
        w.put(ProjectYear, years)
        w.put(BudgetLine, lines)
        w.put(ProjectMember, members)
        w.put(ProjectChange, changes)
        by_moment = defaultdict(list)  # one UPDATE per submission moment (few: pairings share their registration day)
        for need in moved_needs:
            by_moment[need.updated_at].append(need.pk)
        for moment, pks in by_moment.items():
            for start in range(0, len(pks), BATCH):
                Need.objects.filter(pk__in=pks[start:start + BATCH]).update(status="in_assistance", updated_at=moment)
        for move in moves:
            w.move(*move)

    def change(self, project, leader, organizer, accepted, Content, snapshot, fields, moves):
        """A change request on an accepted project (more training, more households); approved: the project takes it."""
        from projects.models import ProjectChange

        rng = self.rng
        draw = rng.random()
        status = ("approved" if draw < 0.5 else "rejected") if self.closed else \
            "approved" if draw < 0.35 else "rejected" if draw < 0.6 else "pending" if draw < 0.9 else "withdrawn"
        asked = accepted + dt.timedelta(days=120)
        decided = asked + dt.timedelta(days=10)
        content = Content(fields={name: getattr(project, name) for name in fields}, needs=project._needs,
                          years=project._years, budget_lines=project._lines, members=project._members)
        before = snapshot(project, content)
        extra = {"trainings": project.trainings + 2, "people_trained": project.people_trained + 80,
                 "households": project.households + 30}
        after = snapshot(project, Content(fields={**content.fields, **extra}, needs=content.needs, years=content.years,
                                          budget_lines=content.budget_lines, members=content.members))
        project._changed = True  # never rejected by its review afterwards (a rejected project takes no change)
        if status == "approved":
            for name, value in extra.items():
                setattr(project, name, value)
            project.version = 2
            project.updated_at = decided
        comment = {"approved": "同意。", "rejected": "理由不充分，维持原项目内容。"}.get(status, "")
        change = ProjectChange(project=project, reason="示范村农户参与意愿强，申请增加培训场次和服务农户数。", before=before,
                               after=after, from_version=1, status=status, requested_by=leader,
                               decided_at=None if status == "pending" else decided, decision_comment=comment,
                               created_at=asked, updated_at=asked if status == "pending" else decided)
        moves.append((change, "request", "", "pending", leader, asked, change.reason))
        if status != "pending":
            actor = leader if status == "withdrawn" else organizer
            action = {"approved": "approve", "rejected": "reject", "withdrawn": "withdraw"}[status]
            moves.append((change, action, "pending", status, actor, decided, comment))
        return change


    # ---------------------------------------------------------------- expert review and funding

    def decide(self, project, organizer, moves) -> dict | None:
        """The review of an accepted project, planned before the project is inserted (its status follows the
        decision): the panel of 3 from the funder's pool (available, never from a team member's unit), the outcome,
        and for an approved one the grant and its tranches. A closed cycle's reviews are all decided (mostly
        approved and funded in two tranches); the open cycle's at every step. None: no panel could be formed."""
        rng = self.rng
        county = project.organizer_level == "county"
        pool = self.pools.get(("county", project.town.county_id) if county else ("city", None), [])
        units = {person.unit_id for person, _role in project.team._people}
        free = [expert for expert in pool if expert.available and expert.unit_id not in units]
        if len(free) < 3:
            return None
        draw = rng.random()
        if self.closed:
            outcome = "approved" if draw < 0.86 else "approved_changes" if draw < 0.94 else "rejected"
        else:
            outcome = ("approved" if draw < 0.5 else "approved_changes" if draw < 0.56 else "rejected" if draw < 0.6
                       else "scored" if draw < 0.72 else "scoring" if draw < 0.88 else "forming")
        if outcome == "rejected" and getattr(project, "_changed", False):
            outcome = "approved"
        base = project.accepted_at
        plan = {"project": project, "organizer": organizer, "outcome": outcome, "panel": rng.sample(free, 3),
                "base": rng.randint(70, 90), "outlier": rng.random() < 0.08,
                "submitted": {"forming": 0, "scoring": rng.randint(1, 2)}.get(outcome, 3),
                "decided": base + dt.timedelta(days=25, hours=1)}
        if outcome in ("approved", "approved_changes"):
            share = Decimal(rng.randint(50, 90)) / 100
            plan["amount"] = max(Decimal("10000"), (project.total_budget * share / 1000).quantize(Decimal("1")) * 1000)
            plan["funded"] = self.closed or rng.random() < 0.85
            plan["tranches"] = 2 if self.closed or rng.random() < 0.5 else 1
        if outcome in ("approved", "approved_changes", "rejected"):
            project.status = "approved" if outcome != "rejected" else "rejected"
            project.updated_at = max(project.updated_at, plan["decided"])
            moves.append((project, "approve" if outcome != "rejected" else "reject", "accepted", project.status,
                          organizer, plan["decided"], "论证通过" if outcome != "rejected" else "论证未通过"))
        return plan

    def reviews(self):
        """The reviews planned by ``decide`` with their seats, scores and transitions, the grants of the approved
        ones with their tranches (vouchers point at one stored PDF), and each funder's envelope per fiscal year
        (budgeted above what it committed)."""
        from reviews.models import Disbursement, Envelope, Grant, Review, ReviewSeat
        from reviews.selectors import weighted_total

        w, rng, ctx = self.w, self.rng, self.ctx
        weights = self.cycle.review_weights()
        reviews, seats, grants, tranches, moves = [], [], [], [], []
        for plan in filter(None, getattr(self, "decisions", [])):
            project, organizer, outcome = plan["project"], plan["organizer"], plan["outcome"]
            base = project.accepted_at
            started, opened = base + dt.timedelta(days=5), base + dt.timedelta(days=7)
            submits = [base + dt.timedelta(days=10 + 2 * index, hours=index) for index in range(3)]
            decided = outcome in ("approved", "approved_changes", "rejected")
            status = outcome
            review = Review(project=project, cycle=self.cycle, town=project.town, team=project.team,
                            organizer_level=project.organizer_level, mode="panel", panel_size=3, weights=weights,
                            status=status, opened_at=None if outcome == "forming" else opened,
                            scored_at=submits[-1] if plan["submitted"] == 3 else None,
                            decided_at=plan["decided"] if decided else None,
                            approved_amount=plan.get("amount"),
                            panel_opinion="专家组认为项目紧扣镇域产业需求，技术路线可行，同意立项。" if outcome == "approved" else
                            "专家组认为项目方向正确，经费测算需细化，建议修改后立项。" if outcome == "approved_changes" else
                            "专家组认为项目目标与现有基础差距较大，经费测算依据不足。" if outcome == "rejected" else "",
                            decision_comment={"approved_changes": "请压减设备购置费，细化年度示范指标。",
                                              "rejected": "经费测算依据不足，不予立项。"}.get(outcome, ""),
                            created_by=organizer, created_at=started,
                            updated_at=plan["decided"] if decided else submits[-1] if plan["submitted"] == 3 else
                            opened if outcome == "scoring" else started)
            reviews.append(review)
            moves.append((review, "start", "", "forming", organizer, started, "组建专家组"))
            if outcome != "forming":
                moves.append((review, "open", "forming", "scoring", organizer, opened, ""))
            for index, expert in enumerate(plan["panel"]):
                seat = ReviewSeat(review=review, expert=expert, fit=Decimal(rng.randint(300, 999)) / 1000,
                                  created_at=started, updated_at=started)
                moves.append((seat, "seat", "", "assigned", organizer, started, ""))
                if index < plan["submitted"]:
                    shift = -25 if plan["outlier"] and index == 2 else 0
                    for key in ("fit", "feasibility", "benefit", "team", "budget"):
                        setattr(seat, "score_%s" % key, max(30, min(99, plan["base"] + shift + rng.randint(-6, 6))))
                    seat.total = weighted_total(seat, weights)
                    seat.status, seat.submitted_at, seat.updated_at = "submitted", submits[index], submits[index]
                    seat.comment = "技术路线可行，建议细化年度示范推广指标。" if not shift else "示范规模偏大，经费中设备费比例偏高。"
                    moves.append((seat, "submit", "assigned", "submitted", expert.user, submits[index], ""))
                seats.append(seat)
            if plan["submitted"] == 3:
                moves.append((review, "complete", "scoring", "scored", plan["panel"][-1].user, submits[-1],
                              "专家组3人均已提交评分"))
            if decided:
                action = {"approved": "approve", "approved_changes": "approve_changes", "rejected": "reject"}[outcome]
                moves.append((review, action, "scored", outcome, organizer, plan["decided"], review.decision_comment))
            if plan.get("funded"):
                granted = (plan["decided"] + dt.timedelta(days=15)).date()
                county = project.town.county if project.organizer_level == "county" else None
                code = county.code if county else self.city.code
                key = "grant:%d:%s" % (granted.year, code)
                ctx.counters[key] += 1
                grant = Grant(organizer_level="county" if county else "city", city=self.city, county=county,
                              cycle=self.cycle, town=project.town, team=project.team, review=review, project=project,
                              project_number="KTP-%d-%s-%03d" % (granted.year, code, ctx.counters[key]),
                              fiscal_year=granted.year, budget_source="county" if county else "city_st",
                              amount=plan["amount"], granted_on=granted, note="", created_by=organizer,
                              created_at=at(granted, 10), updated_at=at(granted, 10))
                grants.append(grant)
                first = (grant.amount * Decimal("0.6")).quantize(Decimal("0.01"))
                parts = [first, grant.amount - first][:plan["tranches"]]
                for number, part in enumerate(parts):
                    paid = granted + dt.timedelta(days=20 if number == 0 else 260)
                    tranches.append(Disbursement(grant=grant, amount=part, paid_on=paid, voucher=ctx.voucher,
                                                 note="首期拨付" if number == 0 else "尾款拨付", created_by=organizer,
                                                 created_at=at(paid, 15), updated_at=at(paid, 15)))
        w.put(Review, reviews)
        for seat in seats:
            seat.review = seat.review  # the review's pk, now set
        w.put(ReviewSeat, seats)
        for grant in grants:
            grant.review = grant.review
        w.put(Grant, grants)
        for tranche in tranches:
            tranche.grant = tranche.grant
        w.put(Disbursement, tranches)
        for move in moves:
            w.move(*move)
        committed = defaultdict(Decimal)
        for grant in grants:
            committed[(grant.organizer_level, grant.county, grant.fiscal_year)] += grant.amount
        envelopes = []
        for (level, county, year), amount in sorted(committed.items(), key=lambda item: (
                item[0][2], item[0][1].code if item[0][1] else "")):
            budgeted = ((amount * Decimal("1.2")) / 100000).quantize(Decimal("1"), rounding="ROUND_CEILING") * 100000
            made = at(dt.date(year, 1, 5), 10)
            envelopes.append(Envelope(organizer_level=level, city=self.city, county=county, fiscal_year=year,
                                      budgeted=budgeted, note="%d年农村科技特派员项目资助资金" % year,
                                      created_at=made, updated_at=made))
        w.put(Envelope, envelopes)

    # ---------------------------------------------------------------- field work (驻镇服务)

    def fieldwork(self):
        """Every pairing's field work (``FieldHistory``): a closed cycle's whole three years, the open cycle's up to
        the story's day (``FIELD_HORIZON_DAYS`` after the cycle's start). Cross-town work goes to another town of
        the same county; a town without an account confirms as the platform (no actor), as its agreements do."""
        horizon = self.cycle.end_date - dt.timedelta(days=6) if self.closed else min(
            self.S + dt.timedelta(days=FIELD_HORIZON_DAYS), dt.date.today() - dt.timedelta(days=1))
        field = FieldHistory(self.w, self.rng, self.cycle, horizon=horizon, closed=self.closed,
                             density=FIELD_DENSITY[self.ctx.scale])
        by_county = defaultdict(list)
        for town in self.towns:
            by_county[town.county_id].append(town)
        projects_of = getattr(self, "projects_of", {})
        for pairing in self.pairings:
            town, team = pairing.town, pairing.team
            product, category = self.topic_of[town.pk]
            others = [t for t in by_county[town.county_id] if t.pk != town.pk]
            neighbour = None
            if others and self.rng.random() < field.density.cross_town:
                other = self.rng.choice(others)
                neighbour = (other, self.town_users.get(other.pk))
            draw = self.rng.random()
            profile = "short" if draw < 0.06 else "slow" if draw < 0.14 else "normal"
            registered = pairing.registered_at.astimezone(TZ).date()
            field.add(pairing, people=team._people, leader=team._leader_user, town_user=self.town_users.get(town.pk),
                      topic=product, category=category.name, start=registered + dt.timedelta(days=5),
                      projects=[p for p in projects_of.get(pairing.pk, []) if p.status != "draft"],
                      neighbour=neighbour, profile=profile)
        field.flush()


    # ---------------------------------------------------------------- oversight (调整更换, 周期结束)

    def oversight(self):
        """About 2 % of the pairings with a case (调整更换) — a closed cycle's decided (a warning or no action: the
        generator replaces no team), the open cycle's open, answered or decided — and, in a closed cycle, every
        pairing's closing figures (``PairingFigures``, as ``replacements.services.figures_close`` keeps them at the
        cycle's end), from a handful of aggregate queries over the chunk."""
        from replacements.models import Case, PairingFigures

        w, rng = self.w, self.rng
        pairings = [p for p in self.pairings if p.status in ("registered", "active", "ended")]
        if not pairings:
            return
        cases = []
        for pairing in pairings:
            if rng.random() >= 0.02:
                continue
            organizer = self.organizer_user(pairing.organizer_level, pairing.town)
            opened_day = min(pairing.registered_at.astimezone(TZ).date() + dt.timedelta(days=rng.randint(120, 600)),
                             self.cycle.end_date - dt.timedelta(days=30))
            if not self.closed:
                opened_day = min(opened_day, self.S + dt.timedelta(days=FIELD_HORIZON_DAYS - 20))
            step = "decided" if self.closed else rng.choice(("open", "answered", "decided"))
            cause = rng.choice(("noncooperation", "no_work", "mismatch"))
            decision = rng.choice(("warning", "warning", "no_action")) if step == "decided" else ""
            case = Case(cause=cause, summary="驻镇工作队反映团队近期驻镇和服务活动明显减少，请团队说明情况。",
                        answer_due=opened_day + dt.timedelta(days=14), status=step, opened_at=at(opened_day, 10),
                        created_by=organizer, created_at=at(opened_day, 10), updated_at=at(opened_day, 10))
            case.copy_pairing(pairing)
            leader = pairing.team._leader_user
            if step in ("answered", "decided"):
                case.answer, case.answered_by = "团队已调整驻镇安排，并补充了近期的服务计划。", leader
                case.answered_at = case.updated_at = at(opened_day + dt.timedelta(days=7), 17)
            if step == "decided":
                case.decision, case.decided_by = decision, organizer
                case.decision_reason = "团队已说明情况并调整驻镇安排，予以警示提醒。" if decision == "warning" else "经核实，情况已改善，不予处理。"
                case.decided_at = case.updated_at = at(opened_day + dt.timedelta(days=12), 10)
            case._actor, case._leader = organizer, leader
            cases.append(case)
        w.put(Case, cases)
        for case in cases:
            w.move(case, "open", "", "open", case._actor, case.opened_at, case.get_cause_display())
            if case.answered_at:
                w.move(case, "answer", "open", "answered", case._leader, case.answered_at, case.answer)
            if case.decided_at:
                w.move(case, "decide", "answered", "decided", case._actor, case.decided_at,
                       "%s：%s" % (case.get_decision_display(), case.decision_reason))
        if self.closed:
            w.put(PairingFigures, self.closing_figures([p for p in pairings if p.status == "ended"]))

    # ---------------------------------------------------------------- annual evaluations (年度考评)

    def evaluations(self):
        """Each person of a team that worked in a town, one evaluation a year of the cycle that has ended (the
        person's own unit's), as ``evaluations.services`` leaves it: the year's figures counted by
        ``evaluations.selectors.figures`` (from the field work and projects just written), graded (about 15 % 优秀,
        80 % 合格, 4 % 基本合格, 1 % 不合格) and submitted in the next January — a cycle's last year at its end, while
        it is open; the open cycle's latest year one in ten still a draft."""
        from evaluations.models import Evaluation
        from evaluations.selectors import figures

        w, rng = self.w, self.rng
        today = dt.date.today()
        worked = [p for p in self.pairings if p.status in ("registered", "active", "ended")]
        people = [(pairing, person) for pairing in worked for person, _role in pairing.team._people]
        if not people:
            return
        years = [year for year in range(self.S.year, self.cycle.end_date.year + 1) if dt.date(year, 12, 31) < today]
        rows = []
        for year in years:
            counts = figures([person.pk for _pairing, person in people], year)
            last = year == self.cycle.end_date.year
            graded_on = self.cycle.end_date - dt.timedelta(days=5) if last else dt.date(year + 1, 1, 15)
            graded_on = min(graded_on, today - dt.timedelta(days=1))
            for pairing, person in people:
                if pairing.registered_at.astimezone(TZ).date() > dt.date(year, 12, 31):
                    continue
                draft = not self.closed and year == years[-1] and rng.random() < 0.1
                draw = rng.random()
                grade = "excellent" if draw < 0.15 else "pass" if draw < 0.95 else "basic" if draw < 0.99 else "fail"
                made = at(graded_on - dt.timedelta(days=rng.randint(2, 8)), 10)
                submitted = at(graded_on, 15)
                count = counts[person.pk]
                evaluation = Evaluation(
                    unit_id=person.unit_id, commissioner=person, team=pairing.team, year=year, cycle=self.cycle,
                    grade="" if draft else grade, figures=count, evaluator="" if draft else "科技处",
                    comments="" if draft else EVALUATION_COMMENTS[grade] % {
                        "y": year, "d": count["days"], "a": count["activities"]},
                    evaluated_on=None if draft else graded_on, status="draft" if draft else "submitted",
                    submitted_at=None if draft else submitted, created_at=made, updated_at=made if draft else submitted)
                evaluation.copy_pairing(pairing)
                rows.append(evaluation)
        w.put(Evaluation, rows)
        for evaluation in rows:
            w.move(evaluation, "draft", "", "draft", None, evaluation.created_at)
            if evaluation.submitted_at:
                w.move(evaluation, "submit", "draft", "submitted", None, evaluation.submitted_at)

    def closing_figures(self, pairings) -> list:
        """Each ended pairing's figures as ``figures_close`` computes them, in one aggregate query per kind."""
        from django.db.models import Count, Q, Sum

        from fieldwork.models import Activity, Flag
        from fieldwork.selectors import stationed_days
        from projects.models import Project
        from replacements.models import PairingFigures
        from reviews.models import Disbursement, Grant

        ids = [p.pk for p in pairings]
        if not ids:
            return []
        cycle = self.cycle
        days = stationed_days(cycle, pairing_ids=ids, by="pairing")
        acts = {row["pairing_id"]: row for row in Activity.objects.filter(
            pairing_id__in=ids, status="confirmed").values("pairing_id").annotate(
            n=Count("pk"), cross=Count("pk", filter=Q(cross_town=True)), people=Sum("people_trained"),
            households=Sum("households_served"))}
        projects = {row["pairing_id"]: row for row in Project.objects.filter(pairing_id__in=ids).values(
            "pairing_id").annotate(n=Count("pk", filter=~Q(status="discarded")),
                                   approved=Count("pk", filter=Q(status="approved")))}
        granted = dict(Grant.objects.filter(project__pairing_id__in=ids).values("project__pairing_id")
                       .annotate(s=Sum("amount")).values_list("project__pairing_id", "s"))
        paid = dict(Disbursement.objects.filter(grant__project__pairing_id__in=ids).values("grant__project__pairing_id")
                    .annotate(s=Sum("amount")).values_list("grant__project__pairing_id", "s"))
        flags = dict(Flag.objects.filter(pairing_id__in=ids, status="open").values("pairing_id")
                     .annotate(n=Count("pk")).values_list("pairing_id", "n"))
        when = at(cycle.end_date, 17)
        rows = []
        for pairing in pairings:
            act, project, counted = acts.get(pairing.pk, {}), projects.get(pairing.pk, {}), days.get(pairing.pk)
            rows.append(PairingFigures(
                pairing=pairing, cycle=cycle, team_id=pairing.team_id, town_id=pairing.town_id,
                organizer_level=pairing.organizer_level, ended_on=cycle.end_date, outcome="ended",
                stationed_days=counted.counted(cycle) if counted else 0, required_days=cycle.required_stationed_days,
                activities=act.get("n", 0), cross_town_activities=act.get("cross", 0),
                people_served=(act.get("people") or 0) + (act.get("households") or 0),
                projects=project.get("n", 0), projects_approved=project.get("approved", 0),
                granted=granted.get(pairing.pk) or 0, disbursed=paid.get(pairing.pk) or 0,
                open_flags=flags.get(pairing.pk, 0), created_at=when, updated_at=when))
        return rows


EVALUATION_COMMENTS = {
    "excellent": "%(y)d年累计驻镇%(d)d天，开展服务活动%(a)d次，服务成效突出。",
    "pass": "%(y)d年累计驻镇%(d)d天，开展服务活动%(a)d次，较好完成年度驻镇帮扶任务。",
    "basic": "%(y)d年驻镇%(d)d天、服务活动%(a)d次，低于计划，请加强与镇的对接。",
    "fail": "%(y)d年驻镇%(d)d天、服务活动%(a)d次，未完成年度驻镇帮扶任务。",
}


# ------------------------------------------------------------------------------------------------ coordination


def coordination(ctx: Context, rng, city, counties: dict, city_user, county_users: dict) -> None:
    """The city's coordination and guidance group and each county's coordination mechanism, as
    ``coordination.services`` leaves them: four members (组长, 副组长, 成员, and the S&T account as 联络员), two
    meetings (the first cycle's start, the last one's) attended by the members, three follow-up items (two done,
    the last open: overdue when its due date has passed)."""
    from coordination.models import FollowUp, Group, GroupMember, Meeting

    w = ctx.writer
    today = dt.date.today()
    first, last = ctx.cycles[0].start_date, ctx.cycles[-1].start_date
    keepers = [(None, city_user)] + [(county, county_users[county.pk]) for county in counties.values()]
    groups, members, meetings, items = [], [], [], []
    for county, keeper in keepers:
        place = county.name if county else city.name
        made = at(first - dt.timedelta(days=30), 10)
        group = Group(level="county" if county else "city", city=city, county=county, created_by=keeper,
                      name="%s农村科技特派员驻镇帮镇扶村工作%s" % (place, "协调机制" if county else "协调指导小组"),
                      duties="统筹协调%s农村科技特派员驻镇帮镇扶村工作。" % place, established_on=made.date(),
                      document_number="%s科〔%d〕%d号" % (place[:2], made.year, 80 + len(groups)),
                      created_at=made, updated_at=made)
        group._keeper, group._members = keeper, []
        for role, organization, position in (("leader", "科学技术局", "局长"), ("deputy", "乡村振兴局", "副局长"),
                                             ("member", "农业农村局", "科长"), ("liaison", "科学技术局", "科员")):
            ctx.counters["coordination_member"] += 1
            index = ctx.counters["coordination_member"]
            member = GroupMember(group=group, name=person_name(index * 13 + 5), organization=place + organization,
                                 position=position, role_in_group=role, phone="137%08d" % index,
                                 user=keeper if role == "liaison" else None, active=True, created_at=made,
                                 updated_at=made)
            group._members.append(member)
            members.append(member)
        groups.append(group)
    w.put(Group, groups)
    for member in members:
        member.group = member.group  # the group's pk, now set
    w.put(GroupMember, members)
    for group in groups:
        second = min(last + dt.timedelta(days=rng.randint(60, 150)), today - dt.timedelta(days=rng.randint(20, 40)))
        days = [first + dt.timedelta(days=rng.randint(60, 100)), max(second, first + dt.timedelta(days=120))]
        group._meetings = []
        for day in days:
            meeting = Meeting(group=group, date=day, place="%s会议室" % group._members[0].organization,
                              title="%s%d年工作会议" % ("协调指导小组" if group.level == "city" else "协调机制", day.year),
                              agenda="通报驻镇帮扶工作进展，研究存在的问题。",
                              decisions="各成员单位按分工抓好落实，督办事项按期办结。", created_by=group._keeper,
                              created_at=at(day, 17), updated_at=at(day, 17))
            group._meetings.append(meeting)
            meetings.append(meeting)
    w.put(Meeting, meetings)
    through = Meeting.attendees.through
    w.through(through, [through(meeting_id=meeting.pk, groupmember_id=member.pk) for group in groups
                        for meeting in group._meetings for member in group._members
                        if member.role_in_group != "member" or meeting.date.year % 2])
    for group in groups:
        owners = group._members
        for number, (meeting, title) in enumerate(((group._meetings[0], "督促各结对团队按期签订帮扶协议"),
                                                   (group._meetings[1], "通报驻镇时间落后于进度的团队"),
                                                   (group._meetings[1], "组织新一批团队岗前培训"))):
            due = meeting.date + dt.timedelta(days=rng.randint(20, 60))
            owner = owners[(number + 1) % len(owners)]
            opened = at(meeting.date, 18)
            item = FollowUp(group=group, meeting=meeting, title=title, detail="按会议议定事项办理并报告办理情况。",
                            owner=owner, owner_organization=owner.organization, due_date=due, created_by=group._keeper,
                            created_at=opened, updated_at=opened)
            if number < 2:
                done = at(min(due - dt.timedelta(days=rng.randint(0, 10)), today - dt.timedelta(days=1)), 16)
                item.status, item.completion_note = "done", "已按要求办结。"
                item.done_at = item.updated_at = max(done, opened + dt.timedelta(hours=1))
            items.append(item)
    w.put(FollowUp, items)
    for item in items:
        w.move(item, "open", "", "open", item.created_by, item.created_at)
        if item.done_at:
            w.move(item, "complete", "open", "done", item.created_by, item.done_at, item.completion_note)


# ------------------------------------------------------------------------------------------------ annual reports


# The narrative (凝练总结) of a generated report: a short paragraph per field, sanitized as the editor's output is.
REPORT_ACHIEVEMENTS = ("<p>%(year)d年，%(place)s%(teams)d个农村科技特派员团队结对帮扶%(covered)d个镇（街道），开展服务活动"
                       "%(activities)d次，培训%(trained)d人次，服务农户%(households)d户次，示范面积%(area)s亩。</p>")
REPORT_ACHIEVEMENTS_DRAFT = "<p>%(year)d年，%(place)s农村科技特派员团队按帮扶协议驻镇服务，各项工作有序推进。</p>"
REPORT_CASES = "<p>%(place)s某镇团队围绕主导产业建设示范基地，推广绿色防控和标准化生产技术，带动周边农户增收。</p>"
REPORT_PROBLEMS = "<p>部分团队驻镇时间进度偏慢；个别镇跨镇帮扶记录不够完整，服务活动照片留存不足。</p>"
REPORT_PLAN = "<p>%(next)d年将督促团队按进度驻镇，办结督办事项，总结推广典型经验。</p>"
REPORT_RETURN = "请补充典型案例配图，并对驻镇时间进度偏慢的团队作出分析后重新报送。"
# The full years of the first cycle that get their reports, the latest ones (0: every one). Each county's report
# keeps a snapshot of its figures, which costs ~16 queries (one aggregate per figure source and the stationed days)
# and, mostly, the ORM building them: every full year (2022–2024) took ~15 % of the province scale's run, the last
# one alone ~8 % (bench/RESULTS-reports.md).
REPORT_KEPT_YEARS = 1
# The current year's county reports, dealt in turn from a shuffled start: every state while the city has 7 counties
# or more ("" = not begun yet).
CURRENT_REPORT_STATES = ("submitted", "returned", "draft", "accepted", "submitted", "draft", "")


def report_years(cycles, today: dt.date | None = None) -> tuple[list, int]:
    """(the full years of the first cycle — ended before today — whose reports are made: the last
    ``REPORT_KEPT_YEARS``; the current year)."""
    today = today or dt.date.today()
    first = cycles[0]
    full = [year for year in range(first.start_date.year, first.end_date.year + 1) if dt.date(year, 12, 31) < today]
    return (full[-REPORT_KEPT_YEARS:] if REPORT_KEPT_YEARS else full), today.year


def _narrative(template: str, **values) -> str:
    from core.sanitize import clean_html

    return clean_html(template % values)


def _report_texts(report, place: str, values: dict | None) -> None:
    year = report.year
    if values:
        report.achievements = _narrative(
            REPORT_ACHIEVEMENTS, year=year, place=place, teams=values.get("teams.total", 0),
            covered=values.get("towns.covered", 0), activities=values.get("activities.total", 0),
            trained=values.get("activities.people_trained", 0), households=values.get("activities.households", 0),
            area=values.get("activities.demo_area", "0"))
    else:
        report.achievements = _narrative(REPORT_ACHIEVEMENTS_DRAFT, year=year, place=place)
    report.typical_cases = _narrative(REPORT_CASES, place=place)
    report.problems = _narrative(REPORT_PROBLEMS)
    report.next_plan = _narrative(REPORT_PLAN, next=year + 1)


def annual_reports(ctx: Context, city, counties: dict, city_user, county_users: dict, province_user) -> None:
    """The annual reports (年度报告) of the city and its counties, as ``reports.services`` leaves them.

    Each full year of the first cycle (the last ``REPORT_KEPT_YEARS`` of them): every county's report submitted in
    the next January (one in ten a few days after the 31 January deadline) and accepted by the city with its figures
    kept as submitted (``reports.figures.snapshot(county_scope(...))``), then the city's report — its own towns
    counted plus the counties' kept figures (``reports.selectors.city_figures``) — submitted and accepted by the
    province. The current year: the counties' reports at every step (submitted, returned with a comment, drafts, a
    few accepted, one not begun), the city's a draft. No case photos (the scale data has no photos). Its own random
    stream (so the rest of the city's data is what it was without reports); the snapshots are taken after the
    city's every record is written and cost one aggregate query per figure source per county and year, and the
    stationed days (``ctx.report_seconds``)."""
    from reports import figures as F
    from reports import selectors
    from reports.models import AnnualReport, default_due, default_title

    started = time.monotonic()
    w = ctx.writer
    rng = random.Random("%s:%s:reports" % (ctx.seed, city.code))
    today = dt.date.today()
    full, current = report_years(ctx.cycles, today)
    ordered = sorted(counties.values(), key=lambda county: county.code)
    moves = []

    def past(day: dt.date, days: int) -> dt.date:
        """``day``, or ``days`` before today if that is earlier (the last full year's reports in a January)."""
        return min(day, today - dt.timedelta(days=days))

    def new_report(year, county, author, made):
        report = AnnualReport(year=year, level="county" if county else "city", city=city, county=county,
                              due_date=default_due(year, "county" if county else "city"), status="draft",
                              created_by=author, created_at=made, updated_at=made)
        report.title = default_title(report)
        moves.append((report, "create", "", "draft", author, made, ""))
        return report

    def submit(report, author, when, figures):
        report.status, report.submitted_at, report.updated_at = "submitted", when, when
        report.figures, report.figures_at = dict(figures, computed_at=when.isoformat()), when
        moves.append((report, "submit", "draft", "submitted", author, when, ""))

    def accept(report, receiver, when):
        report.status, report.accepted_at, report.updated_at = "accepted", when, when
        moves.append((report, "accept", "submitted", "accepted", receiver, when, ""))

    def give_back(report, receiver, when):
        report.status, report.updated_at = "returned", when
        report.figures, report.figures_at, report.return_comment = None, None, REPORT_RETURN
        moves.append((report, "return", "submitted", "returned", receiver, when, REPORT_RETURN))

    # The counties' reports.
    rows = []
    for year in full:
        for number, county in enumerate(ordered, start=1):
            author = county_users[county.pk]
            report = new_report(year, county, author, at(past(dt.date(year + 1, 1, 5 + number % 5), 5), 10))
            report.doc_number = "%s科〔%d〕%d号" % (county.name[0], year + 1, 3 + number % 7)
            sent = dt.date(year + 1, 2, 3 + number % 3) if rng.random() < 0.1 else \
                dt.date(year + 1, 1, 18 + number % 12)
            figures = F.snapshot(F.county_scope(year, county))
            _report_texts(report, county.name, figures["values"])
            submit(report, author, at(past(sent, 3), 16), figures)
            accept(report, city_user, at(past(sent + dt.timedelta(days=rng.randint(3, 10)), 1), 10))
            rows.append(report)

    def back(days: int, hour: int) -> dt.datetime:
        """A moment of the current year ``days`` before today (never before its first day)."""
        return at(max(dt.date(current, 1, 1), today - dt.timedelta(days=days)), hour)

    offset = rng.randrange(len(CURRENT_REPORT_STATES))
    for number, county in enumerate(ordered):
        state = CURRENT_REPORT_STATES[(number + offset) % len(CURRENT_REPORT_STATES)]
        if not state:
            continue
        author = county_users[county.pk]
        report = new_report(current, county, author, back(30 - number % 5, 10))
        figures = F.snapshot(F.county_scope(current, county)) if state != "draft" else None
        _report_texts(report, county.name, figures["values"] if figures else None)
        if state != "draft":
            submit(report, author, back(14 - number % 4, 16), figures)
            if state == "accepted":
                accept(report, city_user, back(6, 10))
            elif state == "returned":
                give_back(report, city_user, back(8, 11))
        rows.append(report)
    w.put(AnnualReport, rows)

    # The city's reports (its counties' kept figures read back by ``city_figures``).
    rows = []
    for year in full:
        report = new_report(year, None, city_user, at(past(dt.date(year + 1, 2, 12), 2), 10))
        report.doc_number = "%s科〔%d〕%d号" % (city.name[0], year + 1, 20)
        figures = selectors.city_figures(report)
        _report_texts(report, city.name, figures["values"])
        sent = dt.date(year + 1, 2, 20 + rng.randint(0, 6))
        submit(report, city_user, at(past(sent, 1), 17), figures)
        accept(report, province_user, at(past(sent + dt.timedelta(days=rng.randint(7, 20)), 1), 18))
        rows.append(report)
    report = new_report(current, None, city_user, back(20, 10))
    _report_texts(report, city.name, None)
    rows.append(report)
    w.put(AnnualReport, rows)
    for move in moves:
        w.move(*move)
    ctx.report_seconds += time.monotonic() - started



# ------------------------------------------------------------------------------------------------ trainings


def trainings(ctx: Context) -> None:
    """Every unit's training or exchange event (培训交流) each year of the cycles up to today, attended by a few of
    its people who were in a team that year (``evaluations.services.training_save``; a unit with nobody in a team
    that year held none)."""
    from evaluations.models import Training
    from teams.models import TeamMembership

    w, rng = ctx.writer, random.Random("%s:trainings" % ctx.seed)
    today = dt.date.today()
    people = defaultdict(list)  # (unit pk, cycle pk) -> [commissioner pk]
    for unit_id, person_id, cycle_id in (TeamMembership.objects.order_by("pk")
                                         .values_list("commissioner__unit_id", "commissioner_id", "cycle_id")):
        people[(unit_id, cycle_id)].append(person_id)
    rows = []
    for unit in ctx.units:
        for cycle in ctx.cycles:
            for year in range(cycle.start_date.year, cycle.end_date.year + 1):
                day = dt.date(year, rng.randint(3, 11), rng.randint(1, 28))
                present = people.get((unit.pk, cycle.pk))
                if day >= today or not present:
                    continue
                kind = rng.choice(("training", "training", "exchange", "seminar"))
                made = at(day + dt.timedelta(days=2), 10)
                training = Training(unit=unit, kind=kind, date=day, topic="%d年农村科技特派员驻镇帮扶%s" % (
                    year, {"training": "业务培训班", "exchange": "经验交流会", "seminar": "技术研讨会"}[kind]),
                    place=unit.name, hours=Decimal(rng.choice((4, 8, 12, 16))),
                    external_attendees=rng.randint(0, 20), summary="交流驻镇帮扶经验，讲授驻镇工作要求和关键技术。",
                    created_at=made, updated_at=made)
                training._attendees = rng.sample(present, min(len(present), rng.randint(2, 5)))
                rows.append(training)
    w.put(Training, rows)
    through = Training.attendees.through
    w.through(through, [through(training_id=training.pk, commissioner_id=person)
                        for training in rows for person in training._attendees])


def receipt_number(number: int) -> str:
    """A unique, deterministic 受理回执号 in the service's alphabet ("YY" + 10 characters)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    digits = []
    value = number * 7919 + 12345
    for _ in range(10):
        value, rest = divmod(value, len(alphabet))
        digits.append(alphabet[rest])
    return "YY" + "".join(digits)


CALL_NOTICE = """为贯彻落实农村科技特派员驻镇帮镇扶村行动方案，现面向高校、科研院所、企业和农技推广机构公开征集农村科技特派员团队，结对帮扶%(place)s相关镇（街道）。

一、征集范围：本通知所列各镇（街道），每镇选派1个团队，一对一结对帮扶，帮扶周期3年。
二、申报条件：团队负责人及成员具有大学本科及以上学历或中级及以上职称；驻镇工作队队员不得申报。
三、申报方式：团队负责人在本平台注册并在线填报，上传派出单位推荐意见（盖章）。
四、遴选办法：根据团队与镇的前期对接基础和需求匹配情况择优遴选，结果公示5个工作日。"""


# ------------------------------------------------------------------------------------------------ field work


@dataclass(frozen=True)
class FieldDensity:
    activities_per_year: tuple = (8, 12)  # service activities a year (and one per task the team reported on)
    stays: tuple = (33, 39)  # stays per pairing over a whole cycle (fewer for a shorter stretch)
    overlap: float = 0.0  # share of stays overlapping the same person's previous one (the day count's union)
    cross_town: float = 0.3  # share of pairings with some cross-town work (in another town of the county)
    conditions: float = 0.7  # share of pairings whose town recorded its working conditions
    requests: float = 0.3  # share of pairings that raised a request (问题反映)
    flags: bool = True  # write the monitor's flags (the demo runs the monitor itself)


FIELD_DENSITY = {
    "city": FieldDensity(activities_per_year=(9, 12), overlap=0.08),
    "province": FieldDensity(activities_per_year=(9, 12), overlap=0.08),
    "nation": FieldDensity(activities_per_year=(6, 8), stays=(24, 28), overlap=0.05, conditions=0.5, requests=0.2),
}
# The open cycle's field work runs up to this many days after the cycle's start (the story's "today": fixed, so a seed
# always makes the same rows).
FIELD_HORIZON_DAYS = 640
PACE_DETAIL = "已确认驻镇%d人天，按周期进度此时应约%d人天（要求%d人天）。"


class FieldHistory:
    """The field work of pairings (服务活动, 驻镇时间, tasks, working conditions, requests and the monitor's flags) as
    ``fieldwork.services`` and ``fieldwork.monitor`` would have left it, bulk inserted with its transitions and
    history rows; shared by the scale generator and the demo's first cycle (``portal.demo_fieldwork``).

    Per pairing from ``start`` to the story's day (``horizon``; a closed cycle's end): activities spread over the
    days (texts of ``portal.demo_data.FIELD_ACTIVITIES`` for the pairing's industry, the six service types, figures by
    type, 1–3 members present, the pairing's project once it started), logged the evening they happened and confirmed
    by the work team of the town where they happened a few days later (a few queried and fixed first); stays of the
    three people in turn (one per slot of the cycle, so one person's never overlap — except the ``overlap`` share, for
    the union count), the team's days near the cycle's requirement (``profile`` "short": well under it; "slow":
    behind in the first year, then catching up); the work team's tasks (reported and accepted, one now and then
    reopened or cancelled; in the open cycle some open, reported or overdue) each with the activity that reported on
    it; the town's working conditions; a request answered and closed (in the open cycle open or answered too); and
    the flags the monitor would have raised (behind the pace, tasks overdue; a closed cycle's all cleared) and a few
    non-cooperation reports. In the open cycle the last fortnight's records still await the town."""

    def __init__(self, writer, rng, cycle, *, horizon: dt.date, closed: bool, density: FieldDensity):
        self.w, self.rng, self.cycle = writer, rng, cycle
        self.horizon, self.closed, self.density = horizon, closed, density
        self.tasks, self.activities, self.participants, self.stays = [], [], [], []
        self.conditions, self.requests, self.flags, self.moves = [], [], [], []

    # ---------------------------------------------------------------- per pairing

    def add(self, pairing, *, people, leader, town_user, topic: str, category: str, start: dt.date,
            end: dt.date | None = None, projects=(), neighbour=None, profile: str = "normal", answerer=None,
            conditions: bool | None = None, requests: bool | None = None) -> None:
        """``people``: [(commissioner, role)], the leader first; ``neighbour``: (town, its account or None) where some
        cross-town work goes; ``answerer``: who answers the team's request (its town's account by default)."""
        from portal import demo_data as texts

        rng = self.rng
        last = min(end or self.cycle.end_date, self.horizon)
        days = (last - start).days + 1
        if days < 10:
            return
        villages = rng.sample(texts.FIELD_VILLAGES, 3)
        ctx = {"pairing": pairing, "leader": leader, "town_user": town_user, "topic": topic, "start": start,
               "last": last, "days": days, "villages": villages, "neighbour": neighbour, "people": people,
               "fmt": {"topic": topic, "town": pairing.town.name, "village": villages[0]}}
        tasks = self._tasks(ctx)
        self._activities(ctx, category, projects, tasks)
        self._stays(ctx, profile)
        if conditions if conditions is not None else rng.random() < self.density.conditions:
            self._conditions(ctx)
        if requests if requests is not None else rng.random() < self.density.requests:
            self._request(ctx, answerer or town_user)
        if self.density.flags:
            self._flags(ctx, profile, tasks)

    def _when(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return at(day, hour, minute)

    def _settled(self, day: dt.date) -> bool:
        """Whether a step on ``day`` was taken by the story's day (in a closed cycle: before its pairings ended, a
        few days after the last record)."""
        return day <= self.horizon + dt.timedelta(days=5 if self.closed else 0)

    def _tasks(self, ctx) -> list:
        from fieldwork.models import Task
        from portal import demo_data as texts

        rng, pairing, town_user, leader = self.rng, ctx["pairing"], ctx["town_user"], ctx["leader"]
        start, last, days = ctx["start"], ctx["last"], ctx["days"]
        count = max(1, round(days / 330)) + (1 if rng.random() < 0.4 else 0)
        made = []
        for k in range(count):
            assigned = start + dt.timedelta(days=int((k + 0.3) * days / count) + rng.randint(0, 15))
            due = assigned + dt.timedelta(days=rng.randint(20, 45))
            if assigned >= last or (self.closed and due > last - dt.timedelta(days=4)):
                continue
            title, description = texts.FIELD_TASKS[rng.randrange(len(texts.FIELD_TASKS))]
            task = Task(title=(title % ctx["fmt"])[:100], description=description % ctx["fmt"], due_date=due,
                        status="open", created_by=town_user, created_at=self._when(assigned, 10))
            task.copy_pairing(pairing)
            moves = [(task, "assign", "", "open", town_user, task.created_at, "")]
            report = min(due - dt.timedelta(days=rng.randint(1, 8)), last)
            report = max(report, assigned + dt.timedelta(days=3))
            draw = rng.random()
            overdue = not self.closed and due < self.horizon and draw < 0.12
            if draw > 0.96:  # cancelled by the work team
                cancelled = assigned + dt.timedelta(days=rng.randint(3, 10))
                if self._settled(cancelled):
                    task.status = "cancelled"
                    moves.append((task, "cancel", "open", "cancelled", town_user, self._when(cancelled, 11),
                                  "镇里工作安排调整，该任务取消。"))
            elif not overdue and self._settled(report):
                task.report = texts.FIELD_TASK_REPORTS[rng.randrange(len(texts.FIELD_TASK_REPORTS))]
                task.status, task.reported_at = "reported", self._when(report, 18)
                moves.append((task, "report", "open", "reported", leader, task.reported_at, task.report))
                task._reported = report
                accepted = report + dt.timedelta(days=rng.randint(1, 4))
                if draw > 0.9 and self._settled(accepted + dt.timedelta(days=8)):  # sent back once first
                    moves.append((task, "reopen", "reported", "open", town_user, self._when(accepted, 10),
                                  "请补充培训签到表和现场照片后再报告。"))
                    again = accepted + dt.timedelta(days=rng.randint(2, 5))
                    task.reported_at = self._when(again, 18)
                    moves.append((task, "report", "open", "reported", leader, task.reported_at, "已补充签到表和照片。"))
                    accepted = again + dt.timedelta(days=rng.randint(1, 3))
                if self._settled(accepted) and (self.closed or draw < 0.85):
                    task.status, task.done_at = "done", self._when(accepted, 15)
                    moves.append((task, "accept", "reported", "done", town_user, task.done_at, ""))
            task.updated_at = moves[-1][5]
            task._moves = moves
            self.tasks.append(task)
            made.append(task)
        return made

    def _entry(self, pool, day: dt.date, previous: str):
        rng = self.rng
        fitting = [e for e in pool if e[4] is None or day.month in e[4]] or pool
        entry = rng.choice(fitting)
        if entry[1] == previous:
            entry = rng.choice(fitting)
        return entry

    def _record_status(self, record, ctx, logged: dt.date, where_user, *, noun: str) -> None:
        """Status, stamps and transitions of an activity or a stay logged on ``logged``: confirmed a few days later by
        the town where it happened (a few queried and corrected first); in the open cycle the last ones wait, a few
        are still queried or withdrawn."""
        from portal import demo_data as texts

        rng, leader = self.rng, ctx["leader"]
        record.created_by = leader
        record.created_at = self._when(logged, 20, rng.randint(0, 50))
        moves = [(record, "submit", "", "submitted", leader, record.created_at, "")]
        answered = logged + dt.timedelta(days=rng.randint(1, 4))
        draw = rng.random()
        if not self.closed and logged > self.horizon - dt.timedelta(days=14):  # the last fortnight's: still waiting
            pass
        elif draw < 0.03 and self._settled(answered + dt.timedelta(days=4)):  # queried, corrected, confirmed
            record.query_reason = texts.FIELD_QUERIES[rng.randrange(len(texts.FIELD_QUERIES))]
            record.queried_at = self._when(answered, 10)
            moves.append((record, "query", "submitted", "queried", where_user, record.queried_at, record.query_reason))
            fixed = answered + dt.timedelta(days=rng.randint(1, 2))
            moves.append((record, "resubmit", "queried", "submitted", leader, self._when(fixed, 19),
                          texts.FIELD_FIXES[rng.randrange(len(texts.FIELD_FIXES))]))
            answered = fixed + dt.timedelta(days=rng.randint(1, 2))
        elif not self.closed and draw < 0.05 and self._settled(answered):  # still queried
            record.status, record.query_reason = "queried", texts.FIELD_QUERIES[rng.randrange(len(texts.FIELD_QUERIES))]
            record.queried_at = self._when(answered, 10)
            moves.append((record, "query", "submitted", "queried", where_user, record.queried_at, record.query_reason))
        elif not self.closed and draw < 0.06:  # withdrawn by the team
            record.status = "withdrawn"
            moves.append((record, "withdraw", "submitted", "withdrawn", leader, self._when(logged, 21, 55),
                          "%s填报重复，撤回。" % noun))
        if record.status == "submitted" and self._settled(answered) and (
                self.closed or logged <= self.horizon - dt.timedelta(days=14)):
            record.status, record.confirmed_by = "confirmed", where_user
            record.confirmed_at = self._when(answered, 16, rng.randint(0, 50))
            moves.append((record, "confirm", "submitted", "confirmed", where_user, record.confirmed_at, ""))
        record.updated_at = moves[-1][5]
        record._moves = moves

    def _where(self, ctx, cross: bool):
        """(town, its account, village name) of a record."""
        if cross and ctx["neighbour"] is not None:
            town, user = ctx["neighbour"]
            return town, user, self.rng.choice(ctx["villages"])
        return ctx["pairing"].town, ctx["town_user"], self.rng.choice(ctx["villages"])

    def _activities(self, ctx, category: str, projects, tasks) -> None:
        from fieldwork.models import Activity
        from portal import demo_data as texts

        rng, start, last, days = self.rng, ctx["start"], ctx["last"], ctx["days"]
        own = texts.FIELD_ACTIVITIES.get(category, texts.FIELD_ACTIVITIES["其他"])
        count = max(1, round(days / 365 * rng.uniform(*self.density.activities_per_year)))
        step = days / count
        planned = []
        for index in range(count):
            day = start + dt.timedelta(days=int(index * step + rng.uniform(0, step * 0.8)))
            if day <= last:
                planned.append((day, None))
        for task in tasks:  # the activity the team reported the task with, the day before its report
            reported = getattr(task, "_reported", None)
            if reported is not None:
                planned.append((max(reported - dt.timedelta(days=1), task.created_at.date()), task))
        previous = ""
        people = [person for person, _role in ctx["people"]]
        for day, task in sorted(planned, key=lambda row: row[0]):
            cross = task is None and rng.random() < 0.06
            town, where_user, village = self._where(ctx, cross)
            fmt = dict(ctx["fmt"], village=village)
            if task is not None:
                service = "training" if "培训" in task.title else "planning" if "规划" in task.title else "guidance"
                title, description, technologies = task.title, task.description, ""
            else:
                pool = own if rng.random() < 0.75 else texts.FIELD_COMMON  # mostly the industry's own work
                service, title, description, technologies, _months = self._entry(pool, day, previous)
                title, description, technologies = title % fmt, description % fmt, technologies % fmt
            previous = title
            figures = self._figures(service)
            activity = Activity(date=day, village_name=village, service_type=service, title=title[:100],
                                description=description, technologies=technologies, task=task,
                                project=next((p for p in projects if p.start_date <= day), None), **figures)
            activity.copy_pairing(ctx["pairing"])
            activity.set_town(town)
            self._record_status(activity, ctx, day if rng.random() < 0.7 else min(day + dt.timedelta(days=1), last),
                                where_user, noun="活动")
            present = [people[0]] if rng.random() < 0.6 else []
            present += [p for p in people[1:] if rng.random() < 0.5]
            activity._people = present or [rng.choice(people)]
            self.activities.append(activity)

    def _figures(self, service: str) -> dict:
        rng = self.rng
        figures = {"people_trained": 0, "households_served": 0, "enterprises_served": 0, "demo_area_mu": Decimal("0")}
        if service == "training":
            figures.update(people_trained=rng.randint(20, 80), households_served=rng.randint(10, 50))
        elif service == "guidance":
            figures.update(households_served=rng.randint(3, 25), people_trained=rng.choice((0, 0, rng.randint(5, 15))))
        elif service == "transfer":
            figures.update(demo_area_mu=Decimal(rng.randint(5, 60)), enterprises_served=rng.randint(1, 3),
                           households_served=rng.randint(2, 12))
        elif service == "entrepreneurship":
            figures.update(enterprises_served=rng.randint(1, 4), people_trained=rng.randint(0, 20))
        elif service == "policy":
            figures.update(households_served=rng.randint(20, 100))
        else:
            figures.update(enterprises_served=rng.randint(0, 2))
        return figures

    def _stays(self, ctx, profile: str) -> None:
        from fieldwork.choices import STAY_MAX_DAYS

        rng, start, last, days = self.rng, ctx["start"], ctx["last"], ctx["days"]
        required = self.cycle.required_stationed_days
        share = days / ((self.cycle.end_date - start).days + 1)  # of the pairing's stretch of the cycle
        count = max(1, round(rng.randint(*self.density.stays) * share))
        target = (rng.randint(250, 330) if profile == "short" else rng.randint(required + 10, required + 100)) * share
        slot = days / count
        people = ctx["people"]
        weights = [0.3, 0.4, 0.3][:len(people)] if len(people) >= 2 else [1.0]
        for index in range(count):
            mean = target / count
            if profile == "slow":  # the first third at a third of the pace, the rest faster
                mean *= 0.35 if index < count / 3 else 1.33
            first = start + dt.timedelta(days=int(index * slot))
            room = max(1, int(slot) - 1)
            length = max(1, min(room, STAY_MAX_DAYS, round(mean * rng.uniform(0.7, 1.3))))
            begin = first + dt.timedelta(days=rng.randint(0, max(0, room - length)))
            finish = min(begin + dt.timedelta(days=length - 1), last)
            if finish < begin:
                continue
            person = rng.choices(people, weights=weights)[0][0]
            cross = rng.random() < 0.05
            self._stay(ctx, person, begin, finish, cross)
            if rng.random() < self.density.overlap:  # the same person logged part of it again (the union counts once)
                again = begin + dt.timedelta(days=rng.randint(0, (finish - begin).days))
                self._stay(ctx, person, again, min(again + dt.timedelta(days=rng.randint(1, 5)), last), False)

    def _stay(self, ctx, person, begin: dt.date, finish: dt.date, cross: bool) -> None:
        from fieldwork.models import Stay
        from portal import demo_data as texts

        rng = self.rng
        town, where_user, village = self._where(ctx, cross)
        fmt = dict(ctx["fmt"], village=village, town=town.name)
        purposes = texts.FIELD_CROSS_PURPOSES if town.pk != ctx["pairing"].town_id else texts.FIELD_PURPOSES
        stay = Stay(commissioner=person, start_date=begin, end_date=finish, first_day=begin.toordinal(),
                    last_day=finish.toordinal(), place=(rng.choice(texts.FIELD_PLACES) % fmt)[:100],
                    purpose=(rng.choice(purposes) % fmt)[:200])
        stay.copy_pairing(ctx["pairing"])
        stay.set_town(town)
        self._record_status(stay, ctx, min(finish + dt.timedelta(days=rng.randint(0, 1)), ctx["last"]), where_user,
                            noun="驻镇记录")
        self.stays.append(stay)

    def _conditions(self, ctx) -> None:
        from fieldwork.models import WorkingConditions
        from portal import demo_data as texts

        rng = self.rng

        def provision(provided: float, partial: float) -> str:
            draw = rng.random()
            return "provided" if draw < provided else "partial" if draw < provided + partial else "none"

        when = self._when(ctx["start"] + dt.timedelta(days=rng.randint(5, 30)), 11)
        values = {"office": provision(0.85, 0.12), "lodging": provision(0.75, 0.2), "transport": provision(0.2, 0.5),
                  "meals": provision(0.7, 0.25)}
        notes = {name: rng.choice(options) for name, options in texts.FIELD_CONDITIONS.items()}
        conditions = WorkingConditions(created_by=ctx["town_user"], created_at=when, updated_at=when,
                                       note="镇里每季度召开一次团队工作对接会。", **values, **notes)
        conditions.copy_pairing(ctx["pairing"])
        self.conditions.append(conditions)

    def _request(self, ctx, answerer) -> None:
        from fieldwork.models import ConditionRequest
        from portal import demo_data as texts

        rng, leader = self.rng, ctx["leader"]
        category, title, description, answer = texts.FIELD_REQUESTS[rng.randrange(len(texts.FIELD_REQUESTS))]
        raised = ctx["start"] + dt.timedelta(days=rng.randint(20, max(21, ctx["days"] - 20)))
        request = ConditionRequest(category=category, title=title, description=description, status="open",
                                   created_by=leader, created_at=self._when(raised, 17))
        request.copy_pairing(ctx["pairing"])
        moves = [(request, "raise", "", "open", leader, request.created_at, "")]
        answered, closed = raised + dt.timedelta(days=rng.randint(3, 10)), None
        if self._settled(answered) and (self.closed or rng.random() < 0.7):
            request.status, request.answer, request.answered_by = "answered", answer, answerer
            request.answered_at = self._when(answered, 10)
            moves.append((request, "answer", "open", "answered", answerer, request.answered_at, answer))
            closed = answered + dt.timedelta(days=rng.randint(2, 10))
            if self._settled(closed) and (self.closed or rng.random() < 0.6):
                request.status, request.closed_at = "closed", self._when(closed, 9)
                moves.append((request, "close", "answered", "closed", leader, request.closed_at, ""))
        request.updated_at = moves[-1][5]
        request._moves = moves
        self.requests.append(request)

    def _flags(self, ctx, profile: str, tasks) -> None:
        """What the monitor would have raised: behind the pace (a short or slow team), tasks overdue; a closed
        cycle's flags all cleared (a slow team's once it caught up, the rest when the pairing ended); a few of the
        work teams' non-cooperation reports (the open cycle's still open, a closed cycle's resolved)."""
        from fieldwork.models import Flag

        rng, pairing, start, last = self.rng, ctx["pairing"], ctx["start"], ctx["last"]
        required = self.cycle.required_stationed_days
        raised_on = start + dt.timedelta(days=rng.randint(120, 200))
        rows = []
        if profile in ("short", "slow") and raised_on < last:
            cleared = (start + dt.timedelta(days=rng.randint(420, 560)) if profile == "slow" else
                       None if not self.closed else self.cycle.end_date)
            if cleared is not None and cleared > last and not self.closed:
                cleared = None
            rows.append(("pace", PACE_DETAIL % (rng.randint(20, 60), rng.randint(90, 140), required), raised_on,
                         cleared, "原因已消除" if profile == "slow" else "结对已不在帮扶中", None))
        overdue = [t for t in tasks if t.status == "open" and t.due_date < self.horizon]
        if overdue and not self.closed:
            rows.append(("tasks_overdue", "驻镇工作队布置的任务有%d项逾期未完成。" % len(overdue),
                         min(t.due_date for t in overdue) + dt.timedelta(days=1), None, "", None))
        if rng.random() < 0.02 and ctx["town_user"] is not None:
            from portal.demo_data import FIELD_NONCOOPERATION

            reported = start + dt.timedelta(days=rng.randint(60, max(61, ctx["days"] - 10)))
            resolved = reported + dt.timedelta(days=rng.randint(10, 30)) if self.closed else None
            rows.append(("noncooperation", FIELD_NONCOOPERATION, reported, resolved,
                         "已约谈团队负责人，团队已整改。", ctx["town_user"]))
        for kind, detail, opened, closed, reason, reporter in rows:
            flag = Flag(kind=kind, detail=detail, status="open", opened_at=self._when(opened, 2),
                        created_by=reporter, created_at=self._when(opened, 2))
            flag.copy_pairing(pairing)
            if reporter is not None:
                flag.created_at = flag.opened_at = self._when(opened, 16)
            moves = [(flag, "report" if reporter else "raise", "", "open", reporter, flag.opened_at, detail)]
            if closed is not None:
                flag.status = "closed"
                flag.closed_at = self._when(closed, 17, 30) if reporter is None else self._when(closed, 10)
                if reporter is None:
                    moves.append((flag, "clear", "open", "closed", None, flag.closed_at, reason))
                else:
                    moves.append((flag, "resolve", "open", "closed", ctx["town_user"], flag.closed_at, reason))
            flag.updated_at = moves[-1][5]
            flag._moves = moves
            self.flags.append(flag)

    # ---------------------------------------------------------------- insert

    def flush(self) -> dict:
        """Insert what was added (tasks first: activities name them), the transitions and history; returns counts."""
        from fieldwork.models import Activity, ConditionRequest, Flag, Stay, Task, WorkingConditions

        w = self.w
        w.put(Task, self.tasks)
        for activity in self.activities:
            activity.task = activity.task  # the task's pk, now set
        w.put(Activity, self.activities)
        through = Activity.participants.through
        w.through(through, [through(activity_id=activity.pk, commissioner_id=person.pk)
                            for activity in self.activities for person in activity._people])
        w.put(Stay, self.stays)
        w.put(WorkingConditions, self.conditions)
        w.put(ConditionRequest, self.requests)
        w.put(Flag, self.flags)
        for record in self.tasks + self.activities + self.stays + self.requests + self.flags:
            for move in record._moves:
                w.move(*move)
        counts = {"tasks": len(self.tasks), "activities": len(self.activities), "stays": len(self.stays),
                  "conditions": len(self.conditions), "requests": len(self.requests), "flags": len(self.flags)}
        self.tasks, self.activities, self.stays, self.conditions, self.requests, self.flags = [], [], [], [], [], []
        return counts


# ------------------------------------------------------------------------------------------------ flush


DOMAIN_APPS = ("regions", "cycles", "needs", "teams", "units", "calls", "matching", "notices", "registrations",
               "projects", "reviews", "fieldwork", "replacements", "evaluations", "coordination", "reports")
KEPT = ("needs.IndustryCategory", "needs.IndustryProduct", "needs.IndustryProduct_parents", "needs.IndustryProblem",
        "needs.IndustryProblem_products")


def flush() -> None:
    """Delete the domain rows (and their history, transitions, tokens, notifications, non-administrator accounts).

    FK order: rows are deleted with plain DELETE statements, children before parents (an auto-created many-to-many
    table and every model pointing at another before it), the round ↔ run cycle broken first; accounts last through
    the ORM so every table pointing at a user is handled. The industry taxonomy stays."""
    from accounts.models import User
    from core.models import IdempotencyKey, SensitiveAccess, TaskRun, Transition
    from matching.models import SelectionRound

    models = [m for m in apps.get_models(include_auto_created=True)
              if m._meta.app_label in DOMAIN_APPS and m._meta.label not in KEPT]
    order, seen = [], set()

    def visit(model, stack=()):
        if model in seen or model in stack:
            return
        for other in models:  # everything pointing at ``model`` goes first
            if other is model:
                continue
            for column in other._meta.concrete_fields:
                if column.is_relation and column.related_model is model and column.db_constraint:
                    visit(other, stack + (model,))
        if model not in seen:
            seen.add(model)
            order.append(model)

    for model in models:
        visit(model)
    with transaction.atomic():
        Transition.objects.all()._raw_delete(Transition.objects.db)
        for model in (SensitiveAccess, IdempotencyKey, TaskRun):
            model.objects.all()._raw_delete(model.objects.db)
        SelectionRound.objects.update(finalized_run=None)
        for model in order:
            model._base_manager.all()._raw_delete(model._base_manager.db)
        User.objects.filter(is_superuser=False).exclude(role="admin").delete()
        User.history.model.objects.all()._raw_delete(User.objects.db)


# ------------------------------------------------------------------------------------------------ entry point


def count_labels() -> list:
    """The tables whose rows the generator reports, as (label, model)."""
    from accounts.models import User
    from calls.models import Application, ApplicationTown, Call
    from core.models import Transition
    from coordination.models import FollowUp, Group, GroupMember, Meeting
    from cycles.models import Cycle
    from evaluations.models import Evaluation, Training
    from fieldwork.models import Activity, ConditionRequest, Flag, Stay, Task, WorkingConditions
    from matching.models import Pairing, SelectionRound, SelectionRun
    from needs.models import CampaignTown, Need, NeedToken, SurveyCampaign, TownProfile
    from notices.models import NoticeEntry, Objection, PublicNotice
    from projects.models import Agreement, BudgetLine, Project, ProjectChange, ProjectMember, ProjectYear
    from regions.models import City, County, Town, TownClassification, Village, WorkTeam, WorkTeamMember
    from registrations.models import RegistrationSubmission, SubmissionItem
    from replacements.models import Case, PairingFigures
    from reports.models import AnnualReport
    from reviews.models import Disbursement, Envelope, Expert, Grant, Review, ReviewSeat
    from teams.models import Commissioner, Team, TeamMembership
    from units.models import DispatchingUnit

    return [(m._meta.label, m) for m in (
        Cycle, DispatchingUnit, City, County, Town, Village, WorkTeam, WorkTeamMember, TownClassification, User,
        SurveyCampaign, CampaignTown, TownProfile, Need, Need.villages.through, NeedToken, Team, Commissioner,
        TeamMembership, Call, Call.towns.through, Application, ApplicationTown, SelectionRound, SelectionRun, Pairing,
        PublicNotice, NoticeEntry, Objection, RegistrationSubmission, SubmissionItem, Agreement, Project,
        Project.needs.through, ProjectYear, BudgetLine, ProjectMember, ProjectChange, Expert, Review, ReviewSeat,
        Envelope, Grant, Disbursement, Task, Activity, Activity.participants.through, Stay, WorkingConditions,
        ConditionRequest, Flag, Case, PairingFigures, Evaluation, Training, Training.attendees.through, Group,
        GroupMember, Meeting, Meeting.attendees.through, FollowUp, AnnualReport, Transition)]


def history_models() -> list:
    return [m.history.model for _label, m in count_labels() if hasattr(m, "history")]


def load_scale(scale: str, *, cycles: int = 2, seed: int = 20211029, history: bool = True, out=None) -> dict:
    """Generate the scale's data (the database must hold no towns: see ``flush``); returns {label: rows written}.

    ``out(text)`` is told the progress (one line per province)."""
    from needs.search import current_analyzer
    from needs.taxonomy import current_taxonomy

    if scale not in SCALES:
        raise ValueError("scale must be one of %s" % ", ".join(SCALES))
    if cycles < 1:
        raise ValueError("at least one cycle")
    started = time.monotonic()
    say = out or (lambda text: None)
    writer = Writer(history=history)
    # One hash for every account (hashing is slow on purpose): the demo's password unless SCALE_PASSWORD is set.
    from portal.demo import DEMO_PASSWORD

    password_hash = make_password(os.environ.get("SCALE_PASSWORD") or DEMO_PASSWORD)
    divisions = read_divisions(scale)
    products = taxonomy_products()
    taxonomy = current_taxonomy()
    with historical_timestamps():
        with transaction.atomic():
            made_cycles = make_cycles(writer, cycles)
            units = make_units(writer)
            writer.flush_transitions()
        ctx = Context(scale=scale, seed=seed, cycles=made_cycles, density=DENSITY[scale], password_hash=password_hash,
                      units=units, products=products, taxonomy=taxonomy,
                      analyzer=MemoAnalyzer(current_analyzer()), endorsement=endorsement_file(), writer=writer,
                      scan=endorsement_file("agreements/scale/signed.pdf"),
                      voucher=endorsement_file("vouchers/scale/voucher.pdf"))
        ctx.taxonomy_dict = taxonomy.to_dict()
        for entry in divisions:
            with transaction.atomic():
                province_user = province_users(ctx, entry["province"])
            for city_spec in entry["cities"]:
                with transaction.atomic():
                    generate_city(ctx, city_spec, entry["province"], province_user)
            say("%s %s: %d cities, %.0f s" % (entry["province"][0], entry["province"][1], len(entry["cities"]),
                                             time.monotonic() - started))
        say("annual reports: %.1f s" % ctx.report_seconds)
        with transaction.atomic():
            trainings(ctx)
    # Fresh statistics for the query planner: after a bulk load PostgreSQL (before autovacuum gets to it) and SQLite
    # (which keeps none until asked) plan as if the tables were empty — a nation-scale list then sorts 200,000 rows.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say("ANALYZE: %.0f s" % (time.monotonic() - started))
    counts = {label: writer.counts.get(label, 0) for label, _model in count_labels()}
    counts["history"] = writer.counts.get("history", 0)
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
