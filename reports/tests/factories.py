"""Test data for the annual reports: records of every source the figures count, made as the apps' services make them
(each record copies its pairing's cycle, team, town and organizing level; a grant's funder is
``reviews.selectors.funder_of``) but inserted directly, so a test can place them on any day of any year — the year
before the report's, the year after, a pairing that ended, a status that does not count — and count them by hand.

The hand-counted fixture (``reports/tests/test_figures.py``) runs over a closed cycle 2023–2025 and reports 2024, so
it never depends on today's date.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from core.china import make_credit_code, make_id_number
from cycles.models import Cycle
from fieldwork.models import Activity, Flag, Stay
from matching.models import Pairing
from projects.models import Agreement, Project
from regions.models import Town, TownClassification
from replacements.models import Case
from reviews.models import Disbursement, Grant, Review
from teams.choices import Education, Gender, TitleLevel
from teams.models import Commissioner, Team, TeamMembership
from units.models import DispatchingUnit

_numbers = itertools.count(1)


def local(year, month, day, hour=10, minute=0) -> dt.datetime:
    """An aware datetime at this wall-clock time in the project's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def cycle(name="2023—2025周期", start=dt.date(2023, 1, 1), end=dt.date(2025, 12, 31), **fields) -> Cycle:
    return Cycle.objects.create(name=name, status=fields.pop("status", Cycle.Status.CLOSED), start_date=start,
                                end_date=end, dispatch_deadline=fields.pop("dispatch_deadline", start), **fields)


def unit(name, kind) -> DispatchingUnit:
    number = next(_numbers)
    return DispatchingUnit.objects.create(name=name, kind=kind,
                                          credit_code=make_credit_code("1244%013d" % (900000 + number)))


def town(county, code, name) -> Town:
    return Town.objects.create(county=county, code=code, name=name)


def classify(town_, cycle_, level, town_class="key") -> TownClassification:
    return TownClassification.objects.create(cycle=cycle_, town=town_, town_class=town_class, organizing_level=level)


def person(unit_, name, *, birth_year=None, title_level=TitleLevel.NONE, education=Education.BACHELOR) -> Commissioner:
    """A commissioner born in ``birth_year`` (None: no year of birth known)."""
    number = next(_numbers)
    record = Commissioner(name=name, gender=Gender.MALE, phone="137%08d" % number, unit=unit_, education=education,
                          title_level=title_level, title="职称")
    record.set_id_number(make_id_number("440224", dt.date(birth_year or 1980, 6, 1), number % 1000))
    record.save()
    if birth_year is None:
        Commissioner.objects.filter(pk=record.pk).update(birth_year=None)
        record.birth_year = None
    return record


def team(cycle_, name, lead_unit, people=()) -> Team:
    record = Team.objects.create(cycle=cycle_, name=name, lead_unit=lead_unit, leader_name=name[:2] + "负责人")
    for index, member in enumerate(people):
        TeamMembership.objects.create(team=record, commissioner=member, cycle=cycle_,
                                      role="leader" if index == 0 else "member")
    return record


def pair(cycle_, town_, team_, level, active_from, *, status="active", ended_on=None) -> Pairing:
    return Pairing.objects.create(cycle=cycle_, town=town_, team=team_, organizer_level=level, status=status,
                                  active_from=active_from, ended_on=ended_on,
                                  registered_at=local(active_from.year, active_from.month, active_from.day)
                                  if active_from else None)


def activity(pairing, date, service_type="guidance", *, town=None, status="confirmed", people_trained=0,
             households_served=0, enterprises_served=0, technologies="", demo_area_mu="0", save=True) -> Activity:
    record = Activity(date=date, service_type=service_type, title="服务活动", description="活动内容", status=status,
                      people_trained=people_trained, households_served=households_served,
                      enterprises_served=enterprises_served, technologies=technologies,
                      demo_area_mu=Decimal(demo_area_mu))
    record.copy_pairing(pairing)
    record.set_town(town or pairing.town)
    if save:
        record.save()
    return record


def stay(pairing, who, start, end, *, town=None, status="confirmed", save=True) -> Stay:
    record = Stay(commissioner=who, start_date=start, end_date=end, place="驻镇工作队宿舍", purpose="技术服务",
                  status=status, first_day=start.toordinal(), last_day=end.toordinal())
    record.copy_pairing(pairing)
    record.set_town(town or pairing.town)
    if save:
        record.save()
    return record


def agreement(pairing, status="confirmed") -> Agreement:
    start = pairing.active_from or pairing.cycle.start_date
    record = Agreement(town_party="%s人民政府" % pairing.town.name, term_start=start,
                       term_end=pairing.cycle.end_date, summary="帮扶概要", team_duties="团队职责",
                       town_duties="镇职责", conditions="办公住宿", status=status, due_date=start)
    record.copy_pairing(pairing)
    record.save()
    return record


def project(pairing, status, start, end, *, demo_area_mu="0", title="帮扶项目") -> Project:
    record = Project(title=title, objectives="目标", content="内容", start_date=start, end_date=end, status=status,
                     demo_area_mu=Decimal(demo_area_mu), total_budget=Decimal("100000.00"), due_date=start)
    record.copy_pairing(pairing)
    record.save()
    return record


def grant(project_, amount, source, granted_on, *, number=None) -> Grant:
    """The approved review and the grant of ``project_``, funded by its organizer as ``grant_create`` funds it."""
    from reviews.selectors import funder_of

    review = Review(status="approved", approved_amount=Decimal(amount))
    review.copy_project(project_)
    review.save()
    level, city_id, county_id = funder_of(review)
    record = Grant(cycle_id=project_.cycle_id, town_id=project_.town_id, team_id=project_.team_id, review=review,
                   project=project_, project_number=number or "KTP-%05d" % next(_numbers),
                   fiscal_year=granted_on.year, budget_source=source, amount=Decimal(amount), granted_on=granted_on,
                   organizer_level=level, city_id=city_id, county_id=county_id)
    record.save()
    return record


def payment(grant_, amount, paid_on) -> Disbursement:
    return Disbursement.objects.create(grant=grant_, amount=Decimal(amount), paid_on=paid_on,
                                       voucher="vouchers/voucher.pdf")


def flag(pairing, kind, opened_at, *, status="open") -> Flag:
    record = Flag(kind=kind, status=status, detail="预警说明", opened_at=opened_at)
    record.copy_pairing(pairing)
    record.save()
    return record


def case(pairing, cause, opened_at, *, decision="", status=None) -> Case:
    record = Case(cause=cause, summary="情况说明", answer_due=opened_at.date() + dt.timedelta(days=14),
                  status=status or ("decided" if decision else "open"), opened_at=opened_at, decision=decision)
    record.copy_pairing(pairing)
    record.save()
    return record


def evaluation(who, pairing, year, grade, *, status="submitted"):
    from evaluations.models import Evaluation

    return Evaluation.objects.create(unit=who.unit, commissioner=who, team_id=pairing.team_id, pairing=pairing,
                                     organizer_level=pairing.organizer_level, home_town_id=pairing.town_id,
                                     year=year, cycle_id=pairing.cycle_id, grade=grade, status=status)
