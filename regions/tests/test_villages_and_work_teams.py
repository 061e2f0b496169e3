"""Villages added by a town's users; work teams edited by the town and its county."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regions.models import Village
from regions.services import village_create, work_team_save


def test_it_lets_a_town_user_add_a_village_through_the_api(world, login):
    response = login("renhua_county_town").post(
        "/api/v1/villages/", {"town": world.renhua_county_town.pk, "name": "董塘村"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Village.objects.get(name="董塘村").town == world.renhua_county_town


def test_it_refuses_a_village_in_another_town_and_saves_nothing(world, login):
    response = login("renhua_county_town").post(
        "/api/v1/villages/", {"town": world.nanxiong_county_town.pk, "name": "外村"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Village.objects.filter(name="外村").exists()


def test_it_refuses_a_team_user_adding_villages(world, login):
    response = login("leader").post(
        "/api/v1/villages/", {"town": world.renhua_county_town.pk, "name": "某村"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_it_names_the_empty_field_in_chinese(world):
    with pytest.raises(ValidationError) as error:
        village_create(actor=world["renhua_county_town"], town=world.renhua_county_town, name=" ")
    assert "name" in error.value.message_dict


def test_it_updates_the_work_team_and_rejects_a_bad_phone(world):
    team = work_team_save(actor=world["renhua_st"], town=world.renhua_county_town, leader_name="新队长")
    assert team.leader_name == "新队长"
    with pytest.raises(ValidationError) as error:
        work_team_save(actor=world["renhua_st"], town=world.renhua_county_town, contact_phone="12345")
    assert "contact_phone" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        work_team_save(actor=world["nanxiong_st"], town=world.renhua_county_town, leader_name="越权")
    team.refresh_from_db()
    assert team.leader_name == "新队长"


def test_a_town_user_adds_and_removes_work_team_members_on_its_page(world, login):
    from regions.models import WorkTeamMember

    town = world.renhua_county_town
    client = login("renhua_county_town")
    response = client.post(f"/regions/towns/{town.pk}/work-team/members/add/", {
        "name": "王五", "position": "队员", "unit": "仁化县农业农村局", "phone": "13800001111"})
    assert response.status_code == 302
    member = WorkTeamMember.objects.get(name="王五")
    assert "王五" in client.get(f"/regions/towns/{town.pk}/").content.decode()
    response = client.post(f"/regions/towns/{town.pk}/work-team/members/add/", {"name": "赵六", "phone": "123"})
    assert 'data-field="phone"' in response.content.decode()
    assert login("nanxiong_county_town").post(
        f"/regions/towns/{town.pk}/work-team/members/{member.pk}/remove/").status_code == 404
    login("renhua_county_town").post(f"/regions/towns/{town.pk}/work-team/members/{member.pk}/remove/")
    assert not WorkTeamMember.objects.filter(pk=member.pk).exists()
