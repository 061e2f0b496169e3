"""Shared by the browser suites (tests/e2e, tests/a11y): one session-wide Playwright driving Debian's chromium.

pytest-xdist may give one worker both suites: a second ``sync_playwright()`` in the same process fails ("Sync API
inside the asyncio loop"), so the browser is defined once here, above both.
"""
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
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


