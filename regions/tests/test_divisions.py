"""Loading the Shaoguan division codes and the demo's illustrative classes."""
import pytest

from cycles.models import Cycle
from regions.models import County, Town, TownClassification
from regions.services import divisions_load, town_kind_for


@pytest.mark.django_db
def test_it_loads_shaoguan_with_its_105_towns_and_without_statistical_units():
    result = divisions_load(city_code="4402")
    assert (result.counties, result.towns, result.skipped) == (10, 105, 7)
    assert County.objects.get(code="440224").name == "仁化县"
    assert Town.objects.get(code="440224111").name == "黄坑镇"
    assert Town.objects.get(code="440222204").kind == "township"
    assert not Town.objects.filter(name__contains="矿务局").exists()
    divisions_load(city_code="4402")
    assert Town.objects.count() == 105


def test_it_tells_statistical_units_from_towns():
    assert town_kind_for("440204401", "曲仁矿务局田螺冲管理区") is None
    assert town_kind_for("440232450", "天井山林场") is None
    assert town_kind_for("440203001", "新华街道") == "subdistrict"


@pytest.mark.django_db
def test_it_refuses_a_malformed_city_code():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        divisions_load(city_code="44AB")
    assert "4位数字" in error.value.messages[0]


@pytest.mark.django_db
def test_the_demo_has_two_cycles_and_19_city_key_towns_and_is_idempotent():
    from portal.demo import load_demo

    load_demo()
    load_demo()
    current = Cycle.objects.get(status="open")
    assert Cycle.objects.count() == 2
    assert TownClassification.objects.filter(cycle=current, organizing_level="city", town_class="key").count() == 19
    assert TownClassification.objects.filter(cycle=current).count() == 105
