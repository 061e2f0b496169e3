"""The commissioner registry: ID numbers validated, sealed, masked, revealed only to handlers and logged."""
from core.models import SensitiveAccess
from teams.models import Commissioner
from teams.tests.factories import id_number, make_commissioner

FORM = {"name": "李建华", "gender": "male", "phone": "13800138000", "title": "副教授", "title_level": "associate",
        "education": "doctor", "specialty": "果树学", "expertise_keywords": "柑橘、黄龙病", "bio": ""}


def test_it_registers_a_commissioner_with_the_id_number_sealed_and_masked(world, login):
    number = id_number(1)
    client = login("unit")
    response = client.post("/teams/commissioners/new/", {**FORM, "id_number": number, "unit": world.unit.pk})
    assert response.status_code == 302, response.content.decode()
    person = Commissioner.objects.get(name="李建华")
    assert number not in person.id_number_sealed and person.id_number == number
    assert person.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    # Neither the number nor its masked form is in the list; the detail shows it masked.
    listing = client.get("/teams/commissioners/").content.decode()
    assert "李建华" in listing and number not in listing and person.id_number_masked not in listing
    detail = client.get(person.get_absolute_url()).content.decode()
    assert person.id_number_masked in detail and number not in detail
    assert number not in str(list(person.history.values_list("id_number_sealed", "id_number_masked")))


def test_it_rejects_an_invalid_and_a_duplicate_id_number(world, login):
    client = login("unit")
    bad = id_number(2)[:-1] + ("0" if id_number(2)[-1] != "0" else "1")
    page = client.post("/teams/commissioners/new/", {**FORM, "id_number": bad, "unit": world.unit.pk}).content.decode()
    assert "身份证号码校验位不正确" in page
    make_commissioner(world.unit, name="王芳")
    existing = Commissioner.objects.get(name="王芳").id_number
    page = client.post("/teams/commissioners/new/", {**FORM, "id_number": existing.lower(),
                                                     "unit": world.unit.pk}).content.decode()
    assert "该身份证号码已在特派员库中登记" in page
    assert Commissioner.objects.count() == 1


def test_a_unit_cannot_register_people_of_another_unit(world, login):
    page = login("unit").post("/teams/commissioners/new/", {**FORM, "id_number": id_number(3),
                                                            "unit": world.other_unit.pk}).content.decode()
    assert "选择一个有效的选项" in page or "派出单位只能登记本单位人员" in page
    assert not Commissioner.objects.exists()


def test_it_reveals_the_full_number_only_to_the_person_and_logs_others(world, login, client):
    person = make_commissioner(world.unit, user=world["member"])
    number = person.id_number
    url = person.get_absolute_url() + "?reveal=id_number"
    # The dispatching unit keeps the record but handles no case: masked, and no reveal is logged.
    page = login("unit").get(url).content.decode()
    assert number not in page and person.id_number_masked in page
    assert not SensitiveAccess.objects.filter(field="id_number").exists()
    client.logout()
    assert number in login("member").get(url).content.decode()
    client.logout()
    # The city reads the registry but handles no case of this person: masked, nothing logged.
    page = login("city_rural").get(url).content.decode()
    assert number not in page and person.id_number_masked in page
    assert not SensitiveAccess.objects.filter(field="id_number").exists()


def test_it_hides_a_person_from_other_teams_and_units(world, assert_denied):
    person = make_commissioner(world.unit)
    assert_denied(person.get_absolute_url(), allowed=["unit", "province", "city_st", "city_rural", "renhua_st",
                                                      "renhua_rural", "nanxiong_st", "nanxiong_rural"])


def test_the_api_masks_id_numbers(world, login):
    person = make_commissioner(world.unit)
    data = login("unit").get("/api/v1/commissioners/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert rows[0]["id_number"] == person.id_number_masked
    assert person.id_number not in str(data)
    client = login("other_leader")
    assert client.get("/api/v1/commissioners/%d/" % person.pk).status_code == 404


def test_the_registry_export_says_yes_or_no_in_chinese(world, login):
    import io

    import openpyxl

    make_commissioner(world.unit, name="王核验")
    response = login("city_st").get("/teams/commissioners/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("账号已核验")
    assert {row[column] for row in rows[1:]} <= {"是", "否"}
    assert not any(isinstance(value, bool) for row in rows[1:] for value in row)
