"""The authorization matrix: every route × every role × an in-scope and an out-of-scope record.

The world (``tests.security.world``): 韶关市 (仁化县, 南雄市) and 清远市 (英德市, 连州市), the programme run once on
three sides — ``rh`` (仁化县: the in-scope record of the Shaoguan users), ``nx`` (南雄市: the other county of the
same city) and ``qy`` (英德市: the other city). The route table (``tests.security.routes``) declares, per URL name,
which record its parameters come from and who may read or write it.

* ``test_other_city``: every Shaoguan user (province included: it reads both cities but writes neither) asks for
  the Qingyuan record: denied (403/404), nothing changed, nothing shown, unless the record's audience says so.
* ``test_own_city``: on the 仁化 and 南雄 records, exactly the declared readers get 200/302 and writers may write;
  everyone else is denied and changes nothing (county isolation: 仁化 users never reach 南雄 records).
* ``test_lists``: every list, dashboard, form and export (``?export=xlsx``), with ``?q=`` search, for every user:
  no marker, link, API id, region name or sensitive value outside the user's audience; and counts do not move:
  the page is rendered again after records are added in 南雄/清远 and must be identical for users outside them.
* ``test_anonymous`` / ``test_public``: without login every non-public route redirects to the login page or
  answers 401/403/404; public pages show public records only.
* ``test_every_route_is_declared`` / ``test_every_method_is_declared``: a route (or a page's new POST handler)
  without a row in the table fails, so a route added later must be declared.

Any 500 fails the route. ``KNOWN_LEAKS`` lists the failures found and left for the lead to fix: a route whose
failures are all known is an expected failure (xfail) until they are fixed.
"""
from __future__ import annotations

import re

import pytest
from django.urls import resolve

from tests.security import checks, routes
from tests.security.checks import leaks_in, send, url_for, urls_for

pytestmark = pytest.mark.django_db

SHARED = {"cycle", "category", "product", "problem"}  # one record for both cities (programme-wide)
# (The expert sits in 仁化县's pool and on the 仁化 review's panel: it is checked on both counties.)
SAME_FOR_BOTH_COUNTIES = {"province", "city_st", "city_rural"}
ROWS = routes.rows()
OBJ_ROWS = [row for row in ROWS if row.decl.kind == "obj" and not row.decl.as_list]
QY_ROWS = [row for row in OBJ_ROWS if any(key not in SHARED for key in row.decl.objs)]
LIST_ROWS = [row for row in ROWS if row.decl.kind == "page" or row.decl.as_list]
PUBLIC_ROWS = [row for row in ROWS if row.decl.kind == "public"]
PRIVATE_ROWS = [row for row in ROWS if row.decl.kind != "public"]
PUBLIC_RECORDS = {"call", "notice", "attachment"}  # public by design: published calls and notices, their files

# Failures found by the matrix and not fixed yet: (route id, side, user, method) -> what is wrong ("*": any). The
# lead clears an entry once the app is fixed; a route whose failures are all listed here is xfail (the reason is
# shown with -rx), any other failure fails.
KNOWN_LEAKS: dict[tuple, str] = {
    # Add (route, side, user, method) here only with the reason, and fix it before the issue closes.
}


def known(route_id, side, user, method) -> bool:
    for (k_route, k_side, k_user, k_method) in KNOWN_LEAKS:
        if k_route == route_id and k_side in ("*", side) and k_user in ("*", user) and k_method in ("*", method):
            return True
    return False

WRITES = ("post", "put", "patch", "delete")


def gate_ok(decl, user) -> bool:
    return user == "admin" or decl.gate is None or routes.ROLE[user] in decl.gate


def readers(decl, key, side) -> set:
    rule = decl.allowed.get(key) if isinstance(decl.allowed, dict) else decl.allowed
    rule = rule or routes.AUDIENCE[key]
    return {user for user in rule(side) if gate_ok(decl, user)} | {"admin"}


def writers(decl, side) -> set:
    rule = decl.writers or routes.NOBODY
    return {user for user in rule(side) if gate_ok(decl, user)}


def is_login_redirect(result) -> bool:
    return result.status == 302 and "/accounts/login/" in result.location


def body_route(row) -> bool:
    """The record is named in the body, not the path (create forms and API creates)."""
    return not routes.path_params(row.pattern)


def record_side(key, side):
    return "shared" if key in SHARED else side


def check_object(world, row, side, users, failures):
    """Each user on the side's record(s) of an object route, every method; failures: (side, user, method) -> why."""
    decl, api = row.decl, row.pattern.is_api
    for key in decl.objs:
        rside = record_side(key, side)
        if rside == "shared" and side != "rh":
            continue
        can_read, can_write = readers(decl, key, rside), writers(decl, rside)
        data = decl.data(world, rside) if decl.data else None
        for method, url in [(m, u) for m in row.methods for u in urls_for(world, row, rside, key, variants=m == "get")]:
            for user in users:
                write = method in WRITES
                result = send(world, user, method, url, data, api=api, snapshot_db=write)
                where = (rside, user, method, url)
                if result.status == 500:
                    failures[where] = "500 %s\n%s" % (url, result.error)
                    continue
                leaks = leaks_in(world, user, result.text)
                if leaks:
                    failures[where] = "%s shows %s" % (url, ", ".join(sorted(set(leaks))))
                    continue
                if not write:
                    allowed = user in can_read
                    if allowed and not (result.status == 200 or result.status == 302 and not is_login_redirect(result)):
                        failures[where] = "%s: expected allowed, got %s" % (url, result.status)
                    elif not allowed and result.status not in (403, 404):
                        failures[where] = "%s: expected denied, got %s" % (url, result.status)
                    continue
                if user == "admin":
                    continue  # the administrator may do anything a service lets it do (a 500 is caught above)
                if user in can_write:
                    # A writer passes the scope check; a DELETE may still be refused by the model (403/409).
                    refused = (401, 404, 405) if method == "delete" else (401, 403, 404, 405)
                    if result.status in refused:
                        failures[where] = "%s %s: expected allowed, got %s" % (method, url, result.status)
                    continue
                if result.changed:
                    failures[where] = "%s %s by a non-writer (status %s) changed %s" % (
                        method, url, result.status, ", ".join(result.changed[:6]))
                elif user not in can_read and not body_route(row) and result.status not in (403, 404, 405):
                    failures[where] = "%s %s: expected denied, got %s" % (method, url, result.status)


def report(row, failures):
    if not failures:
        return
    known_failures = {where: why for where, why in failures.items() if known(row.id, *where[:3])}
    lines = ["%s %s %s %s: %s" % (row.id, side, user, method, why)
             for (side, user, method, _key), why in sorted(failures.items())]
    if len(known_failures) == len(failures):
        pytest.xfail("known leaks (KNOWN_LEAKS):\n" + "\n".join(lines))
    pytest.fail("%d failures:\n%s" % (len(failures), "\n".join(lines)), pytrace=False)


# ------------------------------------------------------------------------------------------------ the guard
def test_every_route_is_declared():
    """A URL pattern without a row in the route table fails: declare who may use it (tests/security/routes.py)."""
    missing = routes.undeclared()
    assert not missing, "routes without a declaration in tests/security/routes.py:\n" + "\n".join(missing)


def test_the_table_has_no_stale_rows():
    """Every declared name is still a route (a removed route's row goes too)."""
    names = {pattern.name for pattern in routes.patterns()}
    declared = set(routes.DECLARATIONS) | set(routes.API_ACTIONS) | set(routes.API_CREATE)
    optional = {"media"}  # only under DEBUG
    stale = sorted(declared - names - optional)
    stale += sorted(base for base in routes.API_VIEWSETS
                    if base + "-list" not in names and base + "-detail" not in names)
    assert not stale, stale


# ------------------------------------------------------------------------------------------------ the matrix
@pytest.mark.parametrize("row", QY_ROWS, ids=[row.id for row in QY_ROWS])
def test_other_city(matrix, row):
    """Shaoguan users on the Qingyuan record: denied, unchanged, unseen (except the record's declared audience)."""
    failures = {}
    check_object(matrix, row, "qy", routes.SHAOGUAN, failures)
    report(row, failures)


@pytest.mark.parametrize("row", OBJ_ROWS, ids=[row.id for row in OBJ_ROWS])
def test_own_city(matrix, row):
    """The 仁化 and 南雄 records: the declared readers and writers, and nobody else (county isolation)."""
    failures = {}
    check_object(matrix, row, "rh", routes.SHAOGUAN + ["admin"], failures)
    # 南雄: the users whose relation to it differs from their relation to 仁化 (the city's officials, the province,
    # the expert and the administrator stand in the same relation to both counties: the 仁化 pass covers them).
    check_object(matrix, row, "nx", [user for user in routes.SHAOGUAN if user not in SAME_FOR_BOTH_COUNTIES], failures)
    report(row, failures)


def _list_urls(world, row):
    """A list-like route's URLs (per side for a parameter route), and its variants: export, searches."""
    if row.decl.kind == "obj":
        bases = [url_for(world, row, side, row.decl.objs[0]) for side in routes.SIDES] if routes.path_params(
            row.pattern) else [url_for(world, row, "rh", row.decl.objs[0])]
    else:
        bases = [url_for(world, row, "rh", None)]
    variants = [base + ("&" if "?" in base else "?") + query for base in bases for query in row.decl.variants]
    view = resolve(bases[0].split("?")[0]).func
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    from core.generic import ScopedListView

    joiner = lambda url: "&" if "?" in url else "?"  # noqa: E731
    searches = []
    for index, base in enumerate(bases):
        if view_class and issubclass(view_class, ScopedListView):
            variants.append(base + joiner(base) + "export=xlsx")
            if index == 0:  # a parameter route searches like its first page
                searches += [(side, base + joiner(base) + "q=" + term) for side, term in (("qy", "QYX"), ("nx", "NXX"))]
        elif row.pattern.actions.get("get") == "list":
            searches += [(side, base + joiner(base) + "search=%s&q=%s" % (term, term))
                         for side, term in (("qy", "QYX"), ("nx", "NXX"))]
    return bases, variants, searches


# Users who see none of the records ``add_extras`` adds on a side (province reads both cities; 茶叶团队 is 南雄's).
UNAFFECTED = {
    "qy": [user for user in routes.SHAOGUAN if user != "province"],
    "nx": [user for user in routes.SHAOGUAN if user not in
           {"province", "city_st", "city_rural", "nanxiong_st", "nanxiong_rural", "other_leader"}],
}
_VOLATILE_TEXT = re.compile(
    # CSRF tokens, idempotency keys, UUIDs: new on every render; times of day.
    r"\b[A-Za-z0-9_-]{32,}\b|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b\d{1,2}:\d{2}(:\d{2})?\b")


def _normal(text):
    return _VOLATILE_TEXT.sub("~", text)


@pytest.mark.parametrize("row", LIST_ROWS, ids=[row.id for row in LIST_ROWS])
def test_lists(matrix, row):
    """Lists, dashboards, forms, exports and searches show nothing outside each user's audience; counts and totals do
    not move when records a user may not see are added; POSTs change nothing."""
    from django.db import transaction

    from tests.security.world import add_extras

    decl, api = row.decl, row.pattern.is_api
    failures = {}
    keys = []
    if row.pattern.actions.get("get") == "list":
        keys = [key for key in getattr(routes.API_VIEWSETS.get(row.name[: -len("-list")]), "objs", ())
                if key not in SHARED]

    def judge(user, url):
        result = send(matrix, user, "get", url, api=api)
        where = ("-", user, "get", url)
        if result.status == 500:
            failures[where] = "500 %s\n%s" % (url, result.error)
        elif gate_ok(decl, user) and result.status not in (200, 302):
            failures[where] = "%s: expected allowed, got %s" % (url, result.status)
        elif not gate_ok(decl, user) and result.status not in (403, 404):
            failures[where] = "%s: expected denied, got %s" % (url, result.status)
        else:
            ids = checks.api_ids(result.text) if keys else None
            leaks = leaks_in(matrix, user, result.text, api_ids=ids, keys=keys)
            if leaks:
                failures[where] = "%s shows %s" % (url, ", ".join(sorted(set(leaks))))
        return _normal(result.text)

    if "get" in row.methods:
        bases, variants, searches = _list_urls(matrix, row)
        before = {(url, user): judge(user, url) for url in bases for user in routes.SHAOGUAN + ["admin"]}
        for url in variants:
            for user in routes.SHAOGUAN:
                judge(user, url)
        # Searching for a side's markers, by the users who may see none of that side's records.
        for side, url in searches:
            for user in UNAFFECTED[side]:
                judge(user, url)
        # Counts: add records on a side; the pages of users outside its audience must not move.
        with transaction.atomic():
            for side in ("qy", "nx"):
                add_extras(matrix, side)
                for url in bases:
                    for user in UNAFFECTED[side]:
                        text = _normal(send(matrix, user, "get", url, api=api).text)
                        if text != before[(url, user)]:
                            failures[(side, user, "get", url)] = "%s changes when %s records are added: %s" % (
                                url, side, _first_difference(before[(url, user)], text))
                        before[(url, user)] = text
            transaction.set_rollback(True)
    for method in [m for m in row.methods if m in WRITES]:
        sides = routes.SIDES if decl.kind == "obj" else ("rh",)
        for side in sides:
            url = url_for(matrix, row, side, decl.objs[0] if decl.objs else None)
            data = decl.data(matrix, side) if decl.data else None
            for user in routes.SHAOGUAN:
                result = send(matrix, user, method, url, data, api=api, snapshot_db=True)
                where = (side, user, method, url)
                if result.status == 500:
                    failures[where] = "500 %s %s\n%s" % (method, url, result.error)
                    continue
                leaks = leaks_in(matrix, user, result.text)
                if leaks:
                    failures[where] = "%s %s shows %s" % (method, url, ", ".join(sorted(set(leaks))))
                elif result.changed and not (decl.changes_ok or user in writers(decl, side)):
                    failures[where] = "%s %s (status %s) changed %s" % (method, url, result.status,
                                                                        ", ".join(result.changed[:6]))
    report(row, failures)


@pytest.mark.parametrize("row", PRIVATE_ROWS, ids=[row.id for row in PRIVATE_ROWS])
def test_anonymous(matrix, row):
    """Without login: the sign-in page (or 401/403/404), nothing shown, nothing changed."""
    decl, api = row.decl, row.pattern.is_api
    failures = {}
    targets = []
    if decl.kind == "obj":
        for key in decl.objs:
            for side in ("rh", "qy"):
                if record_side(key, side) == "shared" and side == "qy":
                    continue
                targets.append((record_side(key, side), key))
    else:
        targets.append(("rh", None))
    for side, key in targets:
        data = decl.data(matrix, side) if decl.data else None
        urls = urls_for(matrix, row, side, key) if decl.kind == "obj" else [url_for(matrix, row, side, key)]
        for method, url in [(m, u) for m in row.methods for u in urls]:
            write = method in WRITES
            result = send(matrix, None, method, url, data, api=api, snapshot_db=write)
            where = (side, "anonymous", method, key)
            public_file = key in PUBLIC_RECORDS and row.name == "calls:attachment_download"
            if result.status == 500:
                failures[where] = "500 %s\n%s" % (url, result.error)
            elif result.changed:
                failures[where] = "%s %s changed %s" % (method, url, ", ".join(result.changed[:6]))
            elif public_file:
                if result.status != 200:
                    failures[where] = "%s: the published call's attachment is public, got %s" % (url, result.status)
            elif not (is_login_redirect(result) or result.status in (401, 403, 404, 405)):
                failures[where] = "%s %s: expected the sign-in page or 401/403/404, got %s" % (
                    method, url, result.status)
            elif leaks_in(matrix, None, result.text):
                failures[where] = "%s shows %s" % (url, ", ".join(leaks_in(matrix, None, result.text)))
    report(row, failures)


@pytest.mark.parametrize("row", PUBLIC_ROWS, ids=[row.id for row in PUBLIC_ROWS])
def test_public(matrix, row):
    """Public pages: open to everyone; they show published calls and notices only, and take no record out of scope."""
    decl = row.decl
    failures = {}
    targets = [(side, key) for key in decl.objs for side in routes.SIDES] or [("rh", None)]
    for side, key in targets:
        url = url_for(matrix, row, side, key)
        data = decl.data(matrix, side) if decl.data else None
        for method in row.methods:
            # A public page is the same for everyone: every user reads it; the notice PDF (rendered without the user)
            # and the forms' POSTs (refused the same way for anyone) are tried anonymously and by one official.
            few = row.name == "public:public_pdf" or method in WRITES
            users = [None, "renhua_st"] if few else [None] + routes.SHAOGUAN
            for user in users:
                write = method in WRITES
                result = send(matrix, user, method, url, data if write else None, snapshot_db=write)
                where = (side, user or "anonymous", method, key)
                public_record = key is None or key in PUBLIC_RECORDS or not routes.path_params(row.pattern)
                if result.status == 500:
                    failures[where] = "500 %s\n%s" % (url, result.error)
                elif result.changed:
                    failures[where] = "%s %s changed %s" % (method, url, ", ".join(result.changed[:6]))
                elif not public_record and result.status != 404:
                    failures[where] = "%s: not public, expected 404, got %s" % (url, result.status)
                elif public_record and result.status not in (200, 302, 404 if row.name.endswith("evidence") else 200):
                    failures[where] = "%s: public, got %s" % (url, result.status)
                else:
                    leaks = leaks_in(matrix, user, result.text, public_page=True)
                    if leaks:
                        failures[where] = "%s shows %s" % (url, ", ".join(sorted(set(leaks))))
    report(row, failures)



def _first_difference(a, b):
    import difflib

    for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0):
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            return line.strip()[:200]
    return "(whitespace)"


def test_every_method_is_declared():
    """A page that starts answering POST (or PUT/DELETE) needs the table to try it: declare its writers."""
    missing = routes.undeclared_methods()
    assert not missing, "\n".join(missing)
