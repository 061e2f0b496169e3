"""What the public notices tell of a story (履历): each published notice listing the town's (or the team's) pairing
and its outcome."""
from django.utils.translation import gettext_lazy as _

from core.scoping import restrict
from core.story import StoryEvent, story_source
from notices.choices import EntryOutcome, NoticeStatus
from notices.models import NoticeEntry

LEVELS = {EntryOutcome.CLEARED: "success", EntryOutcome.REMOVED: "danger"}


@story_source
def notices_story(subject, user, kind):
    """One event per published notice entry (a draft is not yet public): one query."""
    if kind == "town":
        entries = NoticeEntry.objects.filter(town=subject)
    elif kind == "team":
        entries = NoticeEntry.objects.filter(pairing__team=subject)
    else:
        return []
    entries = restrict(entries, user).exclude(notice__status=NoticeStatus.DRAFT).select_related("notice").order_by()
    events = []
    for entry in entries:
        notice = entry.notice
        other = entry.team_name if kind == "town" else entry.town_label
        events.append(StoryEvent(
            date=notice.start_date, category="notice", cycle_id=notice.cycle_id, url=notice.get_absolute_url(),
            title=str(_("公示：%(other)s") % {"other": other}),
            detail=str(_("%(title)s，公示期 %(first)s 至 %(last)s，%(outcome)s") % {
                "title": notice.title, "first": notice.first_day.isoformat(), "last": notice.last_day.isoformat(),
                "outcome": entry.get_outcome_display()}),
            level=LEVELS.get(entry.outcome, "secondary")))
    return events
