"""Annual report speed (issue 20): building the city's report of a year at city and province scale, against ONE
hand-written aggregate SQL query over the same rows (a benchmark: it reports ratios in one run, never fails).

    python bench/reports.py                                  # city and province, SQLite; databases built when missing
    python bench/reports.py --engine postgres                # bench/pages.py's PostgreSQL databases
    python bench/reports.py --quick                          # fewer repeats (make bench)
    python bench/reports.py --write                          # write bench/RESULTS-reports.md (this engine's)

Each scale is a database filled by ``manage.py load_scale`` (the same databases as ``bench/pages.py``, rebuilt by it
when missing or made before the generator wrote annual reports) and measured in a subprocess of its own. The year is
the latest one whose city report the province accepted (every county's report accepted with its figures kept: the
last full year of the first cycle), the city 韶关 (4402, the city scale's only city) and, at province scale, also the
city with the most confirmed activities that year.

Measured, medians of alternating runs (the machine is noisy; ratios are taken inside one run):

- **city report**: ``reports.selectors.city_figures(report)`` — the city's own towns counted now (one aggregate per
  figure source, all in one round trip, and the stationed days) plus the accepted counties' kept figures — what the
  report page and the submission build;
- **whole city live**: ``reports.figures.snapshot(city_scope(year, city))`` — every figure of the city counted now;
- **the accepted city report as its page reads it**: ``selectors.figures_of`` of the report row (its kept figures);
- **the same SQL, raw**: the very statements the whole-city snapshot sends (captured once), run again through a bare
  cursor — the database's share, without the ORM building them;
- **one county** (what the scale generator pays per county and year): ``snapshot(county_scope(...))``;
- against **one aggregate query**: the confirmed activities of the city's towns of the year, read once, with
  ``COUNT`` and ``SUM`` of people trained, households, enterprises and demonstration area, and a count per service
  type (``COUNT(*) FILTER (WHERE …)``) — the least a database does to read those rows. Its count is checked against
  the report's ``activities.total``.

Each case's wall time (the verdict) and the CPU time of the measuring process (on SQLite all the work; on a machine
shared with other jobs the steadier of the two). Also: the queries each takes, the rows each figure source reads for
that city and year, each source's own time (which source dominates), the figures per query, and the plan
(``EXPLAIN``) of the slowest source's statement.

Results: ``bench/RESULTS-reports.md`` (``--write``).
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS-reports.md"
ENGINE_TITLE = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
BASE_CITY = "4402"
GOAL = 3.0


# ---------------------------------------------------------------------------------------------- inside one database


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _median(samples):
    return statistics.median(samples)


def one_query_sql(vendor: str) -> str:
    """The hand-written aggregate: the confirmed activities of the city's towns (where the pairing works) of the
    year, read once."""
    from fieldwork.choices import ServiceType

    types = ",\n       ".join("COUNT(*) FILTER (WHERE a.service_type = '%s') AS type_%s" % (value, value)
                              for value, _label in ServiceType.choices)
    return """SELECT COUNT(*) AS activities, SUM(a.people_trained) AS people_trained,
       SUM(a.households_served) AS households, SUM(a.enterprises_served) AS enterprises,
       SUM(a.demo_area_mu) AS demo_area, COUNT(*) FILTER (WHERE a.cross_town) AS cross_town,
       %s
  FROM fieldwork_activity a
  JOIN regions_town t ON t.id = a.home_town_id
  JOIN regions_county c ON c.id = t.county_id
 WHERE c.city_id = %%s AND a.status = 'confirmed' AND a.date >= %%s AND a.date <= %%s""" % types


class Recorder:
    """``connection.execute_wrapper`` keeping each statement and its parameters (to run them again raw)."""

    def __init__(self):
        self.calls = []

    def __call__(self, execute, sql, params, many, context):
        self.calls.append((sql, params))
        return execute(sql, params, many, context)


def _explain(connection, sql, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def measure_city(city, report, repeat: int) -> dict:
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from regions.models import County
    from reports import figures as F
    from reports import selectors
    from reports.models import AnnualReport

    year = report.year
    scope = F.city_scope(year, city)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    sql = one_query_sql(connection.vendor)
    county = County.objects.filter(city=city).order_by("code").first()

    def one_query():
        with connection.cursor() as cursor:
            cursor.execute(sql, [city.pk, start, end])
            return cursor.fetchone()

    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        live = F.snapshot(scope)
    statements = list(recorder.calls)

    def raw():
        with connection.cursor() as cursor:
            for statement, params in statements:
                cursor.execute(statement, params)
                cursor.fetchall()

    def kept():
        return selectors.figures_of(AnnualReport.objects.select_related("city").get(pk=report.pk))

    cases = [("one aggregate query", one_query),
             ("city report: `city_figures(report)`", lambda: selectors.city_figures(report)),
             ("accepted city report as its page reads it: kept figures, `figures_of`", kept),
             ("whole city live: `snapshot(city_scope)`", lambda: F.snapshot(scope)),
             ("whole city: the same SQL run raw", raw),
             ("whole city: `compute(city_scope)` (no stationed days)", lambda: F.compute(scope)),
             ("whole city: `team_days(city_scope)` (stationed days)", lambda: F.team_days(scope)),
             ("one county: `snapshot(county_scope)`", lambda: F.snapshot(F.county_scope(year, county)))]
    for _ in range(2):  # warm: imports, the page cache, the figures' definitions
        for _name, run in cases:
            run()
    times = {name: [] for name, _run in cases}
    cpu = {name: [] for name, _run in cases}
    for _ in range(repeat):
        for name, run in cases:  # alternating, so the noise of the machine falls on all alike
            started, started_cpu = time.perf_counter(), time.process_time()
            run()
            times[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    queries = {}
    for name, run in cases:
        if name.endswith("run raw"):
            queries[name] = len(statements)
            continue
        with CaptureQueriesContext(connection) as captured:
            run()
        queries[name] = len(captured)

    # Which source dominates: each source's aggregate alone (the one query ``compute`` sends for it), and its rows.
    figures = F.figures_for(year)
    by_source = {}
    for key, item in figures.items():
        by_source.setdefault(item.source, []).append(key)
    sources = []
    for name, keys in by_source.items():
        samples = []
        for _ in range(max(3, repeat // 2)):
            started = time.perf_counter()
            F.compute(scope, keys=keys)
            samples.append(time.perf_counter() - started)
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            F.compute(scope, keys=keys)
        statement, params = recorder.calls[-1]
        db_samples = []
        for _ in range(max(3, repeat // 2)):
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(statement, params)
                cursor.fetchall()
                db_samples.append(time.perf_counter() - started)
        sources.append({"source": name, "figures": len(keys), "rows": F.SOURCES[name].queryset(scope).count(),
                        "ms": _median(samples) * 1000, "sql_ms": _median(db_samples) * 1000,
                        "sql": statement, "params": params})
    # The stationed days: the pairings of the year, then the windowed day count twice (in the year, to date).
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        F.team_days(scope)
    day_statements = list(recorder.calls)

    def days_raw():
        with connection.cursor() as cursor:
            for statement, params in day_statements:
                cursor.execute(statement, params)
                cursor.fetchall()

    day_samples = []
    for _ in range(max(3, repeat // 2)):
        started = time.perf_counter()
        days_raw()
        day_samples.append(time.perf_counter() - started)
    days_row = {"source": "stationed days (`team_days`, %d statements)" % len(day_statements), "figures": 2,
                "rows": len(live["teams"]), "ms": _median(times["whole city: `team_days(city_scope)` (stationed days)"])
                * 1000, "sql_ms": _median(day_samples) * 1000}
    sources.sort(key=lambda row: -row["ms"])
    slowest = max(sources, key=lambda row: row["sql_ms"])
    plan = _explain(connection, slowest["sql"], slowest["params"])
    activities_plan = _explain(connection, next(s for s in sources if s["source"] == "activities")["sql"],
                               next(s for s in sources if s["source"] == "activities")["params"])
    baseline_plan = _explain(connection, sql, [city.pk, start, end])
    for row in sources:
        row.pop("sql")
        row.pop("params")
    sources.append(days_row)

    one = one_query()
    base = _median(times["one aggregate query"])
    base_cpu = _median(cpu["one aggregate query"])
    kept = report.figures or {}
    return {"city": "%s %s" % (city.code, city.name), "year": year, "county": county.name,
            "counties_accepted": sum(1 for row in selectors.county_reports(report).values()
                                     if row.status == "accepted"),
            "counties": County.objects.filter(city=city).count(),
            "activities": one[0], "report_activities": live["values"].get("activities.total"),
            "kept_activities": (kept.get("values") or {}).get("activities.total"),
            "figures": len(figures), "sources": len(by_source), "teams": len(live["teams"]),
            "cases": [{"name": name, "ms": _median(times[name]) * 1000, "ratio": _median(times[name]) / base,
                       "cpu_ms": _median(cpu[name]) * 1000, "cpu_ratio": _median(cpu[name]) / base_cpu,
                       "queries": queries[name]} for name, _run in cases],
            "by_source": sources, "slowest": slowest["source"], "plan": plan, "activities_plan": activities_plan,
            "baseline_plan": baseline_plan, "baseline_sql": sql}


def measure(label: str, repeat: int) -> dict:
    _setup()
    from django.db import connection
    from django.db.models import Count, Q

    from fieldwork.models import Activity
    from regions.models import City
    from reports.models import AnnualReport

    reports = AnnualReport.objects.filter(level="city", status="accepted").select_related("city")
    latest = reports.order_by("-year").values_list("year", flat=True).first()
    if latest is None:
        raise SystemExit("no accepted city report: load the scale data with annual reports first")
    chosen = [reports.get(year=latest, city__code=BASE_CITY)]
    if City.objects.count() > 1:
        busiest = (Activity.objects.filter(status="confirmed", date__year=latest).values("home_town__county__city_id")
                   .annotate(n=Count("pk")).order_by("-n").first())
        if busiest and busiest["home_town__county__city_id"] != chosen[0].city_id:
            chosen.append(reports.get(year=latest, city_id=busiest["home_town__county__city_id"]))
    counts = {"activities": Activity.objects.count(),
              "confirmed": Activity.objects.filter(status="confirmed").count(),
              "reports": AnnualReport.objects.count(),
              "accepted": AnnualReport.objects.filter(status="accepted").count(),
              "cities": City.objects.count(),
              "by_status": dict(AnnualReport.objects.values_list("status").annotate(n=Count("pk")).order_by()),
              "city_reports_with_figures": AnnualReport.objects.filter(level="city").filter(
                  ~Q(figures=None)).count()}
    cities = [measure_city(report.city, report, repeat) for report in chosen]
    return {"label": label, "vendor": connection.vendor, "counts": counts, "cities": cities}


# ---------------------------------------------------------------------------------------------- the run


def _has_report_data(env) -> bool:
    probe = ("from reports.models import AnnualReport; import sys; "
             "sys.exit(0 if AnnualReport.objects.filter(level='city', status='accepted').exists() else 3)")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    return result.returncode == 0


def _number(value) -> str:
    return "{:,}".format(value) if isinstance(value, int) else str(value)


def report(results: list[dict], repeat: int) -> str:
    from match_speed import machine  # bench/ is on the path: one description of the machine

    vendor = results[0]["vendor"]
    lines = ["## %s: %s" % (ENGINE_TITLE[vendor], " and ".join(r["label"] for r in results)), "",
             "`python bench/reports.py%s` — %s, %s, %s; medians of %d alternating runs." % (
                 "" if vendor == "sqlite" else " --engine postgres", date.today().isoformat(), machine(), vendor,
                 repeat), ""]
    lines += ["Goal: building the city's report ≤ %d× one aggregate query over the same rows (the confirmed "
              "activities of the city's towns of the year, `COUNT` and `SUM`s, a count per service type)." % GOAL, ""]
    cpu_title = "CPU ms (all the work)" if vendor == "sqlite" else "client CPU ms (not the server's)"
    lines += ["The verdict is on the wall time (`ms`). The CPU time of the benchmark's process is beside it: on SQLite "
              "it is all the work, and it is what a busy machine does not inflate (a short case like the one query "
              "is preempted less often than a long one).", ""] if vendor == "sqlite" else []
    lines += ["| scale | city, year | activities read | case | ms | × one query | queries | %s | × one query (CPU) |"
              % cpu_title, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for result in results:
        for city in result["cities"]:
            for case in city["cases"]:
                verdict = ""
                if case["name"].startswith(("city report", "whole city live", "accepted city report")):
                    verdict = " ✓" if case["ratio"] <= GOAL else " ✗"
                lines.append("| %s | %s, %d | %s | %s | %.1f | **%.1f×**%s | %d | %.1f | %.1f× |" % (
                    result["label"], city["city"], city["year"], _number(city["activities"]), case["name"],
                    case["ms"], case["ratio"], verdict, case["queries"], case["cpu_ms"], case["cpu_ratio"]))
    lines += ["", "### Where the time goes: each figure source's aggregate alone (the one statement `compute` sends "
              "for it), whole city (wall time)", "",
              "| scale | city | source | figures | rows read (pairings for the days) | `compute` ms (statement kept) "
              "| SQL alone ms |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for result in results:
        for city in result["cities"]:
            for row in city["by_source"]:
                lines.append("| %s | %s | %s | %d | %s | %.1f | %.1f |" % (
                    result["label"], city["city"], row["source"], row["figures"], _number(row["rows"]), row["ms"],
                    row["sql_ms"]))
    lines += ["", "### Figures per query", ""]
    for result in results:
        for city in result["cities"]:
            compute_q = next(c["queries"] for c in city["cases"] if c["name"].startswith("whole city: `compute"))
            days_q = next(c["queries"] for c in city["cases"] if c["name"].startswith("whole city: `team_days"))
            lines.append("- %s, %s %d: %d figures from %d sources in %d aggregate statement(s) (%.1f figures a statement), "
                         "plus %d for the stationed days of %d pairings; the county reports: %d of %d accepted; "
                         "`activities.total` %s live, %s kept, the one query counted %s." % (
                             result["label"], city["city"], city["year"], city["figures"], city["sources"], compute_q,
                             city["figures"] / max(compute_q, 1), days_q, city["teams"], city["counties_accepted"],
                             city["counties"], _number(city["report_activities"]), _number(city["kept_activities"]),
                             _number(city["activities"])))
    last = results[-1]["cities"][-1]
    lines += ["", "### Plans (%s, %s %s)" % (results[-1]["label"], last["city"], last["year"]), "",
              "The one aggregate query:", "", "```sql", last["baseline_sql"], "```", "", "```",
              last["baseline_plan"], "```", "", "The activities source's aggregate:", "", "```",
              last["activities_plan"], "```", ""]
    if last["slowest"] != "activities":
        lines += ["The slowest source's statement (`%s`):" % last["slowest"], "", "```", last["plan"], "```", ""]
    data = "; ".join("%s: %s activities (%s confirmed), %s annual reports (%s)" % (
        r["label"], _number(r["counts"]["activities"]), _number(r["counts"]["confirmed"]),
        _number(r["counts"]["reports"]), ", ".join("%s %d" % item for item in sorted(r["counts"]["by_status"].items())))
        for r in results)
    lines += ["Data: %s." % data, ""]
    return "\n".join(lines)


HEAD = "# Annual report benchmark\n\n"


def write_results(section: str, vendor: str) -> None:
    """Replace this engine's section of RESULTS-reports.md; the other engine's section and the closing
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["city", "province"], choices=["city", "province", "nation"])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-pages",
                        help="where the SQLite databases are kept between runs (default: bench/pages.py's)")
    parser.add_argument("--pg-name", default="bench_pages_{scale}",
                        help="PostgreSQL database name per scale (default bench/pages.py's, bench_pages_{scale})")
    parser.add_argument("--rebuild", action="store_true", help="refill the databases even when they hold data")
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per case (median)")
    parser.add_argument("--quick", action="store_true", help="5 timed runs per case")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS-reports.md")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure DATABASE_URL, print JSON
    args = parser.parse_args()
    repeat = 5 if args.quick else args.repeat
    if args.measure:
        result = measure(args.measure, repeat)
        print("JSON " + json.dumps(result))
        return 0

    from pages import _build, _database_url

    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in args.scales:
        url = _database_url(scale, args.engine, args.work, args.pg_name)
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_ENV": "development"}
        if args.rebuild or not _has_report_data(env):
            print("building the %s database (%s) …" % (scale, url), flush=True)
            _build(scale, env, args.engine, args.cycles)
        print("%s (%s):" % (scale, url), flush=True)
        command = [sys.executable, __file__, "--measure", scale, "--repeat", str(repeat)]
        output = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
        results.append(json.loads(output.rsplit("JSON ", 1)[1]))
    text = report(results, repeat)
    print(text)
    if args.write:
        write_results(text, results[0]["vendor"])
        print("written: %s" % RESULTS.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
