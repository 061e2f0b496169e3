"""States of selection rounds, runs and pairings."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    FINALIZED = "finalized", _("已确定")
    CANCELLED = "cancelled", _("已取消")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ConstraintKind(models.TextChoices):
    LOCK = "lock", _("锁定")
    EXCLUDE = "exclude", _("排除")


class PairingStatus(models.TextChoices):
    """docs/domain.md: proposed → on notice → registered → active → ended or replaced."""

    PROPOSED = "proposed", _("拟结对")
    ON_NOTICE = "on_notice", _("公示中")
    NOTICE_CLEARED = "notice_cleared", _("公示无异议")
    REGISTERED = "registered", _("已备案")
    ACTIVE = "active", _("帮扶中")
    ENDED = "ended", _("已结束")
    WITHDRAWN = "withdrawn", _("已撤销")
    REPLACED = "replaced", _("已更换")


LIVE_PAIRING_STATES = (PairingStatus.PROPOSED, PairingStatus.ON_NOTICE, PairingStatus.NOTICE_CLEARED,
                       PairingStatus.REGISTERED, PairingStatus.ACTIVE)
# 已撤销: removed before registration (an objection upheld) and no team has taken its place yet; once a 递补 team is
# proposed it reads 已更换. Neither holds the town or the team.
ENDED_PAIRING_STATES = (PairingStatus.ENDED, PairingStatus.WITHDRAWN, PairingStatus.REPLACED)


# ---------------------------------------------------------------- workflows (core.workflow)
from core.roles import ORGANIZERS  # noqa: E402
from core.workflow import SYSTEM, Step, Workflow  # noqa: E402

ROUND_ORGANIZERS = ORGANIZERS

# Finalizing is taken by matching.services.finalize, which creates the pairings in the same transaction.
ROUND_WORKFLOW = Workflow("matching.SelectionRound", title="遴选", steps={
    "finalize": Step(sources=(RoundStatus.OPEN,), target=RoundStatus.FINALIZED, roles=ROUND_ORGANIZERS,
                     label=str(_("确定结对方案")), style="danger", stamp="finalized_at", extra={"service": True}),
    "cancel": Step(sources=(RoundStatus.OPEN,), target=RoundStatus.CANCELLED, roles=ROUND_ORGANIZERS,
                   label=str(_("取消遴选")), needs_comment=True, style="secondary"),
})

# A run is computed by the background worker: its steps are the platform's, recorded with the official who ran it.
RUN_WORKFLOW = Workflow("matching.SelectionRun", title="遴选运行", steps={
    "start": Step(sources=(RunStatus.PENDING,), target=RunStatus.RUNNING, roles=SYSTEM, label=str(_("开始计算"))),
    "finish": Step(sources=(RunStatus.RUNNING,), target=RunStatus.DONE, roles=SYSTEM, label=str(_("计算完成"))),
    "fail": Step(sources=(RunStatus.PENDING, RunStatus.RUNNING), target=RunStatus.FAILED, roles=SYSTEM,
                 label=str(_("计算失败"))),
})

S = PairingStatus
# DOMAIN: proposed → on notice → notice cleared → registered → active → ended or replaced. Every move is taken by the
# service of the step that causes it (a notice published, a notice closed, a registration confirmed, an objection
# upheld), so all are system steps recorded with that step's official.
PAIRING_WORKFLOW = Workflow("matching.Pairing", title="结对", steps={
    "notice": Step(sources=(S.PROPOSED,), target=S.ON_NOTICE, roles=SYSTEM, label=str(_("进入公示")),
                   stamp="notice_started_at"),
    "clear": Step(sources=(S.ON_NOTICE,), target=S.NOTICE_CLEARED, roles=SYSTEM, label=str(_("公示无异议")),
                  stamp="notice_cleared_at"),
    "register": Step(sources=(S.NOTICE_CLEARED,), target=S.REGISTERED, roles=SYSTEM, label=str(_("完成备案")),
                     stamp="registered_at"),
    "activate": Step(sources=(S.REGISTERED,), target=S.ACTIVE, roles=SYSTEM, label=str(_("开始帮扶")),
                     stamp="active_from"),
    "withdraw": Step(sources=(S.PROPOSED, S.ON_NOTICE, S.NOTICE_CLEARED), target=S.WITHDRAWN, roles=SYSTEM,
                     label=str(_("撤销结对")), stamp="ended_at"),
    "succeed": Step(sources=(S.WITHDRAWN,), target=S.REPLACED, roles=SYSTEM, label=str(_("递补团队已确定"))),
    "replace": Step(sources=(S.PROPOSED, S.ON_NOTICE, S.NOTICE_CLEARED, S.REGISTERED, S.ACTIVE), target=S.REPLACED,
                    roles=SYSTEM, label=str(_("调整更换")), stamp="ended_at"),
    "end": Step(sources=(S.REGISTERED, S.ACTIVE), target=S.ENDED, roles=SYSTEM, label=str(_("结束帮扶")),
                stamp="ended_at"),
})
