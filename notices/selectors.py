"""Reads of public notices: the state a page shows, computed from the dates. Reading never writes.

A notice's stored ``status`` changes only through the services: the scheduled job ``close_due_notices``
(``notices.scheduled``, run by ``manage.py run_scheduled``) closes the notices whose period has ended, and
handling the last open objection closes a notice past its period. Between the end of the period and the job's
next run every page, template and API shows the *effective* state, the one ``services.notice_refresh`` would
record: past its end a notice reads as closed ("公示期已结束", no more objections) or, while an objection is still
open, as awaiting the findings; the pending entries of a notice that reads as closed read as "公示无异议".
"""
from __future__ import annotations

from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.utils import timezone

from notices.choices import OPEN_OBJECTION_STATES, EntryOutcome, NoticeStatus

# The annotation ``with_effective_state`` adds; ``effective_status`` uses it instead of a query per notice.
OPEN_OBJECTIONS = "open_objections_exist"


def _open_objections():
    from notices.models import Objection

    return Exists(Objection.objects.filter(notice=OuterRef("pk"), status__in=OPEN_OBJECTION_STATES))


def effective_status_expression(now=None):
    """The effective status as a database expression, to filter and sort lists by it."""
    now = now or timezone.now()
    return Case(
        When(status=NoticeStatus.CLOSED, then=Value(NoticeStatus.CLOSED.value)),
        When(status=NoticeStatus.DRAFT, then=Value(NoticeStatus.DRAFT.value)),
        When(ends_at__gte=now, then=F("status")),
        When(_open_objections(), then=Value(NoticeStatus.AWAITING.value)),
        default=Value(NoticeStatus.CLOSED.value),
    )


def with_effective_state(queryset, now=None):
    """Notices annotated for :func:`effective_status` (no query per notice) and with ``current_status``."""
    return queryset.annotate(**{OPEN_OBJECTIONS: _open_objections()},
                             current_status=effective_status_expression(now))


def has_open_objections(notice) -> bool:
    known = getattr(notice, OPEN_OBJECTIONS, None)
    if known is not None:
        return bool(known)
    return notice.objections.filter(status__in=OPEN_OBJECTION_STATES).exists()


def effective_status(notice, now=None) -> str:
    """The notice's status now: what ``services.notice_refresh(notice, now=now)`` would record, without writing."""
    if notice.status in (NoticeStatus.CLOSED, NoticeStatus.DRAFT):
        return NoticeStatus(notice.status)
    now = now or timezone.now()
    if now <= notice.ends_at:
        return NoticeStatus(notice.status)
    return NoticeStatus.AWAITING if has_open_objections(notice) else NoticeStatus.CLOSED


def open_for_objections(notice, now=None) -> bool:
    """The public may still object: the notice is published and its period has not ended."""
    now = now or timezone.now()
    return notice.status == NoticeStatus.PUBLISHED and now <= notice.ends_at


def entry_outcome(entry, status: str) -> str:
    """An entry's outcome as shown on a notice whose effective status is ``status``."""
    if status == NoticeStatus.CLOSED and entry.outcome == EntryOutcome.PENDING:
        return EntryOutcome.CLEARED
    return EntryOutcome(entry.outcome)


def entries_as_shown(notice, status: str | None = None, now=None) -> list:
    """The notice's entries in order, each with ``shown_outcome`` and ``shown_outcome_display`` set."""
    status = status or effective_status(notice, now)
    entries = list(notice.entries.select_related("pairing", "town").order_by("pk"))
    for entry in entries:
        outcome = entry_outcome(entry, status)
        entry.shown_outcome, entry.shown_outcome_display = outcome.value, outcome.label
    return entries


def pairing_cleared_by_period(now):
    """Condition on pairings: listed (still pending) on a published notice whose period has ended with no open
    objection — the notice reads as closed, so the pairing reads as 公示无异议 until the job records it."""
    from django.db.models import Exists, OuterRef

    from notices.models import NoticeEntry, Objection

    open_objection = Objection.objects.filter(notice=OuterRef("notice"), status__in=OPEN_OBJECTION_STATES)
    return Exists(NoticeEntry.objects.filter(pairing=OuterRef("pk"), outcome=EntryOutcome.PENDING,
                                             notice__status=NoticeStatus.PUBLISHED, notice__ends_at__lt=now)
                  .filter(~Exists(open_objection)))
