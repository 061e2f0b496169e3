"""The home to-dos of the review and funding: each role its own, counted in its scope, linking to the record or the
filtered list."""
import pytest
from django.urls import reverse
from django.utils import timezone

from core.dashboard import todo_for
from reviews import services
from reviews.tests.factories import accepted_project, expert_user, make_pool, scores

pytestmark = pytest.mark.django_db


def todos(user, cycle):
    from reviews.dashboard import todo

    return {item.label: (item.count, item.url) for item in todo(user, cycle) if item.count}


def test_the_office_is_led_from_start_to_funding(world):
    city = world["city_st"]
    project, _people = accepted_project(world)
    pool = make_pool(world)
    items = todos(city, world.cycle)
    assert items["待发起论证的项目"] == (1, reverse("reviews:review_list") + "#pending")
    assert todos(world["renhua_st"], world.cycle) == {}  # a city-organized town: the county does not handle it
    assert todos(world["leader"], world.cycle) == {} and todos(world["expert"], world.cycle) == {}

    review = services.review_start(actor=city, project=project)
    items = todos(city, world.cycle)
    assert "待发起论证的项目" not in items
    assert items["组建中的专家组"] == (1, review.get_absolute_url())

    seats = services.panel_fill(actor=city, review=review)
    services.review_open(actor=city, review=review)
    assert "组建中的专家组" not in todos(city, world.cycle)
    first = expert_user(seats[0].expert)
    assert todos(first, world.cycle)["待评分的项目"] == (1, seats[0].get_absolute_url())
    assert todos(expert_user(pool[3]), world.cycle) == {} or pool[3].pk in {s.expert_id for s in seats}

    # A withdrawal leaves the panel short: the office is asked for a substitute.
    services.seat_decline(actor=first, seat=seats[0], comment="与团队负责人为合作关系")
    assert todos(first, world.cycle) == {}
    assert todos(city, world.cycle)["专家回避待补充的专家组"] == (1, review.get_absolute_url())
    substitute = services.panel_fill(actor=city, review=review)
    assert len(substitute) == 1 and "专家回避待补充的专家组" not in todos(city, world.cycle)

    for seat in seats[1:] + substitute:
        services.seat_submit(actor=expert_user(seat.expert), seat=seat, scores=scores(), comment="可行")
    assert todos(city, world.cycle)["评分完成待决定的论证"] == (1, review.get_absolute_url())
    services.review_decide(actor=city, review=review, action="approve", amount="80000", opinion="同意")
    items = todos(city, world.cycle)
    assert "评分完成待决定的论证" not in items
    assert items["论证通过待立项资助的项目"] == (1, review.get_absolute_url())
    assert todos(world["renhua_st"], world.cycle) == {}

    services.envelope_save(actor=city, values={"fiscal_year": timezone.localdate().year, "budgeted": "1000000"})
    services.grant_create(actor=city, review=review, values={
        "project_number": "KTP-1", "fiscal_year": timezone.localdate().year, "budget_source": "city_st",
        "amount": "80000", "granted_on": timezone.localdate()})
    assert todos(city, world.cycle) == {}


def test_counts_link_to_the_filtered_list_and_the_county_handles_its_own(world):
    services.review_rule_set(actor=world["renhua_st"], cycle=world.cycle, county=world.renhua, mode="single")
    first, _ = accepted_project(world, town=world.renhua_county_town)
    county = world["renhua_st"]
    assert todos(county, world.cycle)["待发起论证的项目"][0] == 1
    assert todos(world["nanxiong_st"], world.cycle) == {} and todos(world["city_st"], world.cycle) == {}
    review = services.review_start(actor=county, project=first)
    assert todos(county, world.cycle)["待直接审批的项目"] == (1, review.get_absolute_url())
    services.review_decide(actor=county, review=review, action="approve", amount="50000")
    assert todos(county, world.cycle)["论证通过待立项资助的项目"] == (1, review.get_absolute_url())
    assert "论证通过待立项资助的项目" not in todos(world["city_st"], world.cycle)


def test_several_reviews_link_to_the_list_of_those_to_handle(world, client):
    make_pool(world)
    from projects import services as project_services
    from projects.tests.factories import active_pairing, confirmed_need, make_project, staff

    project, _ = accepted_project(world)
    services.review_start(actor=world["city_st"], project=project)
    town = world.nanxiong_city_town
    pairing = active_pairing(world, town=town, team=world.other_team)
    other = make_project(world, pairing, staff(world, world.other_team), [confirmed_need(world, town=town)],
                         actor="other_leader")
    project_services.project_submit(actor=world["other_leader"], project=other, confirmed=True)
    project_services.project_accept(actor=world["city_st"], project=other)
    services.review_start(actor=world["city_st"], project=other)
    count, url = todos(world["city_st"], world.cycle)["组建中的专家组"]
    assert count == 2 and url == reverse("reviews:review_list") + "?status=forming&mode=panel&mine=1"
    client.force_login(world["city_st"])
    page = client.get(url).content.decode()
    assert "共 2 条" in page
    labels = [item.label for item in todo_for(world["city_st"], world.cycle)]
    assert "组建中的专家组" in labels
