"""States of adjustment and replacement cases (调整更换) and of member changes, with their workflows."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import LEADERS, ORGANIZERS, Role
from core.workflow import SYSTEM, Step, Workflow


class Cause(models.TextChoices):
    """The seed's three causes (三(四))."""

    MISMATCH = "mismatch", _("不符合乡镇科技需求")
    NONCOOPERATION = "noncooperation", _("不配合驻镇工作队工作安排")
    NO_WORK = "no_work", _("未实际开展科技帮扶活动")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("待团队答复")
    ANSWERED = "answered", _("团队已答复")
    DECIDED = "decided", _("已作出决定")
    WITHDRAWN = "withdrawn", _("已撤销")


class Decision(models.TextChoices):
    NO_ACTION = "no_action", _("不予处理")
    WARNING = "warning", _("警示提醒")
    ADJUSTMENT = "adjustment", _("调整（成员或项目）")
    REPLACEMENT = "replacement", _("更换团队")


class FundingAction(models.TextChoices):
    STOPPED = "stopped", _("停止拨付")
    SETTLED = "settled", _("结算")


class ChangeStatus(models.TextChoices):
    """A member change: applied by the organizer, then registered again where the pairing's level requires it
    (a county pairing: the city, then the province; a city pairing: the province)."""

    PENDING = "pending", _("待备案")
    CITY_CONFIRMED = "city_confirmed", _("市级已确认")
    REGISTERED = "registered", _("已备案")
    NOT_REQUIRED = "not_required", _("无需备案")


def _heard_or_due(case, actor):
    """The team is heard first: a decision waits for its answer or for the answer deadline to pass."""
    from django.utils import timezone

    if case.status == CaseStatus.OPEN and case.answer_due and timezone.localdate() <= case.answer_due:
        return str(_("团队尚未答复，答复期限（%(d)s）未到：请待团队答复或期限届满后再作决定。") % {
            "d": case.answer_due.isoformat()})
    return None


CASE_WORKFLOW = Workflow("replacements.Case", title="调整更换", steps={
    "answer": Step(sources=(CaseStatus.OPEN, CaseStatus.ANSWERED), target=CaseStatus.ANSWERED, roles=LEADERS,
                   label=str(_("提交答复")), needs_comment=True, stamp="answered_at", extra={"service": True}),
    # Deciding ends the old pairing, proposes the new team and closes funding in one transaction: its service.
    "decide": Step(sources=(CaseStatus.OPEN, CaseStatus.ANSWERED), target=CaseStatus.DECIDED, roles=ORGANIZERS,
                   label=str(_("作出决定")), style="danger", stamp="decided_at", extra={"service": True},
                   guards=(_heard_or_due,)),
    "withdraw": Step(sources=(CaseStatus.OPEN, CaseStatus.ANSWERED), target=CaseStatus.WITHDRAWN, roles=ORGANIZERS,
                     label=str(_("撤销调查")), needs_comment=True, style="secondary"),
})

def _city_first(change, actor):
    if change.organizer_level == "county" and change.status != ChangeStatus.CITY_CONFIRMED:
        return str(_("县级团队的成员变更须先由市科技局确认。"))
    return None


def _city_needed(change, actor):
    if change.organizer_level != "county":
        return str(_("市级、省级团队的成员变更由省科技厅确认备案。"))
    return None


# The recipients of the pairing's registration confirm the change: the city for a county pairing first, the
# province last (its step's guard checks the city confirmed a county pairing's change).
CHANGE_WORKFLOW = Workflow("replacements.MemberChange", title="成员变更备案", steps={
    "confirm_city": Step(sources=(ChangeStatus.PENDING,), target=ChangeStatus.CITY_CONFIRMED,
                         roles=frozenset({Role.CITY_ST}), label=str(_("市级确认备案")), style="success",
                         stamp="city_confirmed_at", guards=(_city_needed,)),
    "confirm_province": Step(sources=(ChangeStatus.PENDING, ChangeStatus.CITY_CONFIRMED),
                             target=ChangeStatus.REGISTERED, roles=frozenset({Role.PROVINCE}),
                             label=str(_("省级确认备案")), style="success", stamp="registered_at",
                             guards=(_city_first,)),
    "not_required": Step(sources=(ChangeStatus.PENDING,), target=ChangeStatus.NOT_REQUIRED, roles=SYSTEM,
                         label=str(_("无需备案"))),
})
