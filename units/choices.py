"""Dispatching-unit states and their workflow: a unit is archived (停用), never deleted, and may be restored."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.workflow import Step, Workflow


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("在用")
    ARCHIVED = "archived", _("已停用")


# Who archives and restores a unit: the city S&T bureau (which registers units) and the province; the system
# administrator (superuser) may take every step. Units are shared by the whole province: scope is "view".
KEEPERS = frozenset({Role.CITY_ST, Role.PROVINCE})



def _still_leading(unit, actor):
    """Not while the unit leads a team of a cycle that has not ended."""
    from units.services import archive_refusal

    return archive_refusal(unit)


# Archiving is refused while the unit leads a team of a cycle that has not ended (the guard, checked under the lock).
UNIT_WORKFLOW = Workflow("units.DispatchingUnit", title="派出单位", steps={
    "archive": Step(sources=(UnitStatus.ACTIVE,), target=UnitStatus.ARCHIVED, roles=KEEPERS, label=str(_("停用")),
                    needs_comment=True, style="outline-danger", guards=(_still_leading,)),
    "restore": Step(sources=(UnitStatus.ARCHIVED,), target=UnitStatus.ACTIVE, roles=KEEPERS, label=str(_("恢复")),
                    style="outline-success"),
})
