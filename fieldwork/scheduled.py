"""Scheduled job: the compliance monitor (``fieldwork.monitor``)."""
from datetime import timedelta

from core.scheduled import scheduled_job


# Once an hour whatever the number of machines whose timers call run_scheduled (its set-based queries read every
# working pairing of the open cycles: no need to repeat them every few minutes).
@scheduled_job("fieldwork_flags", every=timedelta(hours=1))
def fieldwork_flags():
    from fieldwork.monitor import run

    return run()
