"""Pages of the stays (驻镇时间) and the day count: the stay list (bulk confirm for the town's work team), the stay
form on a phone, a stay with its steps, the day-count table of the teams one can see, and a team's page (confirmed
days against the requirement, the pace, each member's share, the calendar heat map, open flags and tasks, the latest
confirmed activities).

Every read goes through ``core.scoping.restrict``/``get_for_user`` (out of scope is 404); every write through
``fieldwork.services``. The day count is ``selectors.stationed_days``: one query for all the teams of a page.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from core.forms import error_text
from core.generic import (PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView,
                          read_only_reason)
from core.roles import OFFICIAL_ROLES, TEAM_ROLES, Role, is_system_admin
from core.scoping import CHANGE, VIEW, get_for_user, restrict
from cycles.selectors import current_cycle
from fieldwork import selectors, services
from fieldwork.choices import PACE_GRACE_DAYS, PACE_TOLERANCE, STAY_WORKFLOW, FlagStatus, RecordStatus
from fieldwork.filters_stays import DaysFilter, StayFilter
from fieldwork.forms_stays import StayForm
from fieldwork.models import Activity, Flag, Stay, Task
from fieldwork.tables_stays import DaysTable, StayTable, status_badge
from matching.choices import PairingStatus
from matching.models import Pairing
from projects.selectors import registered_on
from teams.models import Commissioner, TeamMembership

# Who reads stays and day counts: the officials along the tree, the town's work team, the team and its unit.
VIEWERS = frozenset(OFFICIAL_ROLES | TEAM_ROLES | {Role.TOWN, Role.UNIT})
TOWN_ROLES = frozenset({Role.TOWN})
LIST_TITLE = "驻镇记录"
DAYS_TITLE = "驻镇天数统计"
# The pairings whose stays count: working now, or ended (a past cycle's teams).
COUNTED_PAIRING_STATES = (PairingStatus.REGISTERED, PairingStatus.ACTIVE, PairingStatus.ENDED)
EDITABLE = (RecordStatus.SUBMITTED, RecordStatus.QUERIED)
WEEKDAY_LABELS = ("一", "", "三", "", "五", "", "日")


def _day(value) -> str:
    return formats.date_format(value, "Y-m-d") if value else ""


def _moment(value) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def _person(user) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _pending_counts(queryset) -> dict:
    """待确认 and 被询问 of some stays, in one query."""
    return queryset.aggregate(submitted=Count("pk", filter=Q(status=RecordStatus.SUBMITTED)),
                              queried=Count("pk", filter=Q(status=RecordStatus.QUERIED)))


def _may_edit_person(user, stay) -> bool:
    """A member changes their own stays; the leader any member's (services.stay_save says the same)."""
    return user.role != Role.TEAM_MEMBER or stay.commissioner.user_id == user.pk


def _back(request, fallback: str) -> str:
    target = request.META.get("HTTP_REFERER") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


# ------------------------------------------------------------------------------------------------ list
class StayListView(ScopedListView):
    model = Stay
    table_class = StayTable
    filterset_class = StayFilter
    template_name = "fieldwork/stay_list.html"
    title = LIST_TITLE
    roles = VIEWERS
    search_fields = ["commissioner__name", "team__name", "place", "purpose"]
    search_placeholder = "成员、团队、地点或事由"
    export_filename = "驻镇记录"
    card_title_column = "member"
    empty_text = "暂无驻镇记录。团队成员到镇驻点后填报驻镇时间（起止日期、地点、事由），由所在镇驻镇工作队确认。"

    def base_queryset(self):
        return Stay.objects.select_related("commissioner", "team", "town__county").order_by("-start_date", "-pk")

    def is_town(self) -> bool:
        return self.request.user.role == Role.TOWN

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if self.is_town():
            kwargs["confirm_town_id"] = self.request.user.town_id
        else:  # only the town's work team ticks stays to confirm them at once
            kwargs["exclude"] = list(kwargs.get("exclude", [])) + ["select"]
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_log"] = user.role in TEAM_ROLES or is_system_admin(user)  # the "填报驻镇时间" button
        context["can_bulk"] = self.is_town() and bool(user.town_id)
        context["days_url"] = reverse("fieldwork:days_list")
        pending = None
        pairing = None
        if user.role in TEAM_ROLES and user.team_id:
            pending = _pending_counts(restrict(Stay.objects.filter(team_id=user.team_id), user, VIEW))
            context["pending_label"] = "本团队"
            pairing = selectors.working_pairing_of_team(user.team_id)
        elif self.is_town() and user.town_id:
            pending = _pending_counts(restrict(Stay.objects.filter(town_id=user.town_id), user, VIEW))
            context["pending_label"] = "本镇"
            pairing = selectors.working_pairing_of_town(user.town_id)
        if pairing is not None:
            context["team_days_url"] = reverse("fieldwork:team_days", args=[pairing.team_id])
        context["pending"] = pending
        return context


class StayBulkConfirmView(PageMixin, View):
    """The town's work team confirms the ticked stays (each its own checked step; one already handled is skipped)."""

    roles = TOWN_ROLES

    def post(self, request):
        back = _back(request, reverse("fieldwork:stay_list"))
        ids = [value for value in request.POST.getlist("ids") if value.isdigit() and len(value) <= 18]
        if not ids:
            messages.error(request, "请先勾选要确认的驻镇记录。")
            return redirect(back)
        try:
            confirmed, problems = services.bulk_confirm(actor=request.user, model=Stay, ids=ids)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, error_text(error))
            return redirect(back)
        if confirmed:
            messages.success(request, "已确认 %d 条驻镇记录。" % confirmed)
        if problems:
            messages.warning(request, "未确认 %d 条：%s" % (len(problems), "；".join(problems[:10])))
        return redirect(back)


# ------------------------------------------------------------------------------------------------ form
class _StayFormMixin:
    template_name = "fieldwork/stay_form.html"
    roles = TEAM_ROLES

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["pairing"] = self.pairing
        return kwargs

    def recent_stays(self, exclude=None):
        stays = restrict(Stay.objects.filter(team_id=self.pairing.team_id), self.request.user, VIEW)
        if exclude is not None:
            stays = stays.exclude(pk=exclude.pk)
        return list(stays.exclude(status=RecordStatus.WITHDRAWN).select_related("commissioner", "town")
                    .order_by("-start_date", "-pk")[:6])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pairing"] = self.pairing
        return context


class StayCreateView(_StayFormMixin, ScopedFormView):
    """A member records their stay (the leader any member's) against the team's working pairing."""

    form_class = StayForm
    title = "填报驻镇时间"
    submit_label = "提交"
    success_message = "驻镇记录已提交，待所在镇驻镇工作队确认。"

    def get_breadcrumbs(self):
        return [(LIST_TITLE, reverse("fieldwork:stay_list")), (self.get_title(), None)]

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and (is_system_admin(user) or user.role in self.roles):
            self.pairing = selectors.working_pairing_of_team(user.team_id)
            if self.pairing is None:
                return render(request, self.template_name, {
                    "title": self.get_title(), "breadcrumbs": self.get_breadcrumbs(), "form": None,
                    "form_notice": "本团队当前没有已备案或帮扶中的结对，暂不能填报驻镇时间。结对备案后即可填报。"})
            reason = read_only_reason(Stay(cycle=self.pairing.cycle))
            if reason:
                return render(request, self.template_name, {
                    "title": self.get_title(), "breadcrumbs": self.get_breadcrumbs(), "form": None,
                    "form_notice": reason})
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        pairing = self.pairing
        context["recent"] = self.recent_stays()
        if self.request.user.role == Role.TEAM_MEMBER and form.own_person is None:
            context["form_notice"] = "您的账号尚未关联团队成员档案，不能填报本人的驻镇时间，请联系团队负责人。"
            context["form_blocked"] = True
        else:
            context["form_notice"] = "%s · 结对镇：%s · 帮扶周期 %s 至 %s。提交后由所在镇驻镇工作队确认，确认后计入驻镇天数。" % (
                pairing.team.name, pairing.town.full_name, _day(pairing.cycle.start_date), _day(pairing.cycle.end_date))
        return context

    def save(self, form):
        return services.stay_save(actor=self.request.user, values=form.cleaned_data)


class StayEditView(_StayFormMixin, ScopedFormView):
    """The team changes a stay still awaiting confirmation, or a queried one (saving sends it back to the town)."""

    model = Stay
    form_class = StayForm
    title = "修改驻镇记录"
    submit_label = "保存"

    def get_instance(self):
        if not hasattr(self, "_instance"):
            self._instance = get_for_user(
                Stay.objects.select_related("pairing__cycle", "pairing__town__county", "pairing__team", "commissioner",
                                            "town"), self.request.user, CHANGE, pk=self.kwargs["pk"])
        return self._instance

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and (is_system_admin(user) or user.role in self.roles):
            stay = self.get_instance()
            self.pairing = stay.pairing
            reason = None
            if stay.status not in EDITABLE:
                reason = "该驻镇记录当前为“%s”，不能再修改。" % stay.get_status_display()
            elif not _may_edit_person(user, stay):
                reason = "团队成员只能修改本人的驻镇记录；负责人可修改全队成员的记录。"
            reason = reason or read_only_reason(stay)
            if reason:
                messages.error(request, reason)
                return redirect(stay.get_absolute_url())
            self.was_queried = stay.status == RecordStatus.QUERIED
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        stay = self.get_instance()
        return [(LIST_TITLE, reverse("fieldwork:stay_list")), (str(stay), stay.get_absolute_url()),
                (self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stay = self.get_instance()
        context["recent"] = self.recent_stays(exclude=stay)
        if stay.status == RecordStatus.QUERIED:
            context["form_notice"] = "驻镇工作队的询问意见：%s。修改后保存即重新提交确认。" % (stay.query_reason or "（未填写）")
        return context

    def get_success_message(self):
        return "已修改并重新提交确认。" if getattr(self, "was_queried", False) else "驻镇记录已保存。"

    def save(self, form):
        return services.stay_save(actor=self.request.user, values=form.cleaned_data, stay=self.get_instance())


# ------------------------------------------------------------------------------------------------ detail and steps
class StayDetailView(ScopedDetailView):
    model = Stay
    template_name = "fieldwork/stay_detail.html"
    workflow = STAY_WORKFLOW
    action_url_name = "fieldwork:stay_action"
    list_url_name = "fieldwork:stay_list"
    list_title = LIST_TITLE
    roles = VIEWERS

    def base_queryset(self):
        return Stay.objects.select_related("commissioner", "team", "town__county", "home_town__county", "cycle",
                                           "created_by", "confirmed_by")

    def field_rows(self):
        stay = self.object
        town = stay.town.full_name
        if stay.cross_town:
            town = format_html('{} <span class="badge text-bg-info" data-testid="cross-town">跨镇帮扶</span>', town)
        rows = [
            ("驻镇成员", stay.commissioner.name),
            ("团队", format_html('<a href="{}">{}</a>', reverse("fieldwork:team_days", args=[stay.team_id]),
                               stay.team.name)),
            ("结对镇", stay.home_town.full_name),
            ("驻点所在镇", town),
            ("驻镇日期", "%s 至 %s（%d天）" % (_day(stay.start_date), _day(stay.end_date), stay.days)),
            ("驻点地点", stay.place),
            ("驻镇事由", stay.purpose),
            ("状态", status_badge(stay)),
            ("帮扶周期", stay.cycle.name),
            ("填报人", _person(stay.created_by)),
            ("填报时间", _moment(stay.created_at)),
        ]
        if stay.confirmed_at:
            rows.append(("确认", "%s %s" % (_person(stay.confirmed_by), _moment(stay.confirmed_at))))
        if stay.query_reason:
            rows.append(("询问意见", "%s（%s）" % (stay.query_reason, _moment(stay.queried_at))))
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stay, user = self.object, self.request.user
        is_team = is_system_admin(user) or (user.role in TEAM_ROLES and user.team_id == stay.team_id)
        context["may_edit"] = (is_team and _may_edit_person(user, stay) and stay.status in EDITABLE
                               and not context["read_only_reason"])
        context["team_days_url"] = reverse("fieldwork:team_days", args=[stay.team_id])
        return context


class StayActionView(WorkflowActionView):
    """Confirm or query (the work team of the town where the stay was), resubmit or withdraw (the team)."""

    model = Stay
    workflow = STAY_WORKFLOW

    def apply(self, obj, action, comment):
        if action not in self.workflow:
            raise ValidationError("未知操作。")
        services.record_act(actor=self.request.user, record=obj, action=action, comment=comment)


# ------------------------------------------------------------------------------------------------ the day count
@dataclass
class RowFigures:
    own: int
    cross: int
    counted: int
    required: int
    percent: int
    behind: bool
    expected_now: int


def _figures(cycle, team_days, since, today) -> tuple[RowFigures, selectors.Pace]:
    team_days = team_days or selectors.TeamDays()
    pace = selectors.pace(cycle, team_days, today, since)
    return RowFigures(own=team_days.own, cross=team_days.cross, counted=pace.counted, required=pace.required,
                      percent=pace.percent, behind=pace.behind, expected_now=pace.expected_now), pace


def _members_count():
    return Coalesce(Subquery(TeamMembership.objects.filter(team_id=OuterRef("team_id")).order_by()
                             .values("team_id").annotate(n=Count("pk")).values("n")[:1]),
                    Value(0), output_field=IntegerField())


class DaysListView(ScopedListView):
    """驻镇天数统计: a row per team (its pairing) the user can see in a cycle — confirmed days in the paired town, in
    other towns, counted against the requirement, and whether the team is behind its pace."""

    model = Pairing
    table_class = DaysTable
    filterset_class = DaysFilter
    template_name = "fieldwork/days_list.html"
    title = DAYS_TITLE
    roles = VIEWERS
    search_fields = ["team__name", "town__name"]
    search_placeholder = "团队或镇名称"
    export_filename = "驻镇天数统计"
    card_title_column = "team"
    empty_text = "本周期暂无已备案的结对团队。"

    def base_queryset(self):
        return (Pairing.objects.select_related("team", "town__county", "cycle").annotate(members=_members_count())
                .order_by("town__code", "pk"))

    def get_queryset(self):
        self.cycle = current_cycle(self.request)
        if self.cycle is None:
            return Pairing.objects.none()
        return super().get_queryset().filter(cycle=self.cycle, status__in=COUNTED_PAIRING_STATES)

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        # The rows shown (the page, or every row for the export): their figures from one day-count query.
        pairings = [row.record for row in table.paginated_rows]
        if pairings:
            days = selectors.stationed_days(self.cycle, pairing_ids=[p.pk for p in pairings], by="pairing")
            today = timezone.localdate()
            table.figures = {p.pk: _figures(self.cycle, days.get(p.pk), registered_on(p), today)[0]
                             for p in pairings}
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"cycle": self.cycle, "grace_days": PACE_GRACE_DAYS,
                        "tolerance_percent": round(PACE_TOLERANCE * 100)})
        return context


# ------------------------------------------------------------------------------------------------ a team's page
def _heat_cells(weeks, today) -> str:
    """One year of the heat map as grid cells, week by week (Monday first): the month labels' row on top."""
    parts = []
    for week in weeks:
        label = ""
        for cell in week:
            if cell is not None and cell["date"].day == 1:
                label = "%d月" % cell["date"].month
        parts.append(format_html('<span class="kj-heat-month">{}</span>', label))
        for cell in week:
            if cell is None:
                parts.append('<span class="kj-heat-pad"></span>')
            elif cell["date"] > today:
                parts.append(format_html('<span class="kj-heat-future" title="{}：未到"></span>',
                                         cell["date"].isoformat()))
            else:
                parts.append(format_html('<span class="kj-h{}" title="{}：{}人"></span>', cell["level"],
                                         cell["date"].isoformat(), cell["n"]))
    weekdays = format_html_join("", '<span class="kj-heat-weekday">{}</span>', ((label,) for label in WEEKDAY_LABELS))
    # Every piece is a constant or built by format_html (its values escaped).
    return mark_safe('<span class="kj-heat-month"></span>' + weekdays + "".join(parts))


def _months(weeks) -> list[dict]:
    """Per month of a year: the days someone was stationed and the person-days (the heat map's text summary)."""
    months: dict = {}
    for week in weeks:
        for cell in week:
            if cell is None:
                continue
            month = months.setdefault(cell["date"].month, {"month": cell["date"].month, "days": 0, "person_days": 0,
                                                            "most": 0})
            if cell["n"]:
                month["days"] += 1
                month["person_days"] += cell["n"]
                month["most"] = max(month["most"], cell["n"])
    return [months[key] for key in sorted(months)]


class TeamDaysView(PageMixin, TemplateView):
    """A team's fieldwork page: confirmed days against the requirement, the pace, each member's share, the calendar
    heat map, its open flags and tasks and its latest confirmed activities. Read by whoever reads its pairing: the
    team, its unit, its town's work team and the officials over that town (404 for anyone else)."""

    template_name = "fieldwork/team_days.html"
    roles = VIEWERS
    activities_shown = 8

    def get_pairing(self):
        if self.kwargs["team_pk"] > 2 ** 63 - 1:  # no such team (and SQLite cannot bind the number)
            raise Http404
        pairings = restrict(Pairing.objects.filter(team_id=self.kwargs["team_pk"], status__in=COUNTED_PAIRING_STATES),
                            self.request.user, VIEW).select_related("cycle", "team__lead_unit", "town__county")
        cycle_id = self.request.GET.get("cycle") or ""
        if cycle_id.isdigit() and len(cycle_id) < 19:
            pairings = pairings.filter(cycle_id=cycle_id)
        pairing = pairings.order_by("-cycle__start_date", "-pk").first()
        if pairing is None:
            raise Http404
        return pairing

    def get_title(self):
        return "%s · 驻镇服务" % self.pairing.team.name

    def get_breadcrumbs(self):
        return [(DAYS_TITLE, reverse("fieldwork:days_list")), (self.get_title(), None)]

    def get(self, request, *args, **kwargs):
        self.pairing = self.get_pairing()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, pairing = self.request.user, self.pairing
        cycle, team = pairing.cycle, pairing.team
        today = timezone.localdate()
        team_days = (selectors.stationed_days(cycle, pairing_ids=[pairing.pk], by="pairing").get(pairing.pk)
                     or selectors.TeamDays())
        figures, pace = _figures(cycle, team_days, registered_on(pairing), today)
        stays = restrict(Stay.objects.filter(pairing=pairing), user, VIEW)
        context.update({
            "pairing": pairing, "cycle": cycle, "team": team, "today": today,
            "figures": figures, "pace": pace, "team_days": team_days,
            "progress_width": min(100, pace.percent),
            "members": self.member_rows(team, cycle, team_days),
            "pending": _pending_counts(stays),
            "stays_url": "%s?team=%d" % (reverse("fieldwork:stay_list"), team.pk),
            "years": self.heat_years(cycle, team.pk, today),
            "flags": list(restrict(Flag.objects.filter(pairing=pairing, status=FlagStatus.OPEN), user,
                                   VIEW).order_by("-opened_at", "pk")[:20]),
            "tasks": self.open_tasks(pairing, user, today),
            "activities": list(restrict(Activity.objects.filter(pairing=pairing,
                                                                status=RecordStatus.CONFIRMED), user, VIEW)
                               .select_related("town").order_by("-date", "-pk")[:self.activities_shown]),
            "activities_url": "%s?team=%d&status=confirmed" % (reverse("fieldwork:activity_list"), team.pk),
            "is_team": user.role in TEAM_ROLES and user.team_id == team.pk,
        })
        return context

    def member_rows(self, team, cycle, team_days) -> list[dict]:
        """Each member (the leader first) with own, cross-town and total days and their share of the team's counted
        days; anyone with confirmed days who has left the team after them."""
        memberships = list(TeamMembership.objects.filter(team_id=team.pk).select_related("commissioner")
                           .order_by("role", "commissioner__name", "pk"))
        counted_total = team_days.counted(cycle)
        rows = []
        seen = set()

        def row(person, role_label):
            days = team_days.people.get(person.pk) or selectors.PersonDays()
            counted = days.all if cycle.cross_town_days_count else days.own
            share = round(100 * counted / counted_total) if counted_total else 0
            return {"name": person.name, "role": role_label, "own": days.own, "cross": days.cross, "all": days.all,
                    "counted": counted, "share": share}

        for membership in memberships:
            seen.add(membership.commissioner_id)
            rows.append(row(membership.commissioner, membership.get_role_display()))
        gone = [pk for pk in team_days.people if pk not in seen]
        if gone:
            for person in Commissioner.objects.filter(pk__in=gone).order_by("name", "pk"):
                rows.append(row(person, "已离队"))
        return rows

    def heat_years(self, cycle, team_id, today) -> list[dict]:
        """The heat map's years up to this one (a year still to come has nothing to show)."""
        years = []
        for year in selectors.heat_map(cycle, team_id, pairing_id=self.pairing.pk):
            if year["year"] > today.year:
                continue
            months = _months(year["weeks"])
            years.append({"year": year["year"], "total": year["total"], "cells": _heat_cells(year["weeks"], today),
                          "months": months, "stationed_days": sum(m["days"] for m in months)})
        years.reverse()  # this year first
        return years

    def open_tasks(self, pairing, user, today) -> list:
        tasks = list(restrict(Task.objects.filter(pairing=pairing, status__in=selectors.OPEN_TASK_STATES), user, VIEW)
                     .order_by("due_date", "pk")[:20])
        for task in tasks:
            task.is_overdue = task.due_date < today
        return tasks
