"""The deadline dashboard: figures per organizer against the dispatch deadline, in the page and the API, scoped."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Pairing
from registrations import services
from registrations.selectors import deadline_dashboard
from registrations.tests.factories import cleared_pairing
from regions.models import Town, TownClassification
from teams.models import Team
from portal.testing import CYCLE_YEAR

BEFORE = dt.date(CYCLE_YEAR, 3, 1)  # the world's dispatch deadline is CYCLE_YEAR-03-31
AFTER = dt.date(CYCLE_YEAR, 4, 2)


def _town(world, county, code, name, level):
    town = Town.objects.create(county=county, code=code, name=name)
    TownClassification.objects.create(cycle=world.cycle, town=town, organizing_level=level,
                                      town_class="key" if level != "none" else "none")
    return town


def _team(world, name):
    return Team.objects.create(cycle=world.cycle, name=name, lead_unit=world.unit)


@pytest.fixture
def progress(world):
    """黄坑镇 active, 百顺镇 on notice, 董塘镇 cleared, 珠玑镇 proposed, a province town (南雄) recorded, one not organized."""
    province_town = _town(world, world.nanxiong, "440282101", "雄州街道", "province")
    _town(world, world.nanxiong, "440282102", "不组织镇", "none")
    cleared_pairing(world, world.renhua_city_town, world.team, "city", status="active")
    cleared_pairing(world, world.nanxiong_city_town, world.other_team, "city", status="on_notice")
    cleared_pairing(world, world.renhua_county_town, _team(world, "茶树团队"), "county")
    cleared_pairing(world, world.nanxiong_county_town, _team(world, "生猪团队"), "county", status="proposed")
    cleared_pairing(world, world.nanxiong_county_town, _team(world, "被更换团队"), "county", status="replaced")
    services.province_team_record(actor=world["city_st"], cycle=world.cycle, town=province_town,
                                  team=_team(world, "省派水稻团队"), comment="粤科函〔2025〕5号选派")
    return province_town


def figures(dashboard):
    return {row.name: (row.to_cover, row.proposed, row.on_notice, row.cleared, row.registered, row.uncovered, row.late)
            for row in dashboard.rows}


def test_it_counts_each_town_for_the_level_that_organizes_it(world, progress):
    dashboard = deadline_dashboard(user=world["city_st"], cycle=world.cycle, today=BEFORE)
    assert (dashboard.days_left, dashboard.overdue) == (30, False)
    assert figures(dashboard) == {
        "韶关市（市级组织）": (3, 0, 1, 0, 2, 0, 0),
        "仁化县": (1, 0, 0, 1, 0, 0, 0),
        "南雄市": (1, 1, 0, 0, 0, 0, 0),
    }
    assert dashboard.late_towns == []
    assert [(t["town"], t["team"], t["status"]) for t in dashboard.province_towns] == [("雄州街道", "省派水稻团队", "active")]


def test_a_province_of_several_cities_gets_one_row_per_city(world, progress):
    """Each city's row holds all its organizers' towns, named after that city (not the first city's name)."""
    from regions.models import City, County

    qingyuan = City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    _town(world, County.objects.create(city=qingyuan, code="441881", name="英德市"), "441881100", "英城街道", "county")
    dashboard = deadline_dashboard(user=world["province"], cycle=world.cycle, today=BEFORE)
    assert figures(dashboard) == {"韶关市": (5, 1, 1, 1, 2, 0, 0), "清远市": (1, 0, 0, 0, 0, 1, 0)}
    assert [row.city_id for row in dashboard.rows] == [world.city.pk, qingyuan.pk]
    assert "韶关市（市级组织）" in figures(deadline_dashboard(user=world["city_st"], cycle=world.cycle, today=BEFORE))


def test_after_the_deadline_every_town_not_registered_is_late(world, progress):
    Pairing.objects.filter(town=world.nanxiong_county_town, status="proposed").update(status="replaced")
    dashboard = deadline_dashboard(user=world["city_st"], cycle=world.cycle, today=AFTER)
    assert (dashboard.days_left, dashboard.overdue) == (-2, True)
    assert figures(dashboard) == {
        "韶关市（市级组织）": (3, 0, 1, 0, 2, 0, 1),
        "仁化县": (1, 0, 0, 1, 0, 0, 1),
        "南雄市": (1, 0, 0, 0, 0, 1, 1),
    }
    assert [t["town"] for t in dashboard.late_towns] == ["董塘镇", "珠玑镇", "百顺镇"]


def test_a_county_sees_only_its_own_row(world, progress):
    dashboard = deadline_dashboard(user=world["renhua_st"], cycle=world.cycle, today=AFTER)
    assert figures(dashboard) == {"仁化县": (1, 0, 0, 1, 0, 0, 1)}
    assert [t["town"] for t in dashboard.late_towns] == ["董塘镇"] and dashboard.province_towns == []


def test_the_figures_take_the_same_queries_however_many_towns(world, progress):
    with CaptureQueriesContext(connection) as few:
        deadline_dashboard(user=world["city_st"], cycle=world.cycle, today=AFTER)
    for number in range(12):
        town = _town(world, world.renhua, "4402241%02d" % (50 + number), "新镇%d" % number, "county")
        cleared_pairing(world, town, _team(world, "新团队%d" % number), "county", status="active")
    with CaptureQueriesContext(connection) as many:
        dashboard = deadline_dashboard(user=world["city_st"], cycle=world.cycle, today=AFTER)
    assert len(many) == len(few)
    assert figures(dashboard)["仁化县"] == (13, 0, 0, 1, 12, 0, 1)


def test_the_page_and_the_api_show_the_same_figures_with_late_items_in_red(world, progress, login, client):
    page = login("city_st").get("/registrations/dashboard/?cycle=%d" % world.cycle.pk).content.decode()
    assert f"选派完成期限：{CYCLE_YEAR}-03-31" in page and "已逾期" in page  # the test clock is past the deadline
    assert '<td class="text-danger fw-bold">1</td>' in page
    assert "韶关市（市级组织）" in page and "仁化县" in page and "南雄市" in page
    assert "雄州街道" in page and "省派水稻团队" in page
    data = client.get("/api/v1/registration-dashboard/?cycle=%d" % world.cycle.pk).json()
    assert data["dispatch_deadline"] == f"{CYCLE_YEAR}-03-31" and data["overdue"] is True
    assert {row["name"]: [row[k] for k in ("to_cover", "proposed", "on_notice", "cleared", "registered", "uncovered", "late")]
            for row in data["rows"]} == {"韶关市（市级组织）": [3, 0, 1, 0, 2, 0, 1], "仁化县": [1, 0, 0, 1, 0, 0, 1],
                                        "南雄市": [1, 1, 0, 0, 0, 0, 1]}
    client.logout()
    page = login("renhua_st").get("/registrations/dashboard/").content.decode()
    assert "仁化县" in page and "南雄市" not in page and "韶关市（市级组织）" not in page
    assert [row["name"] for row in client.get("/api/v1/registration-dashboard/").json()["rows"]] == ["仁化县"]


def test_teams_towns_units_and_experts_are_denied_the_dashboard(world, assert_denied):
    officials = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural"]
    assert_denied("/registrations/dashboard/", allowed=officials)
    assert_denied("/api/v1/registration-dashboard/", allowed=officials)


def test_only_the_city_records_a_team_for_a_province_organized_town(world, progress, login):
    spare = _team(world, "备用团队")
    with pytest.raises(PermissionDenied):
        services.province_team_record(actor=world["nanxiong_st"], cycle=world.cycle, town=progress, team=spare)
    with pytest.raises(ValidationError) as error:
        services.province_team_record(actor=world["city_st"], cycle=world.cycle, town=world.renhua_county_town,
                                      team=spare)
    assert error.value.message_dict["town"] == ["“董塘镇”在本周期不是省级组团帮扶镇。"]
    with pytest.raises(ValidationError) as error:
        services.province_team_record(actor=world["city_st"], cycle=world.cycle, town=progress, team=world.team)
    assert error.value.message_dict == {"town": ["“雄州街道”本周期已有结对团队“省派水稻团队”。"],
                                        "team": ["团队“柑橘团队”本周期已与“黄坑镇”结对，一个团队只能结对一个镇。"]}
    other = _town(world, world.renhua, "440224103", "丹霞街道", "province")
    client = login("city_st")
    page = client.post("/registrations/province-teams/new/?cycle=%d" % world.cycle.pk,
                       {"town": other.pk, "team": "不存在的团队", "status": "registered", "comment": ""}).content.decode()
    assert "本周期没有名为“不存在的团队”的未结对团队，请核对团队名称。" in page
    page = client.post("/registrations/province-teams/new/?cycle=%d" % world.cycle.pk,
                       {"town": other.pk, "team": world.team.name, "status": "registered", "comment": ""}).content.decode()
    assert "本周期没有名为“柑橘团队”的未结对团队" in page  # already paired with 黄坑镇
    response = client.post("/registrations/province-teams/new/?cycle=%d" % world.cycle.pk,
                           {"town": other.pk, "team": " 备用团队 ", "status": "registered", "comment": ""})
    assert response.status_code == 302
    pairing = Pairing.objects.get(town=other)
    assert (pairing.organizer_level, pairing.status, pairing.team) == ("province", "registered", spare)
    assert "丹霞街道" in client.get("/registrations/dashboard/").content.decode()
