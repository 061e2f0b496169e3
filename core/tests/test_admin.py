"""The admin reads and writes through the scoping function too."""


def test_a_county_official_sees_only_the_countys_towns_in_the_admin(world, login):
    client = login("renhua_st")
    page = client.get("/admin/regions/town/").content.decode()
    assert "黄坑镇" in page and "董塘镇" in page and "百顺镇" not in page and "珠玑镇" not in page
    response = client.get(f"/admin/regions/town/{world.nanxiong_county_town.pk}/change/")
    assert response.status_code in (302, 404)
    assert "百顺镇" not in client.get("/admin/regions/town/?q=百顺").content.decode().split("result")[-1]


def test_a_county_official_cannot_change_a_town_class_in_the_admin(world, login):
    from regions.models import TownClassification

    row = TownClassification.objects.get(town=world.renhua_county_town)
    client = login("renhua_st")
    response = client.post(f"/admin/regions/townclassification/{row.pk}/change/", {
        "cycle": world.cycle.pk, "town": row.town_id, "town_class": "key", "organizing_level": "city", "note": ""})
    assert response.status_code in (302, 403)
    row.refresh_from_db()
    assert row.town_class == "consolidation"


def test_team_users_have_no_admin(world, login):
    response = login("leader").get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url
