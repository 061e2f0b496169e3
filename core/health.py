"""Health and metrics for a deployment on several machines (deploy/README.md).

``/health/`` (django-health-check) checks what a web machine needs to serve: the database, the cache (Redis when
configured: sessions and login counters live there), the attachment storage (a probe file written, read and
deleted) and the task queue (:class:`TaskQueue`: no task has waited for a worker longer than
``TASK_QUEUE_MAX_WAIT_SECONDS``). It answers 200 when all pass and 500 otherwise, as a load balancer expects; the
messages name the failing part, never a secret. JSON (``?format=text`` for plain text); a plain synchronous view.

``/metrics`` is Prometheus's text format (django-prometheus: requests by view and status, latency, exceptions,
database and cache use), answered only to ``METRICS_ALLOWED_IPS`` (everyone else gets 404), and gathered from
every gunicorn worker when ``PROMETHEUS_MULTIPROC_DIR`` is set.
"""
from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_prometheus.exports import ExportToDjangoView

from core.request_id import client_ip
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import HealthCheckException, ServiceUnavailable

logger = logging.getLogger("health_check")


@dataclasses.dataclass
class Cache(HealthCheck):
    """The cache (Redis when configured: sessions and login counters live there) sets and reads a probe key."""

    alias: str = "default"

    def run(self):
        cache = caches[self.alias]
        key = "health-probe:%s" % uuid.uuid4().hex
        try:
            cache.set(key, "ok", 5)
            if cache.get(key) != "ok":
                raise ServiceUnavailable("cache did not return the probe value")
            cache.delete(key)
        except HealthCheckException:
            raise
        except Exception as error:  # a Redis that does not answer raises its own errors
            raise ServiceUnavailable("cache unreachable") from error


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The background task queue: reachable, and its oldest waiting task not older than the allowed wait."""

    def run(self):
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


# django-health-check's database and storage checks are synchronous; its cache check is asynchronous, so the one
# above replaces it. All run one after the other in the request's own thread, with its database connection: no
# event loop (a page served from a thread that runs one, as the browser tests' does, would refuse an async view) and
# no pool thread opening connections of its own.
CHECKS = (checks.Database(), Cache(), checks.Storage(), TaskQueue())


def run_checks() -> dict:
    """``{check's name: "OK" or what failed}`` for every check, in order."""
    results = {}
    for check in CHECKS:
        try:
            check.run()
        except HealthCheckException as error:
            logger.warning("health check %r failed", check, exc_info=True)
            results[repr(check)] = str(error)
        except Exception:  # never a 500 with a stack: the check failed, its details go to the log
            logger.exception("unexpected exception in health check %r", check)
            results[repr(check)] = "unknown error"
        else:
            results[repr(check)] = "OK"
    return results


def health(request):
    """200 with every check "OK", else 500 naming what failed (JSON; ``?format=text`` for plain text)."""
    started = time.perf_counter()
    results = run_checks()
    status = 200 if all(value == "OK" for value in results.values()) else 500
    if request.GET.get("format") == "text":
        response = HttpResponse("".join("%s: %s\n" % item for item in results.items()), status=status,
                                content_type="text/plain; charset=utf-8")
    else:
        response = JsonResponse(results, status=status, json_dumps_params={"ensure_ascii": False})
    response["X-Health-Milliseconds"] = "%.0f" % ((time.perf_counter() - started) * 1000)
    add_never_cache_headers(response)
    return response


def live(request):
    """Liveness: the process answers (no database, cache or storage asked); what a process supervisor polls."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def metrics(request):
    """Prometheus metrics for the allowed scrapers only (404 for anyone else, like any hidden page)."""
    # The real client (core.request_id.client_ip: behind nginx, the address nginx appended to X-Forwarded-For), so
    # the allowed scrapers are the only readers however many proxies stand in front.
    if client_ip(request) not in settings.METRICS_ALLOWED_IPS:
        raise Http404
    return ExportToDjangoView(request)
