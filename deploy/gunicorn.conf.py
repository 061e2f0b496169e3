"""gunicorn settings for the web processes (`make serve`, deploy/systemd/kjtpy-web.service).

    .venv/bin/gunicorn config.wsgi -c deploy/gunicorn.conf.py

Everything comes from the environment (/etc/kjtpy/env under systemd, deploy/env.example):

- BIND (default 127.0.0.1:8001): where gunicorn listens. On a web machine behind nginx on another machine bind the
  private interface (e.g. 10.0.0.11:8001) and let the firewall admit only the nginx machines and Prometheus: with
  TRUSTED_PROXY_COUNT=1 the app takes the client address from the last X-Forwarded-For entry, which nginx writes.
- WEB_WORKERS (default 2 × cores + 1): worker processes (sync workers: each handles one request at a time).
- WEB_THREADS (default 1): threads per worker (gthread when more than 1).
- WEB_TIMEOUT (default 60 s): a worker silent this long is killed and replaced (long exports run as background tasks).
- WEB_GRACEFUL_TIMEOUT (default 30 s): on stop or reload, requests in flight get this long to finish.
- WEB_MAX_REQUESTS (default 20000): a worker is replaced after this many requests (± 10 %), bounding slow leaks
  (not much lower: under load a replaced worker serves nothing while its successor starts — bench/RESULTS-load.md).
- FORWARDED_ALLOW_IPS (default 127.0.0.1,::1): proxies whose X-Forwarded-Proto gunicorn believes (the nginx
  machines' addresses when nginx runs elsewhere). Django itself decides HTTPS by SECURE_PROXY_SSL_HEADER.
- ACCESS_LOG (default 1): one access line per request on stderr, with its X-Request-ID (the id the app answered
  with: nginx's when it sent a well-formed one, else the app's own); LOG_FORMAT=json writes it as a JSON object like
  the app's logs. ACCESS_LOG=0 leaves only the app's own request log (logger ``kjtpy.requests``).
- GUNICORN_CONTROL_SOCKET: the control socket's path (default: $RUNTIME_DIRECTORY/gunicorn.ctl under systemd, else
  none).
- PROMETHEUS_MULTIPROC_DIR: a folder private to this gunicorn, emptied when it starts (below); every worker writes its
  counters there and /metrics adds them up. The systemd unit and `make serve` set it.
"""
import json
import multiprocessing
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from gunicorn import glogging


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _flag(name, default):
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


bind = [address.strip() for address in os.environ.get("BIND", "127.0.0.1:8001").split(",") if address.strip()]
workers = _int("WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("WEB_THREADS", 1)
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5  # nginx keeps upstream connections open (keepalive in deploy/nginx/kjtpy.conf)
max_requests = _int("WEB_MAX_REQUESTS", 20000)
max_requests_jitter = max(1, max_requests // 10) if max_requests else 0
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Heartbeat files in memory, not on a disk that may stall (gunicorn's advice for containers and busy disks).
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"
proc_name = "kjtpy-web"
# gunicorn's control socket (gunicornc): in the service's runtime folder under systemd (RuntimeDirectory=), else
# off — its default, ~/.gunicorn/gunicorn.ctl, would be shared by every gunicorn of the user.
if os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip():
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"].strip()
elif os.environ.get("RUNTIME_DIRECTORY", "").strip():
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")
else:
    control_socket_disable = True

errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = "-" if _flag("ACCESS_LOG", True) else None
# Apache combined + duration (ms) + request id. Header atoms: {name}i the request's, {name}o the response's.
access_log_format = ('%(h)s - %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms '
                     'request_id=%({x-request-id}o)s')


class JsonAccessLogger(glogging.Logger):
    """Access lines as JSON objects (LOG_FORMAT=json), the same keys as core.request_id.JsonFormatter writes."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        try:
            atoms = self.atoms(resp, req, environ, request_time)
            line = {
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "level": "INFO",
                "logger": "gunicorn.access",
                "message": atoms["r"],
                "request_id": atoms.get("{x-request-id}o") or atoms.get("{x-request-id}i") or "-",
                "remote_addr": atoms["h"],
                "method": atoms["m"],
                "path": atoms["U"],
                "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
                "bytes": atoms["B"],
                "duration_ms": atoms["M"],
                "referer": atoms["f"],
                "user_agent": atoms["a"],
                "pid": os.getpid(),
            }
            self.access_log.info(json.dumps(line, ensure_ascii=False, default=str))
        except Exception:  # a log line must never fail a request
            self.exception("access log")


if os.environ.get("LOG_FORMAT", "json" if os.environ.get("DJANGO_ENV") == "production" else "text") == "json":
    logger_class = JsonAccessLogger


def on_starting(server):
    """Empty PROMETHEUS_MULTIPROC_DIR: files left by a previous run would be added to this run's counters."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if not folder:
        return
    path = Path(folder)
    if path.is_dir():
        for child in path.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    else:
        path.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker gone (replaced after max_requests, killed on timeout, stopped): its live gauges no longer count."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
