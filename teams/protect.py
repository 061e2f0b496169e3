"""Protected storage of ID numbers: encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``),
looked up by a keyed digest.

The key comes from the ``FIELD_ENCRYPTION_KEY`` setting (a Fernet key), or is derived from SECRET_KEY when
that is not set. The database, its backups and the change history hold only the sealed text, the digest and
the masked form. Rotating the key needs a re-seal of stored values.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

_PREFIX = "v2:"


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(("kjtpy-protect:%s:%s" % (purpose, settings.SECRET_KEY)).encode()).digest()


@lru_cache(maxsize=4)
def _fernet(key: str | None, secret: str) -> Fernet:
    return Fernet(key.encode() if key else base64.urlsafe_b64encode(_derived("fernet")))


def _cipher() -> Fernet:
    return _fernet(getattr(settings, "FIELD_ENCRYPTION_KEY", None) or None, settings.SECRET_KEY)


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
