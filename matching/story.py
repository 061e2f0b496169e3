"""What the pairings tell of a story (履历): proposed, assistance begun, ended, replaced (由…递补) or withdrawn."""
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from core.scoping import restrict
from core.story import StoryEvent, local_date, story_source
from matching.choices import PairingStatus
from matching.models import Pairing


@story_source
def pairings_story(subject, user, kind):
    """Each pairing of the town (or the team) at its milestones: two queries (the pairings, their successors)."""
    if kind not in ("town", "team"):
        return []
    pairings = Pairing.objects.filter(**{kind: subject})
    successors = restrict(Pairing.objects.select_related("team"), user)
    pairings = (restrict(pairings, user).select_related("team", "town", "town__county", "replaces__team")
                .prefetch_related(Prefetch("replaced_by", queryset=successors, to_attr="successors")).order_by())
    events = []
    for pairing in pairings:
        other = pairing.team.name if kind == "town" else pairing.town.full_name
        url = pairing.get_absolute_url()
        proposed = local_date(pairing.proposed_at or pairing.created_at)
        if pairing.replaces_id:
            title = _("递补结对：%(other)s（接替%(old)s）") % {"other": other, "old": pairing.replaces.team.name}
        else:
            title = _("拟结对：%(other)s") % {"other": other}
        figures = {str(_("匹配总分")): round(pairing.score, 1)} if pairing.score is not None else {}
        events.append(StoryEvent(date=proposed, category="pairing", cycle_id=pairing.cycle_id, title=str(title),
                                 url=url, figures=figures,
                                 detail=str(_("当前状态：%(status)s") % {"status": pairing.get_status_display()})))
        if pairing.active_from:
            detail = (_("备案于 %(day)s") % {"day": local_date(pairing.registered_at).isoformat()}
                      if pairing.registered_at else "")
            events.append(StoryEvent(date=pairing.active_from, category="pairing", cycle_id=pairing.cycle_id,
                                     title=str(_("开始帮扶：%(other)s") % {"other": other}), detail=str(detail),
                                     url=url, level="success"))
        end = pairing.ended_on or local_date(pairing.ended_at)
        if pairing.status in (PairingStatus.REPLACED, PairingStatus.WITHDRAWN) and end is None:
            end = local_date(pairing.updated_at)
        if end is None:
            continue
        successor = ", ".join(p.team.name for p in pairing.successors)
        if pairing.status == PairingStatus.REPLACED:
            title = (_("调整更换：%(other)s，由%(new)s递补") % {"other": other, "new": successor} if successor
                     else _("调整更换：%(other)s") % {"other": other})
            level = "warning"
        elif pairing.status == PairingStatus.WITHDRAWN:
            title, level = _("结对已撤销：%(other)s") % {"other": other}, "warning"
        else:
            title, level = _("帮扶结束：%(other)s") % {"other": other}, "secondary"
        events.append(StoryEvent(date=end, category="pairing", cycle_id=pairing.cycle_id, title=str(title),
                                 detail=pairing.end_reason, url=url, level=level))
    return events
