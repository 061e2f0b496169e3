"""Service types, priorities and the need workflow (states, transitions, who may take them)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.roles import ORGANIZERS  # the named role groups, declared once
from core.workflow import SYSTEM, Step, Workflow
from matching.engine.service_types import SERVICE_TYPE_CHOICES


# The six "三农" science services of the plan (一), built from the one list the matching engine also uses
# (matching/engine/service_types.py): ServiceType.GUIDANCE == "guidance", labelled 技术指导, and so on.
ServiceType = models.TextChoices(
    "ServiceType", [(value.upper(), (value, _(label))) for value, label in SERVICE_TYPE_CHOICES], module=__name__
)


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


ENTERERS = frozenset({Role.TOWN, Role.CITY_ST, Role.COUNTY_ST, Role.CITY_RURAL, Role.COUNTY_RURAL})
OPEN_STATES = (NeedStatus.SUBMITTED, NeedStatus.CONFIRMED, NeedStatus.RETURNED, NeedStatus.MATCHED,
               NeedStatus.IN_ASSISTANCE, NeedStatus.RESOLVED)

# The need workflow. "matched" and "in assistance" are set by the pairing and project services, not by hand.
NEED_WORKFLOW = Workflow("needs.Need", title="科技需求", steps={
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
    # System steps, taken by other services (a round finalized, a project started).
    "match": Step(sources=(NeedStatus.CONFIRMED,), target=NeedStatus.MATCHED, roles=SYSTEM, label=str(_("结对确定"))),
    "start_assistance": Step(sources=(NeedStatus.MATCHED, NeedStatus.CONFIRMED), target=NeedStatus.IN_ASSISTANCE,
                             roles=SYSTEM, label=str(_("开始帮扶"))),
})

# A needs survey is closed by its organizer (towns then no longer mark it submitted). States are SurveyCampaign.Status.
CAMPAIGN_WORKFLOW = Workflow("needs.SurveyCampaign", title="需求调研", steps={
    "close": Step(sources=("open",), target="closed", roles=ORGANIZERS, label=str(_("结束调研")), style="secondary"),
    "reopen": Step(sources=("closed",), target="open", roles=ORGANIZERS, label=str(_("重新开启调研")),
                   needs_comment=True, style="outline-secondary"),
})
