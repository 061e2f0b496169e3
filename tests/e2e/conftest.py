"""Browser-test harness: Playwright (Python) driving Debian's chromium, never a downloaded browser.

In CI (``CI`` set) a missing browser fails the run; elsewhere the browser tests skip with a clear message.
Screenshots of each main page go to ``screenshots/`` (ignored by git) so a person can look at them.
"""
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def _missing_reason():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return "chromium not found at %s (make test installs it with apt when run as root)" % CHROMIUM
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail("browser tests must run in CI: " + reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


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


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
