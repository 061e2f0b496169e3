"""The shell's pages: each loads for the roles that use it, respects scope, filters and exports."""
import io

import openpyxl
import pytest

PAGES = {
    "/home/": None,
    "/inbox/": None,
    "/overview/": None,
    "/cycles/": None,
    "/regions/counties/": ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural"],
    "/regions/towns/": ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural",
                        "renhua_city_town", "renhua_county_town", "nanxiong_city_town", "nanxiong_county_town"],
    "/regions/villages/": ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st",
                           "nanxiong_rural", "renhua_city_town", "renhua_county_town", "nanxiong_city_town",
                           "nanxiong_county_town"],
    "/units/": ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural",
                "unit", "leader", "member", "other_leader"],
    "/accounts/users/": ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st",
                         "nanxiong_rural", "unit"],
}


@pytest.mark.parametrize("url", PAGES)
def test_each_page_loads_for_its_roles_and_is_denied_to_others(world, assert_denied, url):
    allowed = PAGES[url]
    if allowed is None:
        from portal.testing import ALL_USERS

        allowed = ALL_USERS
    assert_denied(url, allowed=allowed)


def test_it_redirects_anonymous_users_to_login(world, client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_landing_page_is_public_and_chinese(db, client):
    page = client.get("/").content.decode()
    assert "韶关市农村科技特派员驻镇帮镇扶村" in page and "技术指导" in page


def test_the_town_list_filters_by_class_and_searches(world, login):
    client = login("city_st")
    page = client.get("/regions/towns/?organizing_level=city").content.decode()
    assert "黄坑镇" in page and "百顺镇" in page and "董塘镇" not in page
    page = client.get("/regions/towns/?q=珠玑").content.decode()
    assert "珠玑镇" in page and "黄坑镇" not in page
    assert "共 1 条" in page


def test_the_export_holds_exactly_the_filtered_rows_in_scope(world, login):
    response = login("renhua_st").get("/regions/towns/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "镇（乡、街道）"
    assert sorted(row[0] for row in rows[1:]) == ["董塘镇", "黄坑镇"]
    assert rows[1][4] in {"重点帮扶镇", "巩固提升镇"}


def test_the_column_choice_hides_unchosen_columns(world, login):
    response = login("city_st").get("/regions/towns/?cols=code")
    shown = [column.name for column in response.context["table"].columns]
    assert shown == ["name", "code"]
    assert "440224111" in response.content.decode()


def test_a_county_official_gets_404_for_another_countys_town_page(world, login):
    assert login("renhua_st").get(f"/regions/towns/{world.nanxiong_county_town.pk}/").status_code == 404
    assert login("renhua_st").get(f"/regions/towns/{world.renhua_county_town.pk}/").status_code == 200


def test_the_town_page_shows_its_history_tab(world, login):
    from regions.services import work_team_save

    work_team_save(actor=world["renhua_st"], town=world.renhua_county_town, leader_name="李队长")
    page = login("renhua_county_town").get(f"/regions/towns/{world.renhua_county_town.pk}/?tab=history")
    assert page.status_code == 200


def test_the_city_overview_counts_towns_by_class_and_level(world, login):
    overview = login("city_st").get("/overview/").context["overview"]
    renhua = next(row for row in overview["rows"] if row["county"].name == "仁化县")
    labels = overview["columns"]
    assert renhua["cells"][labels.index("重点帮扶镇")] == 1
    assert renhua["cells"][labels.index("市级组团")] == 1
    assert overview["total"] == 4
    county_view = login("renhua_st").get("/overview/").context["overview"]
    assert [row["county"].name for row in county_view["rows"]] == ["仁化县"]


def test_an_unset_status_filter_reads_all(world, login):
    page = login("renhua_st").get("/needs/").content.decode()
    assert ">全部</option>" in page and "---------" not in page


def test_a_province_overview_has_a_row_per_city_and_links_to_its_towns(world, login):
    """A province sees 20 cities, not 120 counties: the table does not grow with the towns below."""
    from regions.models import City, County, Town, TownClassification

    qingyuan = City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    yingde = County.objects.create(city=qingyuan, code="441881", name="英德市")
    town = Town.objects.create(county=yingde, code="441881100", name="英城街道")
    TownClassification.objects.create(cycle=world.cycle, town=town, town_class="key", organizing_level="county")
    client = login("province")
    overview = client.get("/overview/").context["overview"]
    assert overview["by_city"] and [row["county"].name for row in overview["rows"]] == ["韶关市", "清远市"]
    assert [row["total"] for row in overview["rows"]] == [4, 1] and overview["total"] == 5
    page = client.get("/overview/").content.decode()
    assert "各地级市帮扶镇概况" in page and "?city=%d" % qingyuan.pk in page
    towns = client.get("/regions/towns/?city=%d" % qingyuan.pk).content.decode()
    assert "英城街道" in towns and world.renhua_county_town.name not in towns
    assert not login("city_st").get("/overview/").context["overview"]["by_city"]
