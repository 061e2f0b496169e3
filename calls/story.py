"""What the calls tell of a story (履历): the calls covering a town; a team's applications."""
from django.utils.translation import gettext_lazy as _

from calls.choices import ApplicationStatus, CallStatus
from calls.models import Application, Call
from core.scoping import restrict
from core.story import StoryEvent, local_date, story_source, transition_dates

DECIDED = {"accept": (_("申报已受理（进入遴选）"), "success"), "reject": (_("申报不予受理"), "danger"),
           "return": (_("申报被退回修改"), "warning"), "withdraw": (_("申报已撤回"), "secondary")}


@story_source
def calls_story(subject, user, kind):
    """A town: each published call over it (one query). A team: each application, submitted and decided (two)."""
    if kind == "town":
        calls = restrict(Call.objects.filter(towns=subject), user).exclude(status=CallStatus.DRAFT)
        return [StoryEvent(
            date=call.open_date, category="call", cycle_id=call.cycle_id, url=call.get_absolute_url(),
            title=str(_("发布征集通知：%(title)s") % {"title": call.title}),
            detail=str(_("%(number)s，申报 %(open)s 至 %(close)s%(cancelled)s") % {
                "number": call.doc_number, "open": call.open_date.isoformat(), "close": call.close_date.isoformat(),
                "cancelled": _("（已撤销）") if call.status == CallStatus.CANCELLED else ""}),
            level="secondary" if call.status == CallStatus.CANCELLED else "success")
            for call in calls.order_by()]
    if kind != "team":
        return []
    applications = list(restrict(Application.objects.filter(team=subject), user)
                        .exclude(status=ApplicationStatus.DRAFT).select_related("call").order_by())
    steps = transition_dates(Application, [a.pk for a in applications], actions=list(DECIDED))
    events = []
    for application in applications:
        call = application.call
        if application.submitted_at:
            events.append(StoryEvent(
                date=local_date(application.submitted_at), category="call", cycle_id=call.cycle_id,
                title=str(_("提交申报：%(title)s") % {"title": call.title}), url=application.get_absolute_url(),
                detail=str(_("当前状态：%(status)s") % {"status": application.get_status_display()})))
        done = steps.get(application.pk, {})
        if done:
            action, day = max(done.items(), key=lambda item: item[1])
            label, level = DECIDED[action]
            events.append(StoryEvent(date=day, category="call", cycle_id=call.cycle_id, level=level,
                                     title=str(_("%(what)s：%(title)s") % {"what": label, "title": call.title}),
                                     url=application.get_absolute_url()))
    return events
