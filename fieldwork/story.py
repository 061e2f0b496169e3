"""What the field work tells of a story (履历), aggregated so a page costs the same whatever the records: service
activities per month, confirmed stays per quarter, each compliance flag opened and closed, tasks completed per quarter.

Stays are counted per quarter by the quarter their stay *starts* in, with all their days (a stay over a quarter's end
counts in the quarter it began); days are summed as recorded (人天 of each stay), not de-duplicated per person and day
as the team's days page does (``fieldwork.selectors.stationed_days``): the time line tells what was logged and
confirmed, the days page the figure that counts toward the requirement.
"""
from urllib.parse import urlencode

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.scoping import restrict
from core.story import StoryEvent, local_date, month_bounds, quarter_bounds, quarter_of, story_source
from fieldwork.choices import FlagKind, FlagStatus, RecordStatus, TaskStatus
from fieldwork.models import Activity, Flag, Stay, Task

SERIOUS_FLAGS = (FlagKind.NONCOOPERATION, FlagKind.PACE)


def _records(model, subject, user, kind):
    field = "home_town" if kind == "town" else "team"
    return restrict(model.objects.filter(**{field: subject}), user).order_by()


def _list_url(name, team_id, start, end):
    query = urlencode({"team": team_id, "date_from": start.isoformat(), "date_to": end.isoformat()})
    return "%s?%s" % (reverse(name), query)


@story_source
def fieldwork_story(subject, user, kind):
    """Four queries: activities by month, stays by quarter, flags, tasks done by quarter."""
    if kind not in ("town", "team"):
        return []
    return (_activities(subject, user, kind) + _stays(subject, user, kind) + _flags(subject, user, kind)
            + _tasks(subject, user, kind))


def _activities(subject, user, kind):
    rows = (_records(Activity, subject, user, kind).exclude(status=RecordStatus.WITHDRAWN)
            .annotate(month=TruncMonth("date")).values("month", "cycle_id", "team_id", "team__name")
            .annotate(n=Count("pk"), cross=Count("pk", filter=Q(cross_town=True)),
                      confirmed=Count("pk", filter=Q(status=RecordStatus.CONFIRMED)),
                      trained=Sum("people_trained"), households=Sum("households_served"), last=Max("date")))
    events = []
    for row in rows:
        month = local_date(row["month"])
        values = {"year": month.year, "month": month.month, "n": row["n"]}
        title = _("%(year)d年%(month)d月 服务活动 %(n)d 次") % values
        if row["cross"]:
            title = _("%(title)s（跨镇 %(cross)d 次）") % {"title": title, "cross": row["cross"]}
        detail = _("已确认 %(confirmed)d 次，培训群众 %(trained)d 人次，服务农户 %(households)d 户") % {
            "confirmed": row["confirmed"], "trained": row["trained"] or 0, "households": row["households"] or 0}
        if kind == "town":
            detail = "%s · %s" % (row["team__name"], detail)
        start, end = month_bounds(month)
        url = _list_url("fieldwork:activity_list", row["team_id"], start, end)
        events.append(StoryEvent(date=row["last"], category="activity", cycle_id=row["cycle_id"], title=str(title),
                                 detail=str(detail), url=url,
                                 figures={str(_("活动")): row["n"]}))
    return events


def _stays(subject, user, kind):
    days = F("last_day") - F("first_day") + 1
    rows = (_records(Stay, subject, user, kind).filter(status=RecordStatus.CONFIRMED)
            .annotate(quarter=TruncQuarter("start_date")).values("quarter", "cycle_id", "team_id", "team__name")
            .annotate(n=Count("pk"), people=Count("commissioner", distinct=True), days=Sum(days),
                      cross_days=Sum(days, filter=Q(cross_town=True)), last=Max("start_date")))
    events = []
    for row in rows:
        quarter = local_date(row["quarter"])
        title = _("%(year)d年第%(q)d季度 驻镇 %(days)d 人天（已确认）") % {
            "year": quarter.year, "q": quarter_of(quarter), "days": row["days"] or 0}
        detail = _("%(n)d 条驻镇记录，%(people)d 名成员") % {"n": row["n"], "people": row["people"]}
        if row["cross_days"]:
            detail = _("%(detail)s，其中跨镇 %(cross)d 人天") % {"detail": detail, "cross": row["cross_days"]}
        if kind == "town":
            detail = "%s · %s" % (row["team__name"], detail)
        start, end = quarter_bounds(quarter)
        events.append(StoryEvent(date=min(end, row["last"]) if row["last"] else end, category="stay",
                                 cycle_id=row["cycle_id"], title=str(title), detail=str(detail),
                                 url=_list_url("fieldwork:stay_list", row["team_id"], start, end),
                                 figures={str(_("人天")): row["days"] or 0}))
    return events


def _flags(subject, user, kind):
    events = []
    for flag in _records(Flag, subject, user, kind).select_related("team", "home_town"):
        other = flag.team.name if kind == "town" else flag.home_town.name
        url = flag.get_absolute_url()
        if flag.opened_at:
            events.append(StoryEvent(
                date=local_date(flag.opened_at), category="flag", cycle_id=flag.cycle_id, url=url,
                level="danger" if flag.kind in SERIOUS_FLAGS else "warning",
                title=str(_("履职预警：%(kind)s") % {"kind": flag.get_kind_display()}),
                detail="%s · %s" % (other, flag.detail)))
        if flag.status == FlagStatus.CLOSED and flag.closed_at:
            events.append(StoryEvent(
                date=local_date(flag.closed_at), category="flag", cycle_id=flag.cycle_id, url=url, level="success",
                title=str(_("预警解除：%(kind)s") % {"kind": flag.get_kind_display()}), detail=other))
    return events


def _tasks(subject, user, kind):
    rows = (_records(Task, subject, user, kind).filter(status=TaskStatus.DONE).exclude(done_at=None)
            .annotate(quarter=TruncQuarter("done_at")).values("quarter", "cycle_id", "team_id", "team__name")
            .annotate(n=Count("pk"), last=Max("done_at")))
    events = []
    for row in rows:
        quarter = local_date(row["quarter"])
        title = _("%(year)d年第%(q)d季度 完成工作任务 %(n)d 项") % {
            "year": quarter.year, "q": quarter_of(quarter), "n": row["n"]}
        query = urlencode({"team": row["team_id"], "status": TaskStatus.DONE})
        events.append(StoryEvent(date=local_date(row["last"]), category="activity", cycle_id=row["cycle_id"],
                                 title=str(title), detail=row["team__name"] if kind == "town" else "",
                                 url="%s?%s" % (reverse("fieldwork:task_list"), query), level="success",
                                 figures={str(_("任务")): row["n"]}))
    return events
