"""Every figure traces back: on random records, the list a figure links to counts (or totals) to the figure.

Hypothesis draws pairings in six towns of two counties at random levels and statuses (active, ended, replaced,
proposed), and records on them at random: activities (status, date, service type, people trained, households,
technologies, demonstration area, done in another town), stays, agreements, projects with grants and payments, flags,
cases and evaluations — around the report's year and the years either side. For every figure key of every scope (two
counties, the city's own towns, the whole city, a team, a unit: one drawn per example, the whole city most often),
``measure_of(figure, trace(key, scope).queryset)`` equals ``compute(scope)[key]``; the whole city's additive figures
(counts of sources that count each record once, and sums) are the two counties' plus the city's own, the others
(distinct teams, people, towns) lie between the largest part and the sum; a pairing's stationed days are the sum of
its people's, and the city's rows are its parts' rows.

The rows of one example are inserted in bulk inside a savepoint and rolled back after it (the towns, teams and people
stay). Kept fast: 15 examples.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from fieldwork.models import Activity, Flag, Stay
from matching.models import Pairing
from regions.models import TownClassification
from reports import figures as F
from reports.tests import factories as f
from teams.choices import Education, TitleLevel

# No shrinking: a failing example is reported as drawn (shrinking these records takes minutes).
SETTINGS = settings(max_examples=15, deadline=None, database=None, derandomize=True,
                    phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])
LEVELS = ("county", "city", "province")
_numbers = itertools.count(1)


@pytest.fixture
def base(world):
    """Six towns (three per county), six teams of two people of varied units, titles, education and ages."""
    cycle = f.cycle()
    towns = [world.renhua_county_town, world.renhua_city_town, f.town(world.renhua, "440224109", "周田镇"),
             world.nanxiong_county_town, world.nanxiong_city_town, f.town(world.nanxiong, "440282114", "乌迳镇")]
    for town, level in zip(towns, LEVELS * 2):
        f.classify(town, cycle, level)
    units = [world.unit, world.other_unit, f.unit("广东省农业科学院", "institute"),
             f.unit("韶关绿源农业有限公司", "enterprise"), f.unit("仁化县农业技术推广站", "extension"),
             f.unit("其他单位", "other")]
    titles, educations = list(TitleLevel.values), list(Education.values)
    births = [1958, 1968, 1969, 1978, 1979, 1988, 1989, 1990, None, 1975, 1965, 1995]
    people = [f.person(units[i % 6], "特派员%02d" % i, birth_year=births[i], title_level=titles[i % 5],
                       education=educations[(i * 2) % 5]) for i in range(12)]
    teams = [f.team(cycle, "团队%d" % i, units[i], people[2 * i: 2 * i + 2]) for i in range(6)]
    return {"world": world, "cycle": cycle, "towns": towns, "teams": teams, "people": people, "units": units}


# ------------------------------------------------------------------------------------------------ strategies
PAIRING = st.tuples(st.sampled_from(("active", "active", "active", "ended", "replaced", "proposed")),
                    st.sampled_from(LEVELS), st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2024, 9, 1)),
                    st.integers(30, 700))
PICK = st.integers(0, 50)  # a pairing, taken modulo the pairings made
AREA = st.one_of(st.just(Decimal("0")), st.decimals(min_value=0, max_value=500, places=1))
MONEY = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("200000"), places=2)


def records(year):
    """Records around ``year``: most days inside it, some in the months either side, and its edges."""
    dates = st.one_of(st.dates(min_value=dt.date(year, 1, 1), max_value=dt.date(year, 12, 31)),
                      st.dates(min_value=dt.date(year - 1, 10, 1), max_value=dt.date(year + 1, 3, 31)),
                      st.sampled_from((dt.date(year, 1, 1), dt.date(year, 12, 31), dt.date(year - 1, 12, 31),
                                       dt.date(year + 1, 1, 1))))
    opened = st.tuples(dates, st.integers(0, 23))
    grant = st.tuples(MONEY, st.sampled_from(("city_st", "county", "rural", "province", "other")), dates,
                      st.lists(st.tuples(MONEY, dates), max_size=2))
    return st.fixed_dictionaries({
        "year": st.just(year),
        "classes": st.lists(st.sampled_from(LEVELS), min_size=6, max_size=6),
        "pairings": st.lists(st.one_of(PAIRING, st.none()), min_size=6, max_size=6),
        # a second, ended pairing in a town (another team's)
        "extra": st.lists(st.tuples(st.integers(0, 5), PAIRING), max_size=3),
        "activities": st.lists(st.tuples(
            PICK, st.one_of(st.none(), st.integers(0, 5)),
            st.sampled_from(("confirmed", "confirmed", "confirmed", "submitted", "queried")), dates,
            st.sampled_from(("guidance", "training", "transfer", "entrepreneurship", "policy", "planning")),
            st.one_of(st.just(0), st.integers(0, 80)), st.integers(0, 30), st.integers(0, 3), st.booleans(), AREA),
            min_size=4, max_size=25),
        "stays": st.lists(st.tuples(PICK, st.integers(0, 1), st.booleans(), dates, st.integers(1, 60),
                                    st.sampled_from(("confirmed", "confirmed", "submitted"))), max_size=12),
        "agreements": st.lists(st.one_of(st.none(), st.sampled_from(("draft", "signed", "returned", "confirmed"))),
                               min_size=9, max_size=9),
        "projects": st.lists(st.tuples(PICK, st.sampled_from(("draft", "accepted", "approved", "approved",
                                                              "rejected")),
                                       dates, st.integers(0, 500), AREA, st.one_of(grant, st.none())), max_size=5),
        "flags": st.lists(st.tuples(PICK, st.sampled_from(("pace", "inactive", "project_late", "agreement_missing",
                                                           "tasks_overdue", "noncooperation")), opened,
                                    st.sampled_from(("open", "closed"))), max_size=8),
        "cases": st.lists(st.tuples(PICK, st.sampled_from(("mismatch", "noncooperation", "no_work")),
                                    st.sampled_from(("", "no_action", "warning", "adjustment", "replacement")), opened),
                          max_size=5),
        "evaluations": st.lists(st.tuples(st.integers(0, 11), PICK, st.sampled_from((year - 1, year, year + 1)),
                                          st.sampled_from(("excellent", "pass", "basic", "fail")),
                                          st.sampled_from(("submitted", "submitted", "draft"))), max_size=8),
    })


RECORDS = st.sampled_from((2024, 2024, 2024, 2023, 2025)).flatmap(records)


# ------------------------------------------------------------------------------------------------ insert
def _pairing(base, town_index, team_index, spec, live):
    status, level, start, length = spec
    if not live and status in ("active", "proposed"):
        status = "ended"
    if status == "proposed":
        return Pairing(cycle=base["cycle"], town=base["towns"][town_index], team=base["teams"][team_index],
                       organizer_level=level, status=status)
    ended = start + dt.timedelta(days=length) if status in ("ended", "replaced") else None
    return Pairing(cycle=base["cycle"], town=base["towns"][town_index], team=base["teams"][team_index],
                   organizer_level=level, status=status, active_from=start, ended_on=ended)


def insert(base, data) -> list:
    for town, level in zip(base["towns"], data["classes"]):
        TownClassification.objects.filter(cycle=base["cycle"], town=town).update(organizing_level=level)
    rows = [_pairing(base, index, index, spec, True) for index, spec in enumerate(data["pairings"]) if spec]
    rows += [_pairing(base, town, (town + 1) % 6, spec, False) for town, spec in data["extra"]]
    pairings = Pairing.objects.bulk_create(rows)
    pairings = list(Pairing.objects.filter(pk__in=[p.pk for p in pairings]).select_related("town", "cycle", "team"))
    if not pairings:
        return []

    def pick(index):
        return pairings[index % len(pairings)]

    def members(pairing):
        return [m.commissioner for m in pairing.team.memberships.select_related("commissioner").order_by("pk")]

    towns = base["towns"]
    Activity.objects.bulk_create([
        f.activity(pick(p), date, kind, town=towns[where] if where is not None else None, status=status,
                   people_trained=trained, households_served=households, enterprises_served=firms,
                   technologies="新技术" if tech else "", demo_area_mu=str(area), save=False)
        for p, where, status, date, kind, trained, households, firms, tech, area in data["activities"]])
    Stay.objects.bulk_create([
        f.stay(pick(p), members(pick(p))[who], start, start + dt.timedelta(days=length - 1),
               town=towns[(towns.index(pick(p).town) + 1) % 6] if cross else None, status=status, save=False)
        for p, who, cross, start, length, status in data["stays"]])
    for pairing, status in zip(pairings, data["agreements"]):
        if status:
            f.agreement(pairing, status)
    for p, status, start, length, area, grant in data["projects"]:
        project = f.project(pick(p), status, start, start + dt.timedelta(days=length), demo_area_mu=str(area))
        if grant:
            amount, source, granted_on, payments = grant
            made = f.grant(project, str(amount), source, granted_on, number="P-%06d" % next(_numbers))
            for paid, paid_on in payments:
                f.payment(made, str(paid), paid_on)
    seen = set()
    flags = []
    for p, kind, (day, hour), status in data["flags"]:
        if kind != "noncooperation" and (pick(p).pk, kind) in seen:
            continue
        seen.add((pick(p).pk, kind))
        flag = Flag(kind=kind, status=status, detail="预警", opened_at=f.local(day.year, day.month, day.day, hour))
        flag.copy_pairing(pick(p))
        flags.append(flag)
    Flag.objects.bulk_create(flags)
    for p, cause, decision, (day, hour) in data["cases"]:
        f.case(pick(p), cause, f.local(day.year, day.month, day.day, hour), decision=decision)
    done = set()
    for who, p, year, grade, status in data["evaluations"]:
        if (who, year) not in done:
            done.add((who, year))
            f.evaluation(base["people"][who], pick(p), year, grade, status=status)
    return pairings


class Rollback(Exception):
    pass


def in_savepoint(check):
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


ADDITIVE_SOURCES = {name for name, source in F.SOURCES.items() if not source.distinct}


def additive(key, year) -> bool:
    """A figure the city's report may add up from its parts: a count of records each counted once, or a sum."""
    return F.figures_for(year)[key].source in ADDITIVE_SOURCES


# ------------------------------------------------------------------------------------------------ the property
def test_every_traced_list_equals_its_figure(base):
    world = base["world"]
    seen = []

    @SETTINGS
    @given(data=RECORDS, team_index=st.integers(0, 5), unit_index=st.integers(0, 5),
           traced=st.sampled_from(("city", "city", "renhua", "nanxiong", "own", "team", "unit")))
    def check(data, team_index, unit_index, traced):
        def body():
            pairings = insert(base, data)
            year = data["year"]
            keys = list(F.figures_for(year))
            parts = {"renhua": F.county_scope(year, world.renhua), "nanxiong": F.county_scope(year, world.nanxiong),
                     "own": F.city_own_scope(year, world.city)}
            scopes = dict(parts, city=F.city_scope(year, world.city),
                          team=F.Scope(year=year, city_id=world.city.pk, team_id=base["teams"][team_index].pk),
                          unit=F.Scope(year=year, city_id=world.city.pk, unit_id=base["units"][unit_index].pk))
            values = {}
            for name, scope in scopes.items():
                assert F.Scope.from_params(scope.params()) == scope
                if name not in parts and name not in ("city", traced):
                    continue
                values[name] = F.compute(scope)
                assert set(values[name]) == set(keys)
                if name != traced:  # every key of one scope drawn per example (time)
                    continue
                for key in keys:
                    item, _source, rows = F.trace(key, scope)
                    assert F.measure_of(item, rows) == values[name][key], (name, key)
                for month in (1, 6, 12):
                    key = "activities.people_trained@m%02d" % month
                    item, _source, rows = F.trace(key, scope)
                    assert F.measure_of(item, rows) == F.compute(scope, keys=[key])[key], (name, key)
            city = values["city"]
            for key in keys:
                total = sum(F.as_number(values[part][key]) for part in parts)
                if additive(key, year):
                    assert F.as_number(city[key]) == total, key
                    assert F.as_number(F.add_values(*(values[part] for part in parts))[key]) == total, key
                else:  # a team or a person in two counties counts once in the city
                    assert max(F.as_number(values[part][key]) for part in parts) <= F.as_number(city[key]) <= total
            # Stationed days: the city's rows are its parts' rows; each row's days are its people's.
            rows = {name: F.team_days(scope) for name, scope in scopes.items() if name in parts or name == "city"}
            assert sorted(r["pairing_id"] for r in rows["city"]) == sorted(
                r["pairing_id"] for part in parts for r in rows[part])
            assert F.day_totals(rows["city"])["days.total"] == sum(
                F.day_totals(rows[part])["days.total"] for part in parts)
            for r in rows["city"]:
                assert sum(p["days"] for p in F.person_days(r["pairing_id"], year)) == r["days_year"]
                assert 0 <= r["days_year"] <= r["days_to_date"]
            seen.append((len(pairings), city["activities.total"], city["grants.total"], len(rows["city"])))

        in_savepoint(body)

    check()
    # Not vacuous: some examples had pairings, activities counted, grants and stationed teams.
    assert sum(1 for _n, activities, _g, _t in seen if activities >= 3) >= 5, seen
    assert sum(1 for _n, _a, grants, teams in seen if grants and teams) >= 3, seen
