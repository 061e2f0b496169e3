"""Scheduled work: jobs that are safe to run at any time, called by ``manage.py run_scheduled``.

Apps register a job with ``@scheduled_job("name")``; each job must be idempotent and claim
due rows with a conditional UPDATE so two runs at once do no harm. Work that falls due with time (closing a notice
whose period has ended, …) is recorded here, never on a page read: a GET writes nothing and shows the effective
state computed from the dates (e.g. ``notices.selectors.effective_status``) until the job has run.

Production calls ``manage.py run_scheduled`` once from a timer; ``make run`` loops it (``--every 120``).
"""
from datetime import timedelta

from django.utils import timezone

JOBS: dict = {}


def scheduled_job(name: str):
    def register(function):
        JOBS[name] = function
        return function

    return register


@scheduled_job("fail_stuck_task_runs")
def fail_stuck_task_runs(now=None) -> int:
    """Mark as failed the task runs that have not finished in a day (their worker died)."""
    from core.models import TaskRun

    now = now or timezone.now()
    return TaskRun.objects.filter(
        status__in=[TaskRun.Status.PENDING, TaskRun.Status.RUNNING], created_at__lt=now - timedelta(days=1)
    ).update(status=TaskRun.Status.FAILED, message="任务超时未完成（后台进程可能已中断），请重新发起。", finished_at=now)
