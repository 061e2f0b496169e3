"""What the needs survey tells of a town's story (履历): its profile per cycle, its needs per cycle as counts."""
from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.scoping import restrict
from core.story import StoryEvent, local_date, story_source
from needs.choices import NeedStatus
from needs.models import Need, TownProfile

# Needs that passed the organizer's confirmation (later states included).
CONFIRMED_OR_LATER = (NeedStatus.CONFIRMED, NeedStatus.MATCHED, NeedStatus.IN_ASSISTANCE, NeedStatus.RESOLVED)


@story_source
def town_needs(subject, user, kind):
    """One event per cycle for the profile (镇域情况已填报) and one for the needs (counted by status in the database):
    two queries whatever the number of needs."""
    if kind != "town":
        return []
    events = []
    profiles = restrict(TownProfile.objects.filter(town=subject), user).values("pk", "cycle_id", "cycle__name",
                                                                               "created_at", "updated_at")
    for row in profiles:
        events.append(StoryEvent(
            date=local_date(row["created_at"]), category="profile", cycle_id=row["cycle_id"],
            title=str(_("镇域发展情况已填报（%(cycle)s）") % {"cycle": row["cycle__name"]}),
            detail=str(_("最近更新 %(day)s") % {"day": local_date(row["updated_at"]).isoformat()}),
            url=reverse("needs:profile_detail", args=[row["pk"]])))
    counts = (restrict(Need.objects.filter(town=subject), user).order_by().values("cycle_id", "cycle__name")
              .annotate(total=Count("pk"), confirmed=Count("pk", filter=Q(status__in=CONFIRMED_OR_LATER)),
                        returned=Count("pk", filter=Q(status=NeedStatus.RETURNED)),
                        resolved=Count("pk", filter=Q(status=NeedStatus.RESOLVED)), latest=Max("created_at")))
    for row in counts:
        query = urlencode({"cycle": row["cycle_id"], "town_name": subject.name})
        figures = {str(_("需求")): row["total"], str(_("已确认")): row["confirmed"]}
        if row["resolved"]:
            figures[str(_("已解决"))] = row["resolved"]
        if row["returned"]:
            figures[str(_("已退回"))] = row["returned"]
        events.append(StoryEvent(
            date=local_date(row["latest"]), category="need", cycle_id=row["cycle_id"],
            title=str(_("摸底需求 %(total)d 条：已确认 %(confirmed)d 条") % {"total": row["total"],
                                                                       "confirmed": row["confirmed"]}),
            detail=str(_("%(cycle)s需求库") % {"cycle": row["cycle__name"]}),
            url="%s?%s" % (reverse("needs:need_list"), query), figures=figures))
    return events
