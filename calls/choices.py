"""Call and application states, and the application workflow (who may take which step)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.workflow import Step

ORGANIZERS = frozenset({Role.CITY_ST, Role.COUNTY_ST})
LEADERS = frozenset({Role.TEAM_LEADER})


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


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("已受理（进入遴选）")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


S = ApplicationStatus
EDITABLE_STATES = (S.DRAFT, S.RETURNED)

CALL_WORKFLOW = {
    "publish": Step(sources=(CallStatus.DRAFT,), target=CallStatus.PUBLISHED, roles=ORGANIZERS,
                    label=str(_("发布")), style="danger"),
    "cancel": Step(sources=(CallStatus.DRAFT, CallStatus.PUBLISHED), target=CallStatus.CANCELLED, roles=ORGANIZERS,
                   label=str(_("撤销")), needs_comment=True, style="secondary"),
}

# Submit and resubmit go through calls.services.application_submit, which checks completeness and dates first.
APPLICATION_WORKFLOW = {
    "submit": Step(sources=(S.DRAFT,), target=S.SUBMITTED, roles=LEADERS, label=str(_("提交申报")),
                   style="danger", extra={"service": True}),
    "resubmit": Step(sources=(S.RETURNED,), target=S.SUBMITTED, roles=LEADERS, label=str(_("修改后重新提交")),
                     style="danger", extra={"service": True}),
    "return": Step(sources=(S.SUBMITTED,), target=S.RETURNED, roles=ORGANIZERS, label=str(_("退回修改")),
                   needs_comment=True, style="warning"),
    "accept": Step(sources=(S.SUBMITTED,), target=S.ACCEPTED, roles=ORGANIZERS, label=str(_("受理（进入遴选）")),
                   style="success", extra={"service": True}),
    "reject": Step(sources=(S.SUBMITTED,), target=S.REJECTED, roles=ORGANIZERS, label=str(_("不予受理")),
                   needs_comment=True, style="secondary"),
    "withdraw": Step(sources=(S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED), target=S.WITHDRAWN, roles=LEADERS,
                     label=str(_("撤回申报")), needs_comment=False, style="outline-secondary"),
}
