"""Escalation found by the security test, kept closed: self-promotion, cross-scope accounts, passwords set by others."""
import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Notification, User
from accounts.services import user_create
from regions.models import City, County, Town

OFFICIAL_NAMES = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural"]


@pytest.fixture
def qingyuan(db):
    """A second city with a county and a town, outside every 韶关 official's scope."""
    city = City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    county = County.objects.create(city=city, code="441881", name="英德市")
    town = Town.objects.create(county=county, code="441881101", name="英城街道", kind="subdistrict")
    return {"city": city, "county": county, "town": town}


@pytest.mark.parametrize("name", OFFICIAL_NAMES)
def test_officials_are_not_staff_whatever_is_ticked(world, name):
    user = world[name]
    user.is_staff = True
    user.save()
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert world["admin"].is_staff and world["admin"].is_superuser


def test_an_official_cannot_make_themself_superuser_in_the_admin(world, login):
    me = world["renhua_rural"]
    client = login("renhua_rural")
    response = client.post(f"/admin/accounts/user/{me.pk}/change/", {
        "username": me.username, "role": "admin", "is_superuser": "on", "is_staff": "on", "is_active": "on",
        "full_name": me.full_name, "county": me.county_id})
    assert response.status_code == 302 and "/admin/login/" in response.url
    me.refresh_from_db()
    assert not me.is_superuser and me.role == "county_rural"


def test_an_administrator_cannot_change_their_own_role_scope_or_flags_in_the_admin(world, login):
    me = world["admin"]
    page = login("admin").get(f"/admin/accounts/user/{me.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="role"' not in page and 'name="is_active"' not in page
    other = login("admin").get(f"/admin/accounts/user/{world['renhua_st'].pk}/change/").content.decode()
    # Another's role is edited; the flags follow the role, never ticked by hand.
    assert 'name="is_superuser"' not in other and 'name="is_staff"' not in other and 'name="role"' in other


def test_the_role_decides_the_superuser_flag(world, login):
    """An official ticked superuser (or set to administrator and back) is no superuser: /admin/ stays closed."""
    user = world["city_rural"]
    user.is_superuser = True
    user.save()
    user.refresh_from_db()
    assert not user.is_superuser and not user.is_staff
    user.role = "admin"
    user.save()
    assert user.is_superuser
    user.role = "city_rural"
    user.save()
    user.refresh_from_db()
    assert not user.is_superuser and not user.is_staff
    assert login("city_rural").get("/admin/").status_code == 302


def test_the_admin_shows_no_api_tokens_and_deletes_no_account(world, login):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=world["leader"])
    admin_client = login("admin")
    assert admin_client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert Token.objects.get(user=world["leader"]).key not in admin_client.get("/admin/").content.decode()
    response = admin_client.get(f"/admin/accounts/user/{world['leader'].pk}/delete/")
    assert response.status_code == 403
    assert Token.objects.get(user=world["leader"]).key not in response.content.decode()


def test_a_password_set_in_the_admin_must_be_changed_and_is_announced(world, login):
    target = world["renhua_county_town"]
    response = login("admin").post(f"/admin/accounts/user/{target.pk}/password/", {
        "password1": "Shaoguan#2026a", "password2": "Shaoguan#2026a", "usable_password": "true"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Shaoguan#2026a") and target.must_change_password
    assert Notification.objects.filter(recipient=target, title="您的密码已被重置").count() == 1


def test_a_password_reset_on_the_page_must_be_changed_and_is_announced(world, login):
    target = world["renhua_county_town"]
    response = login("renhua_st").post(f"/accounts/users/{target.pk}/reset-password/")
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.must_change_password
    note = Notification.objects.get(recipient=target)
    assert "为您设置了新密码" in note.body


def test_peers_and_superiors_passwords_are_not_reset(world, login):
    # A county S&T official manages towns and experts, not the county's rural bureau nor the city.
    client = login("renhua_st")
    for name in ["renhua_rural", "city_st", "nanxiong_county_town"]:
        assert client.post(f"/api/v1/users/{world[name].pk}/reset_password/").status_code in (403, 404), name
        assert not User.objects.get(pk=world[name].pk).must_change_password


@pytest.mark.parametrize("role,scope", [
    ("city_st", {}), ("city_rural", {}), ("province", {"province_code": "44"}), ("admin", {}),
    ("unit", "unit"), ("county_rural", "renhua"),
])
def test_a_county_official_creates_no_account_above_or_beside_its_own(world, role, scope):
    fields = {"unit": world.unit} if scope == "unit" else {"county": world.renhua} if scope == "renhua" else scope
    with pytest.raises(PermissionDenied):
        user_create(actor=world["renhua_st"], username="x_" + role, role=role, full_name="越权", **fields)
    assert not User.objects.filter(username="x_" + role).exists()


def test_a_city_official_creates_no_unit_account_and_nothing_in_another_city(world, qingyuan):
    actor = world["city_st"]
    with pytest.raises(PermissionDenied):
        user_create(actor=actor, username="scau_x", role="unit", full_name="华农账号", unit=world.unit)
    with pytest.raises(PermissionDenied):
        user_create(actor=actor, username="yd_town", role="town", full_name="英城", town=qingyuan["town"])
    with pytest.raises(PermissionDenied):
        user_create(actor=actor, username="yd_st", role="county_st", full_name="英德", county=qingyuan["county"])
    assert not User.objects.filter(username__in=["scau_x", "yd_town", "yd_st"]).exists()
    user, _ = user_create(actor=actor, username="rh_rural2", role="county_rural", full_name="仁化乡村振兴",
                          county=world.renhua)
    assert user.city_id == world.city.pk and user.must_change_password


def test_the_create_page_offers_only_managed_roles_and_scopes(world, login, qingyuan):
    page = login("renhua_st").get("/accounts/users/new/").content.decode()
    assert 'value="town"' in page and 'value="expert"' in page
    for role in ['value="unit"', 'value="city_st"', 'value="county_rural"', 'value="province"']:
        assert role not in page
    assert "英城街道" not in page and "珠玑镇" not in page
    response = login("city_st").post("/accounts/users/new/", {
        "username": "yd_town2", "full_name": "英城", "role": "town", "town": qingyuan["town"].pk})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="yd_town2").exists()


def test_organizers_create_the_experts_of_their_own_pool(world, login):
    county_expert, _ = user_create(actor=world["renhua_st"], username="rh_expert", role="expert", full_name="专家甲")
    city_expert, _ = user_create(actor=world["city_st"], username="sg_expert", role="expert", full_name="专家乙")
    assert county_expert.county_id == world.renhua.pk and city_expert.city_id == world.city.pk
    assert city_expert.county_id is None
    names = {row["username"] for row in login("renhua_st").get("/api/v1/users/?page_size=200").json()["results"]}
    assert "rh_expert" in names and "sg_expert" not in names
    names = {row["username"] for row in login("nanxiong_st").get("/api/v1/users/?page_size=200").json()["results"]}
    assert "rh_expert" not in names
    names = {row["username"] for row in login("city_st").get("/api/v1/users/?page_size=200").json()["results"]}
    assert {"rh_expert", "sg_expert"} <= names


def test_a_unit_account_adds_accounts_only_for_its_own_unit(world):
    user, _ = user_create(actor=world["unit"], username="scau2", role="unit", full_name="华农科技处",
                          unit=world.unit)
    assert user.unit_id == world.unit.pk
    with pytest.raises(PermissionDenied):
        user_create(actor=world["unit"], username="sgu2", role="unit", full_name="韶院", unit=world.other_unit)
    with pytest.raises(PermissionDenied):
        user_create(actor=world["unit"], username="t2", role="town", full_name="镇", town=world.renhua_county_town)


def test_stray_scope_links_are_dropped_so_they_widen_nothing(world):
    user, _ = user_create(actor=world["renhua_st"], username="t3", role="town", full_name="董塘",
                          town=world.renhua_county_town, unit=world.unit, team=world.team)
    assert user.unit_id is None and user.team_id is None and user.county_id == world.renhua.pk


def test_the_admin_has_no_login_of_its_own_that_skips_the_defence(world, client):
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "wrong"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_unit_accounts_add_accounts_but_reset_none(world, login):
    peer, initial = user_create(actor=world["unit"], username="scau3", role="unit", full_name="华农二", unit=world.unit)
    for actor, target in [("unit", peer), ("unit", world["unit"])]:
        response = login(actor).post(f"/api/v1/users/{target.pk}/reset_password/")
        assert response.status_code in (403, 404), (actor, target)
    peer.refresh_from_db()
    assert peer.check_password(initial)  # untouched since creation
    assert not Notification.objects.filter(recipient=world["unit"]).exists()


def test_a_new_password_ends_the_old_api_tokens(world, login, client):
    from rest_framework.authtoken.models import Token

    from accounts.services import user_change_password, user_reset_password

    target = world["renhua_county_town"]
    Token.objects.create(user=target)
    user_reset_password(actor=world["renhua_st"], user=target)
    assert not Token.objects.filter(user=target).exists()
    Token.objects.create(user=target)
    user_change_password(user=target, new_password="Shaoguan#2026b")
    assert not Token.objects.filter(user=target).exists()


def test_the_audit_trails_cannot_be_edited_even_by_the_administrator(world, login):
    client = login("admin")
    assert client.get("/admin/core/sensitiveaccess/add/").status_code == 403
    assert client.get("/admin/core/transition/add/").status_code == 403
