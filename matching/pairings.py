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
def pairing_move(*, pairing: Pairing, move: str, actor, comment: str = "") -> Pairing:
    """Take one system step of the pairing lifecycle (``PAIRING_WORKFLOW``) for the service that causes it.

    The row is locked and re-read first, so the step is checked against the stored state; the step stamps its date
    and records the transition with the official whose step caused it.
    """
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    fields = []
    if move in ("withdraw", "replace", "end"):
        pairing.end_reason = comment
        fields.append("end_reason")
    apply_transition(workflow=PAIRING_WORKFLOW, obj=pairing, action=move, actor=actor, comment=comment,
                     save_fields=fields, system=True)
    return pairing


def recipients_for(pairing: Pairing) -> list[str]:
    """Who must confirm a pairing's registration: city pairing → province; county pairing → city and province."""
    if pairing.organizer_level == "county":
        return ["city", "province"]
    if pairing.organizer_level == "city":
        return ["province"]
    return []
