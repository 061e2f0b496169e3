"""The two-city world, built once per module inside a transaction that is rolled back when the module ends.

Each test of the matrix sends its requests inside savepoints of that transaction (``tests.security.checks``), so
a write one role is allowed to make never changes what the next role sees.
"""
import logging

import pytest
from django.db import connections, transaction
from django.test.utils import override_settings

TEST_SETTINGS = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@pytest.fixture(scope="session")
def security_media(tmp_path_factory):
    return str(tmp_path_factory.mktemp("security-media"))


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, security_media):
    """Overrides the root fixture of that name: the files the module's world stored stay where its tests read them."""
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)
    settings.MEDIA_ROOT = security_media


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, security_media):
    """The two-city world (``tests.security.world``) and one signed-in test client per user."""
    from django.test import Client

    from tests.security.world import build_matrix_world

    # Thousands of denied requests: keep the "Not Found"/"Forbidden" warnings out of the report.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=security_media, **TEST_SETTINGS):
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            from tests.security.checks import object_links, sensitive_values

            world = build_matrix_world()
            world.sensitive = sensitive_values(world)
            world.links = object_links(world)
            world.clients = {None: Client()}
            for name, user in world.users.items():
                client = Client()
                client.force_login(user)
                world.clients[name] = client
            yield world
        finally:
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)
            request_log.setLevel(level)


def pytest_terminal_summary(terminalreporter):
    from tests.security.checks import COUNTER

    if COUNTER["requests"]:
        terminalreporter.write_line(
            "authorization matrix: %(requests)d requests judged (status, leaks in the body, database unchanged "
            "for writes), %(checks)d bodies searched" % COUNTER)
