"""Writes on dispatching units beyond the record itself: archiving (停用) and restoring (恢复).

Units are never deleted (``DomainModel.delete_refusal``): a unit no longer sending commissioners is archived. An
archived unit keeps its teams, commissioners and accounts; it is only no longer offered for new records (a team it
leads, a commissioner, a unit account — ``DispatchingUnit.check_active``).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.scoping import VIEW, can
from core.workflow import apply_transition
from units.choices import UNIT_WORKFLOW
from units.models import DispatchingUnit

SHOWN_TEAMS = 3  # team names quoted in the refusal; the count is always given


def open_led_teams(unit: DispatchingUnit):
    """The teams ``unit`` leads in a cycle that has not ended (planned or open).

    Through the reverse relation: teams sits above units and is not imported."""
    from cycles.models import Cycle

    return unit.teams.exclude(cycle__status=Cycle.Status.CLOSED).order_by("name")


def archive_refusal(unit: DispatchingUnit) -> str | None:
    """Why ``unit`` may not be archived now (it leads teams of a cycle not ended), in Chinese; None when it may."""
    teams = open_led_teams(unit)
    count = teams.count()
    if not count:
        return None
    names = "、".join("“%s”" % name for name in teams.values_list("name", flat=True)[:SHOWN_TEAMS])
    more = str(_("等")) if count > SHOWN_TEAMS else ""
    return str(_("派出单位“%(unit)s”仍牵头%(count)d个帮扶周期未结束的团队（%(names)s%(more)s），不能停用；"
                 "请待周期结束后再停用。") % {"unit": unit.name, "count": count, "names": names, "more": more})


@transaction.atomic
def unit_transition(*, actor, unit: DispatchingUnit, action: str, comment: str = "") -> DispatchingUnit:
    """Archive (停用, with a reason) or restore (恢复) a unit; the step and its reason are recorded.

    The unit must be in the actor's view scope (units are shared by the province's officials); the step's roles
    (city S&T bureau, province; the administrator) are checked by :func:`core.workflow.apply_transition`, as are
    the state and the reason. A unit still leading a team of a cycle that has not ended is not archived.
    """
    if not can(actor, unit, VIEW):
        raise PermissionDenied(_("您无权处理该派出单位。"))
    apply_transition(workflow=UNIT_WORKFLOW, obj=unit, action=action, actor=actor, comment=comment)
    return unit
