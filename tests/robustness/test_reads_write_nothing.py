"""Reading never writes: a GET of any page or API route, as any role, makes no INSERT, UPDATE or DELETE.

Work that falls due with time (closing a notice whose period has ended, …) is done by the scheduled jobs
(``core.scheduled``, ``manage.py run_scheduled``); a page shows the effective state computed from the dates.

The crawler's route table (``tests.robustness.crawl``) gives every URL pattern; each is asked with the ids of the
robustness records (``tests.robustness.records``, valid ids only) as every user of ``portal.testing.ALL_USERS`` and
anonymously, inside ``CaptureQueriesContext`` and a savepoint rolled back afterwards. The notice asked for is one
whose period has ended and that the scheduled job has not closed yet: the case that used to close on a read.
"""
from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.testing import ALL_USERS
from tests.robustness.crawl import routes, variants


def _cache_table() -> str:
    cache = settings.CACHES["default"]
    return cache.get("LOCATION", "") if cache["BACKEND"].endswith("DatabaseCache") else ""


# The only tables a read may write, each for a reason. Keep this list short.
ALLOWED_TABLES = {
    "core_sensitiveaccess",  # the log of who saw unmasked personal data (a phone, an objector): must be recorded
    "captcha_captchastore",  # a public form's CAPTCHA challenge (call sign-up, objection), stored when shown
    # The database cache: counters and cached values, no record. DRF's login throttle counts every request to the
    # token endpoint, a GET (answered 405) included.
    _cache_table(),
}
# Role-independent and slow (the whole OpenAPI document, a PDF): asked by two users only.
ONCE = {"api-schema", "api-docs", "public:public_pdf"}
ONCE_ROLES = ("admin", None)
# The API reads the same selectors as the pages: a sample of roles (every level, a team, anonymous).
API_ROLES = ("admin", "province", "city_st", "renhua_st", "renhua_county_town", "leader", None)
EXPORT_ROLES = ("admin", "renhua_st")
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[`"\[]?(\w+)', re.IGNORECASE)


def writes(queries) -> list[str]:
    """The INSERT/UPDATE/DELETE statements among ``queries`` on a table not in ``ALLOWED_TABLES``."""
    found = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(1).lower() not in ALLOWED_TABLES:
            found.append(query["sql"][:160])
    return found


@pytest.fixture
def due_notice(world, records):
    """A notice whose period ended 2 weeks ago, still "published": the scheduled job has not run yet."""
    from matching.models import Pairing
    from notices.services import notice_publish

    pairing = Pairing.objects.create(cycle=world.cycle, town=world.renhua_city_town, team=world.other_team,
                                     organizer_level="city", status="proposed")
    notice = notice_publish(actor=world["city_st"], cycle=world.cycle, pairings=[pairing], title="仁化县城区镇公示",
                            start_date=timezone.localdate() - dt.timedelta(days=30), contact="市科技局 0751-8888888",
                            today=timezone.localdate() - dt.timedelta(days=30))
    assert notice.status == "published" and notice.ends_at < timezone.now()
    return notice


@pytest.fixture
def quiet_requests():
    """Hundreds of expected 404/405 warnings: not printed (test_no_server_errors looks after the errors)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_a_get_of_any_page_or_api_route_writes_nothing(world, records, due_notice, quiet_requests):
    from core.models import Transition

    records = {**records, "notice": due_notice}
    clients = {None: Client()}
    for name in ALL_USERS:
        clients[name] = Client()
        clients[name].force_login(world[name])
    failures, requests, answered = [], 0, 0

    def read(user, url):
        nonlocal requests, answered
        requests += 1
        connection.queries_log.clear()  # a full log (9000 queries) would make the capture below see nothing
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            try:
                response = clients[user].get(url)
                answered += response.status_code == 200
                if getattr(response, "streaming", False):  # a file or an export: its queries run as it is read
                    b"".join(response.streaming_content)
            except Exception as error:  # noqa: BLE001 - test_no_server_errors reports errors; here, the writes
                failures.append("GET %s as %s raised %r" % (url, user or "anonymous", error))
            transaction.set_rollback(True)
        found = writes(captured.captured_queries)
        if found:
            failures.append("GET %s as %s wrote %d rows, first: %s" % (url, user or "anonymous", len(found), found[0]))
        if user is None:
            clients[None].cookies.clear()

    for route in routes():
        try:
            values = next(values for label, values in variants(route, records) if label == "valid")
        except KeyError:  # a parameter the crawler cannot fill yet: test_the_crawler_knows_every_route names it
            continue
        url = route.url(values)
        for user in ONCE_ROLES if route.name in ONCE else API_ROLES if route.api else [*ALL_USERS, None]:
            read(user, url)
        if not route.api and not route.has_objects and route.name not in ONCE:
            for user in EXPORT_ROLES:  # the lists' Excel export is a read too
                read(user, url + "?export=xlsx")
    assert answered > requests // 3, "only %d of %d reads answered 200: the crawl reads too little" % (answered, requests)
    assert not failures, "%d of %d reads wrote (or failed):\n%s" % (len(failures), requests, "\n".join(failures[:60]))

    # The due notice read as closed everywhere, and is still as the job will find it.
    due_notice.refresh_from_db()
    assert (due_notice.status, due_notice.closed_at) == ("published", None)
    assert due_notice.effective_status() == "closed"
    # Only its publishing (draft → published, the organizer's step) is recorded; no GET recorded the end.
    assert list(Transition.objects.filter(content_type__model="publicnotice", object_id=str(due_notice.pk))
                .values_list("to_state", flat=True)) == ["published"]


def test_the_write_detector_sees_writes_and_ignores_reads():
    queries = [{"sql": 'SELECT "a" FROM "notices_publicnotice"'}, {"sql": 'SAVEPOINT "s1"'},
               {"sql": 'UPDATE "notices_publicnotice" SET "status" = \'closed\''},
               {"sql": 'INSERT INTO "core_sensitiveaccess" ("user_id") VALUES (1)'},
               {"sql": 'DELETE FROM "core_transition" WHERE 1'}]
    assert [sql.split()[0] for sql in writes(queries)] == ["UPDATE", "DELETE"]
