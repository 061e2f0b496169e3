"""Town profiles (copied into a new cycle) and survey campaigns with reporting rates."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cycles.services import cycle_copy
from needs.models import TownProfile
from needs.services import campaign_open, campaign_submit_town, profile_for, profile_save
from portal.testing import CYCLE_YEAR


def test_a_town_fills_its_profile_and_a_new_cycle_starts_from_a_copy(world):
    profile_save(actor=world["renhua_county_town"], cycle=world.cycle, town=world.renhua_county_town,
                 population=32000, leading_industries="贡柑、白毛茶", contact_phone="0751-6381234")
    new_cycle = cycle_copy(actor=world["city_st"], source=world.cycle, name="下一周期", start_date=dt.date(CYCLE_YEAR + 3, 1, 1),
                           end_date=dt.date(CYCLE_YEAR + 5, 12, 31), dispatch_deadline=dt.date(CYCLE_YEAR + 3, 3, 31))
    draft = profile_for(cycle=new_cycle, town=world.renhua_county_town)
    assert draft.pk is None and draft.population == 32000 and draft.leading_industries == "贡柑、白毛茶"
    saved = profile_save(actor=world["renhua_county_town"], cycle=new_cycle, town=world.renhua_county_town,
                         population=33000)
    assert saved.leading_industries == "贡柑、白毛茶"
    assert TownProfile.objects.count() == 2


def test_profile_editors_are_the_town_its_organizer_and_rural_users_of_that_scope(world):
    town = world.renhua_county_town
    for name in ("renhua_county_town", "renhua_st", "renhua_rural"):
        profile_save(actor=world[name], cycle=world.cycle, town=town, population=1)
    for name in ("city_st", "nanxiong_st", "leader", "renhua_city_town"):
        with pytest.raises(PermissionDenied):
            profile_save(actor=world[name], cycle=world.cycle, town=town, population=2)
    profile_save(actor=world["city_st"], cycle=world.cycle, town=world.renhua_city_town, population=5)


def test_a_bad_phone_in_the_profile_is_named(world):
    with pytest.raises(ValidationError) as error:
        profile_save(actor=world["renhua_st"], cycle=world.cycle, town=world.renhua_county_town, contact_phone="123")
    assert "contact_phone" in error.value.message_dict


def test_a_county_opens_a_survey_only_over_the_towns_it_organizes(world):
    with pytest.raises(ValidationError) as error:
        campaign_open(actor=world["renhua_st"], cycle=world.cycle, title="x", due_date=dt.date(CYCLE_YEAR, 3, 1),
                      towns=[world.renhua_county_town, world.renhua_city_town])
    assert "黄坑镇" in str(error.value)
    campaign = campaign_open(actor=world["renhua_st"], cycle=world.cycle, title="仁化县需求调研",
                             due_date=dt.date(CYCLE_YEAR, 3, 1), towns=[world.renhua_county_town])
    assert campaign.organizer_level == "county" and campaign.county == world.renhua
    with pytest.raises(PermissionDenied):
        campaign_open(actor=world["renhua_county_town"], cycle=world.cycle, title="x", due_date=dt.date(CYCLE_YEAR, 3, 1),
                      towns=[world.renhua_county_town])


def test_the_campaign_page_shows_reporting_rates_and_lateness(world, make_need, login):
    today = timezone.localdate()
    campaign = campaign_open(actor=world["city_st"], cycle=world.cycle, title="市级需求调研",
                             due_date=today - dt.timedelta(days=1),
                             towns=[world.renhua_city_town, world.nanxiong_city_town])
    with pytest.raises(ValidationError):
        campaign_submit_town(actor=world["renhua_city_town"], campaign=campaign, town=world.renhua_city_town)
    profile_save(actor=world["renhua_city_town"], cycle=world.cycle, town=world.renhua_city_town, population=1)
    make_need(town=world.renhua_city_town, actor=world["renhua_city_town"])
    campaign_submit_town(actor=world["renhua_city_town"], campaign=campaign, town=world.renhua_city_town)
    context = login("city_st").get(campaign.get_absolute_url()).context
    assert (context["submitted"], context["total"], context["rate"]) == (1, 2, 50)
    states = {t["row"].town.name: (t["state"], t["late"]) for t in context["towns"]}
    assert states == {"黄坑镇": ("submitted", True), "百顺镇": ("not_started", True)}
    rates = {c["name"]: c["rate"] for c in context["counties"]}
    assert rates == {"仁化县": 100, "南雄市": 0}
    assert login("renhua_st").get(campaign.get_absolute_url()).status_code == 200
    county_context = login("renhua_st").get(campaign.get_absolute_url()).context
    assert [t["row"].town.name for t in county_context["towns"]] == ["黄坑镇"]
    assert login("leader").get(campaign.get_absolute_url()).status_code == 404


def test_another_county_cannot_see_a_county_campaign(world, assert_denied):
    campaign = campaign_open(actor=world["renhua_st"], cycle=world.cycle, title="仁化县需求调研",
                             due_date=dt.date(CYCLE_YEAR, 3, 1), towns=[world.renhua_county_town])
    assert_denied(campaign.get_absolute_url(), allowed=["province", "city_st", "city_rural", "renhua_st", "renhua_rural",
                                                        "renhua_county_town"])
    assert_denied(f"/api/v1/survey-campaigns/{campaign.pk}/", allowed=["province", "city_st", "city_rural", "renhua_st",
                                                                       "renhua_rural", "renhua_county_town"])


def test_profile_pages(world, login, assert_denied):
    town = world.renhua_county_town
    assert_denied(f"/needs/towns/{town.pk}/profile/", allowed=["province", "city_st", "city_rural", "renhua_st",
                                                               "renhua_rural", "renhua_county_town"])
    client = login("renhua_county_town")
    response = client.post(f"/needs/towns/{town.pk}/profile/edit/", {"population": "32000", "leading_industries": "贡柑",
                                                                     "contact_phone": "13800000000"})
    assert response.status_code == 302
    assert TownProfile.objects.get(town=town).population == 32000
    assert login("city_st").get(f"/needs/towns/{town.pk}/profile/edit/").status_code in (200, 302, 404)


def test_the_summary_counts_per_county_and_category(world, make_need, login):
    make_need()
    make_need(title="茶", category="茶叶")
    make_need(town=world.nanxiong_county_town)
    context = login("city_st").get("/needs/summary/").context
    assert {row["area_name"]: row["total"] for row in context["by_county"]} == {"仁化县": 2, "南雄市": 1}
    assert {row["category__name"]: row["total"] for row in context["by_category"]} == {"果树": 2, "茶叶": 1}
    context = login("renhua_st").get("/needs/summary/").context
    assert context["total"] == 2


def test_a_province_of_several_cities_counts_needs_per_city(world, make_need, login):
    from accounts.models import User
    from regions.models import City, County, Town, TownClassification

    make_need()
    make_need(town=world.nanxiong_county_town)
    qingyuan = City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    yingde = County.objects.create(city=qingyuan, code="441881", name="英德市")
    town = Town.objects.create(county=yingde, code="441881100", name="英城街道")
    TownClassification.objects.create(cycle=world.cycle, town=town, town_class="key", organizing_level="county")
    official = User.objects.create(username="yingde_st", role="county_st", county=yingde)
    make_need(town=town, title="英德红茶", actor=official)
    response = login("province").get("/needs/summary/")
    assert response.context["by_city"]
    assert {row["area_name"]: row["total"] for row in response.context["by_county"]} == {"韶关市": 2, "清远市": 1}
    assert "按地级市" in response.content.decode()
