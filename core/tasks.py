"""Background work with progress a page can poll.

``start(task_function, user=..., label=..., **kwargs)`` records a :class:`TaskRun` and
enqueues the django-tasks task after the surrounding transaction commits. The task
function is decorated with :func:`tracked` and receives a :class:`Progress`.
"""
from __future__ import annotations

import functools
import logging

from django.db import transaction
from django.utils import timezone

from core.models import TaskRun

logger = logging.getLogger(__name__)


class Progress:
    """What a running task tells the page: how far it is."""

    def __init__(self, run_id):
        self.run_id = run_id

    def update(self, done: int, total: int | None = None, message: str = "") -> None:
        fields = {"done": done}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message
        TaskRun.objects.filter(pk=self.run_id).update(**fields)


def tracked(function):
    """Wrap a task body: mark the run running, then done with its result, or failed with the error."""

    @functools.wraps(function)
    def wrapper(run_id: str, **kwargs):
        TaskRun.objects.filter(pk=run_id).update(status=TaskRun.Status.RUNNING)
        try:
            result = function(Progress(run_id), **kwargs) or {}
        except Exception as exc:  # the page shows the failure; the log keeps the trace
            logger.exception("task %s failed", run_id)
            TaskRun.objects.filter(pk=run_id).update(
                status=TaskRun.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
            )
            return None
        fields = {"status": TaskRun.Status.DONE, "finished_at": timezone.now(), "result": result}
        if isinstance(result, dict) and result.get("url"):
            fields["result_url"] = result["url"]
        TaskRun.objects.filter(pk=run_id).update(**fields)
        return result

    return wrapper


def start(task, *, user, kind: str, label: str, **kwargs) -> TaskRun:
    """Record and enqueue a background task for ``user``; returns the run to poll."""
    from django.conf import settings

    run = TaskRun.objects.create(kind=kind, label=str(label), created_by=user)
    if "ImmediateBackend" in settings.TASKS["default"]["BACKEND"]:
        task.enqueue(run_id=str(run.pk), **kwargs)
    else:
        # The worker must find the rows this request wrote: enqueue once they are committed.
        transaction.on_commit(lambda: task.enqueue(run_id=str(run.pk), **kwargs))
    run.refresh_from_db()
    return run
