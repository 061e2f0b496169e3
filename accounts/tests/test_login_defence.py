"""Login defence: shared counters for the login page and the token endpoint, CAPTCHA, growing bounded delays,
the real client address behind proxies, and API tokens that expire and can be revoked."""
import datetime as dt
import re

import pytest
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from accounts import throttle
from accounts.tokens import ExpiringTokenAuthentication
from portal.testing import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"


@pytest.fixture
def clock(monkeypatch):
    """The defence's clock, frozen; ``clock.advance(seconds)`` lets time pass without sleeping."""

    class Clock:
        now = 1_800_000_000.0

        def advance(self, seconds):
            self.now += seconds

    frozen = Clock()
    monkeypatch.setattr(throttle, "_clock", lambda: frozen.now)
    # DRF's 10/min rate limit on the endpoint is not what these tests are about.
    monkeypatch.setattr(throttle.LoginRateThrottle, "THROTTLE_RATES", {"login": "1000/min"})
    return frozen


def token_post(client, username, password, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(TOKEN_URL, {"username": username, "password": password}, **extra)


def page_post(client, username, password, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


# ---------------------------------------------------------------- the token endpoint


def test_token_guessing_with_forged_addresses_is_delayed_and_gets_no_token(world, client, clock):
    for forged in ["1.1.1.1", "2.2.2.2", "3.3.3.3"]:
        assert token_post(client, "renhua_st", "wrong", forged).status_code == 400
    # Every forged X-Forwarded-For was ignored: one address, one account.
    assert throttle.ip_failures("127.0.0.1") == 3 and throttle.failures("renhua_st") == 3
    assert throttle.ip_failures("3.3.3.3") == 0

    response = token_post(client, "renhua_st", "wrong", "4.4.4.4")
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert "登录失败次数过多" in response.json()["detail"]
    # The right password during the delay is refused without being checked: no token.
    response = token_post(client, "renhua_st", PASSWORD, "5.5.5.5")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert Token.objects.count() == 0

    clock.advance(1)
    assert token_post(client, "renhua_st", "wrong").status_code == 400
    response = token_post(client, "renhua_st", PASSWORD)
    assert response.status_code == 429 and response["Retry-After"] == "2"  # the delay grows
    assert Token.objects.count() == 0


def test_the_right_password_after_the_delay_gets_a_token_and_resets_the_account(world, client, clock):
    for _ in range(3):
        token_post(client, "renhua_st", "wrong")
    retry_after = int(token_post(client, "renhua_st", PASSWORD)["Retry-After"])

    clock.advance(retry_after)
    response = token_post(client, "renhua_st", PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=world["renhua_st"]).key
    assert throttle.failures("renhua_st") == 0
    assert token_post(client, "renhua_st", "wrong").status_code == 400  # counting starts again, no delay


def test_one_address_cannot_spray_passwords_over_many_accounts(world, client, clock, settings):
    settings.LOGIN_IP_DELAY_AFTER_FAILURES = 4
    for name in ["renhua_rural", "nanxiong_st", "nanxiong_rural", "nobody"]:
        assert token_post(client, name, "Spring2025!", f"9.9.9.{len(name)}").status_code == 400
    response = token_post(client, "renhua_st", PASSWORD)  # a fresh account, from the same address
    assert response.status_code == 429 and "Retry-After" in response
    assert Token.objects.count() == 0
    # The same address is refused on the login page too, without the password being checked.
    assert "登录失败次数过多" in page_post(client, "city_st", PASSWORD).content.decode()
    assert "_auth_user_id" not in client.session


def test_parallel_attempts_get_one_password_check_at_a_time(world, clock):
    first = throttle.begin("renhua_st", "10.0.0.1")
    with pytest.raises(throttle.Refused):
        throttle.begin("renhua_st", "10.0.0.2")  # the same account, while the first check is in flight
    first.failed()
    first.finish()
    throttle.begin("renhua_st", "10.0.0.2").finish()


def test_nobody_is_locked_out_for_good(world, client, clock, settings):
    cap = settings.LOGIN_DELAY_MAX_SECONDS
    for _ in range(50):
        try:
            attempt = throttle.begin("renhua_st", "10.0.0.1")
        except throttle.Refused as refused:
            assert refused.retry_after <= cap
            clock.advance(refused.retry_after)
            attempt = throttle.begin("renhua_st", "10.0.0.1")
        attempt.failed()
        attempt.finish()
    assert throttle.failures("renhua_st") == 50
    assert throttle.delay_for(50, settings.LOGIN_CAPTCHA_AFTER_FAILURES) == cap
    assert throttle.delay_for(10_000, settings.LOGIN_CAPTCHA_AFTER_FAILURES) == cap
    response = token_post(client, "renhua_st", PASSWORD)
    assert response.status_code == 429 and int(response["Retry-After"]) <= cap
    assert "15分钟" in response.json()["detail"]

    clock.advance(cap)
    assert token_post(client, "renhua_st", PASSWORD).status_code == 200


# ---------------------------------------------------------------- the login page


def solve(page, correct=True):
    """The CAPTCHA shown on the page, answered as the person reading the image would (or wrongly)."""
    from captcha.models import CaptchaStore

    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    answer = CaptchaStore.objects.get(hashkey=key).response
    return {"captcha_0": key, "captcha_1": answer if correct else answer + "x"}


def test_the_page_asks_for_a_captcha_after_three_failures(world, client, clock):
    # captcha reads CAPTCHA_TEST_MODE once at import, so the settings fixture cannot switch it on:
    # the tests answer the real challenge shown on the page, as the calls' sign-up tests do.
    for attempt in range(3):
        response = page_post(client, "renhua_st", "wrong")
        page = response.content.decode()
        assert "用户名或密码不正确" in page
        assert ('name="captcha_1"' in page) == (attempt == 2)

    # Still cooling: refused before anything is checked, saying how long to wait.
    page = page_post(client, "renhua_st", PASSWORD, **solve(page)).content.decode()
    assert "登录失败次数过多，请1秒后再试" in page
    assert "_auth_user_id" not in client.session

    clock.advance(1)
    page = page_post(client, "renhua_st", PASSWORD).content.decode()
    assert "请输入验证码" in page and 'name="captcha_1"' in page
    page = page_post(client, "renhua_st", PASSWORD, **solve(page, correct=False)).content.decode()
    assert "验证码不正确" in page
    assert "_auth_user_id" not in client.session
    assert throttle.failures("renhua_st") == 3  # a missing or wrong CAPTCHA checks no password

    response = page_post(client, "renhua_st", PASSWORD, **solve(page))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world["renhua_st"].pk)
    assert throttle.failures("renhua_st") == 0


def test_a_wrong_captcha_is_tied_to_its_field_and_listed_in_the_summary(world, client, clock):
    """A screen reader on the CAPTCHA input hears its help and its error; the summary links to the input."""
    for _ in range(3):
        page = page_post(client, "renhua_st", "wrong").content.decode()
    clock.advance(1)
    page = page_post(client, "renhua_st", PASSWORD, **solve(page, correct=False)).content.decode()
    captcha_input = re.search(r'<input[^>]*name="captcha_1"[^>]*>', page).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', captcha_input).group(1).split()
    assert 'aria-invalid="true"' in captcha_input
    assert set(described) == {"id_captcha_helptext", "id_captcha_error"}
    for element_id in described:
        assert 'id="%s"' % element_id in page
    error = re.search(r'id="id_captcha_error">([^<]+)<', page).group(1)
    assert error == "验证码不正确，请重新输入。"
    summary = re.search(r'data-testid="error-summary">(.*?)</div>\s*<div class="mb-3">', page, re.S).group(1)
    assert '<a href="#id_captcha_1">验证码：验证码不正确，请重新输入。</a>' in summary
    assert 'id="id_captcha_1"' in captcha_input


def test_an_empty_password_clears_nothing(world, client, clock):
    for _ in range(2):
        page_post(client, "renhua_st", "wrong")
    page_post(client, "renhua_st", "")
    assert throttle.failures("renhua_st") == 2


def test_the_page_and_the_token_endpoint_share_their_counters(world, client, clock):
    page_post(client, "renhua_st", "wrong")
    page_post(client, "renhua_st", "wrong")
    assert token_post(client, "renhua_st", "wrong").status_code == 400
    assert token_post(client, "renhua_st", PASSWORD).status_code == 429  # failures on the page count here

    clock.advance(1)
    assert token_post(client, "renhua_st", "wrong").status_code == 400
    page = page_post(client, "renhua_st", PASSWORD).content.decode()
    assert "登录失败次数过多，请2秒后再试" in page  # and failures here count on the page
    assert "_auth_user_id" not in client.session


# ---------------------------------------------------------------- the client address


def test_a_forged_forwarded_for_is_ignored_without_trusted_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.TRUSTED_PROXY_COUNT = 0
    assert throttle.client_ip(request) == "10.0.0.9"


def test_the_nth_forwarded_address_from_the_right_is_the_client_behind_trusted_proxies(settings):
    def ip(forwarded):
        return throttle.client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded))

    settings.TRUSTED_PROXY_COUNT = 1
    assert ip("6.6.6.6, 203.0.113.7") == "203.0.113.7"  # the client's own "6.6.6.6" is not believed
    assert ip("203.0.113.7") == "203.0.113.7"
    assert ip("6.6.6.6, not-an-address") == "10.0.0.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert ip("6.6.6.6, 203.0.113.7, 10.0.0.2") == "203.0.113.7"


def test_the_endpoint_counts_the_address_the_trusted_proxy_saw(world, client, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    token_post(client, "renhua_st", "wrong", "1.1.1.1, 203.0.113.7")
    token_post(client, "renhua_st", "wrong", "2.2.2.2, 203.0.113.7")
    assert throttle.ip_failures("203.0.113.7") == 2
    assert throttle.ip_failures("1.1.1.1") == throttle.ip_failures("127.0.0.1") == 0


def test_the_objection_rate_limit_uses_the_same_client_address(settings):
    from notices.views import _client_ip

    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert _client_ip(request) == "10.0.0.9"


# ---------------------------------------------------------------- tokens expire and can be revoked


def _get(client, token):
    return client.get("/api/v1/towns/", HTTP_AUTHORIZATION=f"Token {token}")


def test_an_expired_token_is_refused_and_replaced_on_the_next_login(world, client, clock, settings):
    key = token_post(client, "renhua_st", PASSWORD).json()["token"]
    assert _get(client, key).status_code == 200

    Token.objects.filter(key=key).update(created=Token.objects.get(key=key).created
                                         - dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS, minutes=1))
    response = _get(client, key)
    assert response.status_code == 401 and "令牌已过期" in response.json()["detail"]

    new_key = token_post(client, "renhua_st", PASSWORD).json()["token"]
    assert new_key != key and _get(client, new_key).status_code == 200
    assert _get(client, key).status_code == 401


def test_the_owner_revokes_their_own_token(world, client, clock):
    key = token_post(client, "renhua_st", PASSWORD).json()["token"]
    other = token_post(client, "nanxiong_st", PASSWORD).json()["token"]
    response = client.post(TOKEN_URL + "revoke/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 204
    response = _get(client, key)
    assert response.status_code == 401 and "令牌无效" in response.json()["detail"]
    assert _get(client, other).status_code == 200  # only the caller's own token
    assert client.post(TOKEN_URL + "revoke/").status_code == 401


def test_a_deactivated_accounts_token_stops_working(world, client, clock):
    key = token_post(client, "renhua_st", PASSWORD).json()["token"]
    world["renhua_st"].is_active = False
    world["renhua_st"].save()
    response = _get(client, key)
    assert response.status_code == 401 and "账号已停用" in response.json()["detail"]


def test_a_token_waits_for_the_first_login_password_change(world, client, clock):
    key = token_post(client, "renhua_st", PASSWORD).json()["token"]
    world["renhua_st"].must_change_password = True
    world["renhua_st"].save()
    response = _get(client, key)
    assert response.status_code == 403 and "首次登录须先修改密码" in response.json()["detail"]


def test_the_administrator_revokes_tokens_without_ever_seeing_them(world, client, clock):
    """Tokens are secrets: no token list in the admin; the administrator revokes a user's token with a user action."""
    token_post(client, "renhua_st", PASSWORD)
    key = Token.objects.get().key
    client.force_login(world["admin"])
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    page = client.get("/admin/accounts/user/")
    assert key not in page.content.decode()
    response = client.post("/admin/accounts/user/", {"action": "revoke_tokens",
                                                     "_selected_action": [world["renhua_st"].pk]})
    assert response.status_code == 302 and Token.objects.count() == 0  # revoked
    client.force_login(world["renhua_st"])
    assert client.get("/admin/authtoken/tokenproxy/").status_code in (302, 403, 404)


def test_the_authentication_class_is_the_expiring_one(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"][0] == "accounts.tokens.ExpiringTokenAuthentication"
    assert ExpiringTokenAuthentication.keyword == "Token"


@pytest.mark.django_db
def test_a_get_of_the_token_endpoint_writes_nothing(client):
    """Only a POST is a login attempt: a GET is 405 and leaves the throttle counters (the database cache) alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/auth/token/")
    assert response.status_code == 405
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_an_empty_login_names_the_empty_fields(world, client):
    """No empty red box: the summary says which field is missing and the field says it too."""
    page = page_post(client, "", "").content.decode()
    summary = re.search(r'data-testid="error-summary">(.*?)</div>\s*<div class="mb-3">', page, re.S).group(1)
    assert '<a href="#id_username">用户名：' in summary and '<a href="#id_password">密码：' in summary
    username = re.search(r'<input[^>]*id="id_username"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in username and 'aria-describedby="id_username_error"' in username
    assert 'id="id_username_error"' in page and 'id="id_password_error"' in page
