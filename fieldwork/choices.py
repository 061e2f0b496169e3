"""Field service (服务活动), stationed days (驻镇时间), tasks, compliance flags and working conditions: states and workflows.

Seed 一 and 四(一): teams deliver six kinds of "三农" service in their towns and beyond (跨镇帮扶); over the cycle
their members are stationed in the town at least a year as a rule; the town's stationed work team (the ``town``
role) manages them: it confirms or queries what they log, assigns tasks and reports a team that does not cooperate.
Only confirmed records count in any figure.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import ORGANIZERS, TEAM_ROLES, Role
from core.workflow import SYSTEM, Step, Workflow
# The six kinds of service the plan names (一): the one list the needs, teams and the engine share.
from needs.choices import ServiceType  # noqa: F401

TOWN_ROLES = frozenset({Role.TOWN})
# Who answers a team's problem with its working conditions (seed 四(一)): the town and the rural-revitalization offices.
ANSWERERS = frozenset({Role.TOWN, Role.COUNTY_RURAL, Role.CITY_RURAL})


class RecordStatus(models.TextChoices):
    """An activity or a stay: logged by the team, confirmed or queried by the work team of the town it was in."""

    SUBMITTED = "submitted", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    QUERIED = "queried", _("被询问")
    WITHDRAWN = "withdrawn", _("已撤回")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    REPORTED = "reported", _("已报告完成")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class FlagKind(models.TextChoices):
    PACE = "pace", _("驻镇天数进度滞后")
    INACTIVE = "inactive", _("长期无已确认服务活动")
    PROJECT_LATE = "project_late", _("帮扶项目逾期未报送")
    AGREEMENT_MISSING = "agreement_missing", _("帮扶协议逾期未确认")
    TASKS_OVERDUE = "tasks_overdue", _("工作任务逾期")
    NONCOOPERATION = "noncooperation", _("驻镇工作队反映不配合")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("预警中")
    CLOSED = "closed", _("已解除")


class ConditionCategory(models.TextChoices):
    OFFICE = "office", _("办公条件")
    LODGING = "lodging", _("住宿")
    TRANSPORT = "transport", _("交通")
    MEALS = "meals", _("就餐")
    WORK = "work", _("工作开展")
    OTHER = "other", _("其他")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


class Provision(models.TextChoices):
    """What the town provides for one working condition."""

    PROVIDED = "provided", _("已提供")
    PARTIAL = "partial", _("部分提供")
    NONE = "none", _("未提供")


# A stay longer than this is a typing error (a cycle is three years; one stay is a trip to the town).
STAY_MAX_DAYS = 92
# Photos on one activity.
PHOTOS_MAX = 6
# The pace check starts once this many days of the pairing have passed (a new team is not behind on day 10).
PACE_GRACE_DAYS = 90
# Behind the pace: confirmed days under this share of what the elapsed part of the cycle asks for.
PACE_TOLERANCE = 0.8

S = RecordStatus
T = TaskStatus
F = FlagStatus
Q_ = RequestStatus

LIVE_RECORDS = (S.SUBMITTED, S.CONFIRMED, S.QUERIED)


def _record_workflow(model: str, title: str) -> Workflow:
    return Workflow(model, title=title, steps={
        "confirm": Step(sources=(S.SUBMITTED,), target=S.CONFIRMED, roles=TOWN_ROLES, label=str(_("确认")),
                        style="success", stamp="confirmed_at"),
        "query": Step(sources=(S.SUBMITTED,), target=S.QUERIED, roles=TOWN_ROLES, label=str(_("询问退回")),
                      needs_comment=True, style="warning", stamp="queried_at"),
        "resubmit": Step(sources=(S.QUERIED,), target=S.SUBMITTED, roles=TEAM_ROLES, label=str(_("修改后重新提交")),
                         style="primary"),
        "withdraw": Step(sources=(S.SUBMITTED, S.QUERIED), target=S.WITHDRAWN, roles=TEAM_ROLES,
                         label=str(_("撤回")), needs_comment=True, style="outline-secondary"),
    })


ACTIVITY_WORKFLOW = _record_workflow("fieldwork.Activity", "服务活动")
STAY_WORKFLOW = _record_workflow("fieldwork.Stay", "驻镇记录")

TASK_WORKFLOW = Workflow("fieldwork.Task", title="工作任务", steps={
    "report": Step(sources=(T.OPEN,), target=T.REPORTED, roles=TEAM_ROLES, label=str(_("报告完成情况")),
                   needs_comment=True, style="primary", stamp="reported_at"),
    "accept": Step(sources=(T.REPORTED,), target=T.DONE, roles=TOWN_ROLES, label=str(_("确认完成")),
                   style="success", stamp="done_at"),
    "reopen": Step(sources=(T.REPORTED,), target=T.OPEN, roles=TOWN_ROLES, label=str(_("退回继续办理")),
                   needs_comment=True, style="warning"),
    "cancel": Step(sources=(T.OPEN, T.REPORTED), target=T.CANCELLED, roles=TOWN_ROLES, label=str(_("取消任务")),
                   needs_comment=True, style="outline-secondary"),
})


def _reported_only(flag, actor=None):
    """Guard: the flags the monitor raises close themselves when their cause is gone; a report is closed by hand."""
    if flag.kind != FlagKind.NONCOOPERATION:
        return _("该预警由系统按规则生成，原因消除后自动解除。")
    return None


FLAG_WORKFLOW = Workflow("fieldwork.Flag", title="履职预警", steps={
    "clear": Step(sources=(F.OPEN,), target=F.CLOSED, roles=SYSTEM, label=str(_("原因已消除，自动解除")),
                  stamp="closed_at"),
    "reopen": Step(sources=(F.CLOSED,), target=F.OPEN, roles=SYSTEM, label=str(_("再次触发")), stamp="opened_at"),
    "resolve": Step(sources=(F.OPEN,), target=F.CLOSED, roles=ORGANIZERS | TOWN_ROLES, label=str(_("处理完毕，解除预警")),
                    needs_comment=True, style="success", guards=(_reported_only,), stamp="closed_at"),
})

REQUEST_WORKFLOW = Workflow("fieldwork.ConditionRequest", title="问题反映", steps={
    "answer": Step(sources=(Q_.OPEN,), target=Q_.ANSWERED, roles=ANSWERERS, label=str(_("答复")),
                   needs_comment=True, style="primary", stamp="answered_at"),
    "close": Step(sources=(Q_.ANSWERED,), target=Q_.CLOSED, roles=TEAM_ROLES, label=str(_("问题已解决，办结")),
                  style="success", stamp="closed_at"),
    "reopen": Step(sources=(Q_.ANSWERED,), target=Q_.OPEN, roles=TEAM_ROLES, label=str(_("仍未解决，继续反映")),
                   needs_comment=True, style="warning"),
})
