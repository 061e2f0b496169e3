"""What a deployment's load balancer, Prometheus and log collector read: /health/, /metrics and request ids."""
import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from core.request_id import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_health_is_ok_when_database_cache_storage_and_queue_are(client):
    response = client.get("/health/?format=json")
    assert response.status_code == 200
    assert response.json() == {"Database(alias='default')": "OK", "Cache(alias='default')": "OK",
                               "Storage(alias='default')": "OK", "TaskQueue()": "OK"}
    assert "no-cache" in response["Cache-Control"]


def test_health_fails_when_no_worker_takes_tasks(client, settings):
    from django_tasks_db.models import DBTaskResult

    from accounts.tasks import send_notification_mail  # any task: it only waits in the queue here

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = send_notification_mail.enqueue(subject="通知", body="正文", recipients=["a@example.com"])
    assert client.get("/health/?format=json").status_code == 200  # just enqueued: a worker has time
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(seconds=settings.TASK_QUEUE_MAX_WAIT_SECONDS + 60))
    response = client.get("/health/?format=json")
    assert response.status_code == 500
    assert "no task worker" in response.json()["TaskQueue()"]


def test_metrics_only_for_the_scraper(client):
    client.get("/health/")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_total_by_view_transport_method_total" in text
    assert 'view="health"' in text
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_metrics_behind_nginx_judge_the_real_client(client, settings):
    """Behind nginx (TRUSTED_PROXY_COUNT=1) REMOTE_ADDR is nginx's own 127.0.0.1: the client is the address nginx
    appended to X-Forwarded-For, and a client outside the allowed scrapers gets 404 however it comes in."""
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.50").status_code == 404
    forged = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.50")
    assert forged.status_code == 404  # the client's own "127.0.0.1" entry is not believed
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200  # scraped directly


def test_https_redirect_spares_health_and_metrics(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/?format=json").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    response = client.get("/calls/public/")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_every_response_carries_a_request_id(client):
    first = client.get("/")["X-Request-ID"]
    second = client.get("/")["X-Request-ID"]
    assert len(first) == 32 and first != second
    # The proxy's id is kept when it is a plain token, replaced when it is not (no log injection).
    assert client.get("/", HTTP_X_REQUEST_ID="nginx-4f2a9c0d11")["X-Request-ID"] == "nginx-4f2a9c0d11"
    forged = client.get("/", HTTP_X_REQUEST_ID="x\n{\"level\": \"ERROR\"}")["X-Request-ID"]
    assert "\n" not in forged and len(forged) == 32


def test_log_lines_are_json_with_the_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="kjtpy.requests")
    response = client.get("/calls/public/", HTTP_X_REQUEST_ID="req-0123456789")
    assert response.status_code == 200
    records = [record for record in caplog.records if record.name == "kjtpy.requests"]
    assert records, "one line per request"
    record = records[-1]
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-0123456789"
    assert line["path"] == "/calls/public/" and line["status"] == 200 and line["method"] == "GET"
    assert line["level"] == "INFO" and line["logger"] == "kjtpy.requests" and "duration_ms" in line
    # A 404 logged by Django after the response left the middleware keeps the request's id too.
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="django.request")
    client.get("/calls/no-such-page/", HTTP_X_REQUEST_ID="req-notfound-1")
    warning = [record for record in caplog.records if record.name == "django.request"][-1]
    RequestIdFilter().filter(warning)
    assert json.loads(JsonFormatter().format(warning))["request_id"] == "req-notfound-1"


def test_liveness_asks_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert response.status_code == 200 and response.content == b"ok"


def test_a_browser_reads_the_health_as_json(client):
    response = client.get("/health/", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_health_is_a_plain_synchronous_view():
    """The browser tests ask every page from a thread that runs Playwright's event loop, where Django refuses to run
    an async view (django-health-check's own view is one: a 500 there). tests/a11y crawls /health/ from that thread."""
    import asyncio

    from core import health

    assert not asyncio.iscoroutinefunction(health.health)
    assert all(not asyncio.iscoroutinefunction(check.run) for check in health.CHECKS)
