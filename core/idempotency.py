"""One record per submission: idempotency keys for forms and API creates.

A form page renders a fresh key in a hidden field; :func:`once` claims it inside the saving transaction, so a
second submission with the same key (a double click, a retry on a weak network, two tabs) waits for the first
and then finds it taken — it gets the first result instead of a second record. A failed save rolls the claim
back, so correcting the form and submitting again works.
"""
from __future__ import annotations

import re
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from core.models import IdempotencyKey

FIELD = "idempotency_key"
HEADER = "HTTP_IDEMPOTENCY_KEY"
_VALID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


class AlreadySubmitted(Exception):
    """The key was used before by this user; ``earlier`` is its record."""

    def __init__(self, earlier: IdempotencyKey):
        super().__init__("already submitted")
        self.earlier = earlier


def key_from(request) -> str | None:
    """The key a form or an API client sent, if it is well formed."""
    key = (request.POST.get(FIELD) if request.method == "POST" else None) or request.META.get(HEADER) or ""
    key = key.strip()
    return key if _VALID.match(key) else None


class Claim:
    def __init__(self, row: IdempotencyKey | None):
        self.row = row

    def done(self, obj=None, url: str = "") -> None:
        """Record what the submission made (inside the same transaction)."""
        if self.row is None:
            return
        if obj is not None and getattr(obj, "pk", None) is not None:
            self.row.content_type = ContentType.objects.get_for_model(type(obj))
            self.row.object_id = str(obj.pk)
        self.row.result_url = (url or "")[:300]
        self.row.save(update_fields=["content_type", "object_id", "result_url"])


@contextmanager
def once(user, key: str | None):
    """``with once(user, key) as claim: obj = save(); claim.done(obj, url)`` — raises AlreadySubmitted on reuse.

    Must run inside ``transaction.atomic()`` with the save, so a failed save frees the key.
    """
    if not key or user is None or not user.is_authenticated:
        yield Claim(None)
        return
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(user=user, key=key)
    except IntegrityError:
        raise AlreadySubmitted(IdempotencyKey.objects.get(user=user, key=key)) from None
    yield Claim(row)


def earlier_object(earlier: IdempotencyKey):
    """The record the first submission made, or None."""
    if earlier.content_type_id is None or not earlier.object_id:
        return None
    model = earlier.content_type.model_class()
    return model._default_manager.filter(pk=earlier.object_id).first()
