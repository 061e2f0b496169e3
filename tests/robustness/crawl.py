"""The crawler's route table: every URL pattern of ``django.urls.get_resolver()`` with its path parameters.

A route's template is its full path with ``{name}`` for each parameter; each parameter has a kind (``int``, ``str``,
``uuid``, ``path``, ``slug`` or ``regex`` for the API router's ``[^/.]+``) and is filled from the robustness
records (``tests.robustness.records``) by :func:`valid_value`. A parameter no rule here fills fails the test, so a
route added later is crawled (or declared) too.
"""
from __future__ import annotations

import datetime as dt
import re
import traceback
from dataclasses import dataclass, field

from django.urls import URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern

SKIPPED_PREFIXES = ("admin/", "static/", "media/", "captcha/")  # third-party CAPTCHA images and audio
CONVERTER_KIND = {IntConverter: "int", StringConverter: "str", UUIDConverter: "uuid", PathConverter: "path",
                  SlugConverter: "slug"}
MISSING = {"int": "999999", "regex": "999999", "uuid": "00000000-0000-4000-8000-000000000000"}
# Malformed values for every parameter whose converter accepts more than digits: a word, a negative number, a NUL
# byte and a 300-digit number (passes ``isdigit()``, overflows every integer column).
MALFORMED = ["abc", "-1", "%00", "9" * 300]

# Page routes: the model of ``pk`` by the path before it (longest prefix wins).
PK_BY_PREFIX = {
    "tasks/": "taskrun", "accounts/users/": "user", "regions/towns/": "town", "cycles/": "cycle", "units/": "unit",
    "needs/": "need", "needs/profiles/": "profile", "needs/campaigns/": "campaign",
    "needs/taxonomy/products/": "product", "needs/taxonomy/problems/": "problem", "teams/": "team", "teams/commissioners/": "commissioner",
    "calls/": "call", "calls/attachments/": "attachment", "calls/public/": "call", "calls/applications/": "application",
    "matching/rounds/": "round", "matching/pairings/": "pairing", "registrations/": "submission",
    "notices/": "notice", "notices/objections/": "objection", "notices/pairings/": "pairing",
    "public/notices/": "notice",
    "assistance/agreements/": "agreement", "assistance/projects/": "project", "assistance/changes/": "change",
    "review/experts/": "expert", "review/relations/": "relation", "review/reviews/": "review",
    "review/seats/": "seat", "review/grants/": "grant", "review/disbursements/": "disbursement",
    "review/envelopes/": "envelope",
    "field/activities/": "activity", "field/photos/": "photo", "field/stays/": "stay", "field/tasks/": "fw_task",
    "field/flags/": "flag", "field/conditions/": "conditions", "field/requests/": "request",
    "cases/": "case", "cases/files/": "casefile", "cases/changes/": "memberchange", "cases/cycle-end/": "cycle",
    "cases/grants/": "grant",
    "evaluations/evaluations/": "evaluation", "evaluations/rewards/": "reward", "evaluations/trainings/": "training",
    "evaluations/materials/": "material",
    "coordination/groups/": "cgroup", "coordination/members/": "cmember", "coordination/meetings/": "cmeeting",
    "coordination/documents/": "cdocument", "coordination/follow-ups/": "followup",
    "story/town/": "town", "story/team/": "team",
    "reports/": "report",
}
# Other path parameters by name.
PARAM_KEY = {"county": "county", "town": "town", "cycle": "cycle", "member": "wtmember", "membership": "membership",
             "row": "app_town", "run": "run", "constraint": "constraint", "pairing_pk": "pairing",
             "project_pk": "accepted_project", "review_pk": "approved_review",
             "team_pk": "team", "group_pk": "cgroup", "county_pk": "county"}
# Path parameters of one route that name another record than the parameter's usual one.
ROUTE_PARAM_KEY = {("reports:report_download", "run"): "report_run"}
# Integer parameters that are not record ids: a value the view knows.
INT_VALUES = {("reports:person_days", "year"): str(dt.date.today().year)}
# API routes: the record of ``pk`` by the model of the viewset.
MODEL_KEY = {
    "cycles.cycle": "cycle", "regions.county": "county", "regions.town": "town",
    "regions.townclassification": "classification", "regions.village": "village", "regions.workteam": "work_team",
    "units.dispatchingunit": "unit", "accounts.user": "user", "accounts.notification": "notification",
    "core.taskrun": "taskrun", "needs.need": "need", "needs.townprofile": "profile",
    "needs.surveycampaign": "campaign", "needs.industrycategory": "category", "needs.industryproduct": "product",
    "needs.industryproblem": "problem",
    "teams.team": "team", "teams.commissioner": "commissioner", "calls.call": "call", "calls.application": "application",
    "matching.selectionround": "round", "matching.selectionrun": "run", "matching.pairing": "pairing",
    "registrations.registrationsubmission": "submission",
    "notices.publicnotice": "notice", "notices.objection": "objection",
    "projects.agreement": "agreement", "projects.project": "project", "projects.projectchange": "change",
    "reviews.expert": "expert", "reviews.review": "review", "reviews.reviewseat": "seat", "reviews.grant": "grant",
    "reviews.envelope": "envelope",
    "fieldwork.activity": "activity", "fieldwork.activityphoto": "photo", "fieldwork.stay": "stay",
    "fieldwork.task": "fw_task", "fieldwork.flag": "flag", "fieldwork.workingconditions": "conditions",
    "fieldwork.conditionrequest": "request",
    "replacements.case": "case", "replacements.memberchange": "memberchange",
    "replacements.pairingfigures": "figures",
    "evaluations.evaluation": "evaluation", "evaluations.reward": "reward", "evaluations.training": "training",
    "coordination.group": "cgroup", "coordination.groupmember": "cmember", "coordination.meeting": "cmeeting",
    "coordination.followup": "followup",
    "reports.annualreport": "report",
}
# String parameters: a value the view knows.
STR_VALUES = {
    ("needs:need_action", "action"): "confirm", ("calls:call_action", "action"): "publish",
    ("calls:application_action", "action"): "submit", ("calls:application_file", "field"): "unit_endorsement",
    ("calls:application_print", "fmt"): "docx", ("registrations:submission_act", "action"): "confirm",
    ("registrations:package", "kind"): "table.xlsx", ("notices:objection_action", "action"): "uphold",
    ("units:action", "action"): "archive", ("cycles:action", "action"): "close",
    ("needs:campaign_action", "action"): "close", ("notices:notice_action", "action"): "publish",
    ("projects:agreement_action", "action"): "confirm", ("projects:agreement_document", "fmt"): "docx",
    ("projects:project_action", "action"): "accept", ("projects:project_document", "fmt"): "docx",
    ("projects:change_action", "action"): "approve",
    ("reviews:review_action", "action"): "approve", ("reviews:seat_action", "action"): "submit",
    ("fieldwork:activity_action", "action"): "confirm", ("fieldwork:stay_action", "action"): "confirm",
    ("fieldwork:task_action", "action"): "report", ("fieldwork:flag_action", "action"): "resolve",
    ("fieldwork:request_action", "action"): "answer",
    ("replacements:case_action", "action"): "withdraw", ("replacements:change_action", "action"): "confirm_city",
    ("replacements:case_document", "fmt"): "docx", ("replacements:change_letter", "fmt"): "docx",
    ("evaluations:evaluation_action", "action"): "submit", ("coordination:followup_action", "action"): "complete",
    ("reports:report_transition", "action"): "submit", ("reports:report_export", "fmt"): "docx",
    ("reports:trace", "key"): "activities.total", ("reports:trace_export", "key"): "activities.people_trained",
}


@dataclass
class Route:
    template: str  # "needs/{pk}/act/{action}/"
    name: str  # "needs:need_action", "need-confirm", or the template when unnamed
    params: dict  # name -> kind
    view: object  # the view class (or function)
    api: bool
    methods: set = field(default_factory=set)  # lower-case methods the view answers (besides GET/HEAD/OPTIONS)

    @property
    def has_objects(self) -> bool:
        return bool(self.params)

    def url(self, values: dict) -> str:
        return "/" + self.template.format(**values)

    def __str__(self):
        return self.name


def _regex_template(regex: str) -> tuple[str, dict]:
    regex = regex.lstrip("^").rstrip("$")
    params = {}

    def group(match):
        params[match.group(1)] = "regex"
        return "{%s}" % match.group(1)

    template = re.sub(r"\(\?P<(\w+)>[^)]*\)", group, regex)
    return template.replace("\\.", "."), params


def _route_template(route: str, converters: dict) -> tuple[str, dict]:
    params = {}

    def group(match):
        name = match.group(2)
        params[name] = CONVERTER_KIND.get(type(converters.get(name)), "str")
        return "{%s}" % name

    return re.sub(r"<(?:(\w+):)?(\w+)>", group, route), params


def _methods(callback) -> set:
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a DRF viewset route
        return {method for method in actions if method not in ("get", "head", "options")}
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return {"post"}  # a function view: it may read POST
    return {method for method in ("post", "put", "patch", "delete") if hasattr(view, method)}


def routes() -> list[Route]:
    found = []

    def walk(resolver, prefix, params, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                part, more = _part(pattern.pattern)
                ns = namespace + [pattern.namespace] if pattern.namespace else namespace
                walk(pattern, prefix + part, {**params, **more}, ns)
                continue
            part, more = _part(pattern.pattern)
            template = prefix + part
            if template.startswith(SKIPPED_PREFIXES) or "{format}" in template:
                continue
            callback = pattern.callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
            name = ":".join(namespace + [pattern.name]) if pattern.name else template
            found.append(Route(template=template, name=name, params={**params, **more}, view=view,
                               api=hasattr(callback, "cls"), methods=_methods(callback)))

    def _part(pattern):
        if isinstance(pattern, RoutePattern):
            return _route_template(str(pattern), pattern.converters)
        if isinstance(pattern, RegexPattern):
            return _regex_template(pattern._regex)
        raise AssertionError("unknown pattern %r" % pattern)

    walk(get_resolver(), "", {}, [])
    return found


def record_key(route: Route, param: str) -> str:
    if (route.name, param) in ROUTE_PARAM_KEY:
        return ROUTE_PARAM_KEY[(route.name, param)]
    if route.api:
        queryset = getattr(route.view, "queryset", None)
        model = queryset.model if queryset is not None else route.view.serializer_class.Meta.model
        return MODEL_KEY[model._meta.label_lower]
    if param == "pk":
        prefix = max((p for p in PK_BY_PREFIX if route.template.startswith(p)), key=len)
        return PK_BY_PREFIX[prefix]
    return PARAM_KEY[param]


def valid_value(route: Route, param: str, records: dict) -> str:
    kind = route.params[param]
    if kind in ("str", "slug", "path", "regex") and (route.name, param) in STR_VALUES:
        return STR_VALUES[(route.name, param)]
    if (route.name, param) in INT_VALUES:
        return INT_VALUES[(route.name, param)]
    return str(records[record_key(route, param)].pk)


def variants(route: Route, records: dict):
    """``(label, values)``: the valid record, then each id parameter missing, then each text parameter malformed."""
    valid = {param: valid_value(route, param, records) for param in route.params}
    yield "valid", valid
    for param, kind in route.params.items():
        if kind in MISSING:
            yield "missing %s" % param, {**valid, param: MISSING[kind]}
        if kind not in ("int", "uuid"):
            for value in MALFORMED:
                yield "malformed %s=%s" % (param, value[:8]), {**valid, param: value}


def error_text(limit=-4) -> str:
    return traceback.format_exc(limit=limit).strip().splitlines()[-1]
