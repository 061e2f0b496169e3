"""The demo's clock: run the services as on the day a step was taken.

The first cycle happened in 2021–2024. Some services take a clock (``today=``, ``now=``) but many read
``django.utils.timezone.now()`` themselves (a call's ``is_open``, ``application_start``, the date a workflow step
stamps, a transition's and a history row's time, a notification's time). Rather than rewrite every date afterwards
with queryset updates, the demo sets the clock while it takes the step: inside ``on(moment)`` the module function
``django.utils.timezone.now`` (which ``localdate`` and ``auto_now`` use too) returns that moment plus the time elapsed
since. Only the demo loader uses it, in its own process (``manage.py load_demo``) or test, and restores it on exit.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def moment(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@contextmanager
def on(day: dt.date | dt.datetime, hour: int = 10):
    """Take the steps inside as on ``day`` (at ``hour`` o'clock, Beijing time)."""
    when = day if isinstance(day, dt.datetime) else moment(day, hour)
    real_now = timezone.now
    started = real_now()
    timezone.now = lambda: when + (real_now() - started)
    try:
        yield when
    finally:
        timezone.now = real_now
