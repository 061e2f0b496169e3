"""Reads on commissioners and teams used by pages, calls and the API."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.roles import ORGANIZERS, Role
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
    """True while an application of the team is submitted or accepted (its make-up is under review).

    The calls app sits above teams: its applications are read through the reverse relation, never imported."""
    return team.applications.filter(status__in=LOCKING_STATES).exists()


# The pairing state in which a town works with its team (matching.choices.PairingStatus.ACTIVE).
ACTIVE_PAIRING = "active"
# Application states in which an organizer is handling a team's case (it was submitted to them).
HANDLED_STATES = ("submitted", "returned", "accepted", "rejected")


def handles_commissioner(user, commissioner: Commissioner) -> bool:
    """The person, the system administrator, and the organizers handling an application the person's team
    submitted to them (a draft is not yet anyone's case). Only these see the full ID number."""
    if is_unrestricted(user):
        return True
    if commissioner.user_id and commissioner.user_id == user.pk:
        return True
    if user.role in ORGANIZERS:
        from core.scoping import restrict

        # The application model through Team's reverse relation (calls sits above teams and is not imported).
        Application = Team._meta.get_field("applications").related_model

        teams = TeamMembership.objects.filter(commissioner=commissioner).values("team_id")
        return restrict(Application.objects.filter(team_id__in=teams, status__in=HANDLED_STATES), user,
                        "change").exists()
    return False


def may_verify(user, commissioner: Commissioner) -> bool:
    """The person's dispatching unit, or an organizer handling their team's application, confirms an account."""
    if user.role == Role.UNIT and user.unit_id and user.unit_id == commissioner.unit_id:
        return commissioner.user_id != user.pk
    return handles_commissioner(user, commissioner)


def sees_phone(user, commissioner: Commissioner) -> bool:
    """Who sees a commissioner's mobile number unmasked: those handling the person's case, those who keep the
    record (the dispatching unit that registered the person, the team leader who added them), and the town and
    work team of an active pairing of the person's team (they must be able to call their team)."""
    from core.scoping import CHANGE, can

    if handles_commissioner(user, commissioner) or can(user, commissioner, CHANGE):
        return True
    if user.role == Role.TOWN and user.town_id:
        return TeamMembership.objects.filter(commissioner=commissioner, team__pairings__town_id=user.town_id,
                                             team__pairings__status=ACTIVE_PAIRING).exists()
    return False


def log_unmasked(*, user, commissioner: Commissioner, field: str, purpose: str = "") -> None:
    """Record that ``user`` was shown a personal field unmasked (not logged for the person themself)."""
    if commissioner.user_id and commissioner.user_id == user.pk:
        return
    SensitiveAccess.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(Commissioner), object_id=str(commissioner.pk),
        field=field, purpose=purpose[:200],
    )


def commissioner_id_number(*, user, commissioner: Commissioner, purpose: str = "") -> str:
    """The unmasked ID number for someone handling the person's case; every call is logged."""
    if not handles_commissioner(user, commissioner):
        raise PermissionDenied(_("您无权查看完整身份证号码。"))
    log_unmasked(user=user, commissioner=commissioner, field="id_number", purpose=purpose)
    return commissioner.id_number
