"""Structured logs with a request id.

Every request gets an id: the ``X-Request-ID`` a proxy in front sent (nginx sets ``$request_id``; only a short
token of letters, digits, ``-``, ``_`` and ``.`` is taken, anything else is replaced) or a new random one. It is
returned in the response's ``X-Request-ID`` header, added to every log record written while the request runs
(:class:`RequestIdFilter`), and one line per request is logged to ``kjtpy.requests`` (method, path, status,
milliseconds, user id, the client's address as :func:`client_ip` decides it). :class:`JsonFormatter` writes a record as one JSON object (``LOG_FORMAT=json``), so a log
collector can join the proxy's, the web workers' and the database's lines of one request.
"""
from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from django.conf import settings

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
request_logger = logging.getLogger("kjtpy.requests")


def client_ip(request) -> str:
    """The real client address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = N > 0 the N-th X-Forwarded-For entry
    from the right, the one our outermost trusted proxy appended.  Entries further left are the client's own."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: every entry was still appended by one of ours; the leftmost is nearest the client.
    candidate = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def current() -> str:
    """The id of the request being handled by this thread ('-' outside a request)."""
    return _current.get()


def _incoming(request) -> str:
    value = request.headers.get(HEADER, "").strip()
    return value if _VALID.match(value) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id (kept from the proxy when well-formed), log it and send it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming(request)
        request.request_id = request_id
        token = _current.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            user = getattr(request, "user", None)
            request_logger.info(
                "%s %s %s %.0fms", request.method, request.path, response.status_code,
                (time.perf_counter() - started) * 1000,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "duration_ms": round((time.perf_counter() - started) * 1000, 1), "client": client_ip(request),
                       "user_id": getattr(user, "pk", None) if user is not None and user.is_authenticated else None},
            )
            return response
        finally:
            _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Add ``record.request_id`` (the current request's id, '-' outside one) to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            # django.request logs a 4xx/5xx after the middleware returned, with the request attached.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current()
        return True


# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is written as a field.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, request_id, extra fields, exc."""

    def format(self, record):
        data = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key != "request":
                data[key] = value
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)
