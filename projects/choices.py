"""Agreements (帮扶协议) and assistance projects (帮扶项目): states, budget categories and the workflows.

Seed 三(四): a registered team contacts its town and the town's stationed work team, signs an assistance agreement,
refines projects from the town's needs and submits them to its S&T office within the set time. The expert review and
funding issue takes a project on from "accepted for review".
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import LEADERS, ORGANIZERS, Role
from core.workflow import SYSTEM, Step, Workflow


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("起草中")
    SIGNED = "signed", _("已签署待确认")
    RETURNED = "returned", _("镇退回")
    CONFIRMED = "confirmed", _("镇已确认")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("已受理待论证")
    APPROVED = "approved", _("已立项")
    REJECTED = "rejected", _("论证未通过")
    DISCARDED = "discarded", _("已作废")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")


class BudgetCategory(models.TextChoices):
    """Budget categories as Guangdong's S&T project budgets list them (direct costs)."""

    EQUIPMENT = "equipment", _("设备费")
    MATERIALS = "materials", _("材料费（种苗、农资等）")
    TESTING = "testing", _("测试化验加工费")
    TRAVEL = "travel", _("差旅费（驻镇交通、住宿）")
    TRAINING = "training", _("培训费")
    DEMONSTRATION = "demonstration", _("示范基地建设费")
    PUBLICATION = "publication", _("资料、出版及知识产权费")
    LABOUR = "labour", _("劳务费")
    CONSULTING = "consulting", _("专家咨询费")
    OTHER = "other", _("其他支出")


class BudgetSource(models.TextChoices):
    CITY = "city", _("市级财政科技资金")
    COUNTY = "county", _("县级财政资金")
    UNIT = "unit", _("派出单位自筹")
    TOWN = "town", _("镇及驻镇工作队配套")
    ENTERPRISE = "enterprise", _("企业及合作社投入")
    OTHER = "other", _("其他来源")


A = AgreementStatus
P = ProjectStatus
C = ChangeStatus
AGREEMENT_EDITABLE = (A.DRAFT, A.RETURNED)
PROJECT_EDITABLE = (P.DRAFT, P.RETURNED)
# After acceptance (and once approved) a project changes only by an approved change request.
PROJECT_CHANGEABLE = (P.ACCEPTED, P.APPROVED)
TOWNS = frozenset({Role.TOWN})

# The leader drafts, prints and uploads the signed scan ("sign"); the town confirms it or sends it back.
AGREEMENT_WORKFLOW = Workflow("projects.Agreement", title="帮扶协议", steps={
    "sign": Step(sources=(A.DRAFT, A.RETURNED), target=A.SIGNED, roles=LEADERS, label=str(_("上传签署件并提交镇确认")),
                 style="primary", stamp="signed_uploaded_at"),
    "confirm": Step(sources=(A.SIGNED,), target=A.CONFIRMED, roles=TOWNS, label=str(_("确认协议")), style="success",
                    stamp="confirmed_at"),
    "return": Step(sources=(A.SIGNED,), target=A.RETURNED, roles=TOWNS, label=str(_("退回团队")), needs_comment=True,
                   style="warning"),
})

def project_incomplete(project, actor=None):
    """Guard: a project lacking needs, a yearly plan, budget lines adding up or members is not submitted."""
    from projects.selectors import WORKING_PAIRING_STATES, submission_problems

    problems = submission_problems(project)
    if problems:
        return _("项目还不完整：%(p)s") % {"p": "".join(str(p) for p in problems)}
    if project.pairing.status not in WORKING_PAIRING_STATES:
        return _("结对当前为“%(s)s”，不能报送项目。") % {"s": project.pairing.get_status_display()}
    return None


def project_submitted_once(project, actor=None):
    """Guard: a project once submitted is on the organizer's record and is not discarded."""
    if project.submitted_at is not None:
        return _("项目曾报送科技部门，不能作废。")
    return None


def agreement_unconfirmed(project, actor=None):
    """Warning: the plan has the agreement signed before the projects; the leader may still submit on time."""
    from projects.models import Agreement

    status = Agreement.objects.filter(pairing_id=project.pairing_id).values_list("status", flat=True).first()
    if status != AgreementStatus.CONFIRMED:
        return _("帮扶协议尚未经镇确认（行动方案要求先签订协议再凝练项目）。")
    return None


def submission_late(project, actor=None):
    """Warning: past the submission window the project is flagged late (not blocked)."""
    from django.utils import timezone

    from projects.models import Project

    first = Project.objects.filter(pk=project.pk, submitted_at__isnull=True).exists()  # the stored row: not yet sent
    if first and timezone.localdate() > project.due_date:
        return _("已超过项目报送期限（%(d)s），报送后将标记为逾期。") % {"d": project.due_date.isoformat()}
    return None


# Only the leader submits; the organizing S&T office returns it with reasons or accepts it for the expert review.
PROJECT_WORKFLOW = Workflow("projects.Project", title="帮扶项目", steps={
    "submit": Step(sources=(P.DRAFT,), target=P.SUBMITTED, roles=LEADERS, label=str(_("报送科技部门")), style="danger",
                   guards=(project_incomplete,), warnings=(agreement_unconfirmed, submission_late)),
    "return": Step(sources=(P.SUBMITTED,), target=P.RETURNED, roles=ORGANIZERS, label=str(_("退回修改")),
                   needs_comment=True, style="warning"),
    "resubmit": Step(sources=(P.RETURNED,), target=P.SUBMITTED, roles=LEADERS, label=str(_("修改后重新报送")),
                     style="danger", guards=(project_incomplete,), warnings=(agreement_unconfirmed,)),
    "accept": Step(sources=(P.SUBMITTED,), target=P.ACCEPTED, roles=ORGANIZERS, label=str(_("受理，进入专家论证")),
                   style="success", stamp="accepted_at"),
    # A draft never submitted (a duplicate, a false start) is discarded by its leader; a submitted one stays on record.
    "discard": Step(sources=(P.DRAFT,), target=P.DISCARDED, roles=LEADERS, label=str(_("作废草稿")),
                    style="outline-secondary", guards=(project_submitted_once,)),
    # The expert review's decision (reviews app) moves the project: approved (with or without changes) or rejected.
    "approve": Step(sources=(P.ACCEPTED,), target=P.APPROVED, roles=SYSTEM, label=str(_("论证通过，立项"))),
    "reject": Step(sources=(P.ACCEPTED,), target=P.REJECTED, roles=SYSTEM, label=str(_("论证未通过"))),
})

# After acceptance a project changes only through a change request the organizing S&T office approves.
CHANGE_WORKFLOW = Workflow("projects.ProjectChange", title="项目变更", steps={
    "approve": Step(sources=(C.PENDING,), target=C.APPROVED, roles=ORGANIZERS, label=str(_("批准变更")),
                    style="success", stamp="decided_at"),
    "reject": Step(sources=(C.PENDING,), target=C.REJECTED, roles=ORGANIZERS, label=str(_("不予批准")),
                   needs_comment=True, style="warning", stamp="decided_at"),
    "withdraw": Step(sources=(C.PENDING,), target=C.WITHDRAWN, roles=LEADERS, label=str(_("撤回变更申请")),
                     style="secondary", stamp="decided_at"),
})
