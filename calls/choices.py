"""Call and application states, and the application workflow (who may take which step)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.roles import ORGANIZERS, LEADERS  # the named role groups, declared once
from core.workflow import Step, Workflow



class OrganizerLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已撤销")


class AmendmentKind(models.TextChoices):
    AMEND = "amend", _("修改通知")
    EXTEND = "extend", _("延期")
    SHORTEN = "shorten", _("提前截止")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("已受理（进入遴选）")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


S = ApplicationStatus
EDITABLE_STATES = (S.DRAFT, S.RETURNED)

def missing_attachments(application, actor=None) -> str | None:
    """The endorsements the cycle requires are attached (checked again on accepting: rules may change)."""
    missing = []
    if not application.unit_endorsement:
        missing.append(str(_("派出单位推荐意见（盖章）")))
    if application.call.cycle.require_recommendation_letter and not application.recommendation_letter:
        missing.append(str(_("驻镇工作队队长推荐函")))
    if missing:
        return str(_("申报缺少必需的附件：%(m)s，不能受理；请退回团队补充。") % {"m": "、".join(missing)})
    return None


def application_incomplete(application, actor=None) -> str | None:
    """Submitting waits until the application is complete: the button is disabled with the reason meanwhile."""
    from calls.services import application_problems

    problems = application_problems(application)
    if problems:
        return str(_("请先完成“提交前还需完成”所列的%(n)d项。") % {"n": len(problems)})
    return None


# Guards that read other apps' records (no withdrawal once a pairing exists, no cancelling a call with pairings) are
# added by those apps (matching/apps.py) so this app imports nothing above it.
CALL_WORKFLOW = Workflow("calls.Call", title="征集通知", steps={
    "publish": Step(sources=(CallStatus.DRAFT,), target=CallStatus.PUBLISHED, roles=ORGANIZERS,
                    label=str(_("发布")), style="danger"),
    "cancel": Step(sources=(CallStatus.DRAFT, CallStatus.PUBLISHED), target=CallStatus.CANCELLED, roles=ORGANIZERS,
                   label=str(_("撤销")), needs_comment=True, style="secondary"),
})

# Submit and resubmit go through calls.services.application_submit, which checks completeness and dates first.
APPLICATION_WORKFLOW = Workflow("calls.Application", title="申报", steps={
    "submit": Step(sources=(S.DRAFT,), target=S.SUBMITTED, roles=LEADERS, label=str(_("提交申报")),
                   style="danger", extra={"service": True}, guards=(application_incomplete,)),
    "resubmit": Step(sources=(S.RETURNED,), target=S.SUBMITTED, roles=LEADERS, label=str(_("修改后重新提交")),
                     style="danger", extra={"service": True}, guards=(application_incomplete,)),
    "return": Step(sources=(S.SUBMITTED,), target=S.RETURNED, roles=ORGANIZERS, label=str(_("退回修改")),
                   needs_comment=True, style="warning"),
    "accept": Step(sources=(S.SUBMITTED,), target=S.ACCEPTED, roles=ORGANIZERS, label=str(_("受理（进入遴选）")),
                   style="success", extra={"service": True}, guards=(missing_attachments,)),
    "reject": Step(sources=(S.SUBMITTED,), target=S.REJECTED, roles=ORGANIZERS, label=str(_("不予受理")),
                   needs_comment=True, style="secondary"),
    "withdraw": Step(sources=(S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED), target=S.WITHDRAWN, roles=LEADERS,
                     label=str(_("撤回申报")), needs_comment=False, style="outline-secondary"),
})
