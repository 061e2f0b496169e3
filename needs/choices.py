"""Service types, priorities and the need workflow (states, transitions, who may take them)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.workflow import Step


class ServiceType(models.TextChoices):
    """The six "三农" science services of the plan (一)."""

    GUIDANCE = "guidance", _("技术指导")
    TRAINING = "training", _("技能培训")
    TRANSFER = "transfer", _("成果转化")
    ENTREPRENEURSHIP = "entrepreneurship", _("创业辅导")
    POLICY = "policy", _("政策宣传")
    PLANNING = "planning", _("规划设计")


SERVICE_LABELS = dict(ServiceType.choices)


def service_labels(values) -> str:
    return "、".join(str(SERVICE_LABELS.get(value, value)) for value in values or [])


class Priority(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class NeedStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("已退回")
    MATCHED = "matched", _("已匹配")
    IN_ASSISTANCE = "in_assistance", _("帮扶中")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")


ORGANIZERS = frozenset({Role.CITY_ST, Role.COUNTY_ST})
ENTERERS = frozenset({Role.TOWN, Role.CITY_ST, Role.COUNTY_ST, Role.CITY_RURAL, Role.COUNTY_RURAL})
OPEN_STATES = (NeedStatus.SUBMITTED, NeedStatus.CONFIRMED, NeedStatus.RETURNED, NeedStatus.MATCHED,
               NeedStatus.IN_ASSISTANCE, NeedStatus.RESOLVED)

# The need workflow. "matched" and "in assistance" are set by the pairing and project services, not by hand.
NEED_WORKFLOW = {
    "confirm": Step(sources=(NeedStatus.SUBMITTED,), target=NeedStatus.CONFIRMED, roles=ORGANIZERS,
                    label=str(_("确认")), style="success"),
    "return": Step(sources=(NeedStatus.SUBMITTED, NeedStatus.CONFIRMED), target=NeedStatus.RETURNED,
                   roles=ORGANIZERS, label=str(_("退回")), needs_comment=True, style="warning"),
    "resubmit": Step(sources=(NeedStatus.RETURNED,), target=NeedStatus.SUBMITTED, roles=ENTERERS,
                     label=str(_("重新提交")), style="primary"),
    "resolve": Step(sources=(NeedStatus.IN_ASSISTANCE, NeedStatus.MATCHED), target=NeedStatus.RESOLVED,
                    roles=ORGANIZERS, label=str(_("标记已解决")), style="success"),
    "close": Step(sources=OPEN_STATES, target=NeedStatus.CLOSED, roles=ORGANIZERS, label=str(_("关闭")),
                  needs_comment=True, style="secondary"),
}
# System moves, applied by other services (pairing finalized, project started).
SYSTEM_MOVES = {
    "match": ((NeedStatus.CONFIRMED,), NeedStatus.MATCHED),
    "start_assistance": ((NeedStatus.MATCHED, NeedStatus.CONFIRMED), NeedStatus.IN_ASSISTANCE),
}
