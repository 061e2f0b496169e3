"""The route table of the authorization matrix: every URL pattern, what its parameters are and who may use it.

``patterns()`` walks ``django.urls.get_resolver()`` (pages, public pages, API routes with their ``@action`` routes and
format-suffix variants; the admin is tested separately). ``DECLARATIONS`` says, per URL name:

* ``obj(...)``: the path parameters come from a record of the world (``tests.security.world``) — tried on the record
  of each side (``rh`` 仁化县 in scope, ``nx`` 南雄市 same city, ``qy`` 清远市英德市 other city). Who may read it is
  the record's audience (``AUDIENCE``) within the view's role gate, unless ``allowed`` says otherwise; who may write
  is ``writers`` (nobody in Shaoguan may write a Qingyuan record);
* ``page(...)``: no record parameter (lists, dashboards, create forms): the body must show no record outside the
  user's audience (markers, links, ids; XLSX exports of list pages; ``?q=`` search);
* ``public(...)``: open to everyone without login;
* ``exempt(reason)``: not tested here (login, logout, CAPTCHA, schema/docs, token endpoints).

``test_every_route_is_declared`` fails for any pattern without a declaration, so a route added later without a row
fails ``make test``.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Callable

SIDES = ("rh", "nx", "qy")

# ------------------------------------------------------------------------------------------------ who is who
# The Shaoguan-side users (portal.testing.ALL_USERS without admin), by what they are on each side.
SHAOGUAN = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural",
            "renhua_city_town", "renhua_county_town", "nanxiong_city_town", "nanxiong_county_town", "leader", "member",
            "other_leader", "unit", "expert"]
ROLE = {"province": "province", "city_st": "city_st", "city_rural": "city_rural", "renhua_st": "county_st",
        "renhua_rural": "county_rural", "nanxiong_st": "county_st", "nanxiong_rural": "county_rural",
        "renhua_city_town": "town", "renhua_county_town": "town", "nanxiong_city_town": "town",
        "nanxiong_county_town": "town", "leader": "team_leader", "member": "team_member",
        "other_leader": "team_leader", "unit": "unit", "expert": "expert", "admin": "admin"}
OFFICIALS_ALL = {"province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural"}
TEAMS_ALL = {"leader", "member", "other_leader"}


def _by_side(rh=(), nx=(), qy=()):
    table = {"rh": set(rh), "nx": set(nx), "qy": set(qy)}
    return lambda side: set(table.get(side, ()))


PROV = lambda side: {"province"}  # noqa: E731 - both cities are in 广东省
CITY = _by_side(rh={"city_st", "city_rural"}, nx={"city_st", "city_rural"})
CITY_ST = _by_side(rh={"city_st"}, nx={"city_st"})
COUNTY = _by_side(rh={"renhua_st", "renhua_rural"}, nx={"nanxiong_st", "nanxiong_rural"})
COUNTY_RURAL = _by_side(rh={"renhua_rural"}, nx={"nanxiong_rural"})
ORG = _by_side(rh={"renhua_st"}, nx={"nanxiong_st"})  # the county S&T office organizing the side's records
TOWN = _by_side(rh={"renhua_county_town"}, nx={"nanxiong_county_town"})  # the town user of the record's town
CITY_TOWN = _by_side(rh={"renhua_city_town"}, nx={"nanxiong_city_town"})
TEAM = _by_side(rh={"leader", "member"}, nx={"other_leader"})  # users of the side's team
LEADER = _by_side(rh={"leader"}, nx={"other_leader"})
MEMBER = _by_side(rh={"member"})  # the member commissioner's own account
UNIT = _by_side(rh={"unit"})  # the account of the side's team's dispatching unit
# The world's ``expert`` account sits in 仁化县's pool, on the panel of the 仁化 review (tests.security.world).
EXPERT_RH = _by_side(rh={"expert"})
NOBODY = lambda side: set()  # noqa: E731
EVERYONE = lambda side: set(SHAOGUAN)  # noqa: E731


def union(*parts):
    return lambda side: set().union(*(part(side) for part in parts))


def const(names):
    return lambda side: set(names)


# ------------------------------------------------------------------------------------------------ audiences
# Who (of the Shaoguan users) may open each record of the world, on each side — the programme's rules (docs/domain.md,
# README "One scoping function"), written down independently of the code that enforces them.
REGIONAL = union(PROV, CITY, COUNTY, TOWN)  # records of a town: the tree above it and the town itself
AUDIENCE: dict[str, Callable] = {
    "county": union(PROV, CITY, COUNTY, TOWN, CITY_TOWN),
    "town": REGIONAL,
    "city_town": union(PROV, CITY, COUNTY, CITY_TOWN),
    "classification": REGIONAL,
    "village": REGIONAL,
    "work_team": REGIONAL,
    "wtmember": REGIONAL,
    "profile": REGIONAL,
    "campaign": REGIONAL,
    "campaign_town": REGIONAL,
    "need": REGIONAL,
    "need_open": REGIONAL,
    # A published call is public; signed in, teams and units read every published call (they may apply to any).
    "call": union(PROV, CITY, COUNTY, TOWN, const(TEAMS_ALL | {"unit"})),
    "attachment": union(PROV, CITY, COUNTY, TOWN, const(TEAMS_ALL | {"unit"})),
    "amendment": union(PROV, CITY, COUNTY, TOWN, const(TEAMS_ALL | {"unit"})),
    "call_draft": union(PROV, CITY, COUNTY),
    "attachment_draft": union(PROV, CITY, COUNTY),
    # The commissioner registry, teams and units are shared by every official of the programme (both cities).
    "team": union(const(OFFICIALS_ALL), TEAM, UNIT),
    # ... and the town reads the people of the team actively paired with it (docs/domain.md: it must be able to call
    # its team; teams.models.Commissioner.scope_q). The world's pairings are active.
    "commissioner": union(const(OFFICIALS_ALL), TEAM, UNIT, TOWN),
    "membership": union(const(OFFICIALS_ALL), TEAM, UNIT),
    "unit": union(const(OFFICIALS_ALL), TEAM, UNIT),
    "application": union(PROV, CITY, COUNTY, TEAM, UNIT),
    "app_town": union(PROV, CITY, COUNTY, TEAM, UNIT),
    "round": union(PROV, CITY, COUNTY),
    "run": union(PROV, CITY, COUNTY),
    "constraint": union(PROV, CITY, COUNTY),
    "panel": union(PROV, CITY, COUNTY),
    "pairing": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    "notice": union(PROV, CITY, COUNTY),
    "entry": union(PROV, CITY, COUNTY),
    "objection": union(PROV, CITY, COUNTY),
    "submission": union(PROV, CITY, COUNTY),  # sent to the province: it reads it
    "taskrun": ORG,  # the official who started it
    "notification": ORG,  # its recipient
    "user": union(CITY, COUNTY, TOWN),  # the town's account: officials of its city and county manage it
    # Agreements, projects and their change requests: the pairing's audience (the province its province, the city its
    # counties, the county its county, the town its town, the team's leader and members, the lead unit its teams).
    "agreement": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    "project": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),  # submitted, awaiting the organizer
    # Accepted, with a pending change request, then reviewed (approved: 已立项) and funded; the experts seated on its
    # review read it (reviews.apps: an expert reads the projects of their live seats) — on rh the world's expert.
    "project_accepted": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT, EXPERT_RH),
    "project_draft": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),  # a draft, not submitted yet
    "change": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    # Expert review and funding (issue 17). The world's reviews are county-organized: the county S&T office (ORG)
    # keeps the pool, runs the review and funds the project.
    # A pool entry: the pool's S&T office and the offices above it (the city reads its counties' pools, the province
    # reads), the rural offices of those levels, and the expert themself (rh: the world's expert is ``expert``).
    "expert": union(PROV, CITY, COUNTY, EXPERT_RH),
    # A declared relation follows its expert (the side's fourth expert: no account of the world).
    "relation": union(PROV, CITY, COUNTY),
    # A review: the tree of its town (province, city, county, the town) and the team and its unit, plus the experts
    # seated on it and not withdrawn (rh: the world's expert).
    "review": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT, EXPERT_RH),
    # A seat: the organizing office and the offices that read by the organizer rule, and the seat's expert only.
    "seat": union(PROV, CITY, COUNTY, EXPERT_RH),
    # A grant (and its tranches): the funder (the county here), the city over it, the province, the rural offices of
    # those levels; the town, the team and the unit of the project.
    "grant": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    "disbursement": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    # A funder's envelope: the funder, the city over its counties, the province and the rural offices.
    "envelope": union(PROV, CITY, COUNTY),
    # Field work (issue 18): the pairing's audience (the tree over the paired town, the town, the team, its unit); work
    # done in another town (``activity_cross``: in the side's city-organized town) is read by that town's work team
    # too. A photo follows its activity.
    "activity": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    "activity_cross": union(PROV, CITY, COUNTY, TOWN, CITY_TOWN, TEAM, UNIT),
    "photo": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    "stay": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    "task": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    "flag": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    "conditions": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    "request": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    # Adjustment and replacement (issue 19). A case and a member change follow the organizer rule of their pairing
    # (the world's pairings are county-organized: the county's offices, the city over it, the province), and the team
    # and its lead unit read their own; not the town (the inquiry is the organizer's business). A case's file follows
    # its case.
    "case": union(PROV, CITY, COUNTY, TEAM, UNIT),
    "case_decided": union(PROV, CITY, COUNTY, TEAM, UNIT),
    "casefile": union(PROV, CITY, COUNTY, TEAM, UNIT),
    "memberchange": union(PROV, CITY, COUNTY, TEAM, UNIT),
    # The figures a pairing closed with: the pairing's audience (the tree over the town, the town, the team, its unit).
    "figures": union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT),
    # A unit's records of its people (evaluations.models): the unit its own; a submitted evaluation and a reward also
    # the organizers of the person's pairing up the tree and the person (rh: ``member``'s evaluation); not the team's
    # leader, not the town, not another unit.
    "evaluation": union(PROV, CITY, COUNTY, UNIT, MEMBER),
    "reward": union(PROV, CITY, COUNTY, UNIT, MEMBER),
    # Trainings: every official (the programme's reference of who was trained, both cities), the unit, and the team
    # whose member attended. A material follows its training.
    "training": union(const(OFFICIALS_ALL), UNIT, TEAM),
    "material": union(const(OFFICIALS_ALL), UNIT, TEAM),
    # Coordination (issue 19): the world's groups are the counties' coordination mechanisms. A group and what hangs
    # under it (members, meetings and their documents, follow-up items) are read by its level's offices (the county's
    # S&T and rural offices) and the levels above (the city's offices, the province); nobody else (the follow-up's
    # owner has no account in the world).
    "cgroup": union(PROV, CITY, COUNTY),
    "cmember": union(PROV, CITY, COUNTY),
    "cmeeting": union(PROV, CITY, COUNTY),
    "cdocument": union(PROV, CITY, COUNTY),
    "followup": union(PROV, CITY, COUNTY),
    # Annual reports (issue 20): officials only, by the organizer rule on the report's level, city and county, a draft
    # being its author's own. A county's report: its county's offices; once sent (submitted, returned, accepted) also
    # the city's offices and the province. The city's report (韶关's is both Shaoguan sides' record): the city's
    # offices; once sent also the province (Qingyuan's too: both cities are in 广东省).
    "ar_draft": COUNTY,
    "ar_submitted": union(PROV, CITY, COUNTY),
    "ar_accepted": union(PROV, CITY, COUNTY),
    "ar_returned": union(PROV, CITY, COUNTY),
    "ar_city": union(PROV, CITY),
    "ar_city_draft": CITY,
    # Shared programme-wide records (one instance, side "shared"): every signed-in user reads them.
    "cycle": EVERYONE, "category": EVERYONE, "product": EVERYONE, "problem": EVERYONE,
}

# Who may see a record's marker text (``<SIDE>X<key>X``) and sensitive values, where it differs from who may open
# the record: text shown by design on pages of other records.
MARKER_AUDIENCE: dict[str, Callable] = {
    # Notices are public: their title is no secret.
    "notice": EVERYONE,
    # A round's title is copied into the workflow record (comment) of the pairings and needs it decided.
    "round": union(AUDIENCE["round"], AUDIENCE["pairing"], AUDIENCE["need"]),
    # Confirmed needs are shown to applicants on the call page (calls.selectors.towns_with_needs, "public to
    # applicants").
    # The experts reviewing a project read the needs it addresses (they score its fit, 需求契合度): rh's project under
    # review addresses the side's confirmed need.
    "need": union(AUDIENCE["need"], AUDIENCE["call"], EXPERT_RH),
    # Sensitive values: a commissioner's full ID number (the person, the organizers handling the team's
    # application), the mobile number (also the unit and leader keeping the record), the objector's phone.
    "idnumber": union(ORG, MEMBER),
    # The town of an active pairing (the world's pairings are active) reads its team's phones too (README "Access").
    "phone": union(ORG, MEMBER, LEADER, UNIT, TOWN),
    "objector_phone": ORG,
    # An expert's phone: the pool's own S&T office and the expert themself (masked for everyone else).
    "expert_phone": union(ORG, EXPERT_RH),
}
# A team logs its field work in its paired town or another town of the same county (跨镇帮扶): its activity form offers
# that county's towns and the chosen town's villages.
MARKER_AUDIENCE["village"] = union(AUDIENCE["village"], TEAM)
# Region names (city, counties, towns) are shown wherever a record of the side is.
MARKER_AUDIENCE["region"] = union(*[AUDIENCE[key] for key in (
    "county", "town", "city_town", "call", "pairing", "application", "round", "notice", "submission", "user",
    "review")])
# Text that public pages show (published calls with their towns and confirmed needs, notices with their lists).
PUBLIC_MARKERS = {"call", "attachment", "amendment", "need", "notice", "entry", "region"}


def audience(key: str, side: str) -> set:
    return AUDIENCE[key](side)


def marker_audience(key: str, side: str) -> set:
    rule = MARKER_AUDIENCE.get(key) or AUDIENCE.get(key)
    return rule(side) if rule else set()


# ------------------------------------------------------------------------------------------------ declarations
OFFICIAL_ROLES = frozenset({"province", "city_st", "city_rural", "county_st", "county_rural"})
TOWN_ROLES = frozenset({"town"})
TEAM_ROLES = frozenset({"team_leader", "team_member"})
S_AND_T = frozenset({"city_st", "county_st"})
ENTERERS = frozenset({"town", "city_st", "county_st", "city_rural", "county_rural"})
WORK_TEAM_EDITORS = frozenset({"city_st", "county_st", "town", "city_rural", "county_rural"})
ANY = None  # every signed-in role
# Who has agreements and projects at all: officials, towns, teams and units (experts do not).
PAIRED_ROLES = OFFICIAL_ROLES | TOWN_ROLES | TEAM_ROLES | {"unit"}
EXPERTS = frozenset({"expert"})
POOL_READERS = OFFICIAL_ROLES | EXPERTS  # the pools: officials read them, an expert their own entry
REVIEW_VIEWERS = PAIRED_ROLES | EXPERTS  # reviews: the tree, the team and its unit, the seated experts
REPL_READERS = OFFICIAL_ROLES | TEAM_ROLES | {"unit"}  # cases and member changes: the tree, the team, its unit
UNIT_ROLE = frozenset({"unit"})
COORD_OFFICES = frozenset({"city_st", "city_rural", "county_st", "county_rural"})  # who keep a level's group
EV_READERS = OFFICIAL_ROLES | TEAM_ROLES | {"unit"}  # evaluations, rewards, trainings (each by its rule)
DASHBOARD_ROLES = OFFICIAL_ROLES | TEAM_ROLES | {"unit"}  # reports' dashboards and figures: not towns, not experts
# The world's records are dated this year (activities, stays, grants): a trace or a team's days of this year.
THIS_YEAR = dt.date.today().year
AR_KEYS = ("ar_draft", "ar_submitted", "ar_accepted", "ar_returned", "ar_city", "ar_city_draft")


@dataclass
class Decl:
    kind: str  # obj | page | public | exempt
    objs: tuple = ()  # object keys the route is tried with (obj routes)
    params: dict = field(default_factory=dict)  # path parameter -> object key, or "=literal|literal|{key}…"
    query: str = ""  # query string, "{key}" replaced by the side's record's pk
    variants: tuple = ()  # more query strings to try the same way (GET): "reveal=id_number", "template=1"
    gate: frozenset | None = ANY  # roles the view lets in at all
    allowed: Callable | dict | None = None  # readers, when not audience ∩ gate (a dict: per object key)
    writers: Callable | None = None  # who may POST/PUT/PATCH/DELETE (obj routes), by side
    methods: tuple = ()  # HTTP methods to try; () = GET for pages, the router's methods for API routes
    data: Callable | None = None  # POST body: data(world, side) -> dict
    changes_ok: bool = False  # page POSTs that legitimately change the caller's own rows (mark read)
    as_list: bool = False  # an obj route showing a scoped list (allowed for the gate; checked like a page)
    public_objs: bool = False  # public route: the record is public (200 for all), else 404 for all
    reason: str = ""
    note: str = ""


def obj(*objs, **kw):
    return Decl(kind="obj", objs=objs, **kw)


def page(**kw):
    return Decl(kind="page", **kw)


def public(*objs, **kw):
    return Decl(kind="public", objs=objs, **kw)


def exempt(reason):
    return Decl(kind="exempt", reason=reason)


def comment(data=None):
    """A workflow POST's body: a comment (and what else the step needs)."""
    return lambda world, side: {"comment": "矩阵测试意见", **(data or {})}


class _Upload(io.BytesIO):
    """A file for a form POST that every user of the matrix sends whole (the test client reads it without seeking)."""

    def __init__(self, name, content):
        super().__init__(content)
        self.name = name

    def read(self, *args):
        self.seek(0)
        return super().read(*args)


def agreement_form(world, side):
    """A complete agreement form (the side's pairing already has its agreement: a create is refused)."""
    cycle = world.obj("shared", "cycle")
    return {"town_party": "矩阵镇人民政府", "work_team_party": "矩阵工作队", "term_start": cycle.start_date.isoformat(),
            "term_end": cycle.end_date.isoformat(), "summary": "矩阵测试协议", "team_duties": "矩阵",
            "town_duties": "矩阵", "work_team_duties": "矩阵", "conditions": "矩阵"}


def sign_form(world, side):
    from django.utils import timezone

    from calls.tests.factories import PDF

    return {"signed_on": timezone.localdate().isoformat(), "signed_scan": _Upload("signed.pdf", PDF),
            "comment": "矩阵测试"}


def voucher_form(world, side):
    """A tranche above what remains of the side's grant (refused by the service), with a PDF voucher."""
    from django.utils import timezone

    from calls.tests.factories import PDF

    return {"amount": "9999999.00", "paid_on": timezone.localdate().isoformat(),
            "voucher": _Upload("voucher.pdf", PDF), "note": "矩阵测试"}


def _days_ago(days: int) -> str:
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def project_api(world, side):
    """A complete project for the API (``POST /api/v1/projects/``)."""
    form = project_form(world, side)
    body = {name: form[name] for name in ("title", "objectives", "content", "start_date", "end_date", "total_budget",
                                          "demo_area_mu", "income_raised")}
    body.update(pairing=world.obj(side, "pairing").pk, needs=form["needs"], trainings=1, people_trained=10,
                years=[{"year": int(form["years-0-year"]), "plan": "矩阵"}],
                budget_lines=[{"category": "materials", "amount": "10000", "source": "city"},
                              {"category": "training", "amount": "10000", "source": "unit"}],
                members=[{"commissioner": int(form["members-%d-commissioner" % i]), "duty": "矩阵分工"}
                         for i in range(2) if "members-%d-commissioner" % i in form])
    return body


def project_form(world, side, *, reason=False):
    """A complete project form (fields, the side's confirmed need, one year, two budget lines, two members)."""
    project = world.obj(side, "project")
    year = project.start_date.year
    members = list(project.members.order_by("pk").values_list("commissioner_id", flat=True))
    data = {"title": "矩阵测试项目", "objectives": "矩阵", "content": "矩阵", "start_date": project.start_date.isoformat(),
            "end_date": project.end_date.isoformat(), "trainings": "1", "people_trained": "10", "technologies": "1",
            "varieties": "1", "demo_bases": "1", "demo_area_mu": "10.0", "households": "10", "enterprises": "1",
            "income_raised": "1000", "total_budget": "20000", "needs": [world.obj(side, "project_need").pk],
            "years-TOTAL_FORMS": "1", "years-INITIAL_FORMS": "0", "years-0-year": str(year), "years-0-plan": "矩阵",
            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-0-category": "materials", "lines-0-amount": "10000", "lines-0-source": "city",
            "lines-1-category": "training", "lines-1-amount": "10000", "lines-1-source": "unit",
            "members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "0"}
    for index, pk in enumerate(members[:2]):
        data["members-%d-commissioner" % index] = str(pk)
        data["members-%d-duty" % index] = "矩阵分工"
    if reason:
        data["reason"] = "矩阵测试变更"
    return data


# Who writes what, by side (nobody in Shaoguan writes a Qingyuan record).
W_ORG = ORG
W_TOWN_EDITORS = union(ORG, TOWN, CITY_ST)  # villages: city/county S&T and the town (Village.scope_editors)
W_WORK_TEAM = union(CITY, COUNTY, TOWN)  # work teams: S&T, rural revitalization and the town
W_ENTER = union(COUNTY, TOWN)  # county-organized town's needs/profile: the county's officials and the town
W_LEADER = LEADER
W_UNIT_EDIT = UNIT  # dispatching units: the unit itself keeps its contacts (the city registers, the admin corrects)
# Archiving (停用) and restoring a unit: the city S&T bureau and the province. Units belong to no city (shared by the
# whole province, like cycles), so every side's unit is theirs to archive, Qingyuan's included; a unit leading a team
# of a cycle not ended is refused (every unit of the world: writers get the refusal, nothing changes).
W_UNIT_ARCHIVE = const({"city_st", "province"})
W_POOL = union(ORG, EXPERT_RH)  # a pool entry: the pool's S&T office, and the expert their own contacts

DECLARATIONS: dict[str, Decl] = {
    # ---- core
    "portal:landing": public(),
    "portal:home": page(),
    "portal:overview": page(),
    "portal:inbox": page(),
    "portal:inbox_mark_read": page(methods=("post",), changes_ok=True),  # marks the caller's own notifications read
    "core:task_progress": obj("taskrun"),
    # ---- accounts
    "accounts:login": exempt("sign-in form (login defence tested in accounts/tests)"),
    "accounts:logout": exempt("sign-out"),
    "accounts:password_change": page(methods=("get", "post")),
    # A unit's account manages the accounts of its unit (accounts.choices.MANAGED_ROLES).
    "accounts:user_list": page(gate=OFFICIAL_ROLES | {"unit"}),
    "accounts:user_create": page(gate=S_AND_T | {"unit"}, methods=("get", "post")),
    "accounts:user_detail": obj("user", gate=OFFICIAL_ROLES | {"unit"}),
    "accounts:user_reset_password": obj("user", gate=S_AND_T | {"unit"}, methods=("post",),
                                        writers=union(CITY_ST, ORG)),
    # ---- regions
    "regions:county_list": page(gate=OFFICIAL_ROLES),
    "regions:town_list_county": obj("county", params={"county": "county"}, gate=OFFICIAL_ROLES | TOWN_ROLES,
                                    as_list=True),
    "regions:town_list": page(gate=OFFICIAL_ROLES | TOWN_ROLES),
    "regions:classification_import": page(gate=frozenset({"city_st"}), methods=("get", "post"),
                                          variants=("template=1",)),
    "regions:town_detail": obj("town", "city_town", gate=OFFICIAL_ROLES | TOWN_ROLES),
    "regions:classification_edit": obj("town", params={"pk": "town", "cycle": "cycle"}, gate=frozenset({"city_st"}),
                                       methods=("get", "post"), writers=CITY_ST),
    "regions:work_team_edit": obj("town", gate=WORK_TEAM_EDITORS, methods=("get", "post"), writers=W_WORK_TEAM),
    "regions:work_team_member_add": obj("town", gate=WORK_TEAM_EDITORS, methods=("get", "post"),
                                        writers=W_WORK_TEAM),
    "regions:work_team_member_remove": obj("wtmember", params={"pk": "town", "member": "wtmember"},
                                           gate=WORK_TEAM_EDITORS, methods=("post",), writers=W_WORK_TEAM),
    "regions:village_create": obj("town", gate=frozenset({"city_st", "county_st", "town"}), methods=("get", "post"),
                                  writers=W_TOWN_EDITORS),
    "regions:village_list": page(gate=OFFICIAL_ROLES | TOWN_ROLES),
    # ---- cycles (programme-wide)
    "cycles:list": page(),
    "cycles:create": page(gate=frozenset({"city_st"}), methods=("get", "post")),
    "cycles:detail": obj("cycle"),
    "cycles:edit": obj("cycle", gate=frozenset({"city_st"}), methods=("get", "post"), writers=const({"city_st"})),
    "cycles:copy": obj("cycle", gate=frozenset({"city_st"}), methods=("get", "post"), writers=const({"city_st"})),
    "cycles:action": obj("cycle", params={"pk": "cycle", "action": "=close|open|reopen"}, methods=("post",),
                         writers=const({"city_st"}), data=comment()),
    # ---- units
    "units:list": page(gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
    "units:create": page(gate=frozenset({"city_st"}), methods=("get", "post")),
    "units:detail": obj("unit", gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
    "units:edit": obj("unit", gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}, methods=("get", "post"),
                      allowed=W_UNIT_EDIT, writers=W_UNIT_EDIT),
    "units:action": obj("unit", params={"pk": "unit", "action": "=archive|restore"}, methods=("post",),
                        writers=W_UNIT_ARCHIVE, data=comment()),
    # ---- needs
    "needs:need_list": page(gate=OFFICIAL_ROLES | TOWN_ROLES),
    "needs:need_create": page(gate=ENTERERS, methods=("get", "post")),
    "needs:need_import": page(gate=ENTERERS, methods=("get", "post"), variants=("template=1",)),
    "needs:need_bulk": obj("need_open", methods=("post",), gate=S_AND_T, writers=ORG,
                           data=lambda w, s: {"action": "confirm", "ids": [w.obj(s, "need_open").pk],
                                              "comment": "x"}),
    "needs:summary": page(gate=OFFICIAL_ROLES | TOWN_ROLES),
    "needs:need_detail": obj("need", "need_open", gate=OFFICIAL_ROLES | TOWN_ROLES),
    "needs:need_edit": obj("need_open", gate=ENTERERS, methods=("get", "post"), allowed=W_ENTER, writers=W_ENTER),
    "needs:need_action": obj("need_open", params={"pk": "need_open",
                                                  "action": "=confirm|return|resubmit|resolve|close"},
                             methods=("post",), writers=ORG, data=comment()),
    "needs:profile": obj("town", params={"town": "town"}, gate=OFFICIAL_ROLES | TOWN_ROLES),
    "needs:profile_edit": obj("town", params={"town": "town"}, gate=ENTERERS, methods=("get", "post"),
                              writers=W_ENTER),
    "needs:profile_detail": obj("profile", gate=OFFICIAL_ROLES | TOWN_ROLES),
    "needs:campaign_list": page(gate=OFFICIAL_ROLES | TOWN_ROLES),
    "needs:campaign_create": page(gate=S_AND_T, methods=("get", "post")),
    "needs:campaign_detail": obj("campaign", gate=OFFICIAL_ROLES | TOWN_ROLES),
    "needs:campaign_action": obj("campaign", params={"pk": "campaign", "action": "=close|reopen"}, methods=("post",),
                                 writers=ORG, data=comment()),
    "needs:campaign_submit": obj("campaign", params={"pk": "campaign", "town": "town"}, gate=ENTERERS,
                                 methods=("post",), writers=union(ORG, TOWN)),
    "needs:taxonomy": page(gate=OFFICIAL_ROLES | TOWN_ROLES | TEAM_ROLES | {"unit", "expert"}),
    "needs:taxonomy_download": page(),
    "needs:product_create": page(gate=frozenset({"city_st"}), methods=("get", "post")),
    "needs:product_edit": obj("product", gate=frozenset({"city_st"}), methods=("get", "post"),
                              writers=const({"city_st"})),
    "needs:category_create": page(gate=frozenset({"city_st"}), methods=("get", "post")),
    "needs:problems": page(gate=OFFICIAL_ROLES | TOWN_ROLES | TEAM_ROLES | {"unit", "expert"}),
    "needs:problem_create": page(gate=frozenset({"city_st"}), methods=("get", "post")),
    "needs:problem_edit": obj("problem", gate=frozenset({"city_st"}), methods=("get", "post"),
                              writers=const({"city_st"})),
    # ---- teams
    "teams:team_list": page(gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
    "teams:team_import": page(gate=frozenset({"city_st", "county_st"}), methods=("get", "post"),
                              variants=("template=1",)),
    "teams:team_detail": obj("team", gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
    "teams:team_edit": obj("team", gate=frozenset({"team_leader"}), methods=("get", "post"), allowed=W_LEADER,
                           writers=W_LEADER),
    "teams:member_add": obj("team", gate=frozenset({"team_leader"}), methods=("get", "post"), allowed=W_LEADER,
                            writers=W_LEADER),
    "teams:member_remove": obj("membership", params={"pk": "team", "membership": "membership"},
                               gate=frozenset({"team_leader"}), methods=("post",), writers=W_LEADER),
    "teams:commissioner_list": page(gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
    "teams:commissioner_create": page(gate=frozenset({"city_st", "county_st", "unit"}), methods=("get", "post")),
    "teams:commissioner_import": page(gate=frozenset({"city_st", "county_st", "unit"}), methods=("get", "post"),
                                      variants=("template=1",)),
    # ?reveal=id_number shows the full ID number to those handling the person only (marker "idnumber").
    # A town opens the people of its actively paired team (teams.views.PERSON_VIEWERS); it has no registry list.
    "teams:commissioner_detail": obj("commissioner", gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit", "town"},
                                     variants=("reveal=id_number", "tab=history")),
    "teams:commissioner_edit": obj("commissioner", gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"},
                                   methods=("get", "post"), allowed=union(UNIT, LEADER, MEMBER),
                                   writers=union(UNIT, LEADER, MEMBER)),
    "teams:commissioner_verify": obj("commissioner", gate=frozenset({"unit", "city_st", "county_st"}),
                                     methods=("post",), writers=union(UNIT, ORG)),
    # ---- calls
    "calls:call_list": page(gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit", "town"}),
    "calls:call_create": page(gate=S_AND_T, methods=("get", "post")),
    "calls:call_detail": obj("call", "call_draft", gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit", "town"}),
    "calls:call_edit": obj("call_draft", gate=S_AND_T, methods=("get", "post"), allowed=ORG, writers=ORG),
    "calls:call_amend": obj("call", gate=S_AND_T, methods=("get", "post"), allowed=ORG, writers=ORG),
    "calls:call_attachment_add": obj("call_draft", gate=S_AND_T, methods=("get", "post"), allowed=ORG,
                                     writers=ORG),
    "calls:call_summary": obj("call", gate=OFFICIAL_ROLES),
    # Any team leader may start an application to any open published call (it is public): also another city's.
    "calls:application_start": obj("call", gate=frozenset({"team_leader"}), methods=("post",),
                                   writers=const({"leader", "other_leader"})),
    "calls:call_action": obj("call_draft", params={"pk": "call_draft", "action": "=publish|cancel"},
                             methods=("post",), writers=ORG, data=comment()),
    # A published call's attachment is public (anyone may download it); a draft's only within the call's scope.
    "calls:attachment_download": obj("attachment", "attachment_draft", allowed={"attachment": EVERYONE}),
    "calls:public_list": public(),
    "calls:public_call": public("call", "call_draft"),
    "calls:signup": public("call", "call_draft", methods=("get", "post")),
    "calls:application_list": page(gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
    "calls:application_detail": obj("application", gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
    "calls:application_edit": obj("application", gate=frozenset({"team_leader"}), methods=("get", "post"),
                                  allowed=W_LEADER, writers=W_LEADER),
    "calls:application_town_add": obj("application", gate=frozenset({"team_leader"}), methods=("get", "post"),
                                      allowed=W_LEADER, writers=W_LEADER),
    "calls:application_town_remove": obj("app_town", params={"pk": "application", "row": "app_town"},
                                         gate=frozenset({"team_leader"}), methods=("post",), writers=W_LEADER),
    # Every step: the leader's (submit, resubmit, withdraw) and the organizer's (return, accept, reject).
    "calls:application_action": obj("application", params={
        "pk": "application", "action": "=submit|resubmit|withdraw|return|accept|reject"},
        methods=("post",), writers=union(W_LEADER, ORG), data=comment()),
    "calls:application_file": obj("application", params={
        "pk": "application", "field": "=unit_endorsement|recommendation_letter|evidence-{app_town}"},
        gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
    "calls:application_print": obj("application", params={"pk": "application", "fmt": "=docx|pdf"},
                                   gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
    # ---- matching
    "matching:round_list": page(gate=OFFICIAL_ROLES),
    "matching:round_create": obj("call", gate=S_AND_T, methods=("post",), writers=ORG, params={},
                                 data=lambda w, s: {"call": w.obj(s, "call").pk}),
    "matching:round_detail": obj("round", gate=OFFICIAL_ROLES),
    "matching:run_detail": obj("run", params={"pk": "round", "run": "run"}, gate=OFFICIAL_ROLES),
    "matching:round_run": obj("round", gate=S_AND_T, methods=("post",), writers=ORG),
    "matching:constraint_set": obj("round", gate=S_AND_T, methods=("post",), writers=ORG,
                                   data=lambda w, s: {"town": w.obj(s, "town").pk, "team": w.obj(s, "team").pk,
                                                      "kind": "exclude", "reason": "矩阵测试"}),
    "matching:constraint_remove": obj("constraint", params={"pk": "round", "constraint": "constraint"}, gate=S_AND_T,
                                      methods=("post",), writers=ORG),
    "matching:panel_score": obj("round", gate=S_AND_T, methods=("post",), writers=ORG,
                                data=lambda w, s: {"town": w.obj(s, "town").pk, "team": w.obj(s, "team").pk,
                                                   "score": "80"}),
    "matching:meeting": obj("round", gate=S_AND_T, methods=("post",), writers=ORG,
                            data=lambda w, s: {"meeting_date": "2025-02-10", "meeting_participants": "矩阵"}),
    "matching:minutes": obj("round", gate=OFFICIAL_ROLES),
    "matching:finalize": obj("run", params={"pk": "round", "run": "run"}, gate=S_AND_T, methods=("post",),
                             writers=ORG),
    "matching:compare": obj("round", query="a={run}&b={run}", gate=OFFICIAL_ROLES),
    "matching:pairing_list": page(),
    "matching:pairing_detail": obj("pairing"),
    # ---- registrations
    "registrations:submission_list": page(gate=OFFICIAL_ROLES),
    # The side's pairing went to the province; its county may still send it to the city.
    "registrations:submission_create": obj("pairing", params={}, gate=S_AND_T, methods=("get", "post"),
                                           allowed=const({"city_st", "renhua_st", "nanxiong_st"}), writers=ORG,
                                           as_list=True,
                                           data=lambda w, s: {"recipient": "city", "doc_number": "仁科〔2025〕30号",
                                                              "pairings": [w.obj(s, "pairing").pk]}),
    "registrations:submission_detail": obj("submission", gate=OFFICIAL_ROLES),
    "registrations:submission_edit": obj("submission", gate=S_AND_T, methods=("get", "post"), allowed=ORG,
                                         writers=ORG),
    "registrations:submission_act": obj("submission", params={"pk": "submission",
                                                              "action": "=send|resubmit|return|confirm"},
                                        # The world's submissions go to the province: it answers them (confirm or
                                        # return) with its own account, the organizer sends them.
                                        gate=S_AND_T | {"province"}, methods=("post",),
                                        writers=union(ORG, const({"province"})),
                                        data=lambda w, s: {"confirmed_on": "2025-03-01",
                                                           "reference_number": "粤科备〔2025〕1号"}),
    "registrations:package": obj("submission", params={"pk": "submission", "kind": "=table.xlsx|letter.docx"},
                                 gate=OFFICIAL_ROLES),
    "registrations:dashboard": page(gate=OFFICIAL_ROLES),
    "registrations:province_team_record": page(gate=frozenset({"city_st"}), methods=("get", "post")),
    # ---- notices
    "notices:notice_list": page(gate=OFFICIAL_ROLES),
    "notices:notice_create": obj("pairing", params={}, gate=S_AND_T, methods=("get", "post"),
                                 allowed=const({"city_st", "renhua_st", "nanxiong_st"}), writers=NOBODY, as_list=True,
                                 data=lambda w, s: {"pairings": [w.obj(s, "pairing").pk], "title": "矩阵公示",
                                                    "start_date": "2025-03-03", "contact": "x", "working_days": 5}),
    "notices:notice_detail": obj("notice", gate=OFFICIAL_ROLES),
    # Publishing a draft: the organizer's S&T office (the matrix's notice is already published: refused, unchanged).
    "notices:notice_action": obj("notice", params={"pk": "notice", "action": "=publish"}, methods=("post",),
                                 writers=ORG, data=comment()),
    "notices:objection_list": page(gate=OFFICIAL_ROLES),
    "notices:objection_detail": obj("objection", gate=OFFICIAL_ROLES),
    # The evidence file, like the objector's identity, only to the officials handling the objection.
    "notices:objection_evidence": obj("objection", gate=OFFICIAL_ROLES, allowed=ORG),
    "notices:objection_action": obj("objection", params={"pk": "objection", "action": "=investigate|uphold|dismiss"},
                                    methods=("post",), writers=ORG, data=comment()),
    "notices:replacement": obj("pairing", gate=S_AND_T, methods=("post",), writers=ORG,
                               data=lambda w, s: {"team": w.obj(s, "team").pk}),
    "public:public_list": public(),
    "public:public_detail": public("notice", methods=("get", "post"), public_objs=True),
    "public:public_pdf": public("notice", public_objs=True),
    # The objector's receipt look-up: a receipt number with the wrong phone shows nothing and serves no file.
    "public:public_receipt": public("objection", methods=("get", "post"), params={},
                                    data=lambda w, s: {"receipt_number": w.obj(s, "objection").receipt_number,
                                                       "phone": "13000000000"}),
    "public:public_receipt_evidence": public("objection", methods=("get", "post"), params={},
                                             data=lambda w, s: {"receipt_number": w.obj(s, "objection").receipt_number,
                                                                "phone": "13000000000"}),
    # ---- other
    "api-root": page(),
    "api-schema": exempt("OpenAPI schema: describes routes, holds no records"),
    "api-docs": exempt("Swagger UI page for the schema"),
    "api-token": exempt("token sign-in (login defence tested in accounts/tests)"),
    "api-token-revoke": exempt("revokes the caller's own token (tested in accounts/tests)"),
    "captcha-image": exempt("CAPTCHA image"),
    "captcha-image-2x": exempt("CAPTCHA image"),
    "captcha-audio": exempt("CAPTCHA audio"),
    "captcha-refresh": exempt("CAPTCHA refresh"),
    "health": exempt("load balancers' health check: says OK or which part failed, holds no records "
                     "(tests/deployment/test_health_metrics.py)"),
    "health-live": exempt("liveness: answers ok, reads nothing"),
    "prometheus-metrics": exempt("Prometheus metrics: 404 except to METRICS_ALLOWED_IPS, holds no records "
                                 "(tests/deployment/test_health_metrics.py)"),
    "media": exempt("uploaded files; served only under DEBUG by the dev server (core.files: downloads go through "
                    "scoped views)"),
    # ---- projects (帮扶协议, 帮扶项目, 项目变更). The world's pairings are county-organized (ORG decides); the
    # agreement is signed and awaits its town, ``project`` is submitted, ``project_accepted`` has a pending change.
    "projects:agreement_list": page(gate=PAIRED_ROLES),
    "projects:project_list": page(gate=PAIRED_ROLES),
    "projects:change_list": page(gate=PAIRED_ROLES),
    "projects:progress": page(gate=OFFICIAL_ROLES),
    "projects:project_summary": page(gate=OFFICIAL_ROLES),  # XLSX
    # Only the pairing's team leader drafts (the side's pairing already has its agreement: the POST is refused).
    "projects:agreement_create": obj("pairing", params={"pairing_pk": "pairing"}, gate=frozenset({"team_leader"}),
                                     methods=("get", "post"), allowed=W_LEADER, writers=W_LEADER,
                                     data=agreement_form),
    "projects:project_create": obj("pairing", params={"pairing_pk": "pairing"}, gate=frozenset({"team_leader"}),
                                   methods=("get", "post"), allowed=W_LEADER, writers=W_LEADER, data=project_form),
    "projects:agreement_detail": obj("agreement"),
    "projects:agreement_scan": obj("agreement"),
    "projects:agreement_document": obj("agreement", params={"pk": "agreement", "fmt": "=docx|pdf"}),
    # The agreement is signed: the leader's edit and sign are refused by the service (not by the scope).
    "projects:agreement_edit": obj("agreement", gate=frozenset({"team_leader"}), methods=("get", "post"),
                                   allowed=W_LEADER, writers=W_LEADER, data=agreement_form),
    "projects:agreement_sign": obj("agreement", gate=frozenset({"team_leader"}), methods=("get", "post"),
                                   allowed=W_LEADER, writers=W_LEADER, data=sign_form),
    # The town of the agreement confirms or returns it (a return needs a comment: the body has one).
    "projects:agreement_action": obj("agreement", params={"pk": "agreement", "action": "=confirm|return"},
                                     methods=("post",), writers=TOWN, data=comment()),
    # Experts are not let in (projects.views_projects.VIEWERS): they read the project they review on their scoring
    # page (reviews:seat_detail).
    "projects:project_detail": obj("project", "project_accepted", "project_draft", gate=PAIRED_ROLES),
    "projects:project_document": obj("project", params={"pk": "project", "fmt": "=docx|pdf"}),
    "projects:project_edit": obj("project_draft", gate=frozenset({"team_leader"}), methods=("get", "post"),
                                 allowed=W_LEADER, writers=W_LEADER, data=project_form),
    # The leader submits and resubmits; the organizing S&T office returns or accepts.
    "projects:project_action": obj("project", params={"pk": "project", "action": "=submit|resubmit|return|accept"},
                                   methods=("post",), writers=union(W_LEADER, ORG), data=comment()),
    # The accepted project already has a pending change: the leader's new request is refused by the service.
    "projects:change_create": obj("project_accepted", gate=frozenset({"team_leader"}), methods=("get", "post"),
                                  allowed=W_LEADER, writers=W_LEADER,
                                  data=lambda w, s: project_form(w, s, reason=True)),
    "projects:change_detail": obj("change"),
    # The organizing S&T office approves or rejects; the leader withdraws.
    "projects:change_action": obj("change", params={"pk": "change", "action": "=approve|reject|withdraw"},
                                  methods=("post",), writers=union(W_LEADER, ORG), data=comment()),
    # ---- reviews (专家库, 专家论证, 立项资助). The world's reviews are county-organized: ORG keeps the pool, runs the
    # review (decided: approved) and funds it (a grant with one tranche); rh's ``expert`` is the world's expert.
    "reviews:expert_list": page(gate=POOL_READERS),
    "reviews:expert_create": page(gate=S_AND_T, methods=("get", "post")),
    "reviews:expert_import": page(gate=S_AND_T, methods=("get", "post"), variants=("template=1",)),
    "reviews:expert_detail": obj("expert", gate=POOL_READERS),
    # The pool's office edits every field, the expert their contacts and availability (a blank form: refused).
    "reviews:expert_edit": obj("expert", gate=S_AND_T | EXPERTS, methods=("get", "post"), allowed=W_POOL,
                               writers=W_POOL),
    "reviews:relation_create": obj("expert", gate=S_AND_T | EXPERTS, methods=("get", "post"), allowed=W_POOL,
                                   writers=W_POOL),
    "reviews:relation_delete": obj("relation", gate=S_AND_T, methods=("post",), writers=ORG),
    # The counties' review mode: the county's S&T office and the city's set it (仁化 to a single step).
    "reviews:review_rules": page(gate=OFFICIAL_ROLES, methods=("get", "post"), writers=union(ORG, CITY_ST),
                                 data=lambda w, s: {"county": w.obj(s, "county").pk, "cycle": w.obj("shared", "cycle").pk,
                                                    "mode": "single"}),
    "reviews:review_list": page(gate=REVIEW_VIEWERS),
    # The project already has its review: the organizer's start is refused (it is shown the review), nothing changes.
    "reviews:review_start": obj("project_accepted", params={"project_pk": "project_accepted"}, gate=S_AND_T,
                                methods=("post",), writers=ORG),
    "reviews:review_detail": obj("review", gate=REVIEW_VIEWERS),
    # The review is decided: the panel no longer changes, a decision is not taken twice (refused, unchanged).
    "reviews:seat_add": obj("review", gate=S_AND_T, methods=("post",), writers=ORG,
                            data=lambda w, s: {"expert": w.obj(s, "relation").expert_id}),
    "reviews:panel_fill": obj("review", gate=S_AND_T, methods=("post",), writers=ORG),
    "reviews:review_action": obj("review", params={"pk": "review", "action": "=open|approve|approve_changes|reject"},
                                 gate=S_AND_T, methods=("post",), writers=ORG,
                                 data=comment({"approved_amount": "1000", "panel_opinion": "矩阵"})),
    # The score sheet PDF: the office running the review and its panel, once every expert has submitted.
    "reviews:score_sheet": obj("review", gate=S_AND_T | EXPERTS, allowed=union(ORG, EXPERT_RH)),
    "reviews:seat_list": page(gate=S_AND_T | EXPERTS),
    # The scoring page (its POST saves the expert's draft: the seat is submitted, a blank form is refused).
    "reviews:seat_detail": obj("seat", gate=S_AND_T | EXPERTS, methods=("get", "post"), writers=EXPERT_RH),
    # The expert's steps (the seat is submitted: refused, unchanged). 调出专家组 (remove) is the office's step on the
    # same URL: the table has one writers rule per route, so it is left to reviews/tests (test_views_reviews).
    "reviews:seat_action": obj("seat", params={"pk": "seat", "action": "=submit|decline"}, gate=S_AND_T | EXPERTS,
                               methods=("post",), writers=EXPERT_RH, data=comment()),
    "reviews:grant_list": page(gate=PAIRED_ROLES),
    "reviews:grant_ledger": page(gate=PAIRED_ROLES),  # XLSX
    # Only the funder: the review has its grant already (the form sends the office to it).
    "reviews:grant_create": obj("review", params={"review_pk": "review"}, gate=S_AND_T, methods=("get", "post"),
                                allowed=ORG, writers=ORG),
    "reviews:grant_detail": obj("grant", gate=PAIRED_ROLES),
    "reviews:grant_edit": obj("grant", gate=S_AND_T, methods=("get", "post"), allowed=ORG, writers=ORG),
    "reviews:disbursement_create": obj("grant", gate=S_AND_T, methods=("get", "post"), allowed=ORG, writers=ORG),
    "reviews:voucher": obj("disbursement", gate=PAIRED_ROLES),
    "reviews:envelope_list": page(gate=OFFICIAL_ROLES),
    "reviews:envelope_create": page(gate=S_AND_T, methods=("get", "post")),
    "reviews:envelope_edit": obj("envelope", gate=S_AND_T, methods=("get", "post"), allowed=ORG, writers=ORG),
    # ---- fieldwork (服务活动, 驻镇时间, 工作任务, 履职预警, 工作条件, 问题反映). The team logs; the work team of the town
    # where it happened confirms (the side's town: TOWN); the work team gives tasks and reports non-cooperation; the
    # organizing S&T office (ORG: the world's pairings are county-organized) resolves that report.
    "fieldwork:activity_list": page(gate=PAIRED_ROLES),
    "fieldwork:activity_create": page(gate=TEAM_ROLES, methods=("get", "post")),
    "fieldwork:activity_bulk_confirm": page(gate=TOWN_ROLES, methods=("post",), writers=TOWN,
                                            data=lambda w, s: {"ids": [w.obj(s, "activity").pk]}),
    "fieldwork:activity_detail": obj("activity", "activity_cross", gate=PAIRED_ROLES),
    "fieldwork:activity_edit": obj("activity", gate=TEAM_ROLES, methods=("get", "post"), allowed=TEAM, writers=TEAM),
    "fieldwork:photo_add": obj("activity", gate=TEAM_ROLES, methods=("post",), writers=TEAM),
    "fieldwork:activity_action": obj("activity", params={"pk": "activity", "action": "=confirm|query"},
                                     methods=("post",), writers=TOWN, data=comment()),
    "fieldwork:photo": obj("photo", gate=PAIRED_ROLES),
    "fieldwork:photo_thumb": obj("photo", gate=PAIRED_ROLES),
    "fieldwork:photo_delete": obj("photo", gate=TEAM_ROLES, methods=("post",), writers=TEAM),
    "fieldwork:gallery": page(gate=PAIRED_ROLES),
    "fieldwork:stay_list": page(gate=PAIRED_ROLES),
    "fieldwork:stay_create": page(gate=TEAM_ROLES, methods=("get", "post")),
    "fieldwork:stay_bulk_confirm": page(gate=TOWN_ROLES, methods=("post",), writers=TOWN,
                                        data=lambda w, s: {"ids": [w.obj(s, "stay").pk]}),
    "fieldwork:stay_detail": obj("stay", gate=PAIRED_ROLES),
    "fieldwork:stay_edit": obj("stay", gate=TEAM_ROLES, methods=("get", "post"), allowed=TEAM, writers=TEAM),
    "fieldwork:stay_action": obj("stay", params={"pk": "stay", "action": "=confirm|query"}, methods=("post",),
                                 writers=TOWN, data=comment()),
    "fieldwork:days_list": page(gate=PAIRED_ROLES),
    "fieldwork:team_days": obj("team", params={"team_pk": "team"}, gate=PAIRED_ROLES,
                               allowed=union(PROV, CITY, COUNTY, TOWN, TEAM, UNIT)),
    "fieldwork:task_list": page(gate=PAIRED_ROLES),
    "fieldwork:task_create": page(gate=TOWN_ROLES, methods=("get", "post")),
    "fieldwork:task_detail": obj("task", gate=PAIRED_ROLES),
    "fieldwork:task_edit": obj("task", gate=TOWN_ROLES, methods=("get", "post"), allowed=TOWN, writers=TOWN),
    "fieldwork:task_action": obj("task", params={"pk": "task", "action": "=report|cancel"}, methods=("post",),
                                 writers=union(TEAM, TOWN), data=comment()),
    "fieldwork:flag_list": page(gate=PAIRED_ROLES),
    "fieldwork:flag_report": page(gate=TOWN_ROLES, methods=("get", "post")),
    "fieldwork:flag_detail": obj("flag", gate=PAIRED_ROLES),
    "fieldwork:flag_action": obj("flag", params={"pk": "flag", "action": "=resolve"}, methods=("post",),
                                 writers=union(ORG, TOWN), data=comment()),
    "fieldwork:conditions_list": page(gate=PAIRED_ROLES),
    "fieldwork:conditions_edit": page(gate=TOWN_ROLES, methods=("get", "post")),
    "fieldwork:conditions_detail": obj("conditions", gate=PAIRED_ROLES),
    "fieldwork:request_list": page(gate=PAIRED_ROLES),
    "fieldwork:request_create": page(gate=TEAM_ROLES, methods=("get", "post")),
    "fieldwork:request_detail": obj("request", gate=PAIRED_ROLES),
    "fieldwork:request_action": obj("request", params={"pk": "request", "action": "=answer"}, methods=("post",),
                                    writers=union(TOWN, COUNTY_RURAL, _by_side(rh={"city_rural"}, nx={"city_rural"})),
                                    data=comment()),
    # ---- replacements (调整更换, 成员变更, 周期结束). The organizing S&T office (ORG) opens, decides and withdraws a
    # case; the team's leader answers it; the city (for a county team) then the province confirm a member change.
    "replacements:case_list": page(gate=REPL_READERS),
    "replacements:case_create": page(gate=S_AND_T, methods=("get", "post")),
    "replacements:case_detail": obj("case", gate=REPL_READERS),
    "replacements:case_answer": obj("case", gate=frozenset({"team_leader"}), methods=("get", "post"), writers=LEADER),
    # The decision form is the organizing S&T office's only (the city over a county case reads it, decides nothing).
    "replacements:case_decide": obj("case", gate=S_AND_T, methods=("get", "post"), allowed=ORG, writers=ORG),
    "replacements:case_action": obj("case", params={"pk": "case", "action": "=withdraw"}, methods=("post",),
                                    writers=ORG, data=comment()),
    # The decision document exists once a case is decided (warning, adjustment, replacement): the decided warning.
    "replacements:case_document": obj("case_decided", params={"pk": "case_decided", "fmt": "=docx|pdf"},
                                      gate=REPL_READERS),
    "replacements:case_file": obj("casefile", gate=REPL_READERS),
    "replacements:change_list": page(gate=REPL_READERS),
    "replacements:change_create": page(gate=S_AND_T, methods=("get", "post")),
    "replacements:change_detail": obj("memberchange", gate=REPL_READERS),
    # The city confirms a county team's change first (the province's step waits for it: one writers rule per route).
    "replacements:change_action": obj("memberchange", params={"pk": "memberchange", "action": "=confirm_city"},
                                      methods=("post",), writers=CITY_ST, data=comment()),
    "replacements:change_letter": obj("memberchange", params={"pk": "memberchange", "fmt": "=docx|pdf"},
                                      gate=REPL_READERS),
    "replacements:cycle_end": page(gate=OFFICIAL_ROLES, query="cycle={cycle}"),
    # The world's cycle has not ended: the city S&T bureau's "end now" is refused, nothing changes.
    "replacements:cycle_end_action": obj("cycle", gate=OFFICIAL_ROLES, methods=("post",), writers=const({"city_st"})),
    # The funder stops or settles its grant (a blank form: refused, nothing changes).
    "replacements:grant_close": obj("grant", gate=S_AND_T, methods=("post",), writers=ORG),
    "replacements:figures_list": page(gate=OFFICIAL_ROLES | TOWN_ROLES | TEAM_ROLES | {"unit"}),
    # ---- evaluations (考评, 奖励, 培训交流): the unit's own pages; officials, teams and the person read what the
    # records' rules give them. The unit alone writes.
    "evaluations:home": page(gate=UNIT_ROLE),
    "evaluations:evaluation_generate": page(gate=UNIT_ROLE, methods=("post",)),
    "evaluations:evaluation_table": page(gate=UNIT_ROLE),
    "evaluations:evaluation_list": page(gate=EV_READERS),
    "evaluations:evaluation_create": page(gate=UNIT_ROLE, methods=("get", "post")),
    "evaluations:evaluation_detail": obj("evaluation", gate=EV_READERS),
    # The world's evaluation is submitted: an edit is refused until reopened.
    "evaluations:evaluation_edit": obj("evaluation", gate=UNIT_ROLE, methods=("get", "post"), allowed=UNIT,
                                       writers=UNIT),
    "evaluations:evaluation_action": obj("evaluation", params={"pk": "evaluation", "action": "=submit|reopen"},
                                         methods=("post",), writers=UNIT, data=comment()),
    "evaluations:reward_list": page(gate=EV_READERS),
    "evaluations:reward_create": page(gate=UNIT_ROLE, methods=("get", "post")),
    "evaluations:reward_detail": obj("reward", gate=EV_READERS),
    "evaluations:reward_edit": obj("reward", gate=UNIT_ROLE, methods=("get", "post"), allowed=UNIT, writers=UNIT),
    "evaluations:reward_document": obj("reward", gate=EV_READERS),
    "evaluations:training_list": page(gate=EV_READERS),
    "evaluations:training_create": page(gate=UNIT_ROLE, methods=("get", "post")),
    "evaluations:training_detail": obj("training", gate=EV_READERS),
    "evaluations:training_edit": obj("training", gate=UNIT_ROLE, methods=("get", "post"), allowed=UNIT,
                                     writers=UNIT),
    "evaluations:material_add": obj("training", gate=UNIT_ROLE, methods=("post",), writers=UNIT),
    "evaluations:material": obj("material", gate=EV_READERS),
    "evaluations:material_delete": obj("material", gate=UNIT_ROLE, methods=("post",), writers=UNIT),
    # ---- coordination (协调指导): officials only. The county's S&T office sets up and edits its group; the county's
    # S&T and rural offices (COUNTY: they co-lead it) keep its members, meetings and follow-ups; the levels above read.
    "coordination:home": page(gate=OFFICIAL_ROLES),
    "coordination:group_create": page(gate=S_AND_T, methods=("get", "post")),
    "coordination:group_detail": obj("cgroup", gate=OFFICIAL_ROLES),
    "coordination:group_edit": obj("cgroup", gate=S_AND_T, methods=("get", "post"), allowed=ORG, writers=ORG),
    # Forms on a group: only its keepers get the form (a reader above: 404).
    "coordination:member_create": obj("cgroup", params={"group_pk": "cgroup"}, gate=COORD_OFFICES,
                                      methods=("get", "post"), allowed=COUNTY, writers=COUNTY),
    "coordination:member_edit": obj("cmember", gate=COORD_OFFICES, methods=("get", "post"), allowed=COUNTY,
                                    writers=COUNTY),
    "coordination:meeting_create": obj("cgroup", params={"group_pk": "cgroup"}, gate=COORD_OFFICES,
                                       methods=("get", "post"), allowed=COUNTY, writers=COUNTY),
    "coordination:meeting_detail": obj("cmeeting", gate=OFFICIAL_ROLES),
    "coordination:meeting_edit": obj("cmeeting", gate=COORD_OFFICES, methods=("get", "post"), allowed=COUNTY,
                                     writers=COUNTY),
    "coordination:document": obj("cdocument", gate=OFFICIAL_ROLES),
    "coordination:document_delete": obj("cdocument", gate=COORD_OFFICES, methods=("post",), writers=COUNTY),
    "coordination:followup_list": page(gate=OFFICIAL_ROLES),
    "coordination:followup_create": obj("cgroup", params={"group_pk": "cgroup"}, gate=COORD_OFFICES,
                                        methods=("get", "post"), allowed=COUNTY, writers=COUNTY),
    "coordination:followup_detail": obj("followup", gate=OFFICIAL_ROLES),
    "coordination:followup_edit": obj("followup", gate=COORD_OFFICES, methods=("get", "post"), allowed=COUNTY,
                                      writers=COUNTY),
    "coordination:followup_action": obj("followup", params={"pk": "followup", "action": "=complete|cancel"},
                                        methods=("post",), writers=COUNTY, data=comment()),
    # ---- reports (信息报送, issue 20): the officials' pages, each report by its audience (AUDIENCE: a county's draft
    # is its author's own). The author (a county's S&T office: ORG) edits its draft; the receiver (the city S&T bureau
    # for a county's report) returns or accepts the submitted one; the city notes a missing county on its own draft.
    "reports:report_list": page(gate=OFFICIAL_ROLES),
    # The authors' form (an empty POST: refused, nothing made).
    "reports:report_create": page(gate=S_AND_T, methods=("get", "post")),
    "reports:report_detail": obj(*AR_KEYS, gate=OFFICIAL_ROLES),
    "reports:report_edit": obj("ar_draft", gate=S_AND_T, methods=("get", "post"), allowed=ORG, writers=ORG),
    "reports:report_transition": obj("ar_submitted", params={"pk": "ar_submitted", "action": "=return|accept"},
                                     methods=("post",), writers=CITY_ST, data=comment()),
    "reports:missing_note": obj("ar_city_draft", params={"pk": "ar_city_draft", "county_pk": "county"},
                                gate=frozenset({"city_st"}), methods=("post",), writers=CITY_ST,
                                data=lambda w, s: {"note": "矩阵缺报说明"}),
    # A figure's records (the whole of 韶关, every level, this year): the roles that read statistics (not towns, not
    # experts, as the dashboards), the rows cut to what each may read — the list, its count and its total must not
    # move when records it may not read are added.
    "reports:trace": page(params={"key": "=activities.total"}, query="year=%d&city={city}" % THIS_YEAR,
                          gate=DASHBOARD_ROLES),
    "reports:trace_export": page(params={"key": "=activities.people_trained"},
                                 query="year=%d&city={city}" % THIS_YEAR, gate=DASHBOARD_ROLES),
    # A team's stationed days per person: whoever reads the pairing.
    "reports:person_days": obj("pairing", params={"pairing_pk": "pairing", "year": "=%d" % THIS_YEAR}),
    # Documents: the report's readers confirm (GET) and start (POST: a task run of their own) an export.
    "reports:report_export": obj("ar_submitted", params={"pk": "ar_submitted", "fmt": "=docx|pdf|xlsx"},
                                 gate=OFFICIAL_ROLES, methods=("get", "post"), writers=union(PROV, CITY, COUNTY)),
    # A finished export is served to who started it (ar_run: the author's XLSX of the accepted report) while they read
    # the report; another user's run, or another report's: 404.
    "reports:report_download": obj("ar_accepted", params={"pk": "ar_accepted", "run": "ar_run"},
                                   gate=OFFICIAL_ROLES, allowed=ORG),
    "reports:dashboard": page(gate=DASHBOARD_ROLES, variants=("year=%d" % (THIS_YEAR - 1),)),
    "reports:dashboard_export": page(gate=DASHBOARD_ROLES),
    # ---- portal stories (一镇一档, 团队履历): whoever reads the town or the team.
    "portal:town_story": obj("town", "city_town", gate=OFFICIAL_ROLES | TOWN_ROLES),
    "portal:team_story": obj("team", gate=OFFICIAL_ROLES | TEAM_ROLES | {"unit"}),
}

# The API: per router basename, the record its detail routes take and who may write it. List routes (GET) are
# checked like pages; ``history``/``transitions`` like the detail; other ``@action`` routes are in API_ACTIONS.
API_VIEWSETS: dict[str, Decl] = {
    "cycle": obj("cycle", writers=const({"city_st"})),
    "county": obj("county"),
    "town": obj("town", "city_town"),
    "townclassification": obj("classification", writers=CITY_ST),
    "village": obj("village", writers=W_TOWN_EDITORS),
    "workteam": obj("work_team", writers=W_WORK_TEAM),
    "dispatchingunit": obj("unit", writers=W_UNIT_EDIT),
    "user": obj("user", gate=None),
    "notification": obj("notification"),
    "taskrun": obj("taskrun"),
    "need": obj("need", "need_open", writers=W_ENTER),
    "townprofile": obj("profile", writers=W_ENTER),
    "surveycampaign": obj("campaign"),
    "industrycategory": obj("category"),
    "industryproduct": obj("product", writers=const({"city_st"})),
    "industryproblem": obj("problem", writers=const({"city_st"})),
    "team": obj("team"),
    "commissioner": obj("commissioner"),
    "call": obj("call", "call_draft"),
    "application": obj("application"),
    "selectionround": obj("round"),
    "selectionrun": obj("run"),
    "pairing": obj("pairing"),
    "registrationsubmission": obj("submission"),
    "registration-dashboard": page(gate=OFFICIAL_ROLES),  # a ViewSet with a list only
    "publicnotice": obj("notice"),
    # The objector's name and phone masked for all but the handlers (objector_phone: ORG), as on the page.
    "objection": obj("objection"),
    # PATCH: the leader (the signed agreement and the submitted project refuse the edit: 400; the draft takes it).
    "agreement": obj("agreement", writers=W_LEADER),
    "project": obj("project", "project_draft", writers=W_LEADER),
    "projectchange": obj("change"),
    # Reviews (issue 17). PATCH (an empty body: the detail routes are read with the same body, so none): the pool's
    # office and the expert themself (their contacts and availability), the funder.
    "expert": obj("expert", writers=W_POOL),
    "review": obj("review"),
    "reviewseat": obj("seat"),
    "grant": obj("grant", writers=ORG),
    "envelope": obj("envelope", writers=ORG),
    # Field work (issue 18). PATCH: the team that logged the activity or stay, the work team its task and conditions
    # (PUT too); flags and requests move by their act/ routes only.
    "activity": obj("activity", "activity_cross", writers=TEAM),
    "stay": obj("stay", writers=TEAM),
    "task": obj("task", writers=TOWN),
    "flag": obj("flag"),
    "conditionrequest": obj("request"),
    "workingconditions": obj("conditions", writers=TOWN),
    # Confirmed stationed days per pairing in scope (a ViewSet with a list only).
    "stationed-days": page(gate=PAIRED_ROLES),
    # Adjustment and replacement (issue 19): read-only viewsets; their steps are the @action routes.
    "case": obj("case"),
    "memberchange": obj("memberchange"),
    "pairingfigures": obj("figures"),
    # Evaluations (issue 19). PATCH: the unit (the submitted evaluation refuses the edit: 400).
    "evaluation": obj("evaluation", writers=UNIT),
    "reward": obj("reward", writers=UNIT),
    "training": obj("training", writers=UNIT),
    # Coordination (issue 19). PATCH (an empty body): the group by its level's S&T office, the rest by the level's
    # offices.
    "group": obj("cgroup", writers=ORG),
    "groupmember": obj("cmember", writers=COUNTY),
    "meeting": obj("cmeeting", writers=COUNTY),
    "followup": obj("followup", writers=COUNTY),
    # Annual reports (issue 20). PATCH (an empty body): the county's S&T office, its author (the draft takes it, the
    # sent ones refuse it: 400). The city's reports are tried by the @action routes (figures, accept, missing-note).
    "annualreport": obj("ar_draft", "ar_submitted", "ar_accepted", "ar_returned", writers=ORG),
    # The figures of a scope inside the caller's own region (a ViewSet with a list only): the dashboards' roles.
    "report-figures": page(gate=DASHBOARD_ROLES),
}
# API list routes that take a POST (create): the body names the side's record(s); nobody writes another city's.
API_CREATE: dict[str, Decl] = {
    "townclassification-list": obj("town", params={}, writers=NOBODY,  # the town already has its class
                                   data=lambda w, s: {"cycle": w.obj("shared", "cycle").pk, "town": w.obj(s, "town").pk,
                                                      "town_class": "key", "organizing_level": "county"}),
    "village-list": obj("town", params={}, writers=W_TOWN_EDITORS,
                        data=lambda w, s: {"town": w.obj(s, "town").pk, "name": "矩阵新村"}),
    "workteam-list": obj("town", params={}, writers=NOBODY,  # the town already has its work team
                         data=lambda w, s: {"town": w.obj(s, "town").pk, "leader_name": "矩阵"}),
    "dispatchingunit-list": page(methods=("get", "post")),
    "cycle-list": page(methods=("get", "post")),
    "need-list": obj("town", params={}, writers=W_ENTER,
                     data=lambda w, s: {"cycle": w.obj("shared", "cycle").pk, "town": w.obj(s, "town").pk,
                                        "title": "矩阵需求", "description": "矩阵",
                                        "category": w.obj("shared", "category").pk,
                                        "service_types": ["guidance"]}),
    "townprofile-list": obj("town", params={}, writers=W_ENTER,
                            data=lambda w, s: {"cycle": w.obj("shared", "cycle").pk, "town": w.obj(s, "town").pk,
                                               "population": 1}),
    "surveycampaign-list": obj("town", params={}, writers=ORG,
                               data=lambda w, s: {"cycle": w.obj("shared", "cycle").pk, "title": "矩阵调研",
                                                  "due_date": "2030-01-01", "towns": [w.obj(s, "town").pk]}),
    "industryproduct-list": page(methods=("get", "post")),
    "industryproblem-list": page(methods=("get", "post")),
    "selectionround-list": obj("call", params={}, writers=ORG, data=lambda w, s: {"call": w.obj(s, "call").pk}),
    "registrationsubmission-list": obj("pairing", params={}, writers=NOBODY,  # already sent to the province
                                       data=lambda w, s: {"cycle": w.obj("shared", "cycle").pk, "recipient": "province",
                                                          "pairings": [w.obj(s, "pairing").pk],
                                                          "doc_number": "仁科〔2025〕31号"}),
    # The pairing's leader drafts (its pairing already has an agreement: refused, 400) and writes projects.
    "agreement-list": obj("pairing", params={}, writers=W_LEADER,
                          data=lambda w, s: {"pairing": w.obj(s, "pairing").pk, **agreement_form(w, s)}),
    "project-list": obj("pairing", params={}, writers=W_LEADER, data=lambda w, s: project_api(w, s)),
    # An S&T office adds to its own pool, sets its own envelope (a blank body: refused, 400).
    "expert-list": page(methods=("get", "post")),
    "envelope-list": page(methods=("get", "post")),
    # The funder funds the approved review (it has its grant already: refused, 400).
    # A team logs field work for itself in its paired town or another town of its county: the side's town and member
    # in the body (anyone else's team, town or person: refused, 400). Tasks, requests, reports and conditions are
    # created from the caller's own pairing (nothing in the body names a record): their list routes take the empty
    # POST (refused, 400) as pages.
    "activity-list": obj("town", params={}, writers=TEAM,
                         data=lambda w, s: {"town": w.obj(s, "town").pk, "date": _days_ago(3),
                                            "service_type": "guidance", "title": "矩阵活动", "description": "矩阵"}),
    "stay-list": obj("commissioner", params={}, writers=TEAM,
                     data=lambda w, s: {"commissioner": w.obj(s, "commissioner").pk, "town": w.obj(s, "town").pk,
                                        "start_date": _days_ago(40), "end_date": _days_ago(38), "place": "矩阵",
                                        "purpose": "矩阵"}),
    # Issue 19: creates with an empty body (refused, 400, for everyone; nothing saved).
    "case-list": page(methods=("get", "post")),
    "memberchange-list": page(methods=("get", "post")),
    "evaluation-list": page(methods=("get", "post")),
    "reward-list": page(methods=("get", "post")),
    "training-list": page(methods=("get", "post")),
    "group-list": page(methods=("get", "post")),
    "groupmember-list": page(methods=("get", "post")),
    "meeting-list": page(methods=("get", "post")),
    "followup-list": page(methods=("get", "post")),
    # A county's S&T office opens its county's report of a year no report has (2021); anyone else: refused.
    "annualreport-list": obj("county", params={}, writers=ORG,
                             data=lambda w, s: {"year": 2021, "level": "county", "county": w.obj(s, "county").pk}),
    "grant-list": obj("review", params={}, writers=ORG,
                      data=lambda w, s: {"review": w.obj(s, "review").pk, "project_number": "矩阵-1",
                                         "fiscal_year": 2030, "budget_source": "county", "amount": "1000",
                                         "granted_on": "2025-01-02"}),
}
# Other @action routes.
API_ACTIONS: dict[str, Decl] = {
    "user-me": page(),
    "user-reset-password": obj("user", writers=union(CITY_ST, ORG)),
    "notification-mark-read": page(methods=("post",), changes_ok=True),  # the caller's own inbox
    "dispatchingunit-act": obj("unit", writers=W_UNIT_ARCHIVE, data=comment({"action": "archive"})),
    "need-bulk": obj("need_open", params={}, writers=ORG,
                     data=lambda w, s: {"action": "confirm", "ids": [w.obj(s, "need_open").pk]}),
    "need-confirm": obj("need_open", writers=ORG),
    "need-return-": obj("need_open", writers=ORG, data=comment()),
    "need-close": obj("need_open", writers=ORG, data=comment()),
    "need-resubmit": obj("need_open", writers=NOBODY),  # not returned: nobody can resubmit it
    "application-act": obj("application", writers=W_LEADER, data=lambda w, s: {"action": "withdraw"}),
    "selectionround-run": obj("round", writers=ORG),
    "selectionround-constraints": obj("round", writers=ORG,
                                      data=lambda w, s: {"town": w.obj(s, "town").pk, "team": w.obj(s, "team").pk,
                                                         "kind": "exclude", "reason": "矩阵"}),
    "selectionround-panel": obj("round", writers=ORG,
                                data=lambda w, s: {"town": w.obj(s, "town").pk, "team": w.obj(s, "team").pk,
                                                   "score": "80"}),
    "selectionround-meeting": obj("round", writers=ORG,
                                  data=lambda w, s: {"meeting_date": "2025-02-10", "meeting_participants": "矩阵"}),
    "selectionround-finalize": obj("round", writers=ORG, data=lambda w, s: {"run": w.obj(s, "run").pk}),
    "selectionrun-proposal": obj("run"),
    # The submission goes to the province, which confirms with its own account (it has one: nobody records for it).
    "registrationsubmission-act": obj("submission", writers=PROV,
                                      data=lambda w, s: {"action": "confirm", "confirmed_on": "2025-03-01",
                                                         "reference_number": "粤科备〔2025〕1号"}),
    "registrationsubmission-actions": obj("submission"),
    # The notice's organizer handles an objection (a reader who may not is refused, 403; nobody else finds it).
    "objection-act": obj("objection", writers=ORG, data=comment({"action": "dismiss"})),
    # Agreements: the leader signs (multipart; the agreement is already signed: refused, 400), the town confirms.
    "agreement-sign": obj("agreement", writers=W_LEADER,
                          data=lambda w, s: {"scan": sign_form(w, s)["signed_scan"], "signed_on": sign_form(w, s)[
                              "signed_on"]}),
    "agreement-act": obj("agreement", writers=TOWN, data=comment({"action": "confirm"})),
    "agreement-actions": obj("agreement"),
    # Projects: the organizing S&T office accepts the submitted project; the leader asks to change the accepted one
    # (it has a pending change already: refused, 400).
    "project-act": obj("project", writers=ORG, data=comment({"action": "accept"})),
    "project-change": obj("project_accepted", writers=W_LEADER,
                          data=lambda w, s: {"reason": "矩阵测试变更", "demo_area_mu": "90.0"}),
    "project-actions": obj("project"),
    # Change requests: the organizing S&T office approves.
    "projectchange-act": obj("change", writers=ORG, data=comment({"action": "approve"})),
    "projectchange-actions": obj("change"),
    # Reviews: the organizing S&T office starts (the project has its review: refused, 400), fills and seats (the
    # review is decided: nothing to fill, a seat refused), decides (already decided: refused or 409).
    "review-start": obj("project_accepted", params={}, writers=ORG,
                        data=lambda w, s: {"project": w.obj(s, "project_accepted").pk}),
    "review-fill": obj("review", writers=ORG),
    "review-seat": obj("review", writers=ORG, data=lambda w, s: {"expert": w.obj(s, "relation").expert_id}),
    "review-act": obj("review", writers=ORG,
                      data=comment({"action": "approve", "amount": "1000", "opinion": "矩阵"})),
    # The pool ranked with its exclusions: the office running the review only.
    "review-candidates": obj("review", allowed=ORG),
    # The score sheet: the office running the review and its panel (every expert has submitted).
    "review-sheet": obj("review", allowed=union(ORG, EXPERT_RH)),
    "review-actions": obj("review"),
    # The seat's expert scores and declines (the seat is submitted: refused, 400). The office's remove is the same
    # route: one writers rule per route, left to reviews/tests.
    "reviewseat-score": obj("seat", writers=EXPERT_RH, data=lambda w, s: {"score_fit": 90}),
    "reviewseat-act": obj("seat", writers=EXPERT_RH, data=comment({"action": "decline"})),
    "reviewseat-actions": obj("seat"),
    # A tranche above what remains of the grant: refused (400) for the funder, nothing saved.
    "grant-disburse": obj("grant", writers=ORG, data=voucher_form),
    # Field work: the team adds photos (an empty body: refused, 400); the work team of the town where it was done
    # confirms, one by one or at once (another town's ids: nothing confirmed); the team reports on its task; the town
    # or the organizing S&T office resolves a non-cooperation report; the town and the rural offices answer a request.
    "activity-photos": obj("activity", writers=TEAM),
    "activity-act": obj("activity", writers=TOWN, data=comment({"action": "confirm"})),
    "activity-actions": obj("activity", "activity_cross"),
    "activity-bulk-confirm": obj("activity", params={}, writers=TOWN,
                                 data=lambda w, s: {"ids": [w.obj(s, "activity").pk]}),
    "stay-act": obj("stay", writers=TOWN, data=comment({"action": "confirm"})),
    "stay-actions": obj("stay"),
    "stay-bulk-confirm": obj("stay", params={}, writers=TOWN, data=lambda w, s: {"ids": [w.obj(s, "stay").pk]}),
    "task-act": obj("task", writers=TEAM, data=comment({"action": "report"})),
    "task-actions": obj("task"),
    "flag-report": page(methods=("post",)),
    "flag-act": obj("flag", writers=union(ORG, TOWN), data=comment({"action": "resolve"})),
    "flag-actions": obj("flag"),
    "conditionrequest-act": obj("request", writers=union(TOWN, COUNTY_RURAL, _by_side(rh={"city_rural"},
                                                                                      nx={"city_rural"})),
                                data=comment({"action": "answer"})),
    "conditionrequest-actions": obj("request"),
    # Adjustment and replacement: the organizing S&T office withdraws or decides (an empty decision: refused, 400),
    # the team's leader answers (an empty answer: refused, 400), the city confirms a county team's member change.
    "case-act": obj("case", writers=ORG, data=comment({"action": "withdraw"})),
    "case-answer": obj("case", writers=LEADER),
    "case-decide": obj("case", writers=ORG),
    "memberchange-act": obj("memberchange", writers=CITY_ST, data=comment({"action": "confirm_city"})),
    # Evaluations: the unit reopens its submitted evaluation.
    "evaluation-act": obj("evaluation", writers=UNIT, data=comment({"action": "reopen"})),
    "evaluation-actions": obj("evaluation"),
    # Coordination: the keepers add documents to a meeting (an empty body: refused, 400) and complete a follow-up.
    "meeting-documents": obj("cmeeting", writers=COUNTY),
    "followup-act": obj("followup", writers=COUNTY, data=comment({"action": "complete"})),
    "followup-actions": obj("followup"),
    # Annual reports: the author submits its draft; the city returns (or reopens: refused, the city's report of that
    # year is with the province) a county's report; the province accepts the city's submitted report (Qingyuan's too:
    # its province's); the city notes a missing county on its draft. The figures of every kind of report.
    "annualreport-submit": obj("ar_draft", writers=ORG),
    "annualreport-return": obj("ar_submitted", writers=CITY_ST, data=comment()),
    "annualreport-accept": obj("ar_city", writers=PROV),
    "annualreport-reopen": obj("ar_accepted", writers=CITY_ST, data=comment()),
    "annualreport-missing-note": obj("ar_city_draft", writers=CITY_ST,
                                     data=lambda w, s: {"county": w.obj(s, "county").pk, "note": "矩阵缺报说明"}),
    "annualreport-actions": obj("ar_submitted", "ar_city"),
    "annualreport-figures": obj("ar_draft", "ar_submitted", "ar_city", "ar_city_draft"),
}


# ------------------------------------------------------------------------------------------------ patterns
@dataclass
class Pattern:
    name: str  # "needs:need_detail", "need-detail", or the regex for an unnamed pattern
    regex: str
    callback: object
    actions: dict  # API viewset routes: method -> action
    suffix: bool  # a DRF format-suffix variant (``.json``) of a route with the same name

    @property
    def is_api(self) -> bool:
        return bool(self.actions) or self.regex.startswith("api/")


def patterns() -> list[Pattern]:
    """Every URL pattern but the admin's, walking the resolver recursively."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if getattr(entry, "app_name", None) == "admin" or entry.namespace == "admin":
                    continue
                space = ":".join(part for part in (namespace, entry.namespace) if part)
                walk(entry, prefix + str(entry.pattern), space)
            elif isinstance(entry, URLPattern):
                regex = prefix + str(entry.pattern)
                name = ":".join(part for part in (namespace, entry.name) if part) if entry.name else ""
                if not entry.name and "media" in regex:
                    name = "media"
                found.append(Pattern(name=name or regex, regex=regex, callback=entry.callback,
                                     actions=dict(getattr(entry.callback, "actions", None) or {}),
                                     suffix="(?P<format>" in regex or "<drf_format_suffix:format>" in regex))
    walk(get_resolver(), "", "")
    return found


API_SUFFIXES = ("-detail", "-history", "-transitions", "-list")


def declaration(name: str) -> Decl | None:
    """The declaration of a URL name (API detail/history/transitions follow their viewset's entry)."""
    if name in DECLARATIONS:
        return DECLARATIONS[name]
    if name in API_ACTIONS:
        return API_ACTIONS[name]
    if name in API_CREATE:
        return API_CREATE[name]
    for suffix in API_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in API_VIEWSETS:
            base = API_VIEWSETS[name[: -len(suffix)]]
            if suffix == "-list":
                return base if base.kind == "page" else page()
            return base
    return None


def undeclared() -> list[str]:
    missing = []
    for pattern in patterns():
        if declaration(pattern.name) is None:
            missing.append("%s  (%s)" % (pattern.name, pattern.regex))
    return missing


# ------------------------------------------------------------------------------------------------ rows
@dataclass
class Row:
    """One route to check: a URL name with its declaration, the HTTP methods to try, how to build its URL."""

    name: str
    decl: Decl
    pattern: Pattern
    methods: tuple
    suffix: str = ""

    @property
    def id(self):
        return self.name + self.suffix


def _api_methods(pattern: Pattern, decl: Decl) -> tuple:
    view_class = getattr(pattern.callback, "cls", None)
    allowed = set(getattr(view_class, "http_method_names", ["get", "post", "put", "patch", "delete"]))
    methods = [m for m in ("get", "post", "put", "patch", "delete") if m in pattern.actions and m in allowed]
    if decl.methods:
        methods = [m for m in methods if m in decl.methods]
    return tuple(methods) or ("get",)


def rows() -> list[Row]:
    """The routes to check (format-suffix variants are covered by their base route: same view, same code)."""
    result = []
    seen = set()
    for pattern in patterns():
        decl = declaration(pattern.name)
        if decl is None or decl.kind == "exempt" or pattern.suffix or pattern.name in seen:
            continue
        seen.add(pattern.name)
        if pattern.name in API_CREATE and decl.kind == "obj":
            # The list (GET) is checked like a page; the create (POST) with the side's record in the body.
            result.append(Row(name=pattern.name, decl=page(), pattern=pattern, methods=("get",)))
            result.append(Row(name=pattern.name, decl=decl, pattern=pattern, methods=("post",), suffix=" create"))
            continue
        if pattern.actions:
            methods = _api_methods(pattern, decl)
        else:
            methods = decl.methods or ("get",)
        result.append(Row(name=pattern.name, decl=decl, pattern=pattern, methods=methods))
    return result


_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>")


def path_params(pattern: Pattern) -> list[str]:
    return [m.group("name") or m.group("rname") for m in _PARAM.finditer(pattern.regex)
            if (m.group("name") or m.group("rname")) != "format"]


def undeclared_methods() -> list[str]:
    """Page routes whose view answers a method the table does not try (a POST handler added to a GET page)."""
    missing = []
    for row in rows():
        if row.pattern.actions:
            continue  # API: the router's methods are tried
        view_class = getattr(row.pattern.callback, "view_class", None)
        if view_class is None:
            continue  # function views: the table says what they take
        from django.views.generic.edit import ProcessFormView

        # A view that inherits a handler but refuses its method (``http_method_names``: a POST-only subclass of a
        # detail page) does not answer it.
        answers = {method for method in ("get", "post", "put", "patch", "delete")
                   if hasattr(view_class, method) and method in view_class.http_method_names}
        if getattr(view_class, "put", None) is ProcessFormView.put:
            answers.discard("put")  # Django's form views answer PUT with their POST handler
        extra = answers - set(row.methods)
        if extra:
            missing.append("%s answers %s, the table tries %s" % (row.name, sorted(extra), list(row.methods)))
    return missing
