"""Reads on calls and applications: open calls, towns with their needs, the summary table, the return reason."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from calls.choices import ApplicationStatus, CallStatus
from calls.models import Application, Call
from core.models import Transition
from core.scoping import restrict
from needs.selectors import confirmed_needs_for_towns


def open_calls(today=None):
    """Published calls in their application period (public: no scoping)."""
    today = today or timezone.localdate()
    return (Call.objects.filter(status=CallStatus.PUBLISHED, open_date__lte=today, close_date__gte=today)
            .select_related("county", "city", "cycle").order_by("close_date", "pk"))


def public_call(pk: int):
    """A published call by id for the public page (drafts and cancelled calls do not exist publicly)."""
    return Call.objects.filter(status=CallStatus.PUBLISHED).select_related("county", "city", "cycle").get(pk=pk)


def towns_with_needs(call: Call) -> list[dict]:
    """Each town of the call with its confirmed needs, as applicants see them."""
    towns = list(call.towns.select_related("county").order_by("code"))
    needs = {}
    for need in confirmed_needs_for_towns(cycle=call.cycle, towns=towns):
        needs.setdefault(need.town_id, []).append(need)
    return [{"town": town, "needs": needs.get(town.pk, [])} for town in towns]


def last_return_comment(application: Application) -> str:
    row = (Transition.objects.filter(content_type=ContentType.objects.get_for_model(Application),
                                     object_id=str(application.pk), action="return")
           .order_by("-created_at", "-pk").first())
    return row.comment if row else ""


SUMMARY_HEADERS = ["序号", "团队名称", "团队负责人", "牵头派出单位", "团队人数", "第一志愿镇", "全部意向镇（按志愿）",
                   "可提供的服务类型", "负责人账号核验", "申报状态", "提交时间"]


def summary_rows(call: Call, user) -> list[list]:
    """The call's summary table (汇总表): one row per application the user may see, withdrawn and drafts left out."""
    applications = (restrict(Application.objects.filter(call=call), user)
                    .exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
                    .select_related("team", "team__lead_unit")
                    .prefetch_related("towns__town", "team__memberships__commissioner")
                    .order_by("submitted_at", "pk"))
    rows = []
    for index, application in enumerate(applications, start=1):
        team = application.team
        towns = sorted(application.towns.all(), key=lambda row: row.rank)
        members = list(team.memberships.all())
        leader = next((m.commissioner for m in members if m.role == "leader"), None)
        rows.append([
            index, team.name, leader.name if leader else team.leader_name, team.lead_unit.name, len(members),
            towns[0].town.name if towns else "", "、".join(row.town.name for row in towns), team.service_types_display,
            "已核验" if leader and leader.verified_at else "待核验", application.get_status_display(),
            timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M") if application.submitted_at else "",
        ])
    return rows


# An application that is still in play: a reviewer should know the team is also in another call of the cycle.
LIVE_APPLICATION_STATES = (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED, ApplicationStatus.ACCEPTED)


def _elsewhere(team_ref, cycle_ref, pk_ref):
    return (Application.objects.filter(team_id=team_ref, call__cycle_id=cycle_ref, status__in=LIVE_APPLICATION_STATES)
            .exclude(pk=pk_ref))


def with_elsewhere(queryset):
    """Annotate ``applied_elsewhere``: the team holds another live application in a call of the same cycle (one
    EXISTS subquery, no query per row)."""
    from django.db.models import Exists, OuterRef

    return queryset.annotate(applied_elsewhere=Exists(_elsewhere(OuterRef("team_id"), OuterRef("call__cycle_id"),
                                                                 OuterRef("pk"))))


def applications_elsewhere(application: Application) -> list[Application]:
    """The team's other live applications this cycle, with their calls (titles and organizers are public once the
    calls are published; the applications' contents stay with their organizers)."""
    return list(_elsewhere(application.team_id, application.call.cycle_id, application.pk)
                .select_related("call", "call__county", "call__city").order_by("call__open_date", "pk"))
