"""Reads on commissioners and teams used by pages, calls and the API."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.models import SensitiveAccess
from core.scoping import is_unrestricted
from teams.choices import MemberRole
from teams.models import Commissioner, Team, TeamMembership

# Application states in which the team's make-up is under review and must not change.
LOCKING_STATES = ("submitted", "accepted")


def memberships_for_team(team: Team):
    """The team's people, leader first."""
    # "leader" sorts before "member".
    return (TeamMembership.objects.filter(team=team)
            .select_related("commissioner", "commissioner__unit", "commissioner__user").order_by("role", "pk"))


def team_leader(team: Team) -> Commissioner | None:
    row = TeamMembership.objects.filter(team=team, role=MemberRole.LEADER).select_related("commissioner").first()
    return row.commissioner if row else None


def team_size(team: Team) -> int:
    return TeamMembership.objects.filter(team=team).count()


def team_locked(team: Team) -> bool:
    """True while an application of the team is submitted or accepted (its make-up is under review)."""
    from calls.models import Application

    return Application.objects.filter(team=team, status__in=LOCKING_STATES).exists()


def handles_commissioner(user, commissioner: Commissioner) -> bool:
    """The person, their dispatching unit, and the organizers whose calls their team applied to."""
    if is_unrestricted(user):
        return True
    if commissioner.user_id and commissioner.user_id == user.pk:
        return True
    if user.role == Role.UNIT and user.unit_id and user.unit_id == commissioner.unit_id:
        return True
    if user.role in {Role.CITY_ST, Role.COUNTY_ST}:
        from calls.models import Application
        from core.scoping import restrict

        teams = TeamMembership.objects.filter(commissioner=commissioner).values("team_id")
        return restrict(Application.objects.filter(team_id__in=teams), user, "change").exists()
    return False


def commissioner_id_number(*, user, commissioner: Commissioner, purpose: str = "") -> str:
    """The unmasked ID number for someone handling the person's case; every call is logged."""
    if not handles_commissioner(user, commissioner):
        raise PermissionDenied(_("您无权查看完整身份证号码。"))
    SensitiveAccess.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(Commissioner), object_id=str(commissioner.pk),
        field="id_number", purpose=purpose[:200],
    )
    return commissioner.id_number
