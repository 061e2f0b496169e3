"""Page and API speed at city, province and nation scale (a benchmark: it reports ratios, never fails).

    python bench/pages.py                              # city and province, SQLite, databases built when missing
    python bench/pages.py --scales city province nation --engine postgres
    python bench/pages.py --quick                      # fewer repeats (make bench)
    python bench/pages.py --only /needs/ /api/v1/towns/

Every GET page the URL table has (list pages, dashboards, detail pages; ``tests.robustness.crawl.routes``) and every
API list endpoint is opened as the role that sees the most and gets it (the province's S&T office first, then the
city, a county, a town, a team leader, a unit, an expert, the administrator: the first with a 200), through the
whole middleware stack (Django's test client in one process, DEBUG off). Detail pages open the first record that
role sees. Each scale is a database filled by ``manage.py load_scale`` and measured in a subprocess of its own.

Two ratios per page, both inside one run (the machine is noisy; absolute times are not compared across runs):
- **scale**: median time at the larger scale ÷ at city scale (goal ≤ 1.5), and the query counts (goal: equal);
- **× constant**: median time ÷ the median of a view returning a constant string, same role, same middleware,
  same process (goal ≤ 5).

Results: ``bench/RESULTS-pages.md`` (``--write``).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS-pages.md"
ROLE_ORDER = ("province", "city_st", "county_st", "town", "team_leader", "unit", "expert", "admin")
SKIP_SUFFIXES = (".xlsx", ".pdf", ".docx", ".csv", ".zip")
CONSTANT_PATH = "__bench__/constant/"
# Records a path parameter names (tests.robustness.crawl.record_key) and their model.
KEY_MODEL = {
    "taskrun": "core.TaskRun", "user": "accounts.User", "notification": "accounts.Notification",
    "town": "regions.Town", "county": "regions.County", "classification": "regions.TownClassification",
    "village": "regions.Village", "work_team": "regions.WorkTeam", "wtmember": "regions.WorkTeamMember",
    "cycle": "cycles.Cycle", "unit": "units.DispatchingUnit",
    "need": "needs.Need", "profile": "needs.TownProfile", "campaign": "needs.SurveyCampaign",
    "category": "needs.IndustryCategory", "product": "needs.IndustryProduct",
    "problem": "needs.IndustryProblem",
    "team": "teams.Team", "commissioner": "teams.Commissioner", "membership": "teams.TeamMembership",
    "call": "calls.Call", "attachment": "calls.CallAttachment", "application": "calls.Application",
    "app_town": "calls.ApplicationTown",
    "round": "matching.SelectionRound", "run": "matching.SelectionRun", "constraint": "matching.PairConstraint",
    "pairing": "matching.Pairing", "submission": "registrations.RegistrationSubmission",
    "notice": "notices.PublicNotice", "objection": "notices.Objection",
    "agreement": "projects.Agreement", "project": "projects.Project", "change": "projects.ProjectChange",
    "expert": "reviews.Expert", "relation": "reviews.Relation", "review": "reviews.Review",
    "approved_review": "reviews.Review", "seat": "reviews.ReviewSeat", "grant": "reviews.Grant",
    "disbursement": "reviews.Disbursement", "envelope": "reviews.Envelope", "accepted_project": "projects.Project",
    "activity": "fieldwork.Activity", "photo": "fieldwork.ActivityPhoto", "stay": "fieldwork.Stay",
    "fw_task": "fieldwork.Task", "flag": "fieldwork.Flag", "conditions": "fieldwork.WorkingConditions",
    "request": "fieldwork.ConditionRequest",
    "case": "replacements.Case", "casefile": "replacements.CaseFile", "memberchange": "replacements.MemberChange",
    "figures": "replacements.PairingFigures",
    "evaluation": "evaluations.Evaluation", "reward": "evaluations.Reward", "training": "evaluations.Training",
    "material": "evaluations.TrainingMaterial",
    "cgroup": "coordination.Group", "cmember": "coordination.GroupMember", "cmeeting": "coordination.Meeting",
    "cdocument": "coordination.MeetingDocument", "followup": "coordination.FollowUp",
    "report": "reports.AnnualReport",
}
COUNTED = ("regions.Town", "needs.Need", "teams.Team", "teams.Commissioner", "calls.Application", "matching.Pairing",
           "notices.PublicNotice", "registrations.RegistrationSubmission", "projects.Project", "fieldwork.Activity",
           "fieldwork.Stay", "accounts.User")


# ---------------------------------------------------------------------------------------------- inside one database


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    from django.http import HttpResponse
    from django.urls import include, path

    def constant(request):
        """The floor every page is compared with: a constant, for the signed-in user every page reads (the
        session and the user row: AuthenticationMiddleware loads them lazily, so a view that never asks would skip
        the two queries every page pays)."""
        return HttpResponse("ok" if request.user.is_authenticated else "")

    # The site's URLs plus the constant view.
    module = types.ModuleType("bench_pages_urls")
    module.urlpatterns = [path(CONSTANT_PATH, constant), path("", include(settings.ROOT_URLCONF))]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")


# Keys whose pages need a record in a given state (a review starts on an accepted project; a grant on an approved review
# not yet funded).
KEY_FILTER = {"accepted_project": {"status": "accepted", "review__isnull": True},
              "approved_review": {"status__in": ("approved", "approved_changes"), "grant__isnull": True},
              "photo": {"processed": True}}


class VisibleRecords(dict):
    """``records[key]``: the first record of that kind the user sees (``core.scoping.restrict``), looked up once."""

    def __init__(self, user):
        super().__init__()
        self.user = user

    def __missing__(self, key):
        from django.apps import apps

        from core.scoping import VIEW, restrict

        model = apps.get_model(KEY_MODEL[key])
        if model._meta.label == "accounts.Notification":
            queryset = model.objects.filter(recipient=self.user)
        elif model._meta.label == "core.TaskRun":
            queryset = model.objects.filter(created_by=self.user)
        else:
            queryset = restrict(model.objects.all(), self.user, VIEW)
        queryset = queryset.filter(**KEY_FILTER.get(key, {}))
        record = queryset.order_by("pk").first()
        if record is None:
            raise LookupError(key)
        self[key] = record
        return record


def _pages(clients, records, only):
    """``[(route name, url, role)]``: every GET page and API list endpoint with the first role that gets it."""
    from tests.robustness.crawl import routes, valid_value

    chosen = []
    for route in routes():
        if route.api and route.params:
            continue  # API detail routes: the issue measures the lists
        if route.template.endswith(SKIP_SUFFIXES) or CONSTANT_PATH in route.template:
            continue
        for role, client in clients.items():
            try:
                url = route.url({param: valid_value(route, param, records[role]) for param in route.params})
            except (LookupError, AttributeError):
                continue
            if only and url not in only:
                break
            response = client.get(url)
            kind = response.get("Content-Type", "")
            if response.status_code == 200 and (kind.startswith("text/html") or kind.startswith("application/json")):
                chosen.append((route.name, url, role))
                break
    return chosen


def _median_time(client, url, repeat):
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - begin)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(response.content), _rows(response)


def _rows(response) -> int:
    """How many rows the page shows: an API list's results, an HTML page's table rows (a list page or a detail
    page's tables). A page is comparable across scales only when it shows about as many rows."""
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(response.content)
        return len(data.get("results", [])) if isinstance(data, dict) else len(data)
    return response.content.count(b"<tr")


def measure(label: str, repeat: int, only: list[str]) -> dict:
    _setup()
    import logging

    from django.apps import apps
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the 403/404/405 of roles that do not get a page
    logging.getLogger("django.security").setLevel(logging.CRITICAL)
    clients, records = {}, {}
    for role in ROLE_ORDER:
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        if user is None:
            continue
        clients[role] = Client()
        clients[role].force_login(user)
        records[role] = VisibleRecords(user)
    counts = {name: apps.get_model(name).objects.count() for name in COUNTED}
    started = time.monotonic()
    pages = _pages(clients, records, only)
    constant = {}
    for role in sorted({role for _name, _url, role in pages}):
        _median_time(clients[role], "/" + CONSTANT_PATH, 3)
        constant[role] = _median_time(clients[role], "/" + CONSTANT_PATH, max(repeat * 3, 15))[0]
    rows = []
    for name, url, role in pages:
        client = clients[role]
        _median_time(client, url, 1)  # warm: templates, the role's caches
        median, size, shown = _median_time(client, url, repeat)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        rows.append({"name": name, "url": url, "role": role, "seconds": median, "queries": len(queries),
                     "bytes": size, "rows": shown, "x_constant": median / constant[role]})
        print("  %-48s %-11s %7.1f ms %4d q %6.1f×" % (url[:48], role, median * 1000, len(queries),
                                                       median / constant[role]), file=sys.stderr, flush=True)
    return {"label": label, "vendor": connection.vendor, "counts": counts, "constant": constant, "pages": rows,
            "elapsed": time.monotonic() - started}


# ---------------------------------------------------------------------------------------------- the run


def _database_url(scale: str, engine: str, work: Path, pg_name: str = "bench_pages_{scale}") -> str:
    if engine == "postgres":
        return "postgres://postgres@127.0.0.1:5432/" + pg_name.format(scale=scale)
    return "sqlite:///%s" % (work / ("%s.sqlite3" % scale))


def _has_scale_data(env) -> bool:
    probe = ("from regions.models import Town; import sys; sys.exit(0 if Town.objects.exists() else 3)")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    return result.returncode == 0


def _build(scale: str, env, engine: str, cycles: int):
    if engine == "postgres":
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    else:
        Path(env["DATABASE_URL"].split("///", 1)[1]).unlink(missing_ok=True)
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"],
                    ["load_scale", "--scale", scale, "--cycles", str(cycles)]):
        print("  manage.py %s" % " ".join(command), flush=True)
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


def _verdict(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(results: list[dict], repeat: int) -> str:
    base = results[0]
    by_url = [{row["name"]: row for row in result["pages"]} for result in results]
    lines = ["## %s: %s" % (ENGINE_TITLE[base["vendor"]], " vs ".join(r["label"] for r in results)), "",
             "`python bench/pages.py --scales %s` — %s, %s, %s; %d timed requests per page (median), "
             "Django's test client through the whole middleware stack, DEBUG off." % (
                 " ".join(r["label"] for r in results), date.today().isoformat(), _machine(),
                 base["vendor"], repeat), ""]
    lines.append("| scale | " + " | ".join(name.split(".")[1] for name in COUNTED) + " |")
    lines.append("| --- |" + " --- |" * len(COUNTED))
    for result in results:
        lines.append("| %s | " % result["label"] + " | ".join("{:,}".format(result["counts"][n]) for n in COUNTED) + " |")
    lines += ["", "Goals: time at the larger scale ÷ city ≤ 1.5 with equal query counts; median time ÷ a constant view "
              "(same role and middleware, same process) ≤ 5.", ""]
    head = "| page | role | %s ms | q | rows |" % base["label"]
    rule = "| --- | --- | --- | --- | --- |"
    for result in results[1:]:
        head += " %s ms | q | rows | time ratio | × constant |" % result["label"]
        rule += " --- | --- | --- | --- | --- |"
    if len(results) == 1:
        head += " × constant |"
        rule += " --- |"
    lines += [head, rule]
    summary = {result["label"]: {"scale_ok": 0, "queries_ok": 0, "constant_ok": 0, "n": 0, "x": []}
               for result in results}
    for name, row in by_url[0].items():
        line = "| `%s` | %s | %.1f | %d | %d |" % (row["url"], row["role"], row["seconds"] * 1000, row["queries"],
                                                 row.get("rows", 0))
        if len(results) == 1:
            line += " %.1f× %s |" % (row["x_constant"], _verdict(row["x_constant"] <= 5))
            summary[base["label"]]["x"].append(row["x_constant"])
            summary[base["label"]]["constant_ok"] += row["x_constant"] <= 5
            summary[base["label"]]["n"] += 1
        for result, rows in zip(results[1:], by_url[1:]):
            other = rows.get(name)
            if other is None:
                line += " — | — | — | not opened | — |"
                continue
            ratio = other["seconds"] / row["seconds"]
            same = other["queries"] == row["queries"]
            stats = summary[result["label"]]
            stats["n"] += 1
            stats["scale_ok"] += ratio <= 1.5
            stats["queries_ok"] += same
            stats["constant_ok"] += other["x_constant"] <= 5
            stats["x"].append(other["x_constant"])
            fuller = other.get("rows", 0) > 1.2 * max(row.get("rows", 0), 1)
            stats["fuller"] = stats.get("fuller", 0) + (ratio > 1.5 and fuller)
            line += " %.1f | %d %s | %d | %.2f %s%s | %.1f× %s |" % (
                other["seconds"] * 1000, other["queries"], "" if same else "✗", other.get("rows", 0), ratio,
                _verdict(ratio <= 1.5), " (fuller page)" if ratio > 1.5 and fuller else "",
                other["x_constant"], _verdict(other["x_constant"] <= 5))
        lines.append(line)
    lines.append("")
    for label, stats in summary.items():
        if not stats["n"]:
            continue
        text = "**%s:** %d pages; median × constant %.1f; ≤ 5× constant: %d" % (
            label, stats["n"], statistics.median(stats["x"]), stats["constant_ok"])
        if label != base["label"]:
            text += ("; time ratio ≤ 1.5: %d (of the others, %d show more rows than at %s scale: a list shorter than "
                     "a page there); query count equal: %d" % (stats["scale_ok"], stats.get("fuller", 0), base["label"],
                                                              stats["queries_ok"]))
        lines.append(text + ".")
    lines.append("")
    return "\n".join(lines)


def _machine() -> str:
    from match_speed import machine  # bench/ is on the path when a benchmark runs: one description of the machine

    return machine()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["city", "province"], choices=["city", "province", "nation"],
                        help="the first is the base the others are compared with (default: city province)")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-pages",
                        help="where the SQLite databases are kept between runs")
    parser.add_argument("--pg-name", default="bench_pages_{scale}",
                        help="PostgreSQL database name per scale (default bench_pages_{scale})")
    parser.add_argument("--rebuild", action="store_true", help="refill the databases even when they hold data")
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page (median)")
    parser.add_argument("--quick", action="store_true", help="3 timed requests per page")
    parser.add_argument("--only", nargs="*", default=[], help="only these URLs (as the run prints them)")
    parser.add_argument("--database", help="measure this DATABASE_URL alone (× constant only), e.g. the demo")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS-pages.md")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure DATABASE_URL, print JSON
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    if args.measure:
        result = measure(args.measure, repeat, args.only)
        print("JSON " + json.dumps(result))
        return 0

    args.work.mkdir(parents=True, exist_ok=True)
    targets = [("database", args.database)] if args.database else [
        (scale, _database_url(scale, args.engine, args.work, args.pg_name)) for scale in args.scales]
    results = []
    for label, url in targets:
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_ENV": "development"}
        if not args.database and (args.rebuild or not _has_scale_data(env)):
            print("building the %s database (%s) …" % (label, url), flush=True)
            _build(label, env, args.engine, args.cycles)
        print("%s (%s):" % (label, url), flush=True)
        command = [sys.executable, __file__, "--measure", label, "--repeat", str(repeat)]
        if args.only:
            command += ["--only", *args.only]
        output = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
        results.append(json.loads(output.rsplit("JSON ", 1)[1]))
    text = report(results, repeat)
    print(text)
    if args.write:
        write_results(text, results[0]["vendor"])
        print("written: %s" % RESULTS.relative_to(ROOT))
    return 0


ENGINE_TITLE = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
HEAD = "# Page and API benchmark\n\n"


def write_results(section: str, vendor: str) -> None:
    """Replace this engine's section of RESULTS-pages.md; the other engine's section and the closing
    "## What the figures say" (written by hand after a run) stay."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEAD
    parts = {}
    body, _sep, analysis = text.partition("\n## What the figures say")
    for chunk in body.split("\n## ")[1:]:
        title = chunk.split(":", 1)[0]
        parts[title] = "## " + chunk.rstrip() + "\n"
    parts[ENGINE_TITLE[vendor]] = section.rstrip() + "\n"
    ordered = [parts[name] for name in ("SQLite", "PostgreSQL") if name in parts]
    out = HEAD + "\n".join(ordered)
    if analysis:
        out += "\n## What the figures say" + analysis
    RESULTS.write_text(out, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
