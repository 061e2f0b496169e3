"""Pages of the town's stationed work team (驻镇工作队) and its team: tasks (工作任务), compliance flags (履职预警) and the
work team's non-cooperation report, the working conditions the town provides (工作条件) and the team's requests about
them (问题反映).

The work team (role ``town``) assigns tasks, accepts or reopens them, reports a team that does not cooperate and
records the conditions; the team reports on its tasks (with activities) and raises requests, answered by the town and
the rural-revitalization offices of the county and the city; the organizing S&T office resolves a non-cooperation
report. Every read goes through ``core.scoping`` (out of scope is 404); every write through ``fieldwork.services``.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from core.generic import ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView
from core.menu import OFFICIALS, TEAMS, TOWN
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, VIEW, restrict
from fieldwork import selectors, services
from fieldwork.choices import (FLAG_WORKFLOW, REQUEST_WORKFLOW, TASK_WORKFLOW, FlagKind, FlagStatus, RecordStatus,
                               RequestStatus, TaskStatus)
from fieldwork.filters_town import ConditionsFilter, FlagFilter, RequestFilter, TaskFilter
from fieldwork.forms_town import ConditionsForm, FlagReportForm, RequestForm, TaskForm
from fieldwork.models import Activity, ConditionRequest, Flag, Task, WorkingConditions
from fieldwork.tables_town import (FLAG_BADGES, REQUEST_BADGES, TASK_BADGES, ConditionsTable, FlagTable, RequestTable,
                                   TaskTable, overdue_badge, provision_badge, status_badge, task_is_overdue)
from matching.models import Pairing

# Who reads these pages: the officials along the tree, the town, the team and its dispatching unit (never experts).
READERS = frozenset(OFFICIALS | TOWN | TEAMS | {Role.UNIT})
TASKS_TITLE = "工作任务"
FLAGS_TITLE = "履职预警"
CONDITIONS_TITLE = "工作条件"
REQUESTS_TITLE = "问题反映"

# The first step of a record, which a service records as its creation (core.workflow.record_creation).
CREATION_LABELS = {
    Task: {"assign": "布置任务"},
    Flag: {"raise": "系统预警", "report": "驻镇工作队反映不配合"},
    ConditionRequest: {"raise": "团队反映问题"},
}
# What the comment of a step is, on its dialog: the report of a task, the answer to a request.
COMMENT_LABELS = {
    ("task", "report"): ("完成情况", "写明完成了什么、何时、效果如何；相关服务活动可在本页“记录服务活动”中填报。"),
    ("task", "reopen"): ("退回理由", "写明还需要做什么。"),
    ("task", "cancel"): ("取消理由", ""),
    ("task", "accept"): ("意见", ""),
    ("flag", "resolve"): ("处理情况", "写明核实和处理的结果。"),
    ("request", "answer"): ("答复", "写明解决办法、责任人和时间。"),
    ("request", "reopen"): ("仍未解决的情况", ""),
    ("request", "close"): ("意见", ""),
}


def _moment(value) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def _day(value) -> str:
    return formats.date_format(value, "Y-m-d") if value else ""


def _person(user) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _open_first(open_states):
    return Case(When(status__in=list(open_states), then=Value(0)), default=Value(1), output_field=IntegerField())


class _TownDetail(ScopedDetailView):
    """A detail page whose workflow steps are drawn by ``fieldwork/task_workflow_buttons.html``: each dialog names its
    comment (the report, the answer) instead of the generic "意见"."""

    kind = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        labels = CREATION_LABELS.get(self.model, {})
        for row in context["transitions"]:
            if row.action in labels:
                row.action_label = labels[row.action]
        steps = []
        for name, step, refusal in self.offered(context["actions"]):
            label, hint = COMMENT_LABELS.get((self.kind, name), ("意见", ""))
            steps.append({"name": name, "step": step, "refusal": refusal, "comment_label": label, "hint": hint})
        context["steps"] = steps
        context["actions"] = []  # drawn by the page's own buttons (above)
        return context

    def offered(self, actions):
        return actions


# ------------------------------------------------------------------------------------------------ tasks
class TaskListView(ScopedListView):
    model = Task
    table_class = TaskTable
    filterset_class = TaskFilter
    template_name = "fieldwork/task_list.html"
    title = TASKS_TITLE
    roles = READERS
    search_fields = ["title", "description"]
    search_placeholder = "任务名称或要求"
    export_filename = "工作任务"
    create_url_name = "fieldwork:task_create"
    create_roles = TOWN
    empty_text = "暂无工作任务。驻镇工作队可为结对团队布置任务（做什么、何时完成），团队完成后报告。"

    def base_queryset(self):
        live = ~Q(activities__status=RecordStatus.WITHDRAWN)  # activities done for it (withdrawn ones are not)
        return (Task.objects.select_related("home_town__county", "team")
                .annotate(activity_count=Count("activities", filter=live))
                .order_by(_open_first(selectors.OPEN_TASK_STATES), "due_date", "pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scoped = restrict(Task.objects.all(), self.request.user)
        context["open_count"] = scoped.filter(status__in=selectors.OPEN_TASK_STATES).count()
        context["overdue_count"] = selectors.overdue_tasks(scoped).count()
        return context


class TaskCreateView(ScopedFormView):
    """The work team gives its paired team a task: what, the requirement, by when."""

    form_class = TaskForm
    roles = TOWN
    title = "布置工作任务"
    submit_label = "布置任务"
    success_message = "任务已布置，团队负责人已收到通知。"

    def get_breadcrumbs(self):
        return [(TASKS_TITLE, reverse("fieldwork:task_list")), (self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = selectors.working_pairing_of_town(self.request.user.town_id)
        if pairing is None:
            context["form_notice"] = "本镇当前没有已备案或帮扶中的结对团队，暂不能布置任务。"
            context["form_blocked"] = True
        else:
            context["form_notice"] = "为%s布置任务（%s帮扶周期：%s 至 %s）。团队完成后报告，由驻镇工作队确认完成。" % (
                pairing.team.name, pairing.cycle.name, _day(pairing.cycle.start_date), _day(pairing.cycle.end_date))
        return context

    def save(self, form):
        return services.task_save(actor=self.request.user, values=form.cleaned_data)


class TaskEditView(ScopedFormView):
    model = Task
    form_class = TaskForm
    roles = TOWN
    title = "修改工作任务"
    success_message = "任务已保存。"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (is_system_admin(request.user) or request.user.role in self.roles):
            task = self.get_instance()
            if task.status != TaskStatus.OPEN:
                messages.error(request, "任务当前为“%s”，不能再修改。" % task.get_status_display())
                return redirect(task.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        task = self.get_instance()
        return [(TASKS_TITLE, reverse("fieldwork:task_list")), (task.title, task.get_absolute_url()),
                (self.get_title(), None)]

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["due_date"].widget.attrs.pop("min", None)  # an open task keeps a due date already passed
        form.fields["due_date"].help_text = "在帮扶周期内"
        return form

    def save(self, form):
        return services.task_save(actor=self.request.user, values=form.cleaned_data, task=self.get_instance())


class TaskDetailView(_TownDetail):
    model = Task
    kind = "task"
    template_name = "fieldwork/task_detail.html"
    workflow = TASK_WORKFLOW
    action_url_name = "fieldwork:task_action"
    list_url_name = "fieldwork:task_list"
    list_title = TASKS_TITLE
    roles = READERS

    def base_queryset(self):
        return Task.objects.select_related("home_town__county", "team", "cycle", "created_by")

    def field_rows(self):
        task = self.object
        due = format_html("{} {}", _day(task.due_date), overdue_badge(task))
        return [
            ("任务", task.title),
            ("任务要求", linebreaksbr(task.description)),
            ("结对镇", task.home_town.full_name),
            ("团队", task.team.name),
            ("完成期限", due),
            ("状态", status_badge(task, TASK_BADGES)),
            ("布置人", _person(task.created_by)),
            ("布置时间", _moment(task.created_at)),
        ] + [row for row in (  # what happened since: shown once it has
            ("完成情况", linebreaksbr(task.report)),
            ("报告时间", _moment(task.reported_at)),
            ("确认完成时间", _moment(task.done_at)),
        ) if row[1]]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task, user = self.object, self.request.user
        activities = list(restrict(Activity.objects.filter(task=task), user).select_related("town")
                          .order_by("-date", "-pk")[:50])
        team_side = user.role in TEAMS and user.team_id == task.team_id
        context.update({
            "activities": activities,
            "overdue": task_is_overdue(task),
            "may_log_activity": team_side and task.status == TaskStatus.OPEN and not context["read_only_reason"],
            "may_edit": (context["can_change"] and task.status == TaskStatus.OPEN
                         and (is_system_admin(user) or user.role == Role.TOWN)),
        })
        return context


class TaskActionView(WorkflowActionView):
    """The team reports on its task (its comment is the report); the work team accepts, reopens or cancels it."""

    model = Task
    workflow = TASK_WORKFLOW

    def apply(self, obj, action, comment):
        if action not in self.workflow:
            raise ValidationError("未知操作。")
        services.task_act(actor=self.request.user, task=obj, action=action, comment=comment)


# ------------------------------------------------------------------------------------------------ flags
class FlagListView(ScopedListView):
    model = Flag
    table_class = FlagTable
    filterset_class = FlagFilter
    template_name = "fieldwork/flag_list.html"
    title = FLAGS_TITLE
    roles = READERS
    search_fields = ["team__name", "home_town__name", "detail"]
    search_placeholder = "团队、镇或情况说明"
    export_filename = "履职预警"
    empty_text = "暂无履职预警。系统每天按规则检查驻镇天数、服务活动、帮扶项目、协议和任务，发现问题时在这里提示。"

    def base_queryset(self):
        return (Flag.objects.select_related("home_town__county", "team")
                .order_by(_open_first([FlagStatus.OPEN]), "-opened_at", "pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["may_report"] = user.role == Role.TOWN and user.town_id
        context["open_count"] = restrict(Flag.objects.filter(status=FlagStatus.OPEN), user).count()
        return context


class FlagReportView(ScopedFormView):
    """The work team reports that its team does not cooperate: a flag the organizing S&T office resolves."""

    form_class = FlagReportForm
    roles = TOWN
    title = "反映团队不配合情况"
    submit_label = "提交反映"
    success_message = "已提交。团队负责人、派出单位和组织遴选的科技部门已收到通知。"

    def get_breadcrumbs(self):
        return [(FLAGS_TITLE, reverse("fieldwork:flag_list")), (self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = selectors.working_pairing_of_town(self.request.user.town_id)
        if pairing is None:
            context["form_notice"] = "本镇当前没有已备案或帮扶中的结对团队，无需反映。"
            context["form_blocked"] = True
        else:
            context["form_notice"] = ("反映%s在%s不配合驻镇工作队工作的情况（如长期不驻镇、不落实任务、联系不上）。"
                                      "反映后形成一条履职预警，由组织遴选的科技部门核实处理。"
                                      % (pairing.team.name, pairing.town.full_name))
        return context

    def save(self, form):
        return services.flag_report(actor=self.request.user, detail=form.cleaned_data.get("detail") or "")


class FlagDetailView(_TownDetail):
    model = Flag
    kind = "flag"
    template_name = "fieldwork/flag_detail.html"
    workflow = FLAG_WORKFLOW
    action_url_name = "fieldwork:flag_action"
    list_url_name = "fieldwork:flag_list"
    list_title = FLAGS_TITLE
    roles = READERS

    def base_queryset(self):
        return Flag.objects.select_related("home_town__county", "team", "cycle", "created_by", "pairing")

    def get_title(self):
        return "%s：%s" % (self.object.get_kind_display(), self.object.team.name)

    def field_rows(self):
        flag = self.object
        return [
            ("预警类型", flag.get_kind_display()),
            ("状态", status_badge(flag, FLAG_BADGES)),
            ("团队", flag.team.name),
            ("结对镇", flag.home_town.full_name),
            ("组织层级", flag.get_organizer_level_display()),
            ("情况说明", linebreaksbr(flag.detail)),
            ("预警时间", _moment(flag.opened_at)),
            ("解除时间", _moment(flag.closed_at) if flag.status == FlagStatus.CLOSED else ""),
            ("反映人", _person(flag.created_by) if flag.kind == FlagKind.NONCOOPERATION else "系统自动生成"),
        ]

    def offered(self, actions):
        # Only a work team's report is closed by hand; the monitor's flags close themselves (no disabled button).
        if self.object.kind != FlagKind.NONCOOPERATION:
            return []
        return [row for row in actions if row[0] == "resolve"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        flag = self.object
        context["automatic"] = flag.kind != FlagKind.NONCOOPERATION
        context["team_days_url"] = reverse("fieldwork:team_days", args=[flag.team_id])
        return context


class FlagActionView(WorkflowActionView):
    """The organizing S&T office (or the work team that reported it) resolves a non-cooperation report."""

    model = Flag
    workflow = FLAG_WORKFLOW

    def apply(self, obj, action, comment):
        if action not in self.workflow:
            raise ValidationError("未知操作。")
        services.flag_act(actor=self.request.user, flag=obj, action=action, comment=comment)


# ------------------------------------------------------------------------------------------------ conditions
def _conditions_of(pairing_ref, name):
    return Subquery(WorkingConditions.objects.filter(pairing=pairing_ref).values(name)[:1])


class ConditionsListView(ScopedListView):
    """One row per working pairing the user reads: what its town provides (or 未登记)."""

    model = Pairing
    table_class = ConditionsTable
    filterset_class = ConditionsFilter
    template_name = "fieldwork/conditions_list.html"
    title = CONDITIONS_TITLE
    roles = READERS
    search_fields = ["town__name", "team__name"]
    search_placeholder = "镇或团队名称"
    export_filename = "工作条件"
    empty_text = "暂无帮扶中的结对。结对备案后，驻镇工作队登记为团队提供的办公、住宿、交通和就餐条件。"

    def scope_action(self):
        return VIEW  # the pairing's change scope is its organizer's: "?mine=1" means nothing here

    def base_queryset(self):
        ref = OuterRef("pk")
        return (Pairing.objects.filter(status__in=selectors.WORKING_PAIRING_STATES)
                .select_related("town__county", "team")
                .annotate(wc_id=_conditions_of(ref, "pk"), wc_office=_conditions_of(ref, "office"),
                          wc_lodging=_conditions_of(ref, "lodging"), wc_transport=_conditions_of(ref, "transport"),
                          wc_meals=_conditions_of(ref, "meals"), wc_updated=_conditions_of(ref, "updated_at"))
                .order_by("town__code", "pk"))

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["may_record"] = user.role == Role.TOWN and selectors.working_pairing_of_town(user.town_id) is not None
        return context


class ConditionsEditView(ScopedFormView):
    """The work team records the conditions its town provides its team (the first save creates the record)."""

    form_class = ConditionsForm
    roles = TOWN
    title = "登记工作条件"
    success_message = "工作条件已保存。"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        self.pairing = None
        self.existing = None
        if user.is_authenticated and (is_system_admin(user) or user.role in self.roles):
            self.pairing = selectors.working_pairing_of_town(user.town_id)
            if self.pairing is not None:
                self.existing = restrict(WorkingConditions.objects.filter(pairing=self.pairing), user, CHANGE).first()
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [(CONDITIONS_TITLE, reverse("fieldwork:conditions_list")), (self.get_title(), None)]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.existing is not None:
            kwargs["instance"] = self.existing
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.pairing is None:
            context["form_notice"] = "本镇当前没有已备案或帮扶中的结对团队，暂不能登记工作条件。"
            context["form_blocked"] = True
        else:
            context["form_notice"] = "登记%s为%s提供的办公、住宿、交通和就餐条件。团队和上级部门可以查看。" % (
                self.pairing.town.full_name, self.pairing.team.name)
        return context

    def save(self, form):
        values = {name: form.cleaned_data[name] for name in services.CONDITION_FIELDS if name in form.cleaned_data}
        return services.conditions_save(actor=self.request.user, values=values, conditions=self.existing)


class ConditionsDetailView(ScopedDetailView):
    model = WorkingConditions
    template_name = "fieldwork/conditions_detail.html"
    list_url_name = "fieldwork:conditions_list"
    list_title = CONDITIONS_TITLE
    roles = READERS

    def base_queryset(self):
        return WorkingConditions.objects.select_related("home_town__county", "team", "pairing", "created_by")

    def get_title(self):
        return "%s的工作条件" % self.object.home_town.full_name

    def field_rows(self):
        wc = self.object
        rows = [("结对镇", wc.home_town.full_name), ("团队", wc.team.name)]
        for name, label in (("office", "办公场所"), ("lodging", "住宿"), ("transport", "交通"), ("meals", "就餐")):
            note = getattr(wc, "%s_note" % name)
            rows.append((label, format_html("{} {}", provision_badge(getattr(wc, name)), note)))
        rows += [("其他保障", linebreaksbr(wc.note)), ("登记人", _person(wc.created_by)), ("更新时间", _moment(wc.updated_at))]
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, wc = self.request.user, self.object
        working = selectors.working_pairing_of_town(user.town_id) if user.role == Role.TOWN else None
        context["may_edit"] = (context["can_change"] and working is not None and working.pk == wc.pairing_id)
        context["requests_url"] = reverse("fieldwork:request_list")
        return context


# ------------------------------------------------------------------------------------------------ requests
class RequestListView(ScopedListView):
    model = ConditionRequest
    table_class = RequestTable
    filterset_class = RequestFilter
    template_name = "fieldwork/request_list.html"
    title = REQUESTS_TITLE
    roles = READERS
    search_fields = ["title", "description"]
    search_placeholder = "问题或具体情况"
    export_filename = "问题反映"
    create_url_name = "fieldwork:request_create"
    create_roles = TEAMS
    empty_text = "暂无问题反映。团队在工作条件或开展工作中遇到问题，可在这里反映，由镇和县、市乡村振兴部门答复。"

    def base_queryset(self):
        order = Case(When(status=RequestStatus.OPEN, then=Value(0)), When(status=RequestStatus.ANSWERED, then=Value(1)),
                     default=Value(2), output_field=IntegerField())
        return (ConditionRequest.objects.select_related("home_town__county", "team")
                .order_by(order, "-created_at", "pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["open_count"] = restrict(ConditionRequest.objects.filter(status=RequestStatus.OPEN),
                                         self.request.user).count()
        return context


class RequestCreateView(ScopedFormView):
    form_class = RequestForm
    roles = TEAMS
    title = "反映问题"
    submit_label = "提交"
    success_message = "问题已提交，镇和县、市乡村振兴部门已收到通知。"

    def get_breadcrumbs(self):
        return [(REQUESTS_TITLE, reverse("fieldwork:request_list")), (self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = selectors.working_pairing_of_team(self.request.user.team_id)
        if pairing is None:
            context["form_notice"] = "本团队当前没有已备案或帮扶中的结对，暂不能反映问题。"
            context["form_blocked"] = True
        else:
            town = pairing.town
            context["form_notice"] = ("反映在%s的工作条件或开展工作中遇到的问题，由镇（驻镇工作队）和%s、%s乡村振兴部门答复。"
                                      % (town.full_name, town.county.name, town.county.city.name))
        return context

    def save(self, form):
        return services.request_save(actor=self.request.user, values=form.cleaned_data)


class RequestDetailView(_TownDetail):
    model = ConditionRequest
    kind = "request"
    template_name = "fieldwork/request_detail.html"
    workflow = REQUEST_WORKFLOW
    action_url_name = "fieldwork:request_action"
    list_url_name = "fieldwork:request_list"
    list_title = REQUESTS_TITLE
    roles = READERS

    def base_queryset(self):
        return ConditionRequest.objects.select_related("home_town__county", "team", "cycle", "created_by",
                                                       "answered_by")

    def field_rows(self):
        req = self.object
        return [
            ("问题", req.title),
            ("问题类别", req.get_category_display()),
            ("具体情况", linebreaksbr(req.description)),
            ("团队", req.team.name),
            ("结对镇", req.home_town.full_name),
            ("状态", status_badge(req, REQUEST_BADGES)),
            ("反映人", _person(req.created_by)),
            ("反映时间", _moment(req.created_at)),
        ] + [row for row in (  # what happened since: shown once it has
            ("答复", linebreaksbr(req.answer)),
            ("答复人", "%s（%s）" % (_person(req.answered_by), req.answered_by.get_role_display())
             if req.answered_by_id else ""),
            ("答复时间", _moment(req.answered_at)),
            ("办结时间", _moment(req.closed_at)),
        ) if row[1]]


class RequestActionView(WorkflowActionView):
    """The town or a rural-revitalization office answers (the comment is the answer); the team closes or reopens."""

    model = ConditionRequest
    workflow = REQUEST_WORKFLOW

    def apply(self, obj, action, comment):
        if action not in self.workflow:
            raise ValidationError("未知操作。")
        services.request_act(actor=self.request.user, request=obj, action=action, comment=comment)
