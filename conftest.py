"""Fixtures shared by every app's tests."""
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (browser tests, PostgreSQL race tests, the worker tests; by fixture or by
    ``django_db(transaction=True)``) empties every table when it ends, the rows seeded by
    data migrations included. Seed the industry taxonomy again right after, so the tests that follow it on the same
    worker find the database as migrations left it, whatever order the workers run the files in."""
    yield
    if nextitem is None:  # the session ends: the test database is gone with it
        return
    marker = item.get_closest_marker("django_db")
    transactional_mark = marker is not None and (marker.kwargs.get("transaction") or (marker.args[:1] == (True,)))
    if not transactional_mark and not {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return
    import importlib

    from django.apps import apps
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        importlib.import_module("needs.migrations.0002_seed_taxonomy").seed(apps, None)
        importlib.import_module("needs.migrations.0006_seed_problems").seed(apps, None)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    """Background tasks run inline in tests; uploads go to a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Hashing is deliberately slow in production; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from portal.testing import build_world

    return build_world()


@pytest.fixture
def assert_denied(client, world):
    """``assert_denied(url, allowed=[...])``: everyone else gets 404/403."""
    from portal.testing import check_denied

    def check(url, *, allowed, method="get", data=None):
        failures = check_denied(client, world, url, allowed=allowed, method=method, data=data)
        assert failures == {}, failures

    return check


@pytest.fixture
def login(client, world):
    """``login("renhua_st")`` signs the named user in and returns the client."""

    def sign_in(name):
        client.force_login(world[name])
        return client

    return sign_in
