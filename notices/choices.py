"""States of public notices, their entries and objections, and the objection workflow."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.roles import HANDLERS  # the named role groups, declared once
from core.workflow import SYSTEM, Step, Workflow


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿（未发布）")
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

OBJECTION_WORKFLOW = Workflow("notices.Objection", title="异议", steps={
    "investigate": Step(sources=(ObjectionStatus.RECEIVED,), target=ObjectionStatus.INVESTIGATING, roles=HANDLERS,
                        label=str(_("开始调查核实")), style="primary"),
    "uphold": Step(sources=OPEN_OBJECTION_STATES, target=ObjectionStatus.UPHELD, roles=HANDLERS,
                   label=str(_("认定异议成立")), needs_comment=True, style="danger"),
    "dismiss": Step(sources=OPEN_OBJECTION_STATES, target=ObjectionStatus.DISMISSED, roles=HANDLERS,
                    label=str(_("认定异议不成立")), needs_comment=True, style="secondary"),
})

# A notice is prepared as a draft (notices.services.notice_prepare) and published on purpose by its organizer; the end
# of its period is recorded by the scheduled job: it closes, or awaits the findings while an objection is open.
NOTICE_WORKFLOW = Workflow("notices.PublicNotice", title="公示", steps={
    "publish": Step(sources=(NoticeStatus.DRAFT,), target=NoticeStatus.PUBLISHED, roles=HANDLERS,
                    label=str(_("发布公示")), style="primary"),
    "expire": Step(sources=(NoticeStatus.PUBLISHED,), target=NoticeStatus.AWAITING, roles=SYSTEM,
                   label=str(_("公示期满，待处理异议"))),
    "close": Step(sources=(NoticeStatus.PUBLISHED, NoticeStatus.AWAITING), target=NoticeStatus.CLOSED, roles=SYSTEM,
                  label=str(_("公示结束"))),
})
