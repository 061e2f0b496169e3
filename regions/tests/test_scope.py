"""The one scoping function, seen through the API: who sees which towns and counties."""
from core.scoping import CHANGE, VIEW, can, restrict
from regions.models import Town, TownClassification


def test_it_gives_a_renhua_official_404_for_a_nanxiong_town(world, login):
    client = login("renhua_st")
    assert client.get(f"/api/v1/towns/{world.renhua_county_town.pk}/").status_code == 200
    assert client.get(f"/api/v1/towns/{world.nanxiong_county_town.pk}/").status_code == 404


def test_it_lists_only_the_towns_of_each_scope(world, login):
    expected = {
        "city_st": {"黄坑镇", "董塘镇", "百顺镇", "珠玑镇"},
        "province": {"黄坑镇", "董塘镇", "百顺镇", "珠玑镇"},
        "renhua_st": {"黄坑镇", "董塘镇"},
        "nanxiong_rural": {"百顺镇", "珠玑镇"},
        "renhua_county_town": {"董塘镇"},
        "leader": set(),
        "unit": set(),
        "expert": set(),
    }
    for name, towns in expected.items():
        data = login(name).get("/api/v1/towns/").json()
        assert {row["name"] for row in data["results"]} == towns, name
        assert data["count"] == len(towns), name


def test_it_shows_a_towns_class_and_level_for_the_cycle(world, login):
    row = login("renhua_st").get(f"/api/v1/towns/{world.renhua_city_town.pk}/?cycle={world.cycle.pk}").json()
    assert row["classifications"][0]["town_class_display"] == "重点帮扶镇"
    assert row["classifications"][0]["organizing_level_display"] == "市级组团"


def test_it_lets_only_the_city_change_a_town_class(world):
    row = TownClassification.objects.get(town=world.renhua_county_town)
    assert can(world["city_st"], row, CHANGE)
    assert not can(world["renhua_st"], row, CHANGE)
    assert can(world["renhua_st"], row, VIEW)
    assert not can(world["nanxiong_st"], row, VIEW)


def test_it_denies_a_town_record_to_everyone_outside_its_county(world, assert_denied):
    assert_denied(
        f"/api/v1/towns/{world.nanxiong_county_town.pk}/",
        allowed=["province", "city_st", "city_rural", "nanxiong_st", "nanxiong_rural", "nanxiong_county_town"],
    )


def test_it_shows_nothing_to_anonymous_users(world, client):
    assert client.get("/api/v1/towns/").status_code in (401, 403)
    assert restrict(Town.objects.all(), None).count() == 0


def test_it_refuses_a_county_official_editing_a_class_through_the_api(world, login):
    row = TownClassification.objects.get(town=world.renhua_county_town)
    response = login("renhua_st").patch(
        f"/api/v1/town-classifications/{row.pk}/", {"town_class": "key"}, content_type="application/json"
    )
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.town_class == "consolidation"
