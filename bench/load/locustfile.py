"""The load mix of issue 21: one locust user class per role, against `make serve` on 127.0.0.1 (bench/load/run.py).

    LOAD_ACCOUNTS=var/load/accounts.json locust -f bench/load/locustfile.py --host http://127.0.0.1:8011 \
        --headless -u 50 -r 10 -t 10m

Every request goes as behind the TLS proxy (``X-Forwarded-Proto: https``; the Secure cookies are kept over plain
http: locust's FastHttpUser marks its requests https for the cookie jar), never follows a redirect by itself, and
counts as a failure unless it answers what the page should: 200 for a page (not a redirect to the login page), a
redirect to the record for a form or a workflow step — after which the page it lands on is opened and must not show
an error message (``alert-danger``: the service refused the step).

Accounts (``LOAD_ACCOUNTS``, a JSON file run.py writes from the database): per role, the usernames to sign in with
(each locust user takes the next one of its role). Password: ``LOAD_PASSWORD`` (default: the demo's, which
``manage.py load_scale`` gives every account unless SCALE_PASSWORD was set).

Users per role (``fixed_count``, 50 in all): 4 anonymous visitors of the public pages, 2 province and 5 city
officials (dashboards, lists, details, search), 9 county S&T officials (reviewing needs, projects, reviews; XLSX
exports; confirming submitted needs), 12 towns (their needs — entering new ones —, confirming the service activities
teams recorded), 12 team leaders (recording service activities through the real form, browsing), 3 dispatching units,
3 experts. Think time ``LOAD_WAIT`` seconds ("0.5,2": uniform between). Writes are capped per user
(``LOAD_MAX_WRITES``, default 15) so the data grows by at most a few hundred rows a run.

``LOAD_TRIVIAL=1``: only :class:`Trivial` (50 users on ``/health/live/``, no think time unless ``LOAD_TRIVIAL_WAIT``).
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from collections import defaultdict
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode

import lxml.html
from locust import FastHttpUser, between, constant, task

PASSWORD = os.environ.get("LOAD_PASSWORD") or "Demo@2025kj"
TRIVIAL = os.environ.get("LOAD_TRIVIAL") == "1"
MAX_WRITES = int(os.environ.get("LOAD_MAX_WRITES") or 15)
_low, _, _high = (os.environ.get("LOAD_WAIT") or "0.5,2").partition(",")
WAIT = between(float(_low), float(_high or _low))
HEADERS = {"X-Forwarded-Proto": "https"}


def _accounts() -> dict:
    path = os.environ.get("LOAD_ACCOUNTS")
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


ACCOUNTS = _accounts()
_next = defaultdict(itertools.count)
_next_lock = threading.Lock()
SEARCH_WORDS = ["柑橘", "茶叶", "病虫害", "品牌", "加工", "培训", "保鲜", "品种", "蔬菜", "电商", "土壤", "黄龙病"]
NEED_TITLES = ["{}技术指导", "{}绿色防控", "{}品种改良", "{}精深加工", "{}品牌打造"]
CROPS = ["柑橘", "茶叶", "沙田柚", "香芋", "马蹄", "食用菌", "油茶", "南药"]
ACTIVITY_TITLES = ["{}田间技术指导", "{}病虫害诊断", "{}栽培技术培训", "{}示范基地巡查", "{}采后保鲜指导"]
MESSAGE_ERROR = re.compile(r'<div class="alert alert-(danger|warning) alert-dismissible[^>]*>\s*(.*?)<button', re.S)
FIELD_ERROR = re.compile(r'class="invalid-feedback[^"]*"[^>]*>\s*(.*?)\s*<', re.S)
NONFIELD_ERROR = re.compile(r'class="alert alert-danger[^"]*"[^>]*>\s*(.*?)\s*<', re.S)


def _id_links(html: str, prefix: str) -> list[str]:
    """The distinct ``href="<prefix><id>/"`` links of a page (the detail pages a list links to)."""
    pattern = re.compile(r'href="(%s\d+/)"' % re.escape(prefix))
    return list(dict.fromkeys(pattern.findall(html)))


def _short(text: str, size: int = 300) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:size]


class SecureOverHttp(DefaultCookiePolicy):
    """Send the Secure cookies (session, CSRF) over the plain http of 127.0.0.1: the TLS proxy is what the
    ``X-Forwarded-Proto: https`` header stands for."""

    def return_ok_secure(self, cookie, request):
        return True


class PortalUser(FastHttpUser):
    """A signed-in user of one role: ``role`` names its accounts in ACCOUNTS."""

    abstract = True
    role = ""
    wait_time = WAIT
    default_headers = HEADERS
    # Pages a sync gunicorn worker holds the connection for; locust's own timeouts only bound a stuck run.
    network_timeout = 120.0
    connection_timeout = 30.0

    def on_start(self):
        self.client.cookiejar.set_policy(SecureOverHttp())
        self.writes = 0
        self.seen: dict[str, list[str]] = {}
        self.last_page: dict[str, int] = {}
        self.username = self.take_account()
        self.signed_in = False
        if self.username:
            self.login()

    def take_account(self) -> str | None:
        names = ACCOUNTS.get(self.role) or []
        if not names:
            return None
        with _next_lock:
            index = next(_next[self.role])
        return names[index % len(names)]

    # ----------------------------------------------------------------------------------------- requests

    @property
    def origin(self) -> str:
        return "https://" + self.host.split("://", 1)[1].rstrip("/")

    def page(self, url: str, name: str, *, binary: bool = False) -> str:
        """GET a page that must answer 200 (a redirect — e.g. to the login page — is a failure). Returns its text."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure("%s %s → %s %s" % ("GET", url, response.status_code,
                                                    (response.headers or {}).get("Location", "")))
                return ""
            kind = (response.headers or {}).get("Content-Type", "")
            if binary:
                if "spreadsheetml" not in kind or not (response.content or b"").startswith(b"PK"):
                    response.failure("%s is not an XLSX file (%s)" % (url, kind))
                return ""
            return response.text or ""

    def browse(self, list_url: str, list_name: str, prefix: str, detail_name: str, *, key: str | None = None) -> str:
        """Open a list, then one of the records it links to (``prefix<id>/``): what a person does. Returns the
        detail page's URL ("" when the list links to none)."""
        html = self.page(list_url, list_name)
        links = _id_links(html, prefix)
        if key:
            self.seen[key] = links or self.seen.get(key, [])
        if not links:
            return ""
        url = random.choice(links[:25])
        self.page(url, detail_name)
        return url

    def paged(self, base: str, most: int) -> str:
        """``base?page=N`` for a page that exists: N up to ``most`` and to the last page the list links to (learnt
        from the first visit, which opens page 1)."""
        known = self.last_page.get(base)
        number = 1 if known is None else random.randint(1, max(1, min(most, known)))
        return "%s%spage=%d" % (base, "&" if "?" in base else "?", number)

    def learn_pages(self, base: str, html: str) -> None:
        if base not in self.last_page:
            self.last_page[base] = max([int(n) for n in re.findall(r"[?&](?:amp;)?page=(\d+)", html)] or [1])

    def browse_paged(self, base: str, most: int, list_name: str, prefix: str, detail_name: str) -> str:
        url = self.paged(base, most)
        html = self.page(url, list_name)
        self.learn_pages(base, html)
        links = _id_links(html, prefix)
        if not links:
            return ""
        detail = random.choice(links[:25])
        self.page(detail, detail_name)
        return detail

    def form_values(self, html: str, action: str | None = None, field: str | None = None
                    ) -> tuple[str | None, list[tuple[str, str]]]:
        """The action and the values a browser would send untouched (hidden fields — the CSRF token —, checked
        boxes, selected options, typed text) of the page's POST form whose action ends with ``action`` or which
        has a control named ``field`` (not the menu's logout form)."""
        doc = lxml.html.fromstring(html)
        for form in doc.forms:
            method = (form.get("method") or "get").lower()
            if method != "post":
                continue
            target = form.get("action")
            if field is not None and not form.xpath('.//*[@name="%s"]' % field):
                continue
            if action is None or (target or "").rstrip("/").endswith(action.rstrip("/")):
                values = list(form.form_values())
                # A step with a warning asks to tick "我已知悉": a person reads it and ticks it.
                values += [(box.get("name"), box.get("value") or "on")
                           for box in form.xpath('.//input[@type="checkbox"][@name="confirm_warning"]')]
                return target, values
        return None, []

    def post(self, url: str, values, name: str, referer: str, expect: str | None) -> str | None:
        """POST as the browser does (urlencoded, Referer of the form's page). Must redirect (to ``expect``, a regex
        of the Location, when given); the page it lands on must show no error message. Returns the Location."""
        body = urlencode(values)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.origin + referer}
        with self.client.post(url, data=body, headers=headers, name=name, allow_redirects=False,
                              catch_response=True) as response:
            location = (response.headers or {}).get("Location", "")
            if response.status_code != 302:
                text = response.text or ""
                errors = FIELD_ERROR.findall(text) + NONFIELD_ERROR.findall(text)
                response.failure("POST %s → %s: %s" % (url, response.status_code,
                                                      "; ".join(_short(e, 120) for e in errors)[:400] or _short(text)))
                return None
            if expect and not re.search(expect, location):
                response.failure("POST %s → redirect to %s (expected %s)" % (url, location, expect))
                return None
        landing = location.split("://", 1)[-1]
        landing = landing[landing.index("/"):] if "://" in location else location
        with self.client.get(landing, name=name + " → page", allow_redirects=False, catch_response=True) as page:
            if page.status_code != 200:
                page.failure("after POST %s: %s → %s" % (url, landing, page.status_code))
                return None
            refused = MESSAGE_ERROR.findall(page.text or "")
            if refused:
                page.failure("POST %s refused: %s" % (url, "; ".join(_short(m[1], 160) for m in refused)))
                return None
        self.writes += 1
        return location

    def login(self):
        html = self.page("/accounts/login/", "GET /accounts/login/")
        _action, values = self.form_values(html, field="username")
        values = [(k, v) for k, v in values if k not in ("username", "password")]
        values += [("username", self.username), ("password", PASSWORD)]
        with self.client.post("/accounts/login/", data=urlencode(values), name="POST /accounts/login/",
                              headers={"Content-Type": "application/x-www-form-urlencoded",
                                       "Referer": self.origin + "/accounts/login/"},
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure("login %s → %s %s" % (self.username, response.status_code,
                                                     _short(response.text or "", 200)))
                return
        self.signed_in = True
        self.page("/home/", "GET /home/")

    def missing_form(self, url: str) -> None:
        """The page answered 200 without its form (e.g. a message saying the user may not enter one): a failure."""
        self.environment.events.request.fire(request_type="FORM", name=url, response_time=0, response_length=0,
                                             exception=AssertionError("%s: no form on the page" % url), context={})

    def may_write(self) -> bool:
        return self.signed_in and self.writes < MAX_WRITES

    def ensure_signed_in(self):
        if not self.signed_in and self.username:
            self.login()


class Anonymous(FastHttpUser):
    """The public: the landing page, the public notices (公示) and the published calls."""

    fixed_count = 4
    wait_time = WAIT
    default_headers = HEADERS

    def page(self, url, name):
        return PortalUser.page(self, url, name)

    @task(2)
    def landing(self):
        self.page("/", "GET /")

    @task(4)
    def notices(self):
        html = self.page("/public/notices/", "GET /public/notices/")
        links = _id_links(html, "/public/notices/")
        if links:
            self.page(random.choice(links[:20]), "GET /public/notices/<id>/")

    @task(3)
    def calls(self):
        html = self.page("/calls/public/", "GET /calls/public/")
        links = _id_links(html, "/calls/public/")
        if links:
            self.page(random.choice(links[:20]), "GET /calls/public/<id>/")

    @task(1)
    def login_page(self):
        self.page("/accounts/login/", "GET /accounts/login/")


class Official(PortalUser):
    """Province and city officials: dashboards, lists and details across their area, searching."""

    abstract = True
    pages = 10  # list pages 1..pages (no further than the list's last page)

    @task(3)
    def home(self):
        self.ensure_signed_in()
        self.page("/home/", "GET /home/")

    @task(2)
    def overview(self):
        self.page("/overview/", "GET /overview/")

    @task(4)
    def needs(self):
        self.browse_paged("/needs/", self.pages, "GET /needs/?page=N", "/needs/", "GET /needs/<id>/")

    @task(4)
    def search(self):
        self.browse("/needs/?q=%s" % random.choice(SEARCH_WORDS), "GET /needs/?q=…", "/needs/", "GET /needs/<id>/")

    @task(2)
    def teams(self):
        self.browse_paged("/teams/", self.pages, "GET /teams/?page=N", "/teams/", "GET /teams/<id>/")

    @task(2)
    def pairings(self):
        self.browse("/matching/pairings/", "GET /matching/pairings/", "/matching/pairings/",
                    "GET /matching/pairings/<id>/")

    @task(2)
    def projects(self):
        self.browse("/assistance/projects/", "GET /assistance/projects/", "/assistance/projects/",
                    "GET /assistance/projects/<id>/")

    @task(1)
    def towns(self):
        url = self.browse_paged("/regions/towns/", self.pages, "GET /regions/towns/?page=N",
                          "/regions/towns/", "GET /regions/towns/<id>/")
        if url:
            self.page(url.replace("/regions/towns/", "/story/town/"), "GET /story/town/<id>/")

    @task(2)
    def dashboards(self):
        self.page("/reports/dashboard/", "GET /reports/dashboard/")

    @task(1)
    def registrations(self):
        self.page("/registrations/dashboard/", "GET /registrations/dashboard/")

    @task(1)
    def activities(self):
        self.browse("/field/activities/", "GET /field/activities/", "/field/activities/",
                    "GET /field/activities/<id>/")


class Province(Official):
    fixed_count = 2
    role = "province"
    pages = 20


class City(Official):
    fixed_count = 5
    role = "city_st"

    @task(1)
    def notices(self):
        self.browse("/notices/", "GET /notices/", "/notices/", "GET /notices/<id>/")

    @task(1)
    def reviews(self):
        self.browse("/review/reviews/", "GET /review/reviews/", "/review/reviews/", "GET /review/reviews/<id>/")


class County(PortalUser):
    """County S&T offices: reviewing their towns' needs, projects and reviews, exporting lists to Excel, confirming
    submitted needs."""

    fixed_count = 9
    role = "county_st"

    @task(2)
    def home(self):
        self.ensure_signed_in()
        self.page("/home/", "GET /home/")

    @task(4)
    def submitted_needs(self):
        self.browse("/needs/?status=submitted", "GET /needs/?status=submitted", "/needs/", "GET /needs/<id>/")

    @task(3)
    def needs(self):
        self.browse_paged("/needs/", 5, "GET /needs/?page=N", "/needs/", "GET /needs/<id>/")

    @task(2)
    def search(self):
        self.browse("/needs/?q=%s" % random.choice(SEARCH_WORDS), "GET /needs/?q=…", "/needs/", "GET /needs/<id>/")

    @task(3)
    def projects(self):
        self.browse("/assistance/projects/", "GET /assistance/projects/", "/assistance/projects/",
                    "GET /assistance/projects/<id>/")

    @task(2)
    def reviews(self):
        self.browse("/review/reviews/", "GET /review/reviews/", "/review/reviews/", "GET /review/reviews/<id>/")

    @task(2)
    def activities(self):
        self.browse("/field/activities/", "GET /field/activities/", "/field/activities/",
                    "GET /field/activities/<id>/")

    @task(1)
    def stays(self):
        self.page("/field/stays/", "GET /field/stays/")

    @task(1)
    def days(self):
        self.page("/field/days/", "GET /field/days/")

    @task(1)
    def export_needs(self):
        self.page("/needs/?export=xlsx", "GET /needs/?export=xlsx", binary=True)

    @task(1)
    def export_projects(self):
        self.page("/assistance/projects/summary.xlsx", "GET /assistance/projects/summary.xlsx", binary=True)

    @task(1)
    def export_activities(self):
        self.page("/field/activities/?export=xlsx", "GET /field/activities/?export=xlsx", binary=True)

    @task(1)
    def confirm_need(self):
        """Open the submitted needs awaiting this office, one of them, and confirm it."""
        if not self.may_write():
            return
        html = self.page("/needs/?status=submitted&mine=1", "GET /needs/?status=submitted&mine=1")
        links = _id_links(html, "/needs/")
        if not links:
            return
        url = random.choice(links[:25])
        detail = self.page(url, "GET /needs/<id>/")
        action, values = self.form_values(detail, url + "act/confirm/")
        if action is None:
            return  # taken by another user meanwhile, or not this office's to confirm
        self.post(action, values, "POST /needs/<id>/act/confirm/", url, expect=r"/needs/\d+/$")


class Town(PortalUser):
    """A town's work team (驻镇工作队): its needs — entering new ones —, confirming the service activities the
    team recorded in the town, its tasks and stays."""

    fixed_count = 12
    role = "town"

    @task(3)
    def home(self):
        self.ensure_signed_in()
        self.page("/home/", "GET /home/")

    @task(3)
    def needs(self):
        self.browse("/needs/", "GET /needs/", "/needs/", "GET /needs/<id>/")

    @task(3)
    def activities(self):
        self.browse("/field/activities/", "GET /field/activities/", "/field/activities/",
                    "GET /field/activities/<id>/")

    @task(1)
    def stays(self):
        self.page("/field/stays/", "GET /field/stays/")

    @task(1)
    def work_tasks(self):
        self.page("/field/tasks/", "GET /field/tasks/")

    @task(1)
    def pairings(self):
        self.browse("/matching/pairings/", "GET /matching/pairings/", "/matching/pairings/",
                    "GET /matching/pairings/<id>/")

    @task(2)
    def enter_need(self):
        """The real form: GET /needs/new/, fill it as a person does, POST; lands on the new need."""
        if not self.may_write():
            return
        html = self.page("/needs/new/", "GET /needs/new/")
        if not html:
            return
        action, values = self.form_values(html, field="title")
        if not values:
            return self.missing_form("/needs/new/")
        doc = lxml.html.fromstring(html)
        crop = random.choice(CROPS)
        fixed = {"title": random.choice(NEED_TITLES).format(crop),
                 "description": "%s种植面积较大，近年%s，希望专家团队开展现场技术指导和培训。" % (
                     crop, random.choice(["品质下降", "病虫害严重", "产量偏低", "销售困难"])),
                 "expected_outcome": "培训农户50人次，建立示范基地1个。",
                 "surveyed_by": "驻镇工作队"}
        values = [(k, v) for k, v in values if k not in fixed and k not in ("category", "service_types")]
        values += list(fixed.items())
        categories = [o.get("value") for o in doc.xpath('//select[@name="category"]/option') if o.get("value")]
        if categories:
            values.append(("category", random.choice(categories)))
        services = [i.get("value") for i in doc.xpath('//input[@name="service_types"]')]
        for value in random.sample(services, min(len(services), random.randint(1, 2))):
            values.append(("service_types", value))
        self.post(action or "/needs/new/", values, "POST /needs/new/", "/needs/new/", expect=r"/needs/\d+/$")

    @task(2)
    def confirm_activity(self):
        """Open the activities teams recorded in this town awaiting confirmation, one of them, and confirm it."""
        if not self.may_write():
            return
        html = self.page("/field/activities/?status=submitted", "GET /field/activities/?status=submitted")
        links = _id_links(html, "/field/activities/")
        if not links:
            return
        url = random.choice(links[:25])
        detail = self.page(url, "GET /field/activities/<id>/")
        action, values = self.form_values(detail, url + "act/confirm/")
        if action is None:
            return
        self.post(action, values, "POST /field/activities/<id>/act/confirm/", url,
                  expect=r"/field/activities/\d+/$")


class TeamLeader(PortalUser):
    """A team leader (团队负责人): recording service activities through the real form, browsing the team's records."""

    fixed_count = 12
    role = "team_leader"

    @task(3)
    def home(self):
        self.ensure_signed_in()
        self.page("/home/", "GET /home/")

    @task(4)
    def activities(self):
        self.browse("/field/activities/", "GET /field/activities/", "/field/activities/",
                    "GET /field/activities/<id>/")

    @task(2)
    def stays(self):
        self.browse("/field/stays/", "GET /field/stays/", "/field/stays/", "GET /field/stays/<id>/")

    @task(1)
    def work_tasks(self):
        self.page("/field/tasks/", "GET /field/tasks/")

    @task(2)
    def projects(self):
        self.browse("/assistance/projects/", "GET /assistance/projects/", "/assistance/projects/",
                    "GET /assistance/projects/<id>/")

    @task(1)
    def pairing(self):
        self.browse("/matching/pairings/", "GET /matching/pairings/", "/matching/pairings/",
                    "GET /matching/pairings/<id>/")

    @task(1)
    def team(self):
        self.browse("/teams/", "GET /teams/", "/teams/", "GET /teams/<id>/")

    @task(3)
    def record_activity(self):
        """The real form: GET /field/activities/new/, fill it (date today — the form's default —, the paired town,
        a village of it, a service type, what was done, who went, the figures), POST with its CSRF token."""
        if not self.may_write():
            return
        html = self.page("/field/activities/new/", "GET /field/activities/new/")
        if not html:
            return
        action, values = self.form_values(html, field="title")
        if not values:
            return self.missing_form("/field/activities/new/")
        doc = lxml.html.fromstring(html)
        crop = random.choice(CROPS)
        fixed = {"title": random.choice(ACTIVITY_TITLES).format(crop),
                 "description": "到%s种植基地开展现场技术指导，讲解关键技术要点，解答农户问题。" % crop,
                 "people_trained": str(random.randint(5, 60)), "households_served": str(random.randint(3, 30)),
                 "enterprises_served": str(random.randint(0, 3)), "technologies": "%s高效栽培" % crop,
                 "demo_area_mu": "%.1f" % random.uniform(0, 50)}
        drop = set(fixed) | {"village", "service_type", "participants"}
        values = [(k, v) for k, v in values if k not in drop]
        values += list(fixed.items())
        villages = [o.get("value") for o in doc.xpath('//select[@name="village"]/option') if o.get("value")]
        if villages:
            values.append(("village", random.choice(villages)))
        services = [i.get("value") for i in doc.xpath('//input[@name="service_type"]')]
        if services:
            values.append(("service_type", random.choice(services)))
        for box in doc.xpath('//input[@name="participants"]'):
            values.append(("participants", box.get("value")))
        self.post(action or "/field/activities/new/", values, "POST /field/activities/new/", "/field/activities/new/",
                  expect=r"/field/activities/\d+/$")


class Unit(PortalUser):
    """A dispatching unit (派出单位): its teams and commissioners, their field work and projects."""

    fixed_count = 3
    role = "unit"

    @task(2)
    def home(self):
        self.ensure_signed_in()
        self.page("/home/", "GET /home/")

    @task(3)
    def teams(self):
        self.browse("/teams/", "GET /teams/", "/teams/", "GET /teams/<id>/")

    @task(2)
    def commissioners(self):
        self.browse("/teams/commissioners/", "GET /teams/commissioners/", "/teams/commissioners/",
                    "GET /teams/commissioners/<id>/")

    @task(2)
    def activities(self):
        self.browse("/field/activities/", "GET /field/activities/", "/field/activities/",
                    "GET /field/activities/<id>/")

    @task(1)
    def projects(self):
        self.browse("/assistance/projects/", "GET /assistance/projects/", "/assistance/projects/",
                    "GET /assistance/projects/<id>/")


class Expert(PortalUser):
    """An expert of a review pool: the review seats offered, the reviews sat on."""

    fixed_count = 3
    role = "expert"

    @task(2)
    def home(self):
        self.ensure_signed_in()
        self.page("/home/", "GET /home/")

    @task(3)
    def seats(self):
        self.browse("/review/seats/", "GET /review/seats/", "/review/seats/", "GET /review/seats/<id>/")

    @task(1)
    def reviews(self):
        self.browse("/review/reviews/", "GET /review/reviews/", "/review/reviews/", "GET /review/reviews/<id>/")


class Trivial(FastHttpUser):
    """The floor: ``/health/live/`` (answers "ok", no database), by the same number of users."""

    fixed_count = 50
    wait_time = constant(0) if not os.environ.get("LOAD_TRIVIAL_WAIT") else between(
        *map(float, os.environ["LOAD_TRIVIAL_WAIT"].split(",")))
    default_headers = HEADERS

    @task
    def live(self):
        with self.client.get("/health/live/", name="GET /health/live/", allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200 or (response.text or "").strip() != "ok":
                response.failure("/health/live/ → %s" % response.status_code)


# One run is either the mix or the floor: locust picks the classes of this module that are not abstract.
if TRIVIAL:
    del Anonymous, Province, City, County, Town, TeamLeader, Unit, Expert
else:
    del Trivial
