"""An edit checks everything a create checks: no village of another town through the page or the API."""
from needs.models import Need
from regions.models import Village


def test_a_patch_cannot_attach_a_village_of_another_county(world, login, make_need):
    need = make_need()
    ours = Village.objects.create(town=world.renhua_county_town, name="夏富村")
    theirs = Village.objects.create(town=world.nanxiong_county_town, name="珠玑村")
    client = login("renhua_st")
    response = client.patch(f"/api/v1/needs/{need.pk}/", {"villages": [theirs.pk]}, content_type="application/json")
    assert response.status_code == 400 and "行政村不属于该镇：珠玑村" in response.content.decode()
    assert not Need.objects.get(pk=need.pk).villages.exists()
    response = client.patch(f"/api/v1/needs/{need.pk}/", {"villages": [ours.pk]}, content_type="application/json")
    assert response.status_code == 200
    assert list(Need.objects.get(pk=need.pk).villages.values_list("name", flat=True)) == ["夏富村"]


def test_the_service_refuses_to_move_a_need_to_another_town(world, make_need):
    import pytest
    from django.core.exceptions import ValidationError

    from needs.services import need_update

    need = make_need()
    with pytest.raises(ValidationError) as error:
        need_update(actor=world["renhua_st"], need=need, town=world.nanxiong_county_town)
    assert "不能修改" in str(error.value)
    assert Need.objects.get(pk=need.pk).town_id == world.renhua_county_town.pk


def test_a_patch_that_moves_a_need_is_refused_by_name_not_ignored(world, login, make_need):
    need = make_need()
    client = login("renhua_st")
    response = client.patch(f"/api/v1/needs/{need.pk}/", {"town": world.renhua_city_town.pk},
                            content_type="application/json")
    assert response.status_code == 400 and "不能修改" in response.content.decode()
    # Sending the unchanged town (a client that PUTs back what it read) is fine.
    same = client.patch(f"/api/v1/needs/{need.pk}/", {"town": world.renhua_county_town.pk, "title": "新标题"},
                        content_type="application/json")
    assert same.status_code == 200
    assert Need.objects.get(pk=need.pk).town_id == world.renhua_county_town.pk
