"""Test data for agreements and projects: an active pairing with a team of three and confirmed needs of its town."""
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from matching.models import Pairing
from needs.models import IndustryCategory, Need
from needs.services import need_create, need_transition
from portal.testing import CYCLE_YEAR
from projects import services
from teams.models import TeamMembership
from teams.tests.factories import make_commissioner


def active_pairing(world, *, town=None, team=None, level=None, registered=None):
    """柑橘团队 (world.team) active in 董塘镇 (仁化县, county-organized) unless told otherwise."""
    town = town or world.renhua_county_town
    level = level or ("county" if town in (world.renhua_county_town, world.nanxiong_county_town) else "city")
    registered = registered or timezone.now() - dt.timedelta(days=5)
    return Pairing.objects.create(cycle=world.cycle, town=town, team=team or world.team, organizer_level=level,
                                  status="active", registered_at=registered, active_from=registered.date())


def staff(world, team=None):
    """The team's three people (leader first)."""
    team = team or world.team
    people = []
    for index, role in enumerate(("leader", "member", "member")):
        person = make_commissioner(team.lead_unit, name="%s成员%d" % (team.name[:2], index + 1))
        TeamMembership.objects.create(team=team, commissioner=person, cycle=team.cycle, role=role)
        people.append(person)
    return people


def confirmed_need(world, town=None, title="贡柑黄龙病绿色防控"):
    town = town or world.renhua_county_town
    actor = world["renhua_st" if town.county_id == world.renhua.pk else "nanxiong_st"]
    if town in (world.renhua_city_town, world.nanxiong_city_town):
        actor = world["city_st"]
    need = need_create(actor=actor, cycle=world.cycle, town=town, title=title, description="需要%s技术" % title,
                       category=IndustryCategory.objects.get(name="果树"), service_types=["guidance"])
    return need_transition(actor=actor, need=need, action="confirm")


def agreement_values():
    return {"summary": "围绕贡柑产业开展技术指导和示范推广。", "team_duties": "每月驻镇开展技术服务。",
            "town_duties": "协调示范基地和农户。", "work_team_duties": "安排工作任务并督促落实。",
            "conditions": "提供办公室一间、宿舍两间，镇内交通由镇安排。"}


def project_content(world, people, needs, total="100000.00"):
    """A complete project: the lines add up to ``total``."""
    year = CYCLE_YEAR + 1
    half = (Decimal(total) / 2).quantize(Decimal("0.01"))
    return {
        "values": {"title": "贡柑黄龙病绿色防控示范", "objectives": "建立示范基地，推广绿色防控技术。",
                   "content": "引进抗病砧木，建设示范园，开展培训。", "start_date": dt.date(year, 1, 1),
                   "end_date": dt.date(year, 12, 31), "trainings": 6, "people_trained": 300, "technologies": 2,
                   "varieties": 1, "demo_bases": 1, "demo_area_mu": Decimal("50.0"), "households": 120,
                   "enterprises": 3, "income_raised": Decimal("600000.00"), "total_budget": Decimal(total)},
        "needs": list(needs),
        "years": [{"year": year, "plan": "建设示范园，开展6场培训。"}],
        "budget_lines": [{"category": "materials", "amount": half, "source": "city", "note": "种苗农资"},
                         {"category": "training", "amount": Decimal(total) - half, "source": "unit", "note": ""}],
        "members": [{"commissioner": people[0], "duty": "项目负责，技术总体设计"},
                    {"commissioner": people[1], "duty": "示范基地建设"}],
    }


def make_project(world, pairing, people, needs, actor="leader", **overrides):
    content = project_content(world, people, needs)
    content["values"].update(overrides)
    return services.project_create(actor=world[actor], pairing=pairing, **content)
