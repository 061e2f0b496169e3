"""Scheduled work: jobs that are safe to run at any time, called by ``manage.py run_scheduled``.

Apps register a job with ``@scheduled_job("name")``; each job must be idempotent and claim
due rows with a conditional UPDATE so two runs at once do no harm. Work that falls due with time (closing a notice
whose period has ended, …) is recorded here, never on a page read: a GET writes nothing and shows the effective
state computed from the dates (e.g. ``notices.selectors.effective_status``) until the job has run.

Production calls ``manage.py run_scheduled`` once from a timer, possibly on several machines; ``make run`` loops it
(``--every 120``). A job registered without a period runs at every call (it must be idempotent, above). A job
registered with ``every=timedelta(...)`` runs once per period however many machines call it: the first call of the
period inserts a :class:`core.models.ScheduledRun` row (unique per job and period) and runs the job; the others find
the row and skip. A run that failed, or whose machine died before it finished (no end after
``TASK_STALE_AFTER_SECONDS``), is taken over by a later call in the same period.
"""
import datetime as dt
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

JOBS: dict = {}
# The jobs that run once per period (name -> period); the others run at every call.
PERIODS: dict = {}

# What the user reads on the progress page of a task whose worker died (killed, machine restarted) mid-run.
INTERRUPTED_MESSAGE = "后台进程中断，任务未完成，请重新发起"
DEFAULT_STALE_AFTER_SECONDS = 30 * 60


def scheduled_job(name: str, every: timedelta | None = None):
    """Register ``function`` as the scheduled job ``name``: run at every call, or once per ``every``."""
    if every is not None and every < timedelta(seconds=1):
        raise ValueError("every must be at least one second")

    def register(function):
        JOBS[name] = function
        if every is None:
            PERIODS.pop(name, None)
        else:
            PERIODS[name] = every
        return function

    return register


def stale_after() -> timedelta:
    """How long a task or a periodic run may go without finishing before it is taken for dead (its worker or its
    machine died): longer than the longest task (a 10,000-row import, an annual report's documents)."""
    return timedelta(seconds=int(getattr(settings, "TASK_STALE_AFTER_SECONDS", DEFAULT_STALE_AFTER_SECONDS)))


def period_start(every: timedelta, now: dt.datetime) -> dt.datetime:
    """The start of the period of length ``every`` that holds ``now``. Periods count from a Monday midnight of the
    local time zone, so a daily job's period is the local day and a weekly one starts on Monday."""
    anchor = timezone.make_aware(dt.datetime(2000, 1, 3))
    return anchor + ((now - anchor) // every) * every


def claim_period(name: str, every: timedelta, now: dt.datetime | None = None):
    """The :class:`ScheduledRun` this call runs for ``name`` in the period of ``now``, or None when another call
    has run it (or is running it). Insert-or-skip: the unique (job, period_start) lets one insert through; a run
    that failed or was abandoned is taken over by a conditional UPDATE, which one caller alone wins."""
    from core.models import ScheduledRun

    now = now or timezone.now()
    start = period_start(every, now)
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=name, period_start=start, started_at=now)
    except IntegrityError:
        pass
    taken = ScheduledRun.objects.filter(job=name, period_start=start).filter(
        Q(finished_at__isnull=False) & ~Q(error="") | Q(finished_at__isnull=True, started_at__lt=now - stale_after())
    ).update(started_at=now, finished_at=None, error="", result="", attempts=F("attempts") + 1)
    return ScheduledRun.objects.get(job=name, period_start=start) if taken else None


def finish_period(run, *, result=None, error: str = "") -> None:
    """Record how a claimed run ended."""
    from core.models import ScheduledRun

    ScheduledRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), result="" if result is None else str(result)[:500], error=error[-5000:])


class WorkerInterrupted(Exception):
    """The worker running the task died (killed, machine restarted) before the task ended."""


@scheduled_job("recover_interrupted_tasks")
def recover_interrupted_tasks(now=None) -> int:
    """Fail the tasks whose worker died mid-run, and tell their users to start them again.

    django-tasks-db's worker claims a task (``SELECT … FOR UPDATE SKIP LOCKED``, status RUNNING) and has no
    heartbeat: a task whose worker was killed stays RUNNING for ever and no worker takes it again. A task running
    longer than ``TASK_STALE_AFTER_SECONDS`` is taken for dead: it is marked failed, and so is its progress page
    (:class:`core.models.TaskRun`, ``run_id``), with :data:`INTERRUPTED_MESSAGE`. Its writes were one transaction
    (an import saves all rows or none), so the database holds nothing of it and starting it again is safe.

    It is not re-enqueued on its own: the task may be what killed its worker (memory), the user may already have
    started it again (a second import), and work outside the database (mails sent) may not be repeatable. If a
    task still running is taken for dead (the setting too short), the worker's own end wins: it marks the task and
    its page done when it finishes.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from core.models import TaskRun

    now = now or timezone.now()
    stuck = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - stale_after())
    count = 0
    for pk, started_at, args_kwargs in stuck.values_list("pk", "started_at", "args_kwargs").order_by():
        with transaction.atomic():
            failed = DBTaskResult.objects.filter(
                pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
            ).update(status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                     exception_class_path=f"{WorkerInterrupted.__module__}.{WorkerInterrupted.__qualname__}",
                     traceback=f"WorkerInterrupted: {INTERRUPTED_MESSAGE}（开始于 {started_at.isoformat()}）\n")
            if not failed:
                continue  # its worker ended it meanwhile
            run_id = _run_id(args_kwargs)
            if run_id:
                TaskRun.objects.filter(pk=run_id, status__in=[TaskRun.Status.PENDING, TaskRun.Status.RUNNING]).update(
                    status=TaskRun.Status.FAILED, message=INTERRUPTED_MESSAGE, finished_at=now)
        count += 1
    return count


def _run_id(args_kwargs) -> str | None:
    """The TaskRun of a task started by :func:`core.tasks.start` (its ``run_id`` keyword), if any."""
    try:
        return str(uuid.UUID(str((args_kwargs or {}).get("kwargs", {}).get("run_id"))))
    except (AttributeError, TypeError, ValueError):
        return None


@scheduled_job("fail_stuck_task_runs")
def fail_stuck_task_runs(now=None) -> int:
    """Mark as failed the task runs that have not finished in a day (their worker died)."""
    from core.models import TaskRun

    now = now or timezone.now()
    return TaskRun.objects.filter(
        status__in=[TaskRun.Status.PENDING, TaskRun.Status.RUNNING], created_at__lt=now - timedelta(days=1)
    ).update(status=TaskRun.Status.FAILED, message="任务超时未完成（后台进程可能已中断），请重新发起。", finished_at=now)
