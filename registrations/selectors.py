"""Reads on registrations: pairings ready to submit, the package's team table, actions open to a user, and the
deadline dashboard (counted in the database, scoped with :func:`core.scoping.restrict`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from core.roles import CITY_ROLES, Role, is_system_admin
from core.scoping import CHANGE, VIEW, can, is_unrestricted, restrict
from matching.choices import LIVE_PAIRING_STATES, PairingStatus
from matching.models import Pairing
from registrations.choices import EDITABLE_STATES, Recipient, SubmissionStatus
from registrations.models import RegistrationSubmission
from regions.models import City, County, TownClassification
from regions.selectors import sees_several_cities

REGISTERED_STATES = (PairingStatus.REGISTERED, PairingStatus.ACTIVE)
NEED_STATES_ADDRESSED = ("confirmed", "matched", "in_assistance")


def pairings_to_submit(user, cycle=None):
    """Cleared pairings the user's level organizes and may submit (city → city-level; county → its county's).

    Cleared as the pages read it: a pairing whose notice's period ended with no open objection is offered before the
    scheduled job records it; saving the submission records it first (``services._record_cleared``)."""
    from matching.selectors import with_effective_status

    queryset = (with_effective_status(Pairing.objects.exclude(organizer_level="province"))
                .filter(current_status=PairingStatus.NOTICE_CLEARED))
    if cycle is not None:
        queryset = queryset.filter(cycle=cycle)
    return restrict(queryset, user, CHANGE).select_related("town", "town__county", "team").order_by("town__code")


def recipients_for_actor(user) -> list[tuple[str, str]]:
    """Whom this organizer reports to: the city reports its pairings to the province; a county to the city and the
    province (never to itself)."""
    if user.role == Role.CITY_ST:
        return [(Recipient.PROVINCE.value, Recipient.PROVINCE.label)]
    return [(value, label) for value, label in ((Recipient.CITY.value, Recipient.CITY.label),
                                                (Recipient.PROVINCE.value, Recipient.PROVINCE.label))]


def pairings_not_ready(user, cycle) -> dict:
    """Why nothing can be submitted yet: the organizer's live pairings of the cycle by the state they read as, with
    the latest notice end among those on notice."""
    from matching.selectors import with_effective_status

    if cycle is None:
        return {}
    rows = (restrict(with_effective_status(Pairing.objects.filter(cycle=cycle, status__in=LIVE_PAIRING_STATES)
                                           .exclude(organizer_level="province")), user, CHANGE)
            .order_by().values("current_status").annotate(n=Count("pk")))
    return {row["current_status"]: row["n"] for row in rows}


def pairings_not_fully_submitted(user, cycle=None):
    """Cleared pairings still missing a submission to one of their required recipients."""
    queryset = pairings_to_submit(user, cycle).annotate(submitted=Count("registration_items", distinct=True))
    return queryset.filter(Q(organizer_level="city", submitted__lt=1) | Q(organizer_level="county", submitted__lt=2))


# --------------------------------------------------------------------------
# The package: team table
# --------------------------------------------------------------------------

TEAM_TABLE_HEADERS = ["序号", "团队名称", "团队负责人", "团队成员", "派出单位", "职称", "专业领域", "帮扶镇",
                      "县（市、区）", "对接需求", "联系方式"]


def submission_pairings(submission: RegistrationSubmission):
    """The submission's pairings with team people and the town's needs, in three queries whatever the size."""
    from needs.models import Need
    from teams.models import TeamMembership

    return (Pairing.objects.filter(registration_items__submission=submission)
            .select_related("town", "town__county", "team", "team__lead_unit")
            .prefetch_related(
                Prefetch("team__memberships", queryset=TeamMembership.objects.select_related(
                    "commissioner", "commissioner__unit").order_by("role", "pk"), to_attr="people"),
                Prefetch("town__needs", queryset=Need.objects.filter(cycle_id=submission.cycle_id,
                                                                    status__in=NEED_STATES_ADDRESSED).order_by("pk"),
                         to_attr="addressed_needs"))
            .order_by("town__code"))


def team_table_rows(submission: RegistrationSubmission, *, reveal_phones: bool = True) -> list[list]:
    """One row per pairing: team, leader, members, units, titles, specialties, town, county, needs, contact.

    The leader's mobile number is for those handling the registration; others get it masked."""
    from core.china import mask_phone

    rows = []
    for number, pairing in enumerate(submission_pairings(submission), start=1):
        team, town = pairing.team, pairing.town
        people = team.people
        leaders = [m.commissioner for m in people if m.role == "leader"]
        leader = leaders[0] if leaders else None
        members = [m.commissioner for m in people if m.role != "leader"]
        everyone = [m.commissioner for m in people]
        units = list(dict.fromkeys(person.unit.name for person in everyone)) or [team.lead_unit.name]
        rows.append([
            number,
            team.name,
            leader.name if leader else team.leader_name,
            "、".join(person.name for person in members),
            "、".join(units),
            "；".join("%s：%s" % (person.name, person.title or "—") for person in everyone),
            "；".join("%s：%s" % (person.name, person.specialty or "—") for person in everyone),
            town.name,
            town.county.name,
            "；".join(need.title for need in town.addressed_needs),
            "%s %s" % (leader.name, leader.phone if reveal_phones else mask_phone(leader.phone)) if leader else "",
        ])
    return rows


# --------------------------------------------------------------------------
# What a user may do with a submission
# --------------------------------------------------------------------------

def may_receive(user, submission: RegistrationSubmission) -> bool:
    """Who answers a submission in the platform: the city's S&T bureau for one sent to the city, the province's
    S&T department (its own account) for one sent to the province."""
    if is_system_admin(user):
        return True
    if submission.recipient == Recipient.CITY:
        return user.role == Role.CITY_ST and user.city_id == submission.city_id
    return (user.role == Role.PROVINCE and bool(user.province_code)
            and user.province_code == submission.city.province_code)


def province_on_platform(submission: RegistrationSubmission) -> bool:
    """Whether the submission's province confirms in the platform itself (it has an active account): then nobody may
    record the province's confirmation on its behalf."""
    from accounts.models import User

    return User.objects.filter(role=Role.PROVINCE, province_code=submission.city.province_code, is_active=True).exists()


def actions_for(user, submission: RegistrationSubmission) -> list[str]:
    """The steps ``user`` may take now: edit, send/resubmit, return, confirm."""
    organizer = can(user, submission, CHANGE) and user.role in {Role.CITY_ST, Role.COUNTY_ST, Role.ADMIN}
    status = submission.status
    actions = []
    if organizer and status in EDITABLE_STATES:
        actions += ["edit", "resubmit" if status == SubmissionStatus.RETURNED else "send"]
    if status == SubmissionStatus.SENT:
        if may_receive(user, submission):
            actions += ["confirm", "return"]
        elif submission.recipient == Recipient.PROVINCE and organizer and not province_on_platform(submission):
            actions.append("confirm")
    return actions


# --------------------------------------------------------------------------
# Deadline dashboard
# --------------------------------------------------------------------------

@dataclass
class DeadlineRow:
    """The figures of one organizer (the city, or one county) against the cycle's dispatch deadline."""

    level: str
    county_id: int | None
    name: str
    city_id: int | None = None  # a province's rows: one per city, all its organizers together
    to_cover: int = 0
    proposed: int = 0
    on_notice: int = 0
    cleared: int = 0
    registered: int = 0
    uncovered: int = 0
    late: int = 0

    def add(self, figures: dict) -> None:
        for key in ("to_cover", "proposed", "on_notice", "cleared", "registered"):
            setattr(self, key, getattr(self, key) + figures[key])
        self.uncovered += figures["to_cover"] - figures["covered"]


@dataclass
class DeadlineDashboard:
    """Per cycle: the city row and one row per county in scope, late towns and the province-organized towns."""

    cycle_id: int
    cycle_name: str
    dispatch_deadline: dt.date
    today: dt.date
    days_left: int
    overdue: bool
    rows: list[DeadlineRow] = field(default_factory=list)
    late_towns: list[dict] = field(default_factory=list)
    province_towns: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def sees_city_row(user) -> bool:
    return is_unrestricted(user) or user.role in CITY_ROLES or user.role == Role.PROVINCE


def _pairing_count(statuses, cycle) -> Count:
    return Count("town__pairings", filter=Q(town__pairings__cycle=cycle, town__pairings__status__in=statuses),
                 distinct=True)


def deadline_dashboard(*, user, cycle, today: dt.date | None = None) -> DeadlineDashboard:
    """Towns to cover, proposed, on notice, cleared, registered (or active), uncovered and late, per organizer.

    A town counts for the level that organizes it in the cycle: the city row holds city- and province-organized
    towns, a county's row its county-organized towns. One aggregate query for the figures, whatever the town count.
    """
    today = today or timezone.localdate()
    overdue = today > cycle.dispatch_deadline
    city_row = sees_city_row(user)
    classified = restrict(TownClassification.objects.filter(cycle=cycle).exclude(organizing_level="none"), user, VIEW)
    if not city_row:
        classified = classified.filter(organizing_level="county")
    # Whoever sees several cities (the province) gets a row per city: the table does not grow with the counties.
    by_city = sees_several_cities(user)
    figures = (classified.values("town__county__city_id" if by_city else "town__county_id", "organizing_level").order_by()
               .annotate(to_cover=Count("pk", distinct=True),
                         proposed=_pairing_count([PairingStatus.PROPOSED], cycle),
                         on_notice=_pairing_count([PairingStatus.ON_NOTICE], cycle),
                         cleared=_pairing_count([PairingStatus.NOTICE_CLEARED], cycle),
                         registered=_pairing_count(REGISTERED_STATES, cycle),
                         covered=Count("town", filter=Q(town__pairings__cycle=cycle,
                                                        town__pairings__status__in=LIVE_PAIRING_STATES), distinct=True)))
    rows: dict = {}
    counties = [] if by_city else list(restrict(County.objects.all(), user, VIEW).select_related("city").order_by("code"))
    if by_city:
        for city in restrict(City.objects.all(), user, VIEW).order_by("code"):
            rows[city.pk] = DeadlineRow(level="city", county_id=None, city_id=city.pk, name=city.name)
    elif city_row:
        name = counties[0].city.name if counties else ""
        rows["city"] = DeadlineRow(level="city", county_id=None, name="%s（市级组织）" % name)
    for county in counties:
        rows[county.pk] = DeadlineRow(level="county", county_id=county.pk, name=county.name)
    for figure in figures:
        if by_city:
            key = figure["town__county__city_id"]
        else:
            key = "city" if figure["organizing_level"] in ("city", "province") else figure["town__county_id"]
        if key in rows:
            rows[key].add(figure)
    for row in rows.values():
        row.late = row.to_cover - row.registered if overdue else 0
    dashboard = DeadlineDashboard(cycle_id=cycle.pk, cycle_name=cycle.name, dispatch_deadline=cycle.dispatch_deadline,
                                  today=today, days_left=(cycle.dispatch_deadline - today).days, overdue=overdue,
                                  rows=list(rows.values()))
    if overdue:
        # NOT EXISTS per town (an anti-join on the pairing's town index), not NOT IN over every registered town of
        # the cycle in the country.
        registered = Pairing.objects.filter(cycle=cycle, status__in=REGISTERED_STATES, town_id=OuterRef("town_id"))
        late = (classified.exclude(Exists(registered)).select_related("town", "town__county")
                .order_by("town__code"))
        dashboard.late_towns = [{"town_id": c.town_id, "town": c.town.name, "county": c.town.county.name,
                                 "organizing_level": c.organizing_level,
                                 "organizing_level_display": str(c.get_organizing_level_display())} for c in late]
    if city_row:
        province = list(classified.filter(organizing_level="province").select_related("town", "town__county")
                        .order_by("town__code"))
        teams = {p.town_id: p for p in Pairing.objects.filter(
            cycle=cycle, town_id__in=[c.town_id for c in province], status__in=LIVE_PAIRING_STATES).select_related("team")}
        dashboard.province_towns = [{
            "town_id": c.town_id, "town": c.town.name, "county": c.town.county.name,
            "team": teams[c.town_id].team.name if c.town_id in teams else "",
            "status": teams[c.town_id].status if c.town_id in teams else "",
            "status_display": str(teams[c.town_id].get_status_display()) if c.town_id in teams else "",
        } for c in province]
    return dashboard


def submissions_awaiting_city(user):
    return restrict(RegistrationSubmission.objects.filter(recipient=Recipient.CITY, status=SubmissionStatus.SENT), user)


def handles_submission(user, submission: RegistrationSubmission) -> bool:
    """The organizer who prepares it, the city that receives it and the province: they see the contacts."""
    return (is_unrestricted(user) or user.role == Role.PROVINCE or may_receive(user, submission)
            or (user.role in {Role.CITY_ST, Role.COUNTY_ST} and can(user, submission, CHANGE)))
