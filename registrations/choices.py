"""Registration submissions (备案报送): recipients, states and the workflow (who may take which step)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.roles import ORGANIZERS  # the named role groups, declared once
from core.workflow import Step, Workflow



class Recipient(models.TextChoices):
    """Who a submission is sent to for registration."""

    PROVINCE = "province", _("省科技厅")
    CITY = "city", _("市科技局")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("待报送")
    SENT = "sent", _("已报送")
    RETURNED = "returned", _("退回修改")
    CONFIRMED = "confirmed", _("已确认备案")


S = SubmissionStatus
EDITABLE_STATES = (S.DRAFT, S.RETURNED)

# "confirm" and "return" are taken by the recipient: the city's S&T bureau for a submission to the city, the province's
# S&T department (its own account) for one to the province; where the province does not use the platform, the
# organizer records the province's confirmation, and the record says so. The service checks that.
SUBMISSION_WORKFLOW = Workflow("registrations.RegistrationSubmission", title="备案报送", steps={
    "send": Step(sources=(S.DRAFT,), target=S.SENT, roles=ORGANIZERS, label=str(_("报送")), style="danger"),
    "return": Step(sources=(S.SENT,), target=S.RETURNED, roles=frozenset({Role.CITY_ST, Role.PROVINCE}),
                   label=str(_("退回修改")),
                   needs_comment=True, style="warning"),
    "resubmit": Step(sources=(S.RETURNED,), target=S.SENT, roles=ORGANIZERS, label=str(_("修改后重新报送")),
                     style="danger"),
    "confirm": Step(sources=(S.SENT,), target=S.CONFIRMED, roles=ORGANIZERS | {Role.PROVINCE}, label=str(_("确认备案")),
                    style="success"),
})
