"""The settings' secrets: from the environment, or — outside production — from files under var/ made once.

``secret("SECRET_KEY", var_dir, production=..., generate=...)`` returns the environment variable when it is set.
In production (``DJANGO_ENV=production``) a missing variable is an ImproperlyConfigured error naming it. Elsewhere
the value is read from ``var_dir/<name in lower case>``; the first run writes a fresh random value there (mode 0600)
and every later run, the task worker included, reuses it, so data sealed under a key stays readable. Deleting
the field-key file makes the ID numbers already stored unreadable.
"""
from __future__ import annotations

import os
import secrets as _random
from pathlib import Path
from typing import Callable

from django.core.exceptions import ImproperlyConfigured

PRODUCTION_ENV = "production"


def is_production(environ=os.environ) -> bool:
    return environ.get("DJANGO_ENV", "").strip().lower() == PRODUCTION_ENV


def new_secret_key() -> str:
    return _random.token_urlsafe(64)


def new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def check_fernet_key(name: str, value: str) -> str:
    """``value`` if it is a valid Fernet key (32 url-safe base64 bytes), else ImproperlyConfigured."""
    from cryptography.fernet import Fernet

    try:
        Fernet(value.encode())
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "%s is not a valid Fernet key (generate one with: python -c \"from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())\")" % name
        ) from None
    return value


def check_secret_key(name: str, value: str) -> str:
    """``value`` if it is fit for production (Django's own bar: at least 50 characters, 5 different ones, not
    ``django-insecure-``; and not a placeholder copied from an example), else ImproperlyConfigured."""
    if (len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-")
            or "change-me" in value.lower() or "changeme" in value.lower()):
        raise ImproperlyConfigured(
            "%s is too weak or a placeholder (generate one with: python -c \"import secrets; "
            "print(secrets.token_urlsafe(64))\")" % name
        )
    return value


def secret(name: str, var_dir: Path | str, *, production: bool, generate: Callable[[], str]) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if production:
        raise ImproperlyConfigured(
            "%s must be set in the environment when DJANGO_ENV=production (it is never generated or read from "
            "a file in production)." % name
        )
    return _from_file(Path(var_dir) / name.lower(), generate)


def _from_file(path: Path, generate: Callable[[], str]) -> str:
    value = _read(path)
    if value is not None:
        return value
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a private temporary file, then linked into place: the link fails if another process (a second
    # test worker, the task worker) got there first, and then its complete file is read instead.
    temp = path.with_name(".%s.%d.%s.tmp" % (path.name, os.getpid(), _random.token_hex(4)))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (generate() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink()
    value = _read(path)
    if value is None:
        raise ImproperlyConfigured("could not create %s" % path)
    return value


def _read(path: Path) -> str | None:
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        return None
    if not value:
        # Never silently replace a key: data sealed under it would become unreadable.
        raise ImproperlyConfigured("%s is empty: restore it, or delete it to generate a new key" % path)
    return value
