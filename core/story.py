"""A town's and a team's story (履历): every app tells what it knows of a town or a team as dated events.

Each app may keep a ``<app>/story.py`` with functions decorated ``@story_source``; a source takes
``(subject, user, kind)`` — ``kind`` is ``"town"`` (``subject`` a ``regions.Town``) or ``"team"`` (a
``teams.Team``) — and returns :class:`StoryEvent` items. A source reads only through
``core.scoping.restrict(..., user, "view")`` (an event the user may not see is never told), in a bounded number of
queries whatever the data (aggregate many small records — a month's activities, a year's stays — into one event).
The portal's story pages gather them (``events_for``) and show them on one time line, newest first, by cycle.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules

SOURCES: list = []
_loaded = False

# What an event is about: the time line's filter chips, in the programme's order.
CATEGORIES = {
    "profile": "镇域情况", "need": "需求", "call": "征集", "pairing": "结对", "notice": "公示备案",
    "agreement": "帮扶协议", "project": "帮扶项目", "review": "论证资助", "activity": "服务活动",
    "stay": "驻镇时间", "flag": "履职预警", "case": "调整更换", "member": "成员变动",
    "evaluation": "考评奖励", "training": "培训交流", "coordination": "协调指导",
}


@dataclass
class StoryEvent:
    """One dated line of the time line."""

    date: dt.date
    category: str  # a key of CATEGORIES
    title: str
    detail: str = ""
    url: str = ""
    cycle_id: int | None = None
    level: str = "secondary"  # secondary / success / warning / danger (the dot's colour)
    figures: dict = field(default_factory=dict)  # small labelled numbers shown beside the line


def story_source(function):
    SOURCES.append(function)
    return function


def events_for(subject, user, kind: str) -> list[StoryEvent]:
    """Every source's events for ``subject`` (a town or a team) as ``user`` may see them, newest first."""
    global _loaded
    if not _loaded:
        autodiscover_modules("story")
        _loaded = True
    events: list[StoryEvent] = []
    for source in SOURCES:
        events.extend(source(subject, user, kind) or ())
    events.sort(key=lambda event: (event.date, CATEGORY_ORDER.get(event.category, 99)), reverse=True)
    return events


CATEGORY_ORDER = {key: index for index, key in enumerate(CATEGORIES)}


# ------------------------------------------------------------------------------------------ helpers for the sources
def local_date(value) -> dt.date | None:
    """The calendar day of a date or a (time-zone aware) datetime, in the site's time zone."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of ``day``'s quarter."""
    first_month = (quarter_of(day) - 1) * 3 + 1
    start = dt.date(day.year, first_month, 1)
    following = dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    return start, following - dt.timedelta(days=1)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of ``day``'s month."""
    start = day.replace(day=1)
    following = dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)
    return start, following - dt.timedelta(days=1)


def transition_dates(model, ids, actions=None) -> dict:
    """``{pk: {action: day of its latest step}}`` for the rows ``ids`` of ``model``, from the workflow's
    :class:`core.models.Transition` records, in one query whatever the number of rows."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import Transition

    ids = [str(pk) for pk in ids]
    if not ids:
        return {}
    rows = Transition.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    if actions:
        rows = rows.filter(action__in=actions)
    result: dict = {}
    for object_id, action, created_at in rows.order_by("created_at").values_list("object_id", "action", "created_at"):
        result.setdefault(int(object_id), {})[action] = local_date(created_at)
    return result


def money(value) -> str:
    """An amount in yuan as shown on a time line: 80,000.00."""
    return "{:,.2f}".format(value) if value is not None else "—"
