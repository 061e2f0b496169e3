"""Several web processes share one Redis (REDIS_URL): the cache, the sessions and the login counters.

A sign-in made by one process is a session another process reads; failures counted by one process make another ask
for the CAPTCHA. Needs the Redis these machines run at 127.0.0.1:6379 (REDIS_TEST_URL to point elsewhere).
"""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

redis = pytest.importorskip("redis")

from portal.testing import PASSWORD  # noqa: E402
from tests.deployment.settings_env import settings_built_with  # noqa: E402

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


def _reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _reachable(), reason="no Redis at %s" % REDIS_TEST_URL)


def _built_settings(environment: dict):
    """The cache and session settings config/settings.py builds from this environment."""
    built = settings_built_with(environment)
    return built.CACHES, getattr(built, "SESSION_ENGINE", "django.contrib.sessions.backends.db")


@pytest.fixture
def shared_redis(settings):
    prefix = "kjtpy-test-%s" % uuid.uuid4().hex[:10]
    environment = {"REDIS_URL": REDIS_TEST_URL, "CACHE_KEY_PREFIX": prefix}
    caches, session_engine = _built_settings(environment)
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert session_engine == "django.contrib.sessions.backends.cache"
    settings.CACHES = caches
    settings.SESSION_ENGINE = session_engine
    server = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        yield environment
    finally:
        keys = list(server.scan_iter(prefix + ":*"))
        if keys:
            server.delete(*keys)


def other_process(environment: dict, code: str):
    """Run ``code`` in a separate Django process (another web machine) with the same REDIS_URL; its printed JSON."""
    result = subprocess.run(
        [sys.executable, "-c", "import django, json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                               "'config.settings'); django.setup()\n" + code],
        cwd=ROOT, env={**os.environ, **environment}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_session_and_login_failures_are_seen_by_another_process(shared_redis, world, client):
    # Two wrong passwords here …
    for _ in range(2):
        assert "用户名或密码不正确" in client.post("/accounts/login/", {"username": "renhua_st",
                                                                     "password": "wrong"}).content.decode()
    # … are counted where every web process reads them.
    seen = other_process(shared_redis, "from accounts import throttle; print(json.dumps(throttle.failures('renhua_st')))")
    assert seen == 2
    # A third failure makes the page ask for the CAPTCHA, wherever the next request lands.
    page = client.post("/accounts/login/", {"username": "leader", "password": "wrong"}).content.decode()
    assert 'name="captcha_1"' not in page  # another account: its own count
    client.post("/accounts/login/", {"username": "renhua_st", "password": "wrong"})
    seen = other_process(shared_redis, "from accounts import throttle; print(json.dumps(throttle.needs_captcha("
                                       "'renhua_st', '127.0.0.1')))")
    assert seen is True

    # A sign-in's session lives in Redis (not in the database) and another process finds the user in it.
    other = type(client)()
    response = other.post("/accounts/login/", {"username": "leader", "password": PASSWORD})
    assert response.status_code == 302
    session_key = other.cookies["sessionid"].value
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    user_id = other_process(shared_redis, "from django.contrib.sessions.backends.cache import SessionStore; "
                                          "print(json.dumps(SessionStore(session_key=%r).load().get('_auth_user_id')))"
                            % session_key)
    assert user_id == str(world["leader"].pk)
    assert other.get("/home/").status_code == 200


def test_health_reports_the_cache(shared_redis, settings, client, db):
    response = client.get("/health/?format=json")
    assert response.status_code == 200
    assert response.json()["Cache(alias='default')"] == "OK"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    response = client.get("/health/?format=json")
    assert response.status_code == 500
    assert response.json()["Cache(alias='default')"] != "OK"
