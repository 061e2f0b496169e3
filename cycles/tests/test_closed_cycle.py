"""A closed cycle's records are read-only, through every path (pages, API, services): nothing is created or edited
in it, with the cycle named in the message."""
import datetime as dt
import json

import pytest

from cycles.models import Cycle
from needs.models import IndustryCategory, Need, SurveyCampaign, TownProfile
from regions.models import TownClassification

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(world):
    cycle = Cycle.objects.create(name="第一批（已结束）", status=Cycle.Status.CLOSED, start_date=dt.date(2021, 12, 1),
                                 end_date=dt.date(2024, 11, 30), dispatch_deadline=dt.date(2021, 12, 31))
    row = TownClassification.objects.create(cycle=cycle, town=world.renhua_county_town, town_class="consolidation",
                                            organizing_level="county")
    return cycle, row


def _refused(response, field="cycle"):
    assert response.status_code == 400, response.content
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "已结束" in body and "只读" in body


def test_the_api_creates_nothing_in_a_closed_cycle(world, closed, login):
    cycle, _row = closed
    category = IndustryCategory.objects.create(name="种植", order=1)
    town = login("renhua_county_town")
    _refused(town.post("/api/v1/needs/", {"cycle": cycle.pk, "town": world.renhua_county_town.pk, "title": "旧周期需求",
                                          "description": "说明", "category": category.pk,
                                          "service_types": ["guidance"]}, content_type="application/json"))
    _refused(town.post("/api/v1/town-profiles/", {"cycle": cycle.pk, "town": world.renhua_county_town.pk},
                       content_type="application/json"))
    county = login("renhua_st")
    _refused(county.post("/api/v1/survey-campaigns/", {"cycle": cycle.pk, "title": "旧调研", "organizer_level": "county",
                                                       "county": world.renhua.pk, "due_date": "2024-11-01",
                                                       "towns": [world.renhua_county_town.pk]},
                         content_type="application/json"))
    assert not Need.objects.filter(cycle=cycle).exists()
    assert not TownProfile.objects.filter(cycle=cycle).exists()
    assert not SurveyCampaign.objects.filter(cycle=cycle).exists()


def test_a_closed_cycles_town_class_is_not_edited(world, closed, login):
    _cycle, row = closed
    history = row.history.count()
    response = login("city_st").patch(f"/api/v1/town-classifications/{row.pk}/",
                                      {"town_class": "key", "organizing_level": "city"}, content_type="application/json")
    _refused(response)
    row.refresh_from_db()
    assert (row.town_class, row.organizing_level) == ("consolidation", "county")
    assert row.history.count() == history


def test_the_open_cycle_is_untouched_by_the_rule(world, login):
    row = TownClassification.objects.get(cycle=world.cycle, town=world.renhua_county_town)
    response = login("city_st").patch(f"/api/v1/town-classifications/{row.pk}/", {"note": "核定"},
                                      content_type="application/json")
    assert response.status_code == 200


def test_a_closed_cycles_record_page_offers_no_edit_and_says_why(world, closed, login):
    import datetime as dt

    from calls.models import Call

    cycle, _row = closed
    call = Call.objects.create(cycle=cycle, title="旧征集", organizer_level="county", city=world.city, county=world.renhua,
                               open_date=dt.date(2022, 1, 1), close_date=dt.date(2022, 1, 31), status="published")
    page = login("renhua_st").get(call.get_absolute_url()).content.decode()
    assert 'data-testid="read-only"' in page and "已结束" in page
    assert "变更或延期" not in page and "添加附件" not in page and 'data-testid="action-cancel"' not in page
