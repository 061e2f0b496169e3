"""No request ends in a server error: every URL pattern, as every role and anonymously, with good and bad ids.

The crawler walks ``django.urls.get_resolver()`` (pages, public pages, the API with its ``@action`` routes; not the
admin, static files or CAPTCHA images) and requests each route

* with the id of a real record (``tests.robustness.records``), a missing id (999999) and, for parameters whose
  converter takes more than digits (the API's ``[^/.]+``, ``<str:action>`` …), malformed values;
* GET as every user of ``portal.testing.ALL_USERS`` and anonymously;
* POST with an empty body (pages also with forms of malformed values, the API's write routes with the JSON bodies
  ``null``, ``[]``, ``1``, ``{}``) as a sample of roles: a county official, a team leader, anonymous;
* the lists with malformed query parameters.

Each request runs in a savepoint rolled back afterwards, so one request's writes never feed the next. A failure
names the route, the request and the user; an API 400 that the exception handler made from an unchecked
``ValueError``/``TypeError`` (logged by ``core.api``) counts as a failure too: the view must check its input.
``ROBUSTNESS_ALL_ROLES=1`` sends the POSTs as every role as well.
"""
from __future__ import annotations

import logging
import os
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from portal.testing import ALL_USERS
from tests.robustness.crawl import error_text, routes, variants

# Role-independent and slow (the whole OpenAPI document, a PDF): asked by two users only.
ONCE = {"api-schema", "api-docs", "public:public_pdf"}
ONCE_ROLES = ("admin", None)
POST_ROLES = ("renhua_st", "leader", None)
BAD_ID_ROLES = ("admin", "renhua_st", "leader")
JSON_BODIES = ("null", "[]", "1", "{}")
# Forms whose every usual field is a word or a 300-digit number: views that read request.POST themselves must check.
FORM_FIELDS = ("id", "ids", "call", "cycle", "town", "team", "run", "score", "kind", "action", "comment", "weights",
               "meeting_date", "pairings", "towns", "villages", "parents", "entry", "phone", "recipient", "sent_on",
               "confirmed_on", "rank", "visits")
BAD_FORMS = ({name: "abc" for name in FORM_FIELDS}, {name: "9" * 300 for name in FORM_FIELDS})
FORM = "application/x-www-form-urlencoded"
BAD_QUERY = {"cycle": "abc", "town": "abc", "county": "abc", "team": "-1", "status": "\x00", "page": "abc",
             "ordering": "abc", "q": "9" * 300, "a": "abc", "b": "-1"}


class Crawler:
    def __init__(self, world):
        self.clients = {None: Client()}
        for name in ALL_USERS:
            client = Client()
            client.force_login(world[name])
            self.clients[name] = client
        self.failures: list[str] = []
        self.requests = 0
        self.unchecked = _Collect()
        logging.getLogger("core.api").addHandler(self.unchecked)
        # Thousands of expected 404/405 warnings: not printed (a 500 is caught from the test client instead).
        self.request_logger = logging.getLogger("django.request")
        self.request_level = self.request_logger.level
        self.request_logger.setLevel(logging.ERROR)

    def close(self):
        logging.getLogger("core.api").removeHandler(self.unchecked)
        self.request_logger.setLevel(self.request_level)

    def send(self, user, method, url, *, body=None, content_type=None, tolerate=()):
        client = self.clients[user]
        session = client.cookies.get(settings.SESSION_COOKIE_NAME)
        self.requests += 1
        logged = len(self.unchecked.records)
        with transaction.atomic():
            try:
                if body is None:
                    response = getattr(client, method)(url)
                else:
                    response = getattr(client, method)(url, data=body, content_type=content_type)
                status = response.status_code
                if getattr(response, "streaming", False):  # the test client closes it once consumed (a second
                    b"".join(response.streaming_content)  # close() would close the test's database connection)
                problem = "" if status < 500 else "answered %d" % status
            except tolerate:
                problem = ""
            except Exception:  # noqa: BLE001 - the test client re-raises the view's exception: a 500
                problem = "500 " + error_text()
            transaction.set_rollback(True)
        if not problem and len(self.unchecked.records) > logged:
            problem = "unchecked input (400 from the exception handler): %s" % self.unchecked.records[-1]
        if problem:
            self.failures.append("%s %s as %s%s: %s" % (method.upper(), url, user or "anonymous",
                                                        " body %s" % body[:60] if body is not None else "", problem))
        client.cookies.pop("messages", None)
        if user is None:
            client.cookies.clear()
        elif session is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = session.value

    def report(self):
        unique = list(dict.fromkeys(self.failures))
        return "%d of %d requests failed:\n%s" % (len(unique), self.requests, "\n".join(unique[:80]))


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append("%s %s" % (record.getMessage(), record.exc_info[1] if record.exc_info else ""))


@pytest.fixture
def crawler(world, records):
    crawler = Crawler(world)
    yield crawler
    crawler.close()


def _post_roles():
    return [*ALL_USERS, None] if os.environ.get("ROBUSTNESS_ALL_ROLES") else list(POST_ROLES)


def test_the_crawler_knows_every_route(records):
    """Every route's parameters can be filled (a new route needs a row in tests/robustness/crawl.py)."""
    table = routes()
    assert len(table) > 150
    for route in table:
        for _label, values in variants(route, records):
            assert route.url(values).startswith("/")


def test_get_every_page_and_api_route_as_every_role(crawler, records):
    for route in routes():
        everyone = ONCE_ROLES if route.name in ONCE else [*ALL_USERS, None]
        if not route.has_objects:
            for user in everyone:
                crawler.send(user, "get", route.url({}))
            continue
        for label, values in variants(route, records):
            url = route.url(values)
            # Every role on the real record; the missing and malformed ids as those who may see the record.
            users = everyone if label == "valid" else BAD_ID_ROLES
            for user in users:
                crawler.send(user, "get", url)
    assert not crawler.failures, crawler.report()


def test_post_an_empty_body_to_every_route(crawler, records):
    for route in routes():
        if "post" not in route.methods and not (route.api and route.methods):
            continue
        for label, values in variants(route, records):
            url = route.url(values)
            for user in _post_roles():
                for method in sorted(route.methods) or ["post"]:
                    if route.api:
                        for body in JSON_BODIES if label == "valid" else ("{}",):
                            crawler.send(user, method, url, body=body, content_type="application/json")
                    elif method == "post":
                        crawler.send(user, "post", url)
                        if label == "valid":
                            for form in BAD_FORMS:
                                crawler.send(user, "post", url, body=urlencode(form), content_type=FORM)
    assert not crawler.failures, crawler.report()


def test_lists_with_malformed_query_parameters(crawler, records):
    """All the bad parameters at once as a role of each kind, then one at a time (one may hide another)."""
    for route in routes():
        if route.has_objects or route.name in ONCE:
            continue
        for user in ("admin", "renhua_st", "leader", None):
            crawler.send(user, "get", route.url({}) + "?" + urlencode(BAD_QUERY))
        for name, value in BAD_QUERY.items():
            crawler.send("renhua_st", "get", route.url({}) + "?" + urlencode({name: value}))
    assert not crawler.failures, crawler.report()
