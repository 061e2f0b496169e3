"""Login defence shared by the login page and the API token endpoint.

Everything lives in the Django cache (the shared DatabaseCache): the web tier keeps no state of its own.

* Per account (any username typed, existing or not): after ``LOGIN_CAPTCHA_AFTER_FAILURES`` failures the
  login page asks for a CAPTCHA, and each further failure makes the account "cool" for
  ``2 ** (failures - threshold)`` seconds, capped at ``LOGIN_DELAY_MAX_SECONDS``.  While cooling, attempts are
  refused without checking the password.  A success clears the account, so nobody is locked out for good.
* Per client address (across all usernames): the same growing delay after ``LOGIN_IP_DELAY_AFTER_FAILURES``.
  A success does not clear the address (one own account must not reset a spraying address).
* At most one password check per account is in flight once it has failures: the attempt claims a slot with
  ``cache.add`` (atomic), so parallel requests cannot slip past the delay.
"""
import hashlib
import math
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

from core.request_id import client_ip as core_client_ip

# Seconds; a test replaces it to simulate the passing of time.
_clock = time.time

_SLOT_SECONDS = 60  # an attempt in flight holds its slot at most this long (a crashed request frees it by itself)


# ---------------------------------------------------------------- the client address


# The one place that decides the real client address lives in core (the metrics view uses it too).
client_ip = core_client_ip


class LoginRateThrottle(ScopedRateThrottle):
    """DRF's rate throttle keyed on :func:`client_ip` (DRF's own ident trusts the client's X-Forwarded-For)."""

    def get_ident(self, request):
        return client_ip(request)


# ---------------------------------------------------------------- counters


class Refused(Exception):
    """The attempt is refused without checking the password; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = max(1, int(retry_after))

    @property
    def wait_text(self) -> str:
        """“30秒” / “15分钟”, for the messages."""
        if self.retry_after < 60:
            return "%d秒" % self.retry_after
        return "%d分钟" % math.ceil(self.retry_after / 60)


def _normalise(username) -> str:
    return unicodedata.normalize("NFKC", str(username or "")).strip().lower()[:150]


def _account_key(username: str) -> str:
    return "login-acct:" + hashlib.sha256(_normalise(username).encode()).hexdigest()


def _ip_key(ip: str) -> str:
    return "login-ip:" + hashlib.sha256((ip or "-").encode()).hexdigest()


def delay_for(failures: int, threshold: int) -> int:
    """Seconds of cooling after ``failures`` failures: none below the threshold, then doubling, capped."""
    if failures < threshold:
        return 0
    cap = settings.LOGIN_DELAY_MAX_SECONDS
    exponent = failures - threshold
    return cap if exponent >= 20 else min(2 ** exponent, cap)


def _state(key: str) -> dict:
    return cache.get(key) or {"n": 0, "until": 0.0}


def _check_cooling(state: dict) -> None:
    remaining = state["until"] - _clock()
    if remaining > 0:
        raise Refused(math.ceil(remaining))


def _record_failure(key: str, threshold: int) -> None:
    state = _state(key)
    state["n"] += 1
    delay = delay_for(state["n"], threshold)
    state["until"] = _clock() + delay if delay else 0.0
    cache.set(key, state, max(settings.LOGIN_FAILURE_WINDOW_SECONDS, settings.LOGIN_DELAY_MAX_SECONDS + 60))


def failures(username: str) -> int:
    return _state(_account_key(username))["n"]


def ip_failures(ip: str) -> int:
    return _state(_ip_key(ip))["n"]


def needs_captcha(username: str, ip: str) -> bool:
    """The login page asks for a CAPTCHA once the account (or the address) has failed often enough."""
    return (
        failures(username) >= settings.LOGIN_CAPTCHA_AFTER_FAILURES
        or ip_failures(ip) >= settings.LOGIN_IP_DELAY_AFTER_FAILURES
    )


def clear(username: str) -> None:
    """Forget the failures of an account (after a success, or by an administrator)."""
    cache.delete(_account_key(username))


@dataclass
class Attempt:
    """One password check.  ``begin()`` it before checking, then call ``failed()`` or ``succeeded()``;
    ``finish()`` (in a ``finally``) frees the slots."""

    username: str
    ip: str
    slots: list

    def failed(self) -> None:
        if _normalise(self.username):
            _record_failure(_account_key(self.username), settings.LOGIN_CAPTCHA_AFTER_FAILURES)
        _record_failure(_ip_key(self.ip), settings.LOGIN_IP_DELAY_AFTER_FAILURES)

    def succeeded(self) -> None:
        clear(self.username)

    def finish(self) -> None:
        if self.slots:
            cache.delete_many(self.slots)
            self.slots = []


def _claim(key: str, state: dict, slots: list) -> None:
    """Hold the only slot for a password check at this failure count, or be refused."""
    slot = "%s:try:%d" % (key, state["n"])
    if not cache.add(slot, 1, _SLOT_SECONDS):
        raise Refused(1)
    slots.append(slot)
    fresh = _state(key)  # someone may have finished an attempt between our read and our claim
    if fresh["n"] != state["n"]:
        raise Refused(1)
    _check_cooling(fresh)


def begin(username: str, ip: str) -> Attempt:
    """Start a password check, or raise :class:`Refused` while the account or the address is cooling."""
    account_key, ip_key = _account_key(username), _ip_key(ip)
    account, address = _state(account_key), _state(ip_key)
    _check_cooling(account)
    _check_cooling(address)
    slots: list = []
    try:
        if _normalise(username):
            _claim(account_key, account, slots)
        if address["n"] >= settings.LOGIN_IP_DELAY_AFTER_FAILURES:
            _claim(ip_key, address, slots)
    except Refused:
        if slots:
            cache.delete_many(slots)
        raise
    return Attempt(username=username, ip=ip, slots=slots)
