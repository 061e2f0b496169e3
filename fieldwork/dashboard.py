"""To-dos of the field service, per role, counted in the database and scoped with ``restrict``.

* town (驻镇工作队, its change scope: what happened in its town): activities and stays awaiting its confirmation, tasks
  the team reported done awaiting acceptance, the team's open requests;
* team (leader and members): activities and stays queried back to fix, open tasks and overdue ones, answered requests
  to close, the team's open flags;
* the organizing S&T office (its change scope on flags: the pairings it organizes): open flags, one item whose hint
  lists them by kind;
* the rural-revitalization offices of the county and the city: open requests in their scope;
* the dispatching unit: open flags of its teams.
"""
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from core.dashboard import TodoItem, provider
from core.roles import ORGANIZERS, TEAM_ROLES, Role, is_system_admin
from core.scoping import CHANGE, VIEW, restrict
from fieldwork.choices import FlagKind, FlagStatus, RecordStatus, RequestStatus, TaskStatus
from fieldwork.models import Activity, ConditionRequest, Flag, Stay, Task

RURAL = frozenset({Role.COUNTY_RURAL, Role.CITY_RURAL})
KIND_LABELS = dict(FlagKind.choices)


def _in_cycle(queryset, cycle):
    return queryset.filter(cycle=cycle) if cycle else queryset


def _list(name, **params) -> str:
    query = "&".join("%s=%s" % (key, value) for key, value in params.items())
    return reverse("fieldwork:%s" % name) + ("?" + query if query else "")


def _item(queryset, label, list_url, level="warning", hint="") -> list[TodoItem]:
    """One to-do: the record itself when there is one, else the filtered list; nothing when there is none."""
    count = queryset.count()
    if not count:
        return []
    url = queryset.order_by("pk").first().get_absolute_url() if count == 1 else list_url
    return [TodoItem(label=label, count=count, url=url, level=level, hint=hint)]


def _town(user, cycle) -> list[TodoItem]:
    items = []
    # Confirmed only by the work team of the town where it happened (cross-town work done here included).
    for model, label, name, hint in (
            (Activity, "待确认的服务活动", "activity_list", "核实活动内容和照片后确认，有疑问的写明理由询问退回；可批量确认。"),
            (Stay, "待确认的驻镇记录", "stay_list", "核实驻镇时间和地点后确认，有疑问的写明理由询问退回；可批量确认。")):
        waiting = restrict(_in_cycle(model.objects.filter(status=RecordStatus.SUBMITTED, town_id=user.town_id), cycle),
                           user, CHANGE)
        count = waiting.count()
        if count:  # always the list: bulk confirmation is there
            items.append(TodoItem(label=label, count=count, url=_list(name, status="submitted", mine=1),
                                  level="warning", hint=hint))
    tasks = restrict(_in_cycle(Task.objects.filter(status=TaskStatus.REPORTED), cycle), user, CHANGE)
    items += _item(tasks, "团队已报告完成待确认的任务", _list("task_list", status="reported", mine=1),
                   hint="查看完成情况和相关服务活动，确认完成或退回继续办理。")
    requests = restrict(_in_cycle(ConditionRequest.objects.filter(status=RequestStatus.OPEN), cycle), user, CHANGE)
    items += _item(requests, "团队反映的待答复问题", _list("request_list", status="open", mine=1),
                   hint="答复团队反映的工作条件或工作开展问题。")
    return items


def _team(user, cycle) -> list[TodoItem]:
    items = []
    for model, label, name in ((Activity, "被询问待修改的服务活动", "activity_list"),
                               (Stay, "被询问待修改的驻镇记录", "stay_list")):
        queried = restrict(_in_cycle(model.objects.filter(status=RecordStatus.QUERIED), cycle), user, CHANGE)
        items += _item(queried, label, _list(name, status="queried", mine=1), level="danger",
                       hint="驻镇工作队有疑问：按询问意见修改后重新提交，或撤回。")
    tasks = restrict(_in_cycle(Task.objects.filter(status=TaskStatus.OPEN), cycle), user, VIEW)
    today = timezone.localdate()
    overdue = tasks.filter(due_date__lt=today)
    items += _item(overdue, "逾期未完成的工作任务", _list("task_list", status="open", overdue="yes"), level="danger",
                   hint="驻镇工作队布置的任务已过完成期限：请尽快落实并报告完成情况。")
    on_time = tasks.filter(due_date__gte=today)
    first = on_time.order_by("due_date").values_list("due_date", flat=True).first()
    items += _item(on_time, "待完成的工作任务", _list("task_list", status="open", overdue="no"),
                   hint=("最近的完成期限 %s；完成后记录服务活动并报告完成情况。" % first.isoformat()) if first else "")
    answered = restrict(_in_cycle(ConditionRequest.objects.filter(status=RequestStatus.ANSWERED), cycle), user, CHANGE)
    items += _item(answered, "已答复待办结的问题", _list("request_list", status="answered", mine=1), level="primary",
                   hint="问题已解决的请办结；仍未解决的可继续反映。")
    flags = restrict(_in_cycle(Flag.objects.filter(status=FlagStatus.OPEN), cycle), user, VIEW)
    items += _item(flags, "本团队的履职预警", _list("flag_list", status="open"), level="danger",
                   hint=_kinds(flags) + "。系统预警在原因消除后自动解除。")
    return items


def _kinds(flags) -> str:
    rows = flags.order_by().values("kind").annotate(n=Count("pk")).order_by("kind")
    return "、".join("%s %d 条" % (KIND_LABELS.get(row["kind"], row["kind"]), row["n"]) for row in rows)


def _organizer(user, cycle) -> list[TodoItem]:
    flags = restrict(_in_cycle(Flag.objects.filter(status=FlagStatus.OPEN), cycle), user, CHANGE)
    count = flags.count()
    if not count:
        return []
    url = flags.order_by("pk").first().get_absolute_url() if count == 1 else _list("flag_list", status="open", mine=1)
    return [TodoItem(label="履职预警", count=count, url=url, level="danger",
                     hint="%s。督促团队整改；驻镇工作队反映的不配合情况核实后解除。" % _kinds(flags))]


def _rural(user, cycle) -> list[TodoItem]:
    requests = restrict(_in_cycle(ConditionRequest.objects.filter(status=RequestStatus.OPEN), cycle), user, CHANGE)
    return _item(requests, "团队反映的待答复问题", _list("request_list", status="open", mine=1),
                 hint="团队在工作条件或工作开展中遇到的问题，请协调答复。")


def _unit(user, cycle) -> list[TodoItem]:
    flags = restrict(_in_cycle(Flag.objects.filter(status=FlagStatus.OPEN), cycle), user, VIEW)
    count = flags.count()
    if not count:
        return []
    url = flags.order_by("pk").first().get_absolute_url() if count == 1 else _list("flag_list", status="open")
    return [TodoItem(label="本单位团队的履职预警", count=count, url=url, level="danger",
                     hint="%s。请督促本单位特派员履职。" % _kinds(flags))]


@provider
def todo(user, cycle):
    if is_system_admin(user):
        return _organizer(user, cycle)
    role = user.role
    if role == Role.TOWN and user.town_id:
        return _town(user, cycle)
    if role in TEAM_ROLES and user.team_id:
        return _team(user, cycle)
    if role in ORGANIZERS:
        return _organizer(user, cycle)
    if role in RURAL:
        return _rural(user, cycle)
    if role == Role.UNIT and user.unit_id:
        return _unit(user, cycle)
    return []
