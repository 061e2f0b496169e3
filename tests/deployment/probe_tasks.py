"""Tasks the deployment tests (``test_workers.py``) give to real ``manage.py db_worker`` processes.

The worker finds a task by its module path (``tests.deployment.probe_tasks.record_run``): the tasks live in a module
of their own, importable from the project's directory, not in the test file. Each writes to ``PROBE_TABLE``, a table
the test creates (and drops) for itself.
"""
import os
import time
from pathlib import Path

from django.db import connection, transaction
from django_tasks import task

from core.tasks import tracked

PROBE_TABLE = "deployment_probe_run"
INSERT = f"INSERT INTO {PROBE_TABLE} (task_key, pid) VALUES (%s, %s)"


@task()
def record_run(key: str, workers: int = 1) -> int:
    """Record that the task ``key`` ran, and in which worker process; then wait (at most 30 s) until ``workers``
    processes have recorded a task, so that the first worker cannot take every task before the others start."""
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [key, os.getpid()])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            cursor.execute(f"SELECT COUNT(DISTINCT pid) FROM {PROBE_TABLE}")
            if cursor.fetchone()[0] >= workers:
                break
            time.sleep(0.05)
    return os.getpid()


@task()
@tracked
def write_then_wait(progress, *, key: str, gate: str, rows: int = 3) -> dict:
    """An import in miniature: writes ``rows`` rows in one transaction, says so (the file ``gate/written``), then
    waits for ``gate/release`` before it commits. The test kills its worker while it waits."""
    gate_dir = Path(gate)
    with transaction.atomic():
        with connection.cursor() as cursor:
            for number in range(rows):
                cursor.execute(INSERT, [f"{key}-{number}", os.getpid()])
        progress.update(rows, rows, "已写入，等待放行")
        (gate_dir / "written").touch()
        deadline = time.monotonic() + 60
        while not (gate_dir / "release").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the test never released the task")
            time.sleep(0.05)
    return {"rows": rows}
