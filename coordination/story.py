"""What coordination tells of a town's or a team's story: the meetings of the town's county mechanism and of the
city's group whose agenda or decisions name it, and the follow-up items whose title or detail name it (category
"coordination"). Read through ``restrict``; two bounded queries whatever the data."""
from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from coordination.models import FollowUp, Meeting
from core.scoping import VIEW, restrict
from core.story import StoryEvent, story_source

LIMIT = 20


def _scope(subject, kind):
    """(the name to look for, the groups' filter): a town in its county's and its city's groups; a team anywhere."""
    if kind == "town":
        county = subject.county
        return subject.name, Q(group__county_id=county.pk) | Q(group__level="city", group__city_id=county.city_id)
    if kind == "team":
        return subject.name, Q()
    return None, None


@story_source
def coordination_events(subject, user, kind):
    name, groups = _scope(subject, kind)
    if not name:
        return []
    events = []
    meetings = (restrict(Meeting.objects.filter(groups).filter(Q(agenda__contains=name) | Q(decisions__contains=name)),
                         user, VIEW).select_related("group").order_by("-date", "-pk")[:LIMIT])
    for meeting in meetings:
        events.append(StoryEvent(date=meeting.date, category="coordination",
                                 title="%s：%s" % (meeting.group.name, meeting.title),
                                 detail=(meeting.decisions or meeting.agenda)[:200], url=meeting.get_absolute_url()))
    items = (restrict(FollowUp.objects.filter(groups).filter(Q(title__contains=name) | Q(detail__contains=name)),
                      user, VIEW).select_related("group").order_by("-created_at", "-pk")[:LIMIT])
    for item in items:
        late = item.is_overdue()
        events.append(StoryEvent(date=timezone.localtime(item.created_at).date(), category="coordination",
                                 title="督办事项：%s（%s）" % (item.title, item.get_status_display()),
                                 detail="%s；完成期限 %s%s" % (item.group.name, item.due_date.isoformat(),
                                                            "，已逾期" if late else ""),
                                 url=item.get_absolute_url(),
                                 level="danger" if late else "success" if item.status == "done" else "secondary"))
    return events
