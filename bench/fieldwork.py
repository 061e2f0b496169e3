"""Field work speed (issue 18): submitting an activity with photos, and the stationed-day count (a benchmark: it
reports ratios in one run, never fails).

    python bench/fieldwork.py                                  # city and province, SQLite; databases built when missing
    python bench/fieldwork.py --engine postgres                # bench/pages.py's PostgreSQL databases
    python bench/fieldwork.py --quick                          # fewer repeats (make bench)
    python bench/fieldwork.py --write                          # write bench/RESULTS-fieldwork.md (this engine's)

Each scale is a database filled by ``manage.py load_scale`` (the same databases as ``bench/pages.py``, built by it
when missing or without field work: every pairing's activities and stays, some stays of one person overlapping) and
measured in a subprocess of its own.

(a) **Submit**: ``fieldwork.services.activity_save`` by a team leader of the open cycle with three phone photos
(JPEG, 4032×3024, ~2.5 MB each, EXIF time and GPS; the upload itself is not timed), the photos checked, stored and
their processing enqueued on the database task backend (``django_tasks_db``, the platform's; the resizing runs later
in the worker and is not timed) — against a plain ``Activity.objects.create`` of the same row (goal ≤ 3×). The photos
are passed two ways: in memory (``SimpleUploadedFile``: the storage writes their 7.5 MB) and as Django's upload
handler passes a file over 2.5 MB to a view (``TemporaryUploadedFile``, written to a temporary file while the request
was read: the storage moves it into place). To show where the time goes: the service without photos, and a plain
create with its three photo rows storing the same in-memory files. Medians of alternating runs; the measured rows are
deleted afterwards.

(b) **Day count**: ``fieldwork.selectors.stationed_days(cycle)`` for every team of the cycle (the union of each
person's confirmed stays, per person per day) against a plain ``Stay.objects.filter(cycle, status=confirmed)
.values("team").annotate(Count("pk"))`` over the same rows (goal ≤ 3×), for the closed and the open cycle, with the
queries each takes (goal: one).

Results: ``bench/RESULTS-fieldwork.md`` (``--write``).
"""
from __future__ import annotations

import argparse
import io
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
RESULTS = ROOT / "bench" / "RESULTS-fieldwork.md"
PHOTO_SIZE = (4032, 3024)
ENGINE_TITLE = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# ---------------------------------------------------------------------------------------------- inside one database


def phone_photo(seed: int) -> bytes:
    """A 12-megapixel JPEG like a phone's (~2.5 MB: a smooth scene with sensor noise), with EXIF time and GPS."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    width, height = PHOTO_SIZE
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    scene = np.stack([120 + 60 * np.sin(6 * x + 3 * y + seed), 150 + 50 * np.cos(5 * y + 2 * x),
                      90 + 40 * np.sin(9 * x * y)], axis=-1)
    pixels = np.clip(scene + rng.normal(0, 12, (height, width, 3)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "%s 10:%02d:00" % (date.today().strftime("%Y:%m:%d"), seed % 60)
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (24.0, 48.0, 10.0), "E", (113.0, 35.0, 20.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _median(samples):
    return statistics.median(samples)


def measure_submit(repeat: int) -> dict:
    """(a): the service with three photos vs a plain create of the same row (and the two in between)."""
    import datetime as dt

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from fieldwork import selectors, services
    from fieldwork.models import Activity, ActivityPhoto
    from teams.models import Commissioner

    leader = None
    for user in User.objects.filter(role="team_leader", is_active=True, team__isnull=False).order_by("pk"):
        pairing = selectors.working_pairing_of_team(user.team_id)
        if pairing is not None and pairing.cycle.start_date <= dt.date.today() <= pairing.cycle.end_date:
            leader = user
            break
    if leader is None:
        raise SystemExit("no team leader with a working pairing in an open cycle: load the scale data first")
    people = list(Commissioner.objects.filter(memberships__team_id=pairing.team_id))
    day = dt.date.today() - dt.timedelta(days=1)
    values = {"date": day, "town": pairing.town, "service_type": "guidance", "title": "贡柑春梢期木虱统防统治现场指导",
              "description": "到示范果园查看春梢抽发和木虱虫口，现场讲解统一用药时间、药剂轮换和喷雾要点。",
              "village_name": "上坪村", "people_trained": 12, "households_served": 18, "technologies": "木虱统防统治技术"}
    bodies = [phone_photo(seed) for seed in range(3)]
    first_pk = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def uploads():
        return [SimpleUploadedFile("IMG_%04d.jpg" % (k + 1), body, content_type="image/jpeg")
                for k, body in enumerate(bodies)]

    def spooled():
        """The photos as Django's upload handler hands a 2.5 MB file to the view: already written to a temporary
        file while the request was read (the storage then moves it into place)."""
        files = []
        for k, body in enumerate(bodies):
            upload = TemporaryUploadedFile("IMG_%04d.jpg" % (k + 1), "image/jpeg", len(body), None)
            upload.write(body)
            upload.seek(0)
            files.append(upload)
        return files

    row = {**values, "pairing": pairing, "cycle_id": pairing.cycle_id, "team_id": pairing.team_id,
           "home_town_id": pairing.town_id, "created_by": leader}

    def plain():
        Activity.objects.create(**row)

    def plain_with_photos(files):
        def run():
            activity = Activity.objects.create(**row)
            for upload in files:
                photo = ActivityPhoto(activity=activity, original_name=upload.name, size=upload.size)
                photo.image.save(upload.name, upload, save=False)
                photo.save()
        return run

    def service(files):
        def run():
            services.activity_save(actor=leader, values=values, participants=people[:2], photos=files)
        run.files = files  # closed after the timing, as the request's end closes its uploads
        return run

    cases = [("plain create", lambda: plain),
             ("service, 3 photos in memory", lambda: service(uploads())),
             ("service, 3 photos spooled to temporary files", lambda: service(spooled())),
             ("service, no photos", lambda: service([])),
             ("plain create + 3 photo rows, files stored from memory", lambda: plain_with_photos(uploads()))]
    times = {name: [] for name, _make in cases}
    queries = {}
    for _ in range(2):  # warm up: imports, the task backend, the storage directory
        for _name, make in cases:
            run = make()
            run()
            for upload in getattr(run, "files", ()):
                upload.close()
    for _ in range(repeat):
        for name, make in cases:  # alternating, so the noise of the machine falls on all alike
            run = make()  # the uploads are made outside the timing
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
            for upload in getattr(run, "files", ()):
                upload.close()
    for name, make in cases:
        run = make()
        with CaptureQueriesContext(connection) as captured:
            run()
        queries[name] = len(captured)
        for upload in getattr(run, "files", ()):
            upload.close()
    # The measured rows go (their photo files with them): the next run measures the same data.
    for photo in ActivityPhoto.objects.filter(activity__pk__gt=first_pk):
        photo.image.delete(save=False)
    Activity.objects.filter(pk__gt=first_pk).delete()
    base = _median(times["plain create"])
    return {"leader": leader.username, "team": pairing.team.name, "photo_bytes": [len(b) for b in bodies],
            "backend": settings.TASKS["default"]["BACKEND"],
            "cases": [{"name": name, "ms": _median(times[name]) * 1000, "ratio": _median(times[name]) / base,
                       "queries": queries[name]} for name, _make in cases]}


def measure_days(repeat: int) -> list[dict]:
    """(b): the union day count of every team vs a plain count of the same rows, per cycle."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from cycles.models import Cycle
    from fieldwork import selectors
    from fieldwork.choices import RecordStatus
    from fieldwork.models import Stay

    rows = []
    for cycle in Cycle.objects.order_by("start_date"):
        confirmed = Stay.objects.filter(cycle=cycle, status=RecordStatus.CONFIRMED)

        def union(cycle=cycle):
            return selectors.stationed_days(cycle)

        def plain(confirmed=confirmed):
            return list(confirmed.values("team").annotate(n=Count("pk")).values_list("team", "n"))

        union()
        plain()
        times = {"union": [], "plain": []}
        for _ in range(repeat):
            for name, run in (("union", union), ("plain", plain)):
                started = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            days = union()
        with CaptureQueriesContext(connection) as plain_queries:
            plain()
        counted = sorted(team.counted(cycle) for team in days.values())
        union_ms, plain_ms = _median(times["union"]) * 1000, _median(times["plain"]) * 1000
        rows.append({"cycle": cycle.name, "status": cycle.status, "stays": confirmed.count(), "teams": len(days),
                     "people": sum(len(team.people) for team in days.values()), "union_ms": union_ms,
                     "plain_ms": plain_ms, "ratio": union_ms / plain_ms, "queries": len(captured),
                     "plain_queries": len(plain_queries),
                     "median_days": counted[len(counted) // 2] if counted else 0,
                     "at_least_required": sum(c >= cycle.required_stationed_days for c in counted)})
    return rows


def measure(label: str, repeat: int) -> dict:
    _setup()
    from django.db import connection

    from fieldwork.models import Activity, Stay

    counts = {"activities": Activity.objects.count(), "stays": Stay.objects.count()}
    days = measure_days(repeat)
    submit = measure_submit(repeat)
    return {"label": label, "vendor": connection.vendor, "counts": counts, "days": days, "submit": submit}


# ---------------------------------------------------------------------------------------------- the run


def _has_field_data(env) -> bool:
    probe = "from fieldwork.models import Stay; import sys; sys.exit(0 if Stay.objects.exists() else 3)"
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    return result.returncode == 0


def report(results: list[dict], repeat: int) -> str:
    from match_speed import machine  # bench/ is on the path: one description of the machine

    vendor = results[0]["vendor"]
    lines = ["## %s: %s" % (ENGINE_TITLE[vendor], " and ".join(r["label"] for r in results)), "",
             "`python bench/fieldwork.py` — %s, %s, %s; medians of %d alternating runs." % (
                 date.today().isoformat(), machine(), vendor, repeat), ""]
    lines += ["### (b) Stationed days of every team: `stationed_days(cycle)` vs a plain count of the same rows", "",
              "Goal: ≤ 3× the plain count, one query.", "",
              "| scale | cycle | confirmed stays | teams | people | plain count ms | `stationed_days` ms | ratio | "
              "queries | teams ≥ required (median days) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for result in results:
        for row in result["days"]:
            lines.append("| %s | %s (%s) | %s | %s | %s | %.1f | %.1f | **%.2f×** %s | %d (plain %d) | %d of %d (%d) |" % (
                result["label"], row["cycle"], row["status"], "{:,}".format(row["stays"]), "{:,}".format(row["teams"]),
                "{:,}".format(row["people"]), row["plain_ms"], row["union_ms"], row["ratio"],
                "✓" if row["ratio"] <= 3 else "✗", row["queries"], row["plain_queries"], row["at_least_required"],
                row["teams"], row["median_days"]))
    lines += ["", "### (a) Submitting an activity with three phone photos "
              "(the upload itself not timed, processing enqueued)", "",
              "Goal: the service with three photos ≤ 3× a plain `Activity.objects.create` of the same row.", ""]
    head = "| case |" + "".join(" %s ms | ratio | queries |" % r["label"] for r in results)
    lines += [head, "| --- |" + " --- | --- | --- |" * len(results)]
    names = [case["name"] for case in results[0]["submit"]["cases"]]
    for index, name in enumerate(names):
        line = "| %s |" % name
        for result in results:
            case = result["submit"]["cases"][index]
            line += " %.1f | %.2f× | %d |" % (case["ms"], case["ratio"], case["queries"])
        lines.append(line)
    submit = results[0]["submit"]
    lines += ["", "Photos: %s bytes (%d×%d JPEG with EXIF); task backend `%s` (photo processing enqueued, run later by "
              "the worker, not timed)." % (", ".join("{:,}".format(b) for b in submit["photo_bytes"]),
                                           PHOTO_SIZE[0], PHOTO_SIZE[1], submit["backend"]), ""]
    rows = ", ".join("%s: %s activities, %s stays" % (r["label"], "{:,}".format(r["counts"]["activities"]),
                                                        "{:,}".format(r["counts"]["stays"])) for r in results)
    lines += ["Data: %s." % rows, ""]
    return "\n".join(lines)


HEAD = "# Field work benchmark\n\n"


def write_results(section: str, vendor: str) -> None:
    """Replace this engine's section of RESULTS-fieldwork.md; the other engine's section and the closing
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
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per case (median)")
    parser.add_argument("--quick", action="store_true", help="5 timed runs per case")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS-fieldwork.md")
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
        # The measured submissions go to a media directory of the run's own (the photos are big).
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_ENV": "development",
               "MEDIA_ROOT": str(args.work / ("media-%s" % scale))}
        if args.rebuild or not _has_field_data(env):
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
