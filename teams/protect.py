"""Protected storage of ID numbers: encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``),
looked up by a keyed digest.

The key comes from the ``FIELD_ENCRYPTION_KEY`` setting (a Fernet key; see config/settings.py) and is never
derived from anything else: without it sealing and unsealing raise ImproperlyConfigured.
``FIELD_ENCRYPTION_OLD_KEYS`` (comma-separated) still decrypt during a rotation, and
``manage.py rotate_id_numbers`` re-seals every stored number under the current key and recomputes its digest
(the digest is keyed by a sub-key of the field key). The database, its backups
and the change history hold only the sealed text, the digest and the masked form.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_PREFIX = "v2:"


def _field_key() -> str:
    key = (getattr(settings, "FIELD_ENCRYPTION_KEY", "") or "").strip()
    if not key:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set: ID numbers cannot be sealed or read without it")
    return key


def _derived(purpose: str) -> bytes:
    """A sub-key of the field key (never of SECRET_KEY: rotating the session secret must not break look-ups)."""
    return hashlib.sha256(("kjtpy-protect:%s:%s" % (purpose, _field_key())).encode()).digest()


@lru_cache(maxsize=4)
def _fernet(key: str, old_keys: str) -> MultiFernet:
    current = Fernet(key.encode())
    return MultiFernet([current] + [Fernet(old.strip().encode()) for old in old_keys.split(",") if old.strip()])


def _cipher() -> MultiFernet:
    return _fernet(_field_key(), getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", "") or "")


def reseal(token: str) -> str:
    """The same value sealed under the current key (for key rotation)."""
    if not token or not token.startswith(_PREFIX):
        raise ValueError("not a sealed value")
    try:
        return _PREFIX + _cipher().rotate(token[len(_PREFIX):].encode()).decode()
    except InvalidToken:
        raise ValueError("sealed value does not verify") from None


def seal(text: str) -> str:
    """Encrypt and authenticate ``text``; returns printable ASCII."""
    return _PREFIX + _cipher().encrypt(text.encode("utf-8")).decode()


def unseal(token: str) -> str:
    """The text sealed by :func:`seal`; ValueError if it was altered or sealed under another key."""
    if not token or not token.startswith(_PREFIX):
        raise ValueError("not a sealed value")
    try:
        return _cipher().decrypt(token[len(_PREFIX):].encode()).decode("utf-8")
    except InvalidToken:
        raise ValueError("sealed value does not verify") from None


def digest(text: str) -> str:
    """A keyed digest for uniqueness and lookup without storing the value."""
    return hmac.new(_derived("digest"), text.encode("utf-8"), hashlib.sha256).hexdigest()
