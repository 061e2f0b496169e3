"""Test data for the expert review and funding: an accepted city-team project, a city pool with accounts."""
from decimal import Decimal

from accounts.services import user_create
from core.roles import Role
from projects import services as project_services
from projects.tests.factories import active_pairing, confirmed_need, make_project, staff
from reviews import services
from reviews.models import Expert

POOL = [  # name, field, keywords, unit name
    ("林果", "果树栽培", "柑橘、黄龙病、绿色防控", "仲恺农业工程学院"),
    ("周蔬", "蔬菜栽培", "设施蔬菜、育苗", "广东省农业科学院"),
    ("陈茶", "茶叶加工", "红茶、茶园管理", "韶关学院"),
    ("吴菌", "食用菌", "香菇、菌种", "华南理工大学"),
    ("郑植", "植物保护", "柑橘病虫害、黄龙病防控", "广东省农业技术推广中心"),
]


def accepted_project(world, *, town=None, team=None, total="100000.00"):
    """A project of 柑橘团队 accepted for review: in 仁化's city-organized town unless told otherwise."""
    town = town or world.renhua_city_town
    pairing = active_pairing(world, town=town, team=team)
    people = staff(world, team)
    need = confirmed_need(world, town=town)
    project = make_project(world, pairing, people, [need], total_budget=Decimal(total))
    project_services.project_submit(actor=world["leader"], project=project, confirmed=True)
    organizer = world["city_st"] if pairing.organizer_level != "county" else world[
        "renhua_st" if town.county_id == world.renhua.pk else "nanxiong_st"]
    project_services.project_accept(actor=organizer, project=project)
    project.refresh_from_db()
    return project, people


def make_pool(world, actor="city_st", rows=POOL, prefix="1370000"):
    """Experts of ``actor``'s pool, each with an account."""
    experts = []
    for index, (name, field, keywords, unit_name) in enumerate(rows):
        expert, _password = services.expert_save(actor=world[actor], values={
            "name": name, "field": field, "keywords": keywords, "title": "研究员", "unit_name": unit_name,
            "phone": "%s%04d" % (prefix, index + 1)}, create_account=True)
        experts.append(expert)
    return experts


def expert_user(expert):
    return Expert.objects.select_related("user").get(pk=expert.pk).user


def scores(fit=80, feasibility=80, benefit=80, team=80, budget=80):
    return {"score_fit": fit, "score_feasibility": feasibility, "score_benefit": benefit, "score_team": team,
            "score_budget": budget}


def pool_user(world, name, county=None):
    fields = {"county_id": county.pk} if county else {"city_id": world.city.pk}
    user, _ = user_create(actor=world["admin"], username=name, role=Role.EXPERT, full_name=name, **fields)
    return user
