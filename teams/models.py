"""Commissioner teams (农村科技特派员团队). Members and the registry come with the calls issue."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.models import DomainModel


class Team(DomainModel):
    """A team of rural S&T commissioners that applies for, and is paired with, one town per cycle."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT,
                              related_name="teams")
    name = models.CharField(_("团队名称"), max_length=100)
    lead_unit = models.ForeignKey("units.DispatchingUnit", verbose_name=_("牵头派出单位"),
                                  on_delete=models.PROTECT, related_name="teams")
    leader_name = models.CharField(_("团队负责人"), max_length=50, blank=True)
    summary = models.TextField(_("团队简介"), blank=True)

    scope_team = ""
    scope_unit = "lead_unit"
    scope_editors = frozenset({Role.TEAM_LEADER})

    class Meta:
        verbose_name = _("特派员团队")
        verbose_name_plural = _("特派员团队")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["cycle", "name"], name="unique_team_name_in_cycle")]

    def __str__(self):
        return self.name

    @classmethod
    def scope_q(cls, user, action):
        # Officials see teams through their applications and pairings (later issues);
        # until then the city and counties read the whole registry of their programme.
        if action == "view" and user.role in {Role.CITY_ST, Role.CITY_RURAL, Role.COUNTY_ST, Role.COUNTY_RURAL,
                                              Role.PROVINCE}:
            return Q()
        return super().scope_q(user, action)
