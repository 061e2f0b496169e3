"""Load test of the production form (issue 21): `make serve` on PostgreSQL at province scale under 50 locust users.

    .venv/bin/pip install -e '.[load]'
    python bench/load/run.py                       # build the database when missing, then 1 and 2 workers
    python bench/load/run.py --skip-build --workers 2 --minutes 1 --trivial-minutes 0.5   # a short check
    python bench/load/run.py --report-only         # rewrite bench/RESULTS-load.md from the runs kept

Bounded and local: everything listens on 127.0.0.1 only. Per gunicorn worker count (``--workers``, default 1 2):
``make serve`` with WEB_WORKERS=N, DATABASE_URL=…/h21load_province, BIND=127.0.0.1:<port> (its own process group,
its own PROMETHEUS_MULTIPROC_DIR), waits for /health/, runs locust headless — the mix (bench/load/locustfile.py,
``--minutes``, default 10) and then the trivial view /health/live/ by the same number of users
(``--trivial-minutes``, default 2) —, stops the server (the whole process group, also on Ctrl-C or SIGTERM).
Each run's figures are kept as JSON in ``--work`` (default var/load/); the results page is written from the latest
run of each kind and worker count: ``bench/RESULTS-load.md``.

The database (``--database``, default h21load_province) is built like bench/pages.py builds its scale databases
(createdb, migrate, createcachetable, ``manage.py load_scale --scale province``) unless it holds data or
``--skip-build``; bench/load/prepare.py then adds a few dispatching-unit accounts and picks the accounts per role.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = ROOT / ".venv" / "bin" / "python"
LOCUST = ROOT / ".venv" / "bin" / "locust"
RESULTS = ROOT / "bench" / "RESULTS-load.md"
PREFIX = "h21load_"

_children: list[subprocess.Popen] = []


def _stop_group(process: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM the process group (make, its shell, gunicorn and workers, the task worker, the scheduler), then
    SIGKILL whatever is left after ``grace`` seconds."""
    if process.poll() is not None and not _group_alive(process.pid):
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _group_alive(process.pid):
        time.sleep(0.5)
        process.poll()
    if _group_alive(process.pid):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)


def _group_alive(pgid: int) -> bool:
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.info["pid"]) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.Error, OSError):
            continue
    return False


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = open(log, "ab")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                               start_new_session=True)
    _children.append(process)
    return process


def _on_signal(signum, _frame):
    raise KeyboardInterrupt("signal %d" % signum)


# ---------------------------------------------------------------------------------------------- the database


def database_env(name: str) -> dict:
    return {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/%s" % name, "DEBUG": "0",
            "DJANGO_ENV": "development"}


def has_data(env: dict) -> bool:
    probe = "from regions.models import Town; import sys; sys.exit(0 if Town.objects.exists() else 3)"
    return subprocess.run([str(PY), "manage.py", "shell", "-c", probe], cwd=ROOT, env=env,
                          capture_output=True).returncode == 0


def build(name: str, env: dict) -> None:
    """bench/pages.py's way: a fresh database, the schema, the cache table, the province's scale data."""
    assert name.startswith(PREFIX), "only databases named %s… are dropped here" % PREFIX
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"],
                    ["load_scale", "--scale", "province", "--cycles", "2"]):
        print("  manage.py %s" % " ".join(command), flush=True)
        subprocess.run([str(PY), "manage.py", *command], cwd=ROOT, env=env, check=True)


def prepare(env: dict, accounts: Path | None) -> dict:
    command = [str(PY), str(HERE / "prepare.py")] + ([str(accounts)] if accounts else [])
    output = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(output.rsplit("JSON ", 1)[1])


# ---------------------------------------------------------------------------------------------- one server


def wait_healthy(port: int, server: subprocess.Popen, timeout: float = 600) -> float:
    """Poll /health/ (database, cache, storage, task queue) until it answers 200; returns the seconds it took."""
    started = time.monotonic()
    request = urllib.request.Request("http://127.0.0.1:%d/health/" % port, headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError("make serve exited (%s) before answering /health/" % server.returncode)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except Exception:
            pass
        time.sleep(2)
    raise RuntimeError("/health/ did not answer 200 within %d s" % timeout)


def serve(workers: int, port: int, env: dict, work: Path) -> subprocess.Popen:
    server_env = {**env, "WEB_WORKERS": str(workers), "BIND": "127.0.0.1:%d" % port, "TASK_WORKERS": "1",
                  "PROMETHEUS_MULTIPROC_DIR": str(work / ("prometheus-%d" % port)),
                  "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server_env.pop("DJANGO_ENV", None)  # `make serve` sets production itself
    server_env.pop("DEBUG", None)
    # make's own variables from the command line, as `make serve WEB_WORKERS=2 BIND=…` would be typed.
    command = ["make", "--no-print-directory", "serve", "WEB_WORKERS=%d" % workers, "BIND=127.0.0.1:%d" % port,
               "TASK_WORKERS=1"]
    return _start(command, server_env, work / ("serve-w%d.log" % workers))


class CpuSampler:
    """CPU seconds used during a run by the server's process group, PostgreSQL and locust. Sampled every second per
    process and summed over every process seen (gunicorn replaces a worker after WEB_MAX_REQUESTS, PostgreSQL ends a
    backend with its connection: a process that ends keeps the time last sampled, so up to a second of it is lost)."""

    def __init__(self, server_pgid: int):
        self.server_pgid = server_pgid
        self.start: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.sample(initial=True)

    def _kind(self, proc) -> str | None:
        try:
            if os.getpgid(proc.pid) == self.server_pgid:
                return "server"
            if proc.username() == "postgres":
                return "postgres"
        except (ProcessLookupError, psutil.Error, OSError):
            return None
        return None

    def sample(self, initial: bool = False, extra: dict | None = None) -> None:
        for proc in psutil.process_iter():
            kind = self._kind(proc)
            if kind is None:
                continue
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            used = times.user + times.system
            if initial:
                self.start[proc.pid] = used
            self.last[proc.pid] = (kind, used)
        for pid, (kind, used) in (extra or {}).items():
            self.last[pid] = (kind, used)

    def totals(self) -> dict:
        sums = {"server": 0.0, "postgres": 0.0, "locust": 0.0}
        for pid, (kind, used) in self.last.items():
            sums[kind] += used - self.start.get(pid, 0.0)
        return sums


def locust(kind: str, workers: int, minutes: float, args, port: int, work: Path, accounts: Path,
           server: subprocess.Popen) -> dict:
    """One headless locust run; returns its figures (also kept as JSON in ``work``)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    prefix = work / ("%s-w%d-%s" % (kind, workers, stamp))
    env = {**os.environ, "LOAD_ACCOUNTS": str(accounts), "LOAD_WAIT": args.wait,
           "LOAD_TRIVIAL": "1" if kind == "trivial" else "0"}
    seconds = int(round(minutes * 60))
    command = [str(LOCUST), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(args.users),
               "-r", str(args.spawn_rate), "-t", "%ds" % seconds, "--host", "http://127.0.0.1:%d" % port,
               "--csv", str(prefix), "--only-summary", "--stop-timeout", "60", "--loglevel", "WARNING"]
    print("  locust %s, %d users, %d s, %d worker(s) …" % (kind, args.users, seconds, workers), flush=True)
    cpu_before = psutil.cpu_times()
    sampler = CpuSampler(server.pid)
    load_before = os.getloadavg()
    started = time.monotonic()
    process = _start(command, env, Path(str(prefix) + ".log"))
    try:
        child = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                times = child.cpu_times()
                sampler.sample(extra={process.pid: ("locust", times.user + times.system)})
            except psutil.Error:
                sampler.sample()
            time.sleep(1)
    finally:
        if process.poll() is None:
            _stop_group(process, grace=60)
    elapsed = time.monotonic() - started
    cpu_after = psutil.cpu_times()
    busy = lambda t: t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0)  # noqa: E731
    total = lambda t: busy(t) + t.idle + getattr(t, "iowait", 0)  # noqa: E731
    result = {
        "kind": kind, "workers": workers, "users": args.users, "spawn_rate": args.spawn_rate, "seconds": seconds,
        "wait": args.wait if kind == "mix" else (os.environ.get("LOAD_TRIVIAL_WAIT") or "0"),
        "started": stamp, "elapsed": elapsed, "exit_code": process.returncode,
        "stats": _read_csv(Path(str(prefix) + "_stats.csv")),
        "failures": _read_csv(Path(str(prefix) + "_failures.csv")),
        "exceptions": _read_csv(Path(str(prefix) + "_exceptions.csv")),
        "cpu": {"machine_busy_share": (busy(cpu_after) - busy(cpu_before)) / max(total(cpu_after) - total(cpu_before), 1e-9),
                "sampled": True, **{"%s_seconds" % kind: used for kind, used in sampler.totals().items()},
                "load_before": load_before, "load_after": os.getloadavg()},
    }
    (work / ("%s-w%d-%s.json" % (kind, workers, stamp))).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    total_row = next((row for row in result["stats"] if row["Name"] == "Aggregated"), {})
    print("    %s requests, %s failures, %.1f req/s, p50 %s ms, p95 %s ms" % (
        total_row.get("Request Count"), total_row.get("Failure Count"), float(total_row.get("Requests/s") or 0),
        total_row.get("50%"), total_row.get("95%")), flush=True)
    return result


def _read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------------------------------------- the report


def machine() -> str:
    memory = psutil.virtual_memory().total / 2 ** 30
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d cores, %.1f GiB RAM, %s, Python %s" % (cpu, os.cpu_count() or 0, memory, platform.platform(terse=True),
                                                         platform.python_version())


def _versions() -> str:
    parts = []
    for label, command in (("PostgreSQL", ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"]),
                           ("gunicorn", [str(ROOT / ".venv" / "bin" / "gunicorn"), "--version"]),
                           ("locust", [str(LOCUST), "--version"])):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
            words = out.replace("(", " ").replace(")", " ").split()
            parts.append("%s %s" % (label, words[0] if label == "PostgreSQL" else
                                    words[-1] if label == "gunicorn" else words[1]))
        except Exception:
            pass
    return ", ".join(parts)


def _num(value, default=0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _aggregate(run: dict) -> dict:
    return next((row for row in run["stats"] if row["Name"] == "Aggregated"), {})


def report(runs: list[dict], meta: dict) -> str:
    latest: dict[tuple, dict] = {}
    for run in sorted(runs, key=lambda r: r["started"]):
        latest[(run["kind"], run["workers"])] = run
    workers = sorted({w for _k, w in latest})
    lines = ["# Load test: the production form under 50 users (issue 21)", "",
             "`python bench/load/run.py` (bench/load/) — written %s." % dt.date.today().isoformat(), "",
             "- **Machine:** %s. %s." % (meta["machine"], meta["versions"]),
             "- **Server:** `make serve` (production settings: DEBUG off, secure cookies behind the TLS proxy header, "
             "WhiteNoise static files; gunicorn sync workers, WEB_WORKERS = 1 or 2; one task worker and the "
             "scheduler beside it; sessions and cache in the database, no Redis), on 127.0.0.1. The same 2 cores "
             "run gunicorn, PostgreSQL and locust (and, during these runs, other people's jobs: see the CPU "
             "columns).",
             "- **Database:** PostgreSQL `%s`, `manage.py load_scale --scale province` (广东省, 2 cycles) + %d "
             "dispatching-unit accounts (bench/load/prepare.py). Rows before the runs: %s." % (
                 meta["database"], len(meta.get("units", [])) or 6,
                 ", ".join("%s %s" % (name.split(".")[1], "{:,}".format(n)) for name, n in meta["counts"].items())),
             "- **Load:** locust %s users (spawn %s/s), FastHttpUser, every request with `X-Forwarded-Proto: https`, "
             "no redirect followed by itself. Mix: think time uniform %s s between tasks; trivial view: "
             "`/health/live/` (\"ok\", no database) by the same number of users with no think time, i.e. the "
             "server's ceiling on this machine." % (meta["users"], meta["spawn_rate"], meta["wait"].replace(",", "–")),
             "- **Failure:** any answer other than the expected one (a page: 200; a form or a workflow step: a redirect "
             "to the record, whose page then shows no error message; an export: an XLSX file).",
             ""]
    if "counts_after" in meta:
        grown = {name: meta["counts_after"][name] - meta["counts"].get(name, 0) for name in meta["counts_after"]}
        lines.insert(-1, "- **Writes:** the data grew during the runs by " + ", ".join(
            "%s +%d" % (name.split(".")[1], n) for name, n in grown.items() if n) + ".")
    lines += ["## Summary", "",
              "| run | workers | duration | requests | failures | throughput req/s | p50 ms | p95 ms | p99 ms "
              "| mix ÷ trivial | CPU busy (machine) | CPU s: gunicorn / PostgreSQL / locust |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for w in workers:
        for kind in ("mix", "trivial"):
            run = latest.get((kind, w))
            if not run:
                continue
            agg = _aggregate(run)
            ratio = ""
            if kind == "mix" and latest.get(("trivial", w)):
                trivial = _num(_aggregate(latest[("trivial", w)]).get("Requests/s"))
                ratio = "%.3f" % (_num(agg.get("Requests/s")) / trivial) if trivial else ""
            cpu = run["cpu"]
            seconds = ("%.0f / %.0f / %.0f" % (cpu["server_seconds"], cpu["postgres_seconds"], cpu["locust_seconds"])
                       if cpu.get("sampled") else "not measured")
            lines.append("| %s | %d | %s | %s | %s | %.1f | %s | %s | %s | %s | %.0f %% | %s |" % (
                kind, w, _duration(run["seconds"]), "{:,}".format(int(_num(agg.get("Request Count")))),
                agg.get("Failure Count", "?"), _num(agg.get("Requests/s")), agg.get("50%", "?"), agg.get("95%", "?"),
                agg.get("99%", "?"), ratio or "—", 100 * cpu["machine_busy_share"], seconds))
    lines.append("")
    one, two = latest.get(("mix", 1)), latest.get(("mix", 2))
    if one and two:
        r1, r2 = _num(_aggregate(one).get("Requests/s")), _num(_aggregate(two).get("Requests/s"))
        lines += ["**1 vs 2 workers (mix):** %.1f vs %.1f req/s (× %.2f); p95 %s vs %s ms.%s" % (
            r1, r2, r2 / r1 if r1 else 0, _aggregate(one).get("95%"), _aggregate(two).get("95%"),
            "" if one["seconds"] == two["seconds"] else " (the runs' lengths differ: %s vs %s)" % (
                _duration(one["seconds"]), _duration(two["seconds"]))), ""]
    for w in workers:
        run = latest.get(("mix", w))
        if not run:
            continue
        lines += ["## Mix, %d worker%s: per request kind" % (w, "s" if w > 1 else ""), "",
                  "Started %s, %s. Load average before/after: %s / %s." % (
                      run["started"], _duration(run["seconds"]), " ".join("%.1f" % x for x in run["cpu"]["load_before"]),
                      " ".join("%.1f" % x for x in run["cpu"]["load_after"])), "",
                  "| request | count | failures | req/s | p50 ms | p95 ms | max ms | avg bytes |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        rows = [row for row in run["stats"] if row["Name"] != "Aggregated"]
        rows.sort(key=lambda row: -_num(row.get("Request Count")))
        for row in rows:
            lines.append("| `%s` | %s | %s | %.2f | %s | %s | %.0f | %s |" % (
                row["Name"].replace("|", "\\|"),
                "{:,}".format(int(_num(row["Request Count"]))), row["Failure Count"], _num(row["Requests/s"]),
                row["50%"], row["95%"], _num(row["Max Response Time"]), "{:,}".format(int(_num(row["Average Content Size"])))))
        lines.append("")
        if run["failures"]:
            lines += ["Failures:", ""]
            for failure in run["failures"]:
                lines.append("- %s × `%s %s`: %s" % (failure.get("Occurrences"), failure.get("Method"),
                                                    failure.get("Name"), failure.get("Error", "")[:500]))
            lines.append("")
        if run["exceptions"]:
            lines += ["Exceptions in the locust users (bugs of the client, not of the server):", ""]
            for item in run["exceptions"]:
                lines.append("- %s × %s" % (item.get("Count"), (item.get("Message") or "")[:300]))
            lines.append("")
    for w in workers:
        run = latest.get(("trivial", w))
        if run and run["failures"]:
            lines += ["Trivial view failures, %d worker(s):" % w, ""] + [
                "- %s × %s" % (f.get("Occurrences"), f.get("Error", "")[:300]) for f in run["failures"]] + [""]
    # The closing "## What the figures say" is written by hand after a run; a rewrite keeps it.
    if RESULTS.exists():
        _body, found, analysis = RESULTS.read_text(encoding="utf-8").partition(ANALYSIS)
        if found:
            lines += [ANALYSIS + analysis.rstrip(), ""]
    return "\n".join(lines)


ANALYSIS = "## What the figures say"


def _duration(seconds: float) -> str:
    return "%d min" % round(seconds / 60) if seconds >= 60 and seconds % 60 == 0 else "%d s" % seconds


# ---------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10, help="length of each mix run (default 10)")
    parser.add_argument("--trivial-minutes", type=float, default=2, help="length of each trivial-view run (default 2; "
                        "0 skips it)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="gunicorn worker counts, in this order")
    parser.add_argument("--skip-build", action="store_true", help="use the database as it is (no load_scale)")
    parser.add_argument("--database", default="h21load_province", help="PostgreSQL database (name starts h21load_)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--wait", default="0.5,2", help="the mix's think time between tasks, seconds (min,max)")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "load", help="locust CSVs, logs, run JSON")
    parser.add_argument("--report-only", action="store_true", help="rewrite the results page from the runs kept")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS-load.md")
    args = parser.parse_args()
    if not args.database.startswith(PREFIX):
        parser.error("--database must start with %s" % PREFIX)
    args.work.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    env = database_env(args.database)
    meta_path = args.work / "meta.json"

    if not args.report_only:
        exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
                                 "select 1 from pg_database where datname = '%s'" % args.database],
                                capture_output=True, text=True).stdout.strip() == "1"
        if not args.skip_build and not (exists and has_data(env)):
            print("building %s (province scale; 10-20 minutes) …" % args.database, flush=True)
            build(args.database, env)
        accounts = args.work / "accounts.json"
        counts = prepare(env, accounts)
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        meta.update({"machine": machine(), "versions": _versions(), "database": args.database, "users": args.users,
                     "spawn_rate": args.spawn_rate, "wait": args.wait,
                     "units": json.loads(accounts.read_text())["unit"]})
        meta.setdefault("counts", counts)
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1))
        try:
            for workers in args.workers:
                print("make serve with %d worker(s) on 127.0.0.1:%d …" % (workers, args.port), flush=True)
                server = serve(workers, args.port, env, args.work)
                try:
                    print("  healthy after %.0f s" % wait_healthy(args.port, server), flush=True)
                    time.sleep(3)
                    if args.minutes > 0:
                        locust("mix", workers, args.minutes, args, args.port, args.work, accounts, server)
                    if args.trivial_minutes > 0:
                        locust("trivial", workers, args.trivial_minutes, args, args.port, args.work, accounts, server)
                finally:
                    print("  stopping the server …", flush=True)
                    _stop_group(server)
        except KeyboardInterrupt:
            print("interrupted: stopping everything", flush=True)
            return 130
        finally:
            for process in _children:
                _stop_group(process, grace=15)
        meta["counts_after"] = prepare(env, None)
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1))

    meta = json.loads(meta_path.read_text())
    if args.report_only:
        meta.update({"machine": machine(), "versions": _versions()})
    runs = [json.loads(path.read_text()) for path in sorted(args.work.glob("*-w*-*.json"))]
    text = report(runs, meta)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
        print("written: %s" % RESULTS.relative_to(ROOT))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
