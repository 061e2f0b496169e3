"""Browser-test harness: Playwright (Python) driving Debian's chromium, never a downloaded browser.

In CI (``CI`` set) a missing browser fails the run; elsewhere the browser tests skip with a clear message.
Screenshots of each main page go to ``screenshots/`` (ignored by git) so a person can look at them.
"""
import os
import shutil
from pathlib import Path

import pytest

# The browser fixture and its settings live in tests/conftest.py: one Playwright per test process, shared with
# tests/a11y (two sync Playwright instances cannot run in one process).
# (Not imported here: a fixture imported into this conftest would be a second, separate session fixture.)
from tests.conftest import ARGS, CHROMIUM  # noqa: E402,F401

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"

@pytest.fixture
def page_for(browser, live_server, world):
    """``page_for("renhua_st", width=390)``: a signed-in page in a fresh browser context."""
    from portal.testing import PASSWORD

    contexts = []

    def open_page(username, *, width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/home/")
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _reseed_migration_data(transactional_db):
    """A transactional (browser) test flushes every table when it ends, the rows seeded by data migrations included:
    seed the industry taxonomy again before each browser test (the seed is idempotent)."""
    import importlib

    from django.apps import apps

    importlib.import_module("needs.migrations.0002_seed_taxonomy").seed(apps, None)
    importlib.import_module("needs.migrations.0006_seed_problems").seed(apps, None)


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
