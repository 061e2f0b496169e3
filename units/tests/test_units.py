"""Dispatching units and their credit codes."""
from core.china import make_credit_code
from units.models import DispatchingUnit


def test_it_rejects_an_invalid_credit_code_in_chinese(world, login):
    response = login("city_st").post("/api/v1/units/", {
        "name": "某研究所", "kind": "institute", "credit_code": "12440000455416301"[:17] + "9"},
        content_type="application/json")
    assert response.status_code == 400
    assert "统一社会信用代码" in response.content.decode()
    assert not DispatchingUnit.objects.filter(name="某研究所").exists()


def test_it_accepts_a_valid_credit_code(world, login):
    code = make_credit_code("91440200MA4UJ1234")
    response = login("city_st").post("/api/v1/units/", {"name": "某公司", "kind": "enterprise", "credit_code": code},
                                     content_type="application/json")
    assert response.status_code == 201, response.content


def test_it_shows_a_unit_user_only_its_own_unit(world, login):
    rows = login("unit").get("/api/v1/units/").json()["results"]
    assert [row["name"] for row in rows] == ["华南农业大学"]
    assert login("unit").get(f"/api/v1/units/{world.other_unit.pk}/").status_code == 404
    assert login("expert").get("/api/v1/units/").json()["count"] == 0


def test_it_refuses_a_team_leader_creating_units(world, login):
    response = login("leader").post("/api/v1/units/", {"name": "x", "kind": "other",
                                                       "credit_code": make_credit_code("91440200MA4UJ1235")},
                                    content_type="application/json")
    assert response.status_code == 403
