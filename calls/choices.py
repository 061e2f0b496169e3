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


def accepted_elsewhere(application, actor=None) -> str | None:
    """A team already accepted in another call of the cycle is accepted again only when the official confirms.

    It would go into two selections (one team, one town per cycle: the first finalized pairing wins, the other
    round skips it)."""
    others = list(application.__class__.objects.filter(
        team_id=application.team_id, call__cycle_id=application.call.cycle_id, status=ApplicationStatus.ACCEPTED)
        .exclude(pk=application.pk).select_related("call")[:3])
    if others:
        return str(_("该团队已被%(c)s受理，将同时进入两次遴选；先确定的结对有效，另一次遴选将不再安排该团队。")
                   % {"c": "、".join("《%s》" % o.call.title for o in others)})
    return None


def application_incomplete(application, actor=None) -> str | None:
    """Submitting waits until the application is complete: the button is disabled with the reason meanwhile."""
    from calls.services import application_problems

    problems = application_problems(application)
    if problems:
        return str(_("请先完成“提交前还需完成”所列的%(n)d项。") % {"n": len(problems)})
    return None


# A call usually stays open at least this many working days, so that teams can prepare and get their unit's seal.
CALL_MIN_WORKING_DAYS = 10


def call_closed_already(call, actor=None) -> str | None:
    """A call whose close date has passed cannot be published: nobody could apply."""
    from django.utils import timezone

    if call.close_date and call.close_date < timezone.localdate():
        return str(_("申报截止日期（%(d)s）已过，请先修改截止日期。") % {"d": call.close_date.strftime("%Y-%m-%d")})
    return None


def call_window_short(call, actor=None) -> str | None:
    """An application window under CALL_MIN_WORKING_DAYS working days is published only when the official confirms.

    A warning, not a refusal: an urgent supplementary call may be short, but it is short knowingly."""
    from django.utils import timezone

    from core.china import format_cn_date, working_days_between

    if not (call.open_date and call.close_date):
        return None
    start = max(call.open_date, timezone.localdate())
    days = working_days_between(start, call.close_date)
    if days < CALL_MIN_WORKING_DAYS:
        return str(_("申报期仅%(n)d个工作日（%(a)s至%(b)s），少于通常的%(m)d个工作日，团队可能来不及准备材料、办理单位盖章。")
                   % {"n": days, "a": format_cn_date(start), "b": format_cn_date(call.close_date),
                      "m": CALL_MIN_WORKING_DAYS})
    return None


# Guards that read other apps' records (no withdrawal once a pairing exists, no cancelling a call with pairings) are
# added by those apps (matching/apps.py) so this app imports nothing above it.
CALL_WORKFLOW = Workflow("calls.Call", title="征集通知", steps={
    "publish": Step(sources=(CallStatus.DRAFT,), target=CallStatus.PUBLISHED, roles=ORGANIZERS,
                    label=str(_("发布")), style="danger", guards=(call_closed_already,),
                    warnings=(call_window_short,)),
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
                   style="success", extra={"service": True}, guards=(missing_attachments,),
                   warnings=(accepted_elsewhere,)),
    "reject": Step(sources=(S.SUBMITTED,), target=S.REJECTED, roles=ORGANIZERS, label=str(_("不予受理")),
                   needs_comment=True, style="secondary"),
    "withdraw": Step(sources=(S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED), target=S.WITHDRAWN, roles=LEADERS,
                     label=str(_("撤回申报")), needs_comment=False, style="outline-secondary"),
})
