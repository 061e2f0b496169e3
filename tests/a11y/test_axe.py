"""Every page passes axe-core's WCAG 2.1 A/AA rules (GB/T 37668-2019) on a desktop and on a phone.

The crawler's route table (``tests.robustness.crawl``) gives one URL per page pattern, filled from the robustness
records (``tests.robustness.records``) in the test world (``portal.testing``). Each page is opened once, as the
first representative role that gets it as an HTML page (anonymously for the public pages), checked at 1366 px,
resized to 390 px and checked again. A few states no plain GET shows are checked too: a form after a failed submit
(the error summary, ``aria-invalid``/``aria-describedby``), the open phone menu and the larger-text mode.

axe-core is vendored under ``tests/a11y/vendor/`` (MPL-2.0, see its LICENSE); it is injected as an init script, so
no Content-Security-Policy of the site can block it. A failure lists each violation with the elements it found.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1366, 390)
# Pages checked anonymously: the public site and the login page.
PUBLIC = ("portal:landing", "accounts:login", "calls:public_", "calls:signup", "public:")
# Signed-in pages: the first of these roles that gets the page as HTML (a county official sees most pages; the
# team leader the applications; the administrator the accounts).
ROLES = ("renhua_st", "renhua_county_town", "leader", "admin", "city_st", "unit", "expert", "member")
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 8).map(n => n.target.join(" ") + "  " + (n.failureSummary || "").split("\\n").slice(1, 2).join("").trim()),
    count: v.nodes.length}));
}"""


def _pages(world, records):
    """``[(route name, url, role or None)]``: every GET page pattern with the role that sees it."""
    from django.test import Client

    from tests.robustness.crawl import routes, variants

    clients = {None: Client()}
    for name in ROLES:
        clients[name] = Client()
        clients[name].force_login(world[name])
    pages, skipped = [], []
    request_log = logging.getLogger("django.request")  # the expected 404/405 of POST-only routes: not printed
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    for route in routes():
        if route.api:
            continue
        url = route.url(next(variants(route, records))[1])
        roles = (None,) if route.name.startswith(PUBLIC) else ROLES
        for role in roles:
            response = clients[role].get(url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                pages.append((route.name, url, role))
                break
        else:
            skipped.append(route.name)  # POST-only actions, downloads, redirects
    request_log.setLevel(level)
    return pages, skipped, clients


def _context(browser, live_server, client, width):
    from django.conf import settings

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.add_init_script(script=AXE)
    session = client.cookies.get(settings.SESSION_COOKIE_NAME) if client is not None else None
    if session is not None:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.value,
                              "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def axe(page) -> list[dict]:
    return page.evaluate(RUN_AXE, TAGS)


def describe(where: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        lines.append("%s: %s (%s, %d) %s" % (where, v["id"], v["impact"], v["count"], v["help"]))
        lines.extend("    " + node for node in v["nodes"])
    return lines


def check_pages(browser, live_server, world, part: int, parts: int = 2):
    """Check every ``parts``-th page from ``part`` on: the pages are split over two test files, so that the two
    workers of ``make test`` (pytest-xdist, ``--dist loadfile``) share them."""
    from tests.robustness.records import build_records

    started = time.monotonic()
    records = build_records(world)
    pages, skipped, clients = _pages(world, records)
    found, checking = time.monotonic() - started, 0.0
    assert len(pages) >= 60, "too few pages found: %s (skipped %s)" % (pages, skipped)
    pages = pages[part::parts]
    failures, contexts = [], {}
    try:
        for name, url, role in pages:
            if role not in contexts:
                contexts[role] = _context(browser, live_server, clients[role] if role else None, WIDTHS[0])
            page = contexts[role][1]
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            page.goto(live_server.url + url)
            for width in WIDTHS:
                if width != WIDTHS[0]:
                    page.set_viewport_size({"width": width, "height": 844})
                begin = time.monotonic()
                found_here = axe(page)
                checking += time.monotonic() - begin
                failures += describe("%s %s as %s at %d px" % (name, url, role or "anonymous", width), found_here)
    finally:
        for context, _page in contexts.values():
            context.close()
    print("axe: %d pages (part) checked at %s px in %.0f s (records and roles %.0f s, axe %.0f s); not HTML pages on GET: %s"
          % (len(pages), WIDTHS, time.monotonic() - started, found, checking, ", ".join(skipped)))
    assert not failures, "axe-core found WCAG 2.1 AA violations:\n" + "\n".join(failures)


def test_every_page_passes_axe_on_desktop_and_phone(browser, live_server, world):
    """The first half of the pages (the other half: ``test_axe_more_pages.py``)."""
    check_pages(browser, live_server, world, part=0)


def test_a_failed_form_the_phone_menu_and_larger_text_pass_axe(browser, live_server, world):
    from django.test import Client

    client = Client()
    client.force_login(world["renhua_county_town"])
    failures = []
    for width in WIDTHS:
        context, page = _context(browser, live_server, client, width)
        try:
            page.goto(live_server.url + "/needs/new/")
            page.keyboard.press("Tab")  # the skip link comes first and leads to the main content
            assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
            assert page.evaluate("document.getElementById('main').tagName") == "MAIN"
            page.click("main button[type=submit]")
            page.wait_for_selector("[data-testid=error-summary]")
            assert page.evaluate("document.activeElement.dataset.testid") == "error-summary"
            failures += describe("/needs/new/ failed submit at %d px" % width, axe(page))
            page.click("[data-testid=text-size]")
            assert page.evaluate("document.documentElement.classList.contains('kj-large-text')")
            failures += describe("/needs/new/ failed submit, larger text, at %d px" % width, axe(page))
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            if width < 768:
                page.click(".navbar-toggler")
                page.wait_for_selector("#kj-nav.show")
                failures += describe("phone menu open at %d px" % width, axe(page))
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.keyboard.press("Escape")  # closes the menu, the focus back on its button
                page.wait_for_selector("#kj-nav:not(.show)", state="attached")
                assert page.evaluate("document.activeElement.classList.contains('navbar-toggler')")
            page.click("[data-testid=text-size]")
        finally:
            context.close()
    assert not failures, "axe-core found WCAG 2.1 AA violations:\n" + "\n".join(failures)


def test_pages_a_plain_crawl_cannot_reach_pass_axe(browser, live_server, world):
    """Pages that need a query or a failed public submit: two engine runs compared side by side (as a city
    official), and the leader sign-up after a wrong CAPTCHA, whose text box names its help and its error."""
    from django.test import Client
    from django.urls import reverse

    from tests.robustness.records import build_records

    records = build_records(world)
    run, call = records["run"], records["call"]
    official = Client()
    official.force_login(world["city_st"])
    compare = reverse("matching:compare", args=[run.round_id]) + "?a=%d&b=%d" % (run.pk, run.pk)
    assert official.get(compare).status_code == 200
    failures = []
    for width in WIDTHS:
        context, page = _context(browser, live_server, official, width)
        try:
            page.goto(live_server.url + compare)
            failures += describe("%s at %d px" % (compare, width), axe(page))
        finally:
            context.close()
        context, page = _context(browser, live_server, None, width)
        try:
            page.goto(live_server.url + reverse("calls:signup", args=[call.pk]))
            assert page.get_attribute("img.captcha", "alt") == "验证码图片（请输入图中的字符）"
            key, image = page.input_value("#id_captcha_0"), page.get_attribute("img.captcha", "src")
            page.click("[data-captcha-refresh]")  # 看不清，换一张: a new image and key, the answer box focused
            page.wait_for_function("k => document.getElementById('id_captcha_0').value !== k", arg=key)
            assert page.get_attribute("img.captcha", "src") != image
            assert page.evaluate("document.activeElement.id") == "id_captcha_1"
            page.fill("#id_captcha_1", "wrong")
            page.click("main button[type=submit]")
            page.wait_for_selector("[data-testid=error-summary]")
            described = page.get_attribute("#id_captcha_1", "aria-describedby").split()
            assert "id_captcha_error" in described
            assert "验证码不正确" in page.inner_text("#id_captcha_error")
            failures += describe("sign-up after a wrong CAPTCHA at %d px" % width, axe(page))
        finally:
            context.close()
    assert not failures, "axe-core found WCAG 2.1 AA violations:\n" + "\n".join(failures)
