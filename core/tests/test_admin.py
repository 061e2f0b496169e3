"""/admin/ is for system administrators only; for them it still reads through the scoping function."""
import pytest

OFFICIALS_AND_OTHERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "renhua_county_town",
                        "leader", "member", "unit", "expert"]


@pytest.mark.parametrize("name", OFFICIALS_AND_OTHERS)
def test_nobody_but_the_system_administrator_enters_the_admin(world, login, name):
    client = login(name)
    for url in ["/admin/", "/admin/regions/town/", f"/admin/accounts/user/{world[name].pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url, (name, url)


def test_the_administrator_reads_every_town_in_the_admin(world, login):
    page = login("admin").get("/admin/regions/town/").content.decode()
    assert all(name in page for name in ["黄坑镇", "董塘镇", "百顺镇", "珠玑镇"])


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


def test_a_signed_in_official_is_told_the_admin_is_not_for_them(world, login):
    response = login("renhua_st").get("/admin/", follow=True)
    assert response.status_code == 403 and "仅限系统管理员" in response.content.decode()
