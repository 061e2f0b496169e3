"""The pairing lifecycle (docs/domain.md): proposed → on notice → notice cleared → registered → active → ended/replaced;
before registration an upheld objection withdraws a pairing (已撤销), which reads 已更换 once a 递补 team is proposed.

Other steps (public notice, objections, registration, later replacement) move pairings only through
:func:`pairing_move`, which checks the move, stamps its date and records the transition with its actor.
"""
from __future__ import annotations

from django.db import transaction

from core.workflow import apply_transition
from matching.choices import PAIRING_WORKFLOW
from matching.models import Pairing


@transaction.atomic
def pairing_move(*, pairing: Pairing, move: str, actor, comment: str = "", ended_on=None) -> Pairing:
    """Take one system step of the pairing lifecycle (``PAIRING_WORKFLOW``) for the service that causes it.

    The row is locked and re-read first, so the step is checked against the stored state; the step stamps its date
    and records the transition with the official whose step caused it. ``ended_on`` is the last day of the
    assistance for the ending moves (a replacement's switch date, the cycle's last day; default: today).
    """
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    fields = []
    if move in ("withdraw", "replace", "end"):
        from django.utils import timezone

        pairing.end_reason = comment
        pairing.ended_on = ended_on or timezone.localdate()
        fields += ["end_reason", "ended_on"]
    apply_transition(workflow=PAIRING_WORKFLOW, obj=pairing, action=move, actor=actor, comment=comment,
                     save_fields=fields, system=True)
    if move == "activate" and pairing.replaces_id:
        # One team works in a town on any day: a team taking over from a replaced one starts the day after the old
        # team's last day (调整更换), even when both fall on the day of the switch.
        import datetime as dt

        last = Pairing.objects.filter(pk=pairing.replaces_id).values_list("ended_on", flat=True).first()
        if last and pairing.active_from and pairing.active_from <= last:
            pairing.active_from = last + dt.timedelta(days=1)
            pairing.save(update_fields=["active_from", "updated_at"])
    return pairing


def recipients_for(pairing: Pairing) -> list[str]:
    """Who must confirm a pairing's registration: city pairing → province; county pairing → city and province."""
    if pairing.organizer_level == "county":
        return ["city", "province"]
    if pairing.organizer_level == "city":
        return ["province"]
    return []
