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
    """DOMAIN.md: proposed → on notice → registered → active → ended or replaced."""

    PROPOSED = "proposed", _("拟结对")
    ON_NOTICE = "on_notice", _("公示中")
    NOTICE_CLEARED = "notice_cleared", _("公示无异议")
    REGISTERED = "registered", _("已备案")
    ACTIVE = "active", _("帮扶中")
    ENDED = "ended", _("已结束")
    REPLACED = "replaced", _("已更换")


LIVE_PAIRING_STATES = (PairingStatus.PROPOSED, PairingStatus.ON_NOTICE, PairingStatus.NOTICE_CLEARED,
                       PairingStatus.REGISTERED, PairingStatus.ACTIVE)
ENDED_PAIRING_STATES = (PairingStatus.ENDED, PairingStatus.REPLACED)
