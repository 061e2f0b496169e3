"""Task workers and scheduled work on several machines (issue 21).

* Two real ``manage.py db_worker`` processes take 100 tasks: each runs exactly once (django-tasks-db claims a task
  with ``SELECT … FOR UPDATE SKIP LOCKED`` and marks it RUNNING in the same transaction).
* A worker killed (SIGKILL) mid-task leaves nothing of the task's writes (one transaction); the scheduled job
  ``recover_interrupted_tasks`` fails it and its progress page with a message to start it again; started again, it
  completes.
* A job registered with a period runs once per period however many calls (machines) run ``run_scheduled``.

The workers are subprocesses: they must see the rows the test writes, so the tests are transactional. On
PostgreSQL they share the test database. On SQLite the test database is in memory, which another process cannot
open: the test copies it (schema and rows) into a file and points its own connection at that file for the test, as
the web process and the worker share one file in production.
"""
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from core.models import ScheduledRun, TaskRun
from core.scheduled import INTERRUPTED_MESSAGE, JOBS, PERIODS, claim_period, scheduled_job
from core.tasks import start
from tests.deployment import probe_tasks

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(django_settings.BASE_DIR)
TIMEOUT = 90  # seconds: a worker still running then has hung


def _database_url() -> str:
    data = connection.settings_dict
    auth = data["USER"] + (":" + data["PASSWORD"] if data.get("PASSWORD") else "")
    return "postgres://%s@%s:%s/%s" % (auth, data["HOST"] or "127.0.0.1", data["PORT"] or 5432, data["NAME"])


@pytest.fixture
def shared_db(settings, tmp_path):
    """The database the worker subprocesses use too; yields their environment. Tasks go to the database backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           "PYTHONUNBUFFERED": "1"}
    original = connections["default"]
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _database_url()
    elif connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        original.ensure_connection()
        copy = sqlite3.connect(path)
        original.connection.backup(copy)
        copy.close()
        env["DATABASE_URL"] = "sqlite:///%s" % path
        # This test's ORM reads and writes the file the workers use (same settings, another NAME).
        wrapper = type(original)({**original.settings_dict, "NAME": str(path)}, alias="default")
        connections["default"] = wrapper
    else:
        pytest.skip("the worker tests know PostgreSQL and SQLite")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {probe_tasks.PROBE_TABLE} (task_key varchar(64) NOT NULL, pid integer NOT NULL)")
    try:
        yield env
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {probe_tasks.PROBE_TABLE}")
        if connections["default"] is not original:
            connections["default"].close()
            connections["default"] = original


def _probe_rows(prefix=""):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT task_key, pid FROM {probe_tasks.PROBE_TABLE} WHERE task_key LIKE %s", [prefix + "%"])
        return cursor.fetchall()


def _worker(env, log: Path, *extra):
    """A real ``manage.py db_worker`` (no autoreload, no random start delay, polling quickly)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", *extra],
        cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def _stop(process):
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def _results():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.order_by()


def test_two_workers_run_each_of_100_tasks_exactly_once(shared_db, tmp_path):
    for number in range(100):
        probe_tasks.record_run.enqueue(f"t{number:03d}", workers=2)
    assert _results().filter(status="READY").count() == 100
    workers = [_worker(shared_db, tmp_path / f"worker{n}.log", "--batch") for n in (1, 2)]
    try:
        deadline = time.monotonic() + TIMEOUT
        for worker in workers:
            worker.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        for worker in workers:
            _stop(worker)
    logs = "\n".join((tmp_path / f"worker{n}.log").read_text() for n in (1, 2))
    assert [worker.returncode for worker in workers] == [0, 0], logs
    rows = _probe_rows("t")
    keys = sorted(key for key, _pid in rows)
    assert keys == [f"t{number:03d}" for number in range(100)], "a task ran twice or never"
    assert _results().filter(status="SUCCESSFUL").count() == 100, logs
    # Both workers took tasks: they really ran side by side (each task claimed once by one of them).
    assert len({pid for _key, pid in rows}) == 2, logs
    assert {len(result.worker_ids) for result in _results()} == {1}


def _wait_for(path: Path, process, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, "the worker ended before the task began"
        assert time.monotonic() < deadline, "the task never began"
        time.sleep(0.05)


def test_a_worker_killed_mid_task_leaves_nothing_and_the_task_is_failed_then_started_again(shared_db, tmp_path):
    gate = tmp_path / "gate"
    gate.mkdir()
    run = start(probe_tasks.write_then_wait, user=None, kind="probe", label="探针导入", key="kill", gate=str(gate))
    worker = _worker(shared_db, tmp_path / "killed.log")
    try:
        _wait_for(gate / "written", worker)
        # The rows are written but not committed: nobody else sees them.
        assert _probe_rows("kill") == []
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        _stop(worker)
    assert _probe_rows("kill") == []  # the transaction died with the worker: nothing half-saved
    result = _results().get()
    run.refresh_from_db()
    assert (result.status, run.status) == ("RUNNING", TaskRun.Status.RUNNING)  # no worker will take it again

    # Running for a few seconds is not stale: the recovery leaves it alone.
    call_command("run_scheduled", only=["recover_interrupted_tasks"])
    result.refresh_from_db()
    assert result.status == "RUNNING"

    # Past TASK_STALE_AFTER_SECONDS it is failed, and the user's progress page says to start it again.
    _results().filter(pk=result.pk).update(started_at=timezone.now() - timedelta(hours=2))
    call_command("run_scheduled", only=["recover_interrupted_tasks"])
    call_command("run_scheduled", only=["recover_interrupted_tasks"])  # safe to run twice
    result.refresh_from_db()
    run.refresh_from_db()
    assert result.status == "FAILED" and result.task_result.errors[0].exception_class_path.endswith("WorkerInterrupted")
    assert (run.status, run.message) == (TaskRun.Status.FAILED, INTERRUPTED_MESSAGE)
    assert run.finished_at is not None

    # Started again, it completes: all its rows, once.
    (gate / "release").touch()
    again = start(probe_tasks.write_then_wait, user=None, kind="probe", label="探针导入", key="kill", gate=str(gate))
    worker = _worker(shared_db, tmp_path / "again.log", "--batch")
    try:
        worker.wait(timeout=TIMEOUT)
    finally:
        _stop(worker)
    again.refresh_from_db()
    assert again.status == TaskRun.Status.DONE, (tmp_path / "again.log").read_text()
    assert sorted(key for key, _pid in _probe_rows("kill")) == ["kill-0", "kill-1", "kill-2"]
    assert _results().filter(status="SUCCESSFUL").count() == 1


@pytest.fixture
def hourly_job():
    """A probe job that runs once an hour, counting its runs."""
    calls = []

    @scheduled_job("probe_hourly", every=timedelta(hours=1))
    def probe_hourly():
        calls.append(timezone.now())
        return len(calls)

    try:
        yield calls
    finally:
        JOBS.pop("probe_hourly", None)
        PERIODS.pop("probe_hourly", None)


def _run_scheduled(now):
    from core.management.commands.run_scheduled import Command

    Command().run_once(["probe_hourly"], now=now)


def test_a_periodic_job_runs_once_per_period_however_many_calls(hourly_job):
    noon = timezone.make_aware(dt.datetime(2026, 3, 2, 12, 5))
    _run_scheduled(noon)
    _run_scheduled(noon + timedelta(minutes=30))  # another machine's timer, same hour
    assert len(hourly_job) == 1
    run = ScheduledRun.objects.get()
    assert (run.job, run.period_start, run.result, run.error, run.attempts) == (
        "probe_hourly", noon.replace(minute=0), "1", "", 1)
    assert run.finished_at is not None
    _run_scheduled(noon + timedelta(hours=1))  # the next hour
    assert len(hourly_job) == 2
    assert ScheduledRun.objects.count() == 2


def test_a_failed_or_abandoned_periodic_run_is_taken_over_in_the_same_period(hourly_job, settings):
    noon = timezone.make_aware(dt.datetime(2026, 3, 2, 12, 5))
    JOBS["probe_hourly"], job = (lambda: 1 / 0), JOBS["probe_hourly"]
    with pytest.raises(ZeroDivisionError):
        _run_scheduled(noon)
    assert "ZeroDivisionError" in ScheduledRun.objects.get().error
    JOBS["probe_hourly"] = job
    _run_scheduled(noon + timedelta(minutes=5))  # a failed run: the next call runs it again
    run = ScheduledRun.objects.get()
    assert (len(hourly_job), run.error, run.attempts) == (1, "", 2)

    # A claim whose machine died before it finished is taken over once it is stale, not before.
    settings.TASK_STALE_AFTER_SECONDS = 600
    ScheduledRun.objects.update(finished_at=None, started_at=noon)
    assert claim_period("probe_hourly", timedelta(hours=1), now=noon + timedelta(minutes=9)) is None
    assert claim_period("probe_hourly", timedelta(hours=1), now=noon + timedelta(minutes=11)) is not None
    assert claim_period("probe_hourly", timedelta(hours=1), now=noon + timedelta(minutes=11)) is None


def test_two_machines_claiming_the_same_period_at_once_run_it_once():
    """Two connections (two machines' timers) claim the same period at the same moment: one wins."""
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database is one connection; SQLite serializes writers anyway")
    now = timezone.now()
    barrier = threading.Barrier(8)
    won = []

    def claim():
        try:
            barrier.wait()
            if claim_period("probe_race", timedelta(hours=1), now=now) is not None:
                won.append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(won) == 1
    assert ScheduledRun.objects.filter(job="probe_race").count() == 1
