"""Lists cost the same number of queries whatever their length (no query per row)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from needs.models import IndustryCategory, Need
from regions.models import Town, TownClassification


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def add_towns_and_needs(world, n, start):
    category = IndustryCategory.objects.first()
    for index in range(start, start + n):
        town = Town.objects.create(county=world.renhua, code="44022420%d" % index if index < 10 else "4402242%02d" % index,
                                   name="测试%d镇" % index)
        TownClassification.objects.create(cycle=world.cycle, town=town, town_class="consolidation", organizing_level="county")
        Need.objects.create(cycle=world.cycle, town=town, title="需求%d" % index, description="描述", category=category,
                            service_types=["guidance"], status="confirmed")


@pytest.mark.parametrize("url", ["/regions/towns/", "/needs/", "/regions/villages/", "/accounts/users/",
                                 "/matching/pairings/", "/needs/taxonomy/"])
def test_a_list_page_does_not_query_per_row(world, login, url):
    client = login("city_st")
    add_towns_and_needs(world, 2, 0)
    few = queries_for(client, url)
    add_towns_and_needs(world, 15, 20)
    many = queries_for(client, url)
    assert many == few, (url, few, many)
