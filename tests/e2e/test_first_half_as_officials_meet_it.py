"""Issue 14 in the browser: a county official is offered no steps on a city-organized town's need; the town submits
its survey on a phone without a cut-off button; the town sees its team on its home page."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_county_official_is_not_offered_steps_on_a_city_organized_towns_need(page_for, live_server, world):
    from needs.models import IndustryCategory
    from needs.services import need_create

    category = IndustryCategory.objects.get(name="果树")
    city_need = need_create(actor=world["renhua_city_town"], cycle=world.cycle, town=world.renhua_city_town,
                            title="黄坑镇贡柑提质", description="贡柑品质提升", category=category, service_types=["guidance"])
    county = page_for("renhua_st")
    county.goto(live_server.url + city_need.get_absolute_url())
    assert "黄坑镇贡柑提质" in county.inner_text("main")
    assert county.locator("[data-testid=action-confirm]").count() == 0
    assert county.locator("[data-testid=action-return]").count() == 0
    shot(county, "need-city-town-as-county")
    city = page_for("city_st")
    city.goto(live_server.url + city_need.get_absolute_url())
    assert city.locator("[data-testid=action-confirm]").count() == 1


def test_the_town_submits_its_survey_on_a_phone_and_sees_its_team(page_for, live_server, world):
    from matching.models import Pairing
    from needs.services import campaign_open
    from teams.models import TeamMembership
    from teams.tests.factories import make_commissioner

    from needs.models import IndustryCategory
    from needs.services import need_create

    campaign = campaign_open(actor=world["renhua_st"], cycle=world.cycle, title="仁化县需求调研",
                             due_date=timezone.localdate() + dt.timedelta(days=10), towns=[world.renhua_county_town])
    need_create(actor=world["renhua_county_town"], cycle=world.cycle, town=world.renhua_county_town, title="贡柑提质",
                description="贡柑品质提升", category=IndustryCategory.objects.get(name="果树"), service_types=["guidance"],
                campaign=campaign)
    from needs.services import profile_save

    profile_save(actor=world["renhua_county_town"], cycle=world.cycle, town=world.renhua_county_town)
    phone = page_for("renhua_county_town", width=390, height=844)
    phone.goto(live_server.url + campaign.get_absolute_url())
    button = phone.locator("[data-testid=town-submit] button")
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390  # whole, on screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "campaign-town-phone")
    button.click()
    phone.wait_for_selector("text=董塘镇的调研已提交。")
    assert phone.locator("[data-testid=town-submit]").count() == 0

    leader = make_commissioner(world.unit, name="黄志强")
    TeamMembership.objects.create(team=world.team, commissioner=leader, role="leader", cycle=world.cycle)
    Pairing.objects.create(cycle=world.cycle, town=world.renhua_county_town, team=world.team,
                           organizer_level="county", status="active")
    phone.goto(live_server.url + "/home/")
    card = phone.locator("[data-testid=town-team]")
    assert "柑橘团队" in card.inner_text() and "黄志强" in card.inner_text() and leader.phone in card.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "home-town-team-phone")
