"""Scheduled job: close public notices whose period has ended."""
from core.scheduled import scheduled_job


@scheduled_job("close_due_notices")
def close_due_notices():
    from notices.services import notices_close_due

    return notices_close_due()
