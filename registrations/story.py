"""What the registrations tell of a story (履历): the pairing sent for registration (备案) and its confirmation."""
from django.utils.translation import gettext_lazy as _

from core.scoping import restrict
from core.story import StoryEvent, story_source
from registrations.choices import SubmissionStatus
from registrations.models import SubmissionItem


@story_source
def registrations_story(subject, user, kind):
    """Per submission holding the town's (or the team's) pairing: sent, then confirmed. One query."""
    if kind not in ("town", "team"):
        return []
    items = (restrict(SubmissionItem.objects.filter(**{"pairing__%s" % kind: subject}), user)
             .exclude(submission__status=SubmissionStatus.DRAFT)
             .select_related("submission", "submission__city", "submission__county", "pairing__team",
                             "pairing__town").order_by())
    events = []
    for item in items:
        submission = item.submission
        other = item.pairing.team.name if kind == "town" else item.pairing.town.name
        url = submission.get_absolute_url()
        values = {"organizer": submission.organizer_name, "recipient": submission.get_recipient_display(),
                  "other": other}
        if submission.sent_on:
            events.append(StoryEvent(
                date=submission.sent_on, category="notice", cycle_id=submission.cycle_id, url=url,
                title=str(_("%(organizer)s报送%(recipient)s备案：%(other)s") % values),
                detail=str(_("报送函 %(number)s") % {"number": submission.doc_number})))
        if submission.status == SubmissionStatus.CONFIRMED and submission.confirmed_on:
            events.append(StoryEvent(
                date=submission.confirmed_on, category="notice", cycle_id=submission.cycle_id, url=url,
                level="success", title=str(_("%(recipient)s确认备案：%(other)s") % values),
                detail=str(_("备案文号 %(number)s") % {"number": submission.reference_number or "—"})))
    return events
