"""States of public notices, their entries and objections, and the objection workflow."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.workflow import Step


class NoticeStatus(models.TextChoices):
    PUBLISHED = "published", _("公示中")
    AWAITING = "awaiting", _("期满待处理异议")
    CLOSED = "closed", _("已结束")


class EntryOutcome(models.TextChoices):
    PENDING = "pending", _("公示中")
    CLEARED = "cleared", _("公示无异议")
    REMOVED = "removed", _("异议成立，已撤销")


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    INVESTIGATING = "investigating", _("调查核实中")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


OPEN_OBJECTION_STATES = (ObjectionStatus.RECEIVED, ObjectionStatus.INVESTIGATING)
HANDLERS = frozenset({Role.CITY_ST, Role.COUNTY_ST})

OBJECTION_WORKFLOW = {
    "investigate": Step(sources=(ObjectionStatus.RECEIVED,), target=ObjectionStatus.INVESTIGATING, roles=HANDLERS,
                        label=str(_("开始调查核实")), style="primary"),
    "uphold": Step(sources=OPEN_OBJECTION_STATES, target=ObjectionStatus.UPHELD, roles=HANDLERS,
                   label=str(_("认定异议成立")), needs_comment=True, style="danger"),
    "dismiss": Step(sources=OPEN_OBJECTION_STATES, target=ObjectionStatus.DISMISSED, roles=HANDLERS,
                    label=str(_("认定异议不成立")), needs_comment=True, style="secondary"),
}
