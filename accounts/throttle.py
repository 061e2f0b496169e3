"""Login throttling kept in the shared cache (the web tier keeps no state of its own)."""
from django.conf import settings
from django.core.cache import cache


def _key(username: str, ip: str) -> str:
    return "login-fail:%s:%s" % ((username or "").lower()[:150], ip or "-")


def is_locked(username: str, ip: str) -> bool:
    return cache.get(_key(username, ip), 0) >= settings.LOGIN_THROTTLE_FAILURES


def record_failure(username: str, ip: str) -> None:
    key = _key(username, ip)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, settings.LOGIN_THROTTLE_SECONDS)


def clear(username: str, ip: str) -> None:
    cache.delete(_key(username, ip))


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
