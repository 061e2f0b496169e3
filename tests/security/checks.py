"""Sending one request of the matrix and judging it: savepoint, snapshot, body text, markers, links and ids."""
from __future__ import annotations

import io
import json
import re
import traceback
import zipfile
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from tests.security import routes
from tests.security.world import REGION_MARKERS, SIDES, marker

COUNTER = {"requests": 0, "checks": 0}

# Models whose rows a request may add without changing anything of the programme: sessions, the CAPTCHA a form
# draws, the cache of the login defence (not a model).
VOLATILE = {"sessions.session", "captcha.captchastore"}

# Marker names written by tests.security.world (object keys, and a few names that follow another record's audience).
MARKER_NAMES = ("classification", "work_team", "wtmember", "village", "profile", "campaign", "need_open", "need",
                "leaderperson", "commissioner", "team", "call_draft", "attachment_draft", "call", "attachment",
                "amendment", "app_town", "application", "round", "constraint", "panel", "meeting", "notice",
                "objection", "finding", "submission", "user", "agreement", "project_accepted", "project", "change",
                "expert", "relation", "review", "seat", "envelope", "grant", "disbursement", "activity_cross",
                "activity", "stay", "task", "flag", "conditions", "request", "case", "memberchange", "evaluation",
                "reward", "training", "material", "cgroup", "cmember", "cmeeting", "cdocument", "followup",
                "ar_draft", "ar_submitted", "ar_accepted", "ar_returned", "ar_city_draft", "ar_city")
MARKER_RE = re.compile(r"(?<![A-Za-z0-9])(RH|NX|QY)X(%s)X" % "|".join(MARKER_NAMES))
HREF_RE = re.compile(r"""href=["']([^"']+)["']""")
# Marker names that are not object keys: whose audience they follow.
MARKER_KEY = {"leaderperson": "commissioner", "meeting": "round", "finding": "objection"}


# ------------------------------------------------------------------------------------------------ snapshot
_SNAPSHOT_SQL = None


def _snapshot_sql():
    global _SNAPSHOT_SQL
    if _SNAPSHOT_SQL is None:
        parts = []
        for model in apps.get_models():
            if model._meta.label_lower in VOLATILE or model._meta.proxy or not model._meta.managed:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            parts.append("(SELECT COUNT(*) FROM %s)" % table)
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                parts.append("(SELECT MAX(%s) FROM %s)" % (connection.ops.quote_name("updated_at"), table))
        labels = []
        for model in apps.get_models():
            if model._meta.label_lower in VOLATILE or model._meta.proxy or not model._meta.managed:
                continue
            labels.append(model._meta.label + " rows")
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                labels.append(model._meta.label + " updated_at")
        _SNAPSHOT_SQL = ("SELECT " + ", ".join(parts), labels)
    return _SNAPSHOT_SQL


def snapshot() -> dict:
    """Row counts and the latest ``updated_at`` of every table: any insert, delete or save changes it."""
    sql, labels = _snapshot_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        values = cursor.fetchone()
    return dict(zip(labels, values))


def changes(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


# ------------------------------------------------------------------------------------------------ requests
@dataclass
class Result:
    status: int
    text: str = ""
    location: str = ""
    changed: list = field(default_factory=list)
    error: str = ""
    content_type: str = ""


def body_text(response) -> str:
    """The response as text to search: HTML/JSON as is, XLSX cells, DOCX paragraphs, PDF metadata bytes."""
    if getattr(response, "streaming", False):
        # Exhausting the test client's wrapper closes the response (and its file) without closing the database
        # connection; calling response.close() again would fire request_finished with close_old_connections.
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or content[:2] == b"PK" and b"xl/" in content[:2000]:
        return xlsx_text(content)
    if "wordprocessingml" in kind or content[:2] == b"PK" and b"word/" in content[:2000]:
        return docx_text(content)
    if "pdf" in kind:
        return content.decode("latin-1")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = []
    for sheet in book.worksheets:
        cells.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells.extend(str(value) for value in row if value is not None)
    book.close()
    return "\n".join(cells)


def docx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = [archive.read(name).decode("utf-8", "replace") for name in archive.namelist() if name.endswith(".xml")]
    return re.sub(r"<[^>]+>", "", "".join(parts))


def send(world, user, method: str, url: str, data=None, *, api=False, snapshot_db=False) -> Result:
    """One request by ``user`` (None: anonymous) inside a savepoint that is rolled back afterwards."""
    client = world.clients[user]
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    COUNTER["requests"] += 1
    with transaction.atomic():
        before = snapshot() if snapshot_db else None
        try:
            kwargs = {}
            if data is not None:
                if api and not any(hasattr(value, "read") for value in data.values()):  # a file: multipart
                    kwargs = {"data": json.dumps(data), "content_type": "application/json"}
                else:
                    kwargs = {"data": data}
            elif method != "get":
                kwargs = {"data": {}}
            response = getattr(client, method)(url, **kwargs)
            result = Result(status=response.status_code, location=response.get("Location", ""),
                            content_type=response.get("Content-Type", ""))
            result.text = body_text(response)
        except Exception:  # a 500: the matrix reports it with the route and the user
            result = Result(status=500, error=traceback.format_exc(limit=-3))
        if snapshot_db:
            result.changed = changes(before, snapshot())
        transaction.set_rollback(True)
    client.cookies.pop("messages", None)
    if user is None:
        client.cookies.clear()
    elif session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session.value
    return result


# ------------------------------------------------------------------------------------------------ urls
def _pk(world, side, key):
    return world.obj("shared" if key in ("cycle", "category", "product", "problem") else side, key).pk


def resolve_params(world, row, side, key) -> list[dict]:
    """The path kwargs of ``row`` for the record ``key`` of ``side``: one dict per literal alternative."""
    options = [{}]
    for name in routes.path_params(row.pattern):
        spec = row.decl.params.get(name) or key
        if spec.startswith("="):
            values = [re.sub(r"{(\w+)}", lambda m: str(_pk(world, side, m.group(1))), value)
                      for value in spec[1:].split("|")]
        else:
            values = [_pk(world, side, spec)]
        options = [dict(option, **{name: value}) for option in options for value in values]
    return options


def urls_for(world, row, side, key, *, variants=True) -> list[str]:
    """Every URL of ``row`` for the record ``key`` of ``side``: literal alternatives, then query variants."""
    urls = []
    for kwargs in resolve_params(world, row, side, key):
        url = reverse(row.name, kwargs=kwargs)
        if row.decl.query:
            url += "?" + re.sub(r"{(\w+)}", lambda m: str(_pk(world, side, m.group(1))), row.decl.query)
        urls.append(url)
    if variants:
        urls += [urls[0] + ("&" if "?" in urls[0] else "?") + query for query in row.decl.variants]
    return urls


def url_for(world, row, side, key) -> str:
    return urls_for(world, row, side, key, variants=False)[0]


# ------------------------------------------------------------------------------------------------ leaks in a body
def sensitive_values(world) -> dict:
    """side -> {audience key: literal}: values only some may see in full."""
    values = {}
    for side in SIDES:
        person = world.obj(side, "commissioner")
        objection = world.obj(side, "objection")
        values[side] = {"idnumber": person.id_number, "phone": person.phone, "objector_phone": objection.phone,
                        "expert_phone": world.obj(side, "expert").phone}
    return values


def object_links(world) -> dict:
    """(side, key) -> detail page URLs of the record (to find links to records a user may not open)."""
    table = {
        "need": "needs:need_detail", "need_open": "needs:need_detail", "town": "regions:town_detail",
        "city_town": "regions:town_detail", "campaign": "needs:campaign_detail", "call": "calls:call_detail",
        "call_draft": "calls:call_detail", "team": "teams:team_detail", "commissioner": "teams:commissioner_detail",
        "application": "calls:application_detail", "round": "matching:round_detail",
        "pairing": "matching:pairing_detail", "notice": "notices:notice_detail",
        "objection": "notices:objection_detail", "submission": "registrations:submission_detail",
        "user": "accounts:user_detail", "unit": "units:detail", "profile": "needs:profile_detail",
        "attachment_draft": "calls:attachment_download",
        "agreement": "projects:agreement_detail", "project": "projects:project_detail",
        "project_accepted": "projects:project_detail", "project_draft": "projects:project_detail",
        "change": "projects:change_detail",
        "expert": "reviews:expert_detail", "review": "reviews:review_detail", "seat": "reviews:seat_detail",
        "grant": "reviews:grant_detail", "disbursement": "reviews:voucher",
        "ar_draft": "reports:report_detail", "ar_submitted": "reports:report_detail",
        "ar_accepted": "reports:report_detail", "ar_returned": "reports:report_detail",
        "ar_city": "reports:report_detail", "ar_city_draft": "reports:report_detail",
    }
    links = {}
    for side in SIDES:
        for key, name in table.items():
            links[(side, key)] = reverse(name, args=[world.obj(side, key).pk])
    return links


def leaks_in(world, user, text: str, *, public_page=False, api_ids=None, keys=()) -> list[str]:
    """What ``text`` shows that ``user`` may not see: markers, region names, sensitive values, links, API ids."""
    found = []
    COUNTER["checks"] += 1
    if user == "admin":
        return found
    for side_code, key in set(MARKER_RE.findall(text)):
        side = side_code.lower()
        audience_key = MARKER_KEY.get(key, key)
        if public_page:
            if audience_key not in routes.PUBLIC_MARKERS:
                found.append("%s (%s record on a public page)" % (marker(side, key), side))
        elif user not in routes.marker_audience(audience_key, side):
            found.append(marker(side, key))
    values = world.sensitive
    for side in SIDES:
        for key, value in values[side].items():
            if value and value in text and (public_page or user not in routes.marker_audience(key, side)):
                found.append("%s of %s" % (key, side))
        if not public_page:
            names = [name for name in REGION_MARKERS[side] if name in text]
            if names and user not in routes.marker_audience("region", side):
                found.append("region %s" % "/".join(names))
    if not public_page:
        hrefs = {href.split("?")[0].split("#")[0] for href in HREF_RE.findall(text)}
        for (side, key), url in world.links.items():
            if url in hrefs and user not in routes.audience(key, side):
                found.append("link %s (%s %s)" % (url, side, key))
    if api_ids is not None:
        for key in keys:
            for side in SIDES:
                pk = world.obj(side, key).pk
                if (pk in api_ids or str(pk) in api_ids) and user not in routes.audience(key, side):
                    found.append("api id %s (%s %s)" % (world.obj(side, key).pk, side, key))
    return found


def api_ids(text: str) -> set | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    rows = data.get("results", data) if isinstance(data, dict) else data
    if not isinstance(rows, list):
        return None
    return {row.get("id") for row in rows if isinstance(row, dict)}
