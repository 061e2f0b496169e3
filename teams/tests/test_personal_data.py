"""Personal data: full ID numbers only to the person and the officials handling a submitted application;
phones to those handling or keeping the record and to the town of an active pairing; masked elsewhere."""
import pytest

from calls import services as call_services
from calls.tests.factories import complete_application, make_call, staff_team
from core.china import mask_phone
from core.models import SensitiveAccess
from matching.models import Pairing
from teams.tests.factories import make_commissioner


@pytest.fixture
def case(world):
    """The 柑橘团队 with its leader (the `leader` user) and two members, applying to 仁化县's call (a draft)."""
    leader = staff_team(world)
    call = make_call(world)
    application = complete_application(world, call)
    return {"leader": leader, "call": call, "application": application,
            "member": world.team.memberships.exclude(role="leader").first().commissioner}


def _reveal(client, person):
    return client.get(person.get_absolute_url() + "?reveal=id_number").content.decode()


def test_a_draft_application_reveals_nothing_to_the_organizer(world, login, case):
    person = case["member"]
    page = _reveal(login("renhua_st"), person)
    assert person.id_number not in page and person.id_number_masked in page
    assert "查看完整号码" not in page
    assert not SensitiveAccess.objects.filter(field="id_number").exists()


def test_the_organizer_handling_a_submitted_application_reveals_it_and_is_logged(world, login, case):
    call_services.application_submit(actor=world["leader"], application=case["application"])
    person = case["member"]
    assert person.id_number in _reveal(login("renhua_st"), person)
    assert SensitiveAccess.objects.filter(user=world["renhua_st"], object_id=str(person.pk),
                                          field="id_number").count() == 1
    # Another county, the city's rural bureau and the dispatching unit handle no case of this person.
    for name in ["nanxiong_st", "city_rural", "unit", "leader"]:
        page = _reveal(login(name), person)
        assert person.id_number not in page, name
    assert SensitiveAccess.objects.filter(field="id_number").count() == 1


def test_phones_are_masked_for_officials_with_no_case(world, login, case):
    person = case["member"]
    for name in ["nanxiong_st", "city_rural", "province", "renhua_st"]:
        page = login(name).get(person.get_absolute_url()).content.decode()
        assert person.phone not in page and mask_phone(person.phone) in page, name
    call_services.application_submit(actor=world["leader"], application=case["application"])
    page = login("renhua_st").get(person.get_absolute_url()).content.decode()
    assert person.phone in page
    assert SensitiveAccess.objects.filter(user=world["renhua_st"], field="phone").count() == 1


def test_a_member_account_named_after_the_phone_is_masked_with_it(world, login, case):
    person = make_commissioner(world.unit, user=world["member"])
    world["member"].username = "tp" + person.phone
    world["member"].save()
    page = login("nanxiong_st").get(person.get_absolute_url()).content.decode()
    assert person.phone not in page and "tp" + mask_phone(person.phone) in page


def test_the_record_keepers_see_the_phone(world, login, case):
    person = case["member"]
    for name in ["unit", "leader"]:
        assert person.phone in login(name).get(person.get_absolute_url()).content.decode(), name


def test_the_town_of_an_active_pairing_sees_its_team_and_their_phones(world, login, case):
    person = case["member"]
    town_user = "renhua_county_town"
    assert login(town_user).get(person.get_absolute_url()).status_code == 404
    pairing = Pairing.objects.create(cycle=world.cycle, town=world.renhua_county_town, team=world.team,
                                     organizer_level="county", status="registered")
    assert login(town_user).get(person.get_absolute_url()).status_code == 404
    Pairing.objects.filter(pk=pairing.pk).update(status="active")
    page = login(town_user).get(person.get_absolute_url()).content.decode()
    assert person.phone in page and person.id_number not in page
    # Another town, even in the same county, does not.
    assert login("renhua_city_town").get(person.get_absolute_url()).status_code == 404


def test_the_api_never_shows_full_numbers_or_phones(world, login, case):
    call_services.application_submit(actor=world["leader"], application=case["application"])
    person = case["member"]
    for name in ["renhua_st", "city_st", "unit", "leader"]:
        body = login(name).get("/api/v1/commissioners/?page_size=200").content.decode()
        assert person.id_number not in body and person.phone not in body, name


def test_the_change_history_never_shows_a_phone_in_full(world, login, case):
    from teams.services import commissioner_update

    person = case["member"]
    old = person.phone
    commissioner_update(actor=world["unit"], commissioner=person, phone="13812345678")
    for name in ["nanxiong_st", "province", "unit"]:
        body = login(name).get(f"/api/v1/commissioners/{person.pk}/history/").content.decode()
        assert "13812345678" not in body and old not in body, name
        assert "138****5678" in body, name
    page = login("nanxiong_st").get(person.get_absolute_url() + "?tab=history").content.decode()
    assert "13812345678" not in page
