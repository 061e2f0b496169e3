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
    if town.pk in {world.renhua_city_town.pk, world.nanxiong_city_town.pk, world.renhua_county_town.pk,
                   world.nanxiong_county_town.pk}:
        need = confirmed_need(world, town=town)
    else:  # a town a test added: its organizer records the need
        need = _confirmed_need(world, town, pairing.organizer_level)
    leader = _leader_name(world, pairing.team)
    project = make_project(world, pairing, people, [need], actor=leader, total_budget=Decimal(total))
    project_services.project_submit(actor=world[leader], project=project, confirmed=True)
    organizer = world["city_st"] if pairing.organizer_level != "county" else world[
        "renhua_st" if town.county_id == world.renhua.pk else "nanxiong_st"]
    project_services.project_accept(actor=organizer, project=project)
    project.refresh_from_db()
    return project, people


def _leader_name(world, team) -> str:
    """The name of the world user leading ``team`` (one is made for a team a test added)."""
    from portal.testing import _user

    for name, user in world.users.items():
        if user.role == Role.TEAM_LEADER and user.team_id == team.pk:
            return name
    name = "leader_%d" % team.pk
    world.users[name] = _user(name, Role.TEAM_LEADER, team=team)
    return name


def _confirmed_need(world, town, level, title="贡柑黄龙病绿色防控"):
    from needs.models import IndustryCategory
    from needs.services import need_create, need_transition

    actor = world["city_st"] if level != "county" else world[
        "renhua_st" if town.county_id == world.renhua.pk else "nanxiong_st"]
    need = need_create(actor=actor, cycle=world.cycle, town=town, title=title, description="需要%s技术" % title,
                       category=IndustryCategory.objects.get(name="果树"), service_types=["guidance"])
    return need_transition(actor=actor, need=need, action="confirm")


def extra_town(world, *, code="440224109", name="周田镇", level="city", county=None):
    """One more town of the world's cycle (city-organized unless told otherwise)."""
    from regions.models import Town, TownClassification

    town = Town.objects.create(county=county or world.renhua, code=code, name=name)
    TownClassification.objects.create(cycle=world.cycle, town=town, town_class="key", organizing_level=level)
    return town


def extra_team(world, name="第三团队", unit=None):
    from teams.models import Team

    return Team.objects.create(cycle=world.cycle, name=name, lead_unit=unit or world.other_unit, leader_name="王三")


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


# ------------------------------------------------------------------------------------------------ further helpers
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def voucher(kind="pdf", name=None):
    """A voucher upload: "pdf", "png", "jpeg", or "text" (a text file named .pdf)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from calls.tests.factories import PDF

    content, default, mime = {"pdf": (PDF, "凭证.pdf", "application/pdf"), "png": (PNG, "凭证.png", "image/png"),
                              "jpeg": (JPEG, "凭证.jpg", "image/jpeg"),
                              "text": (b"this is not a voucher at all", "凭证.pdf", "application/pdf")}[kind]
    return SimpleUploadedFile(name or default, content, content_type=mime)


def start_panel(world, project, actor="city_st"):
    """Start the review of ``project`` and seat the proposed panel; returns (review, seats)."""
    review = services.review_start(actor=world[actor], project=project)
    seats = services.panel_fill(actor=world[actor], review=review)
    return review, seats


def score_all(seats, totals=None, comment="同意立项"):
    """Each seat's expert submits (every criterion at the seat's ``totals`` value, 80 unless told)."""
    for index, seat in enumerate(seats):
        value = totals[index] if totals else 80
        services.seat_submit(actor=expert_user(seat.expert), seat=seat, scores=scores(value, value, value, value, value),
                             comment=comment)


def approved_review(world, *, town=None, team=None, actor="city_st", amount="80000", total="100000.00",
                    pool=True):
    """A project taken through the whole review to 论证通过 with ``amount``: (review, project)."""
    from reviews.models import Review

    project, _people = accepted_project(world, town=town, team=team, total=total)
    if pool:
        make_pool(world, actor=actor)
    review, seats = start_panel(world, project, actor=actor)
    services.review_open(actor=world[actor], review=review)
    score_all(seats)
    services.review_decide(actor=world[actor], review=Review.objects.get(pk=review.pk), action="approve",
                           amount=amount, opinion="专家组同意立项")
    return Review.objects.get(pk=review.pk), project


def grant_values(**overrides):
    from django.utils import timezone

    values = {"project_number": "KTP-2026-4402-001", "fiscal_year": 2026, "budget_source": "city_st",
              "amount": "80000", "granted_on": timezone.localdate()}
    values.update(overrides)
    return values


def qingyuan(world):
    """A second city (清远市 with 英德市) and its S&T users and an expert account: they must see nothing of 韶关."""
    from portal.testing import _user
    from regions.models import City, County

    city = City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    yingde = County.objects.create(city=city, code="441881", name="英德市")
    world.users["qy_city_st"] = _user("qy_city_st", Role.CITY_ST, city=city)
    world.users["yingde_st"] = _user("yingde_st", Role.COUNTY_ST, county=yingde)
    world.users["qy_expert"] = _user("qy_expert", Role.EXPERT, city=city)
    return city, yingde
