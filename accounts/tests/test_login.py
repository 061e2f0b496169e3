"""Login throttling, first-login password change and the inbox."""
import pytest
from django.test import override_settings

from accounts.models import Notification, User
from accounts.services import notify, user_create
from portal.testing import PASSWORD


def test_it_locks_login_after_repeated_failures(world, client, monkeypatch):
    from accounts import throttle

    monkeypatch.setattr(throttle, "_clock", lambda: 1_800_000_000.0)  # no time passes: still cooling
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "renhua_st", "password": "wrong"})
        assert "用户名或密码不正确" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "renhua_st", "password": PASSWORD})
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_in_with_the_right_password(world, client):
    response = client.post("/accounts/login/", {"username": "renhua_st", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world["renhua_st"].pk)


def test_it_forces_a_new_user_to_change_the_password_first(world, client):
    user, password = user_create(actor=world["renhua_st"], username="new_town", role="town",
                                 full_name="新用户", town=world.renhua_county_town)
    client.post("/accounts/login/", {"username": "new_town", "password": password})
    response = client.get("/home/")
    assert response.status_code == 302 and response.url.startswith("/accounts/password/")
    assert client.get("/api/v1/towns/").status_code == 403
    response = client.post("/accounts/password/", {"new_password1": "Shaoguan#2025x", "new_password2": "Shaoguan#2025x"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/api/v1/towns/").status_code == 200


def test_it_lets_an_official_reset_a_password_in_scope_only(world, login):
    client = login("renhua_st")
    response = client.post(f"/api/v1/users/{world['renhua_county_town'].pk}/reset_password/")
    assert response.status_code == 200
    temporary = response.json()["temporary_password"]
    town_user = User.objects.get(pk=world["renhua_county_town"].pk)
    assert town_user.check_password(temporary) and town_user.must_change_password
    assert client.post(f"/api/v1/users/{world['nanxiong_county_town'].pk}/reset_password/").status_code == 404
    # A team leader manages the team's member accounts, not another team's.
    assert login("other_leader").post(f"/api/v1/users/{world['member'].pk}/reset_password/").status_code in (403, 404)
    assert login("member").post(f"/api/v1/users/{world['leader'].pk}/reset_password/").status_code in (403, 404)


def test_it_requires_the_scope_of_the_role(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        user_create(actor=world["admin"], username="x", role="county_st", full_name="无县")
    assert "必须指定" in str(error.value)
    assert not User.objects.filter(username="x").exists()


def test_it_keeps_each_inbox_private(world, login):
    notify(recipients=[world["leader"]], title="申报已退回", body="请补充材料")
    rows = login("leader").get("/api/v1/notifications/").json()["results"]
    assert [row["title"] for row in rows] == ["申报已退回"]
    assert login("other_leader").get("/api/v1/notifications/").json()["count"] == 0
    note = Notification.objects.get()
    assert login("other_leader").get(f"/api/v1/notifications/{note.pk}/").status_code == 404


@override_settings(NOTIFY_BY_EMAIL=True)
def test_it_mails_a_notification_only_when_mail_is_configured(world):
    from django.core import mail

    world["leader"].email = "leader@example.com"
    world["leader"].save()
    notify(recipients=[world["leader"]], title="通知")
    assert len(mail.outbox) == 1


def test_it_lists_users_in_the_officials_scope(world, login):
    names = {row["username"] for row in login("renhua_st").get("/api/v1/users/?page_size=100").json()["results"]}
    assert {"renhua_st", "renhua_rural", "renhua_city_town", "renhua_county_town"} <= names
    assert "nanxiong_st" not in names and "nanxiong_county_town" not in names
    assert {row["username"] for row in login("leader").get("/api/v1/users/").json()["results"]} == {"leader", "member"}
