"""No hard deletes of records others depend on: the API and the admin ask the record, and say why not."""
from cycles.models import Cycle
from needs.models import IndustryCategory
from needs.services import need_create
from regions.models import TownClassification, Village
from units.models import DispatchingUnit


def test_a_cycle_is_never_deleted_through_the_api_and_its_town_classes_stay(world, login):
    classes = TownClassification.objects.filter(cycle=world.cycle).count()
    for name in ["city_st", "admin"]:
        response = login(name).delete(f"/api/v1/cycles/{world.cycle.pk}/")
        assert response.status_code == 403, name
        assert "不能删除" in response.json()["detail"]
    assert Cycle.objects.filter(pk=world.cycle.pk).exists()
    assert TownClassification.objects.filter(cycle=world.cycle).count() == classes == 4


def test_the_admin_offers_no_delete_of_a_cycle_nor_a_bulk_delete(world, login):
    client = login("admin")
    assert client.get(f"/admin/cycles/cycle/{world.cycle.pk}/delete/").status_code == 403
    response = client.post(f"/admin/cycles/cycle/{world.cycle.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and Cycle.objects.filter(pk=world.cycle.pk).exists()
    assert "delete_selected" not in client.get("/admin/cycles/cycle/").content.decode()


def test_units_are_neither_deleted_nor_renamed_by_officials_or_themselves(world, login):
    unit = world.unit
    # Units are shared by the province's cities: the city that registered one does not keep it.
    for name in ["renhua_st", "city_st"]:
        assert login(name).delete(f"/api/v1/units/{unit.pk}/").status_code == 404
        assert login(name).patch(f"/api/v1/units/{unit.pk}/", {"name": "改名"}, content_type="application/json"
                                 ).status_code == 404
    response = login("unit").delete(f"/api/v1/units/{unit.pk}/")
    assert response.status_code == 403 and "不能删除" in response.json()["detail"]
    response = login("unit").patch(f"/api/v1/units/{unit.pk}/", {"name": "改名大学"}, content_type="application/json")
    assert response.status_code == 400 and "请联系系统管理员" in response.content.decode()
    response = login("unit").patch(f"/api/v1/units/{unit.pk}/", {"contact_name": "李科长"},
                                   content_type="application/json")
    assert response.status_code == 200
    unit.refresh_from_db()
    assert unit.name == "华南农业大学" and unit.contact_name == "李科长"
    assert DispatchingUnit.objects.count() == 2


def test_the_unit_edit_page_keeps_name_and_credit_code(world, login):
    unit = world.unit
    response = login("unit").post(f"/units/{unit.pk}/edit/", {
        "name": "改名大学", "kind": "enterprise", "credit_code": world.other_unit.credit_code, "address": "广州市天河区",
        "contact_name": "", "contact_phone": ""})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "华南农业大学" and unit.kind == "university" and unit.address == "广州市天河区"
    assert login("city_st").get(f"/units/{unit.pk}/edit/").status_code == 404


def test_an_unused_village_may_go_a_used_one_stays(world, login):
    spare = Village.objects.create(town=world.renhua_county_town, name="误录村")
    used = Village.objects.create(town=world.renhua_county_town, name="夏富村")
    need_create(actor=world["renhua_st"], cycle=world.cycle, town=world.renhua_county_town, title="贡柑黄龙病防控",
                description="全镇贡柑受黄龙病影响", category=IndustryCategory.objects.get(name="果树"),
                service_types=["guidance"], villages=[used])
    assert login("nanxiong_county_town").delete(f"/api/v1/villages/{spare.pk}/").status_code == 404
    response = login("renhua_county_town").delete(f"/api/v1/villages/{used.pk}/")
    assert response.status_code == 403 and "已被需求引用" in response.json()["detail"]
    assert login("renhua_county_town").delete(f"/api/v1/villages/{spare.pk}/").status_code == 204
    assert list(Village.objects.values_list("name", flat=True)) == ["夏富村"]
