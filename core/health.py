"""Health and metrics for a deployment on several machines (deploy/README.md).

``/health/`` (django-health-check) checks what a web machine needs to serve: the database, the cache (Redis when
configured: sessions and login counters live there), the attachment storage (a probe file written, read and
deleted) and the task queue (:class:`TaskQueue`: no task has waited for a worker longer than
``TASK_QUEUE_MAX_WAIT_SECONDS``). It answers 200 when all pass and 500 otherwise, as a load balancer expects; the
messages name the failing part, never a secret. JSON (``?format=text`` for plain text).

``/metrics`` is Prometheus's text format (django-prometheus: requests by view and status, latency, exceptions,
database and cache use), answered only to ``METRICS_ALLOWED_IPS`` (everyone else gets 404), and gathered from
every gunicorn worker when ``PROMETHEUS_MULTIPROC_DIR`` is set.
"""
from __future__ import annotations

import dataclasses
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django_prometheus.exports import ExportToDjangoView
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


class InRequestThread:
    """Run a synchronous check in the request's own thread (``sync_to_async(thread_sensitive=True)``), with the
    request's database connection, instead of a pool thread that would open (and leave) a connection of its own."""

    async def run(self):
        return await sync_to_async(self.check, thread_sensitive=True)()

    def check(self):
        return super().run()


@dataclasses.dataclass
class Database(InRequestThread, checks.Database):
    pass


@dataclasses.dataclass
class Storage(InRequestThread, checks.Storage):
    pass


@dataclasses.dataclass
class TaskQueue(InRequestThread, HealthCheck):
    """The background task queue: reachable, and its oldest waiting task not older than the allowed wait."""

    def check(self):
        from django_tasks_db.models import DBTaskResult

        try:
            oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        except Exception as error:  # the table is unreachable
            raise ServiceUnavailable("task queue unreachable") from error
        if oldest is None:
            return
        waited = timezone.now() - oldest
        if waited > timedelta(seconds=settings.TASK_QUEUE_MAX_WAIT_SECONDS):
            raise ServiceUnavailable("oldest task waiting %d s: no task worker is taking tasks"
                                     % waited.total_seconds())


CHECKS = (Database, "health_check.checks.Cache", Storage, TaskQueue)


class HealthView(HealthCheckView):
    checks = CHECKS

    def render_to_response(self, context, **kwargs):
        """A browser's request too gets the JSON (machines read this page; it is no page of the site)."""
        return self.render_to_response_json(kwargs.get("status", 200))


health = HealthView.as_view()


def live(request):
    """Liveness: the process answers (no database, cache or storage asked); what a process supervisor polls."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def metrics(request):
    """Prometheus metrics for the allowed scrapers only (404 for anyone else, like any hidden page)."""
    if _client_address(request) not in settings.METRICS_ALLOWED_IPS:
        raise Http404
    return ExportToDjangoView(request)
