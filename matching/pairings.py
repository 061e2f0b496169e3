"""The pairing lifecycle (DOMAIN.md): proposed → on notice → notice cleared → registered → active → ended/replaced.

Other steps (public notice, objections, registration, later replacement) move pairings only through
:func:`pairing_move`, which checks the move, stamps its date and records the transition with its actor.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.workflow import record_transition
from matching.choices import PairingStatus as S
from matching.models import Pairing

# move: (allowed sources, target, field stamped with the time, label)
PAIRING_MOVES = {
    "notice": ((S.PROPOSED,), S.ON_NOTICE, "notice_started_at", _("进入公示")),
    "clear": ((S.ON_NOTICE,), S.NOTICE_CLEARED, "notice_cleared_at", _("公示无异议")),
    "register": ((S.NOTICE_CLEARED,), S.REGISTERED, "registered_at", _("完成备案")),
    "activate": ((S.REGISTERED,), S.ACTIVE, "active_from", _("开始帮扶")),
    "replace": ((S.PROPOSED, S.ON_NOTICE, S.NOTICE_CLEARED, S.REGISTERED, S.ACTIVE), S.REPLACED, "ended_at", _("调整更换")),
    "end": ((S.REGISTERED, S.ACTIVE), S.ENDED, "ended_at", _("结束帮扶")),
}


@transaction.atomic
def pairing_move(*, pairing: Pairing, move: str, actor, comment: str = "") -> Pairing:
    """Apply one lifecycle move to a pairing and record it (who, when, from, to, why)."""
    sources, target, stamp, label = PAIRING_MOVES[move]
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.status not in sources:
        raise ValidationError(_("结对“%(p)s”当前为“%(s)s”，不能%(m)s。") % {
            "p": pairing, "s": pairing.get_status_display(), "m": label})
    before = pairing.status
    pairing.status = target
    now = timezone.now()
    setattr(pairing, stamp, timezone.localdate() if stamp == "active_from" else now)
    if move in ("replace", "end"):
        pairing.end_reason = comment
    pairing._change_reason = str(label)
    pairing.save()
    record_transition(obj=pairing, action=move, from_state=before, to_state=target, actor=actor, comment=comment)
    return pairing


def recipients_for(pairing: Pairing) -> list[str]:
    """Who must confirm a pairing's registration: city pairing → province; county pairing → city and province."""
    if pairing.organizer_level == "county":
        return ["city", "province"]
    if pairing.organizer_level == "city":
        return ["province"]
    return []
