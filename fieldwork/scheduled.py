"""Scheduled job: the compliance monitor (``fieldwork.monitor``)."""
from core.scheduled import scheduled_job


@scheduled_job("fieldwork_flags")
def fieldwork_flags():
    from fieldwork.monitor import run

    return run()
