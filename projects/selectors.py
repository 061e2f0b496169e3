"""Reads for agreements and projects: due dates, linkable needs, the team's people, what waits for whom, progress."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from matching.choices import PairingStatus
from needs.choices import NeedStatus

# Pairings whose team works in the town: an agreement and projects are written for these.
WORKING_PAIRING_STATES = (PairingStatus.REGISTERED, PairingStatus.ACTIVE)
LINKABLE_NEED_STATES = (NeedStatus.CONFIRMED, NeedStatus.MATCHED, NeedStatus.IN_ASSISTANCE)


def registered_on(pairing) -> dt.date | None:
    """The day the pairing was registered (its agreement and project windows count from it)."""
    if pairing.registered_at:
        return timezone.localtime(pairing.registered_at).date()
    return pairing.active_from


def agreement_due(pairing) -> dt.date:
    """Registration + the cycle's agreement days; the cycle's fixed agreement date, when set, if it is earlier."""
    cycle = pairing.cycle
    start = registered_on(pairing) or cycle.start_date
    due = start + dt.timedelta(days=cycle.agreement_days)
    if cycle.agreement_due_date and start <= cycle.agreement_due_date < due:
        due = cycle.agreement_due_date
    return due


def project_due(pairing) -> dt.date:
    """Registration + the cycle's project submission days (DOMAIN.md: default 60)."""
    start = registered_on(pairing) or pairing.cycle.start_date
    return start + dt.timedelta(days=pairing.cycle.project_submission_days)


def linkable_needs(pairing):
    """The confirmed needs of the pairing's town in its cycle (the needs a project may address)."""
    from needs.models import Need

    return Need.objects.filter(town_id=pairing.town_id, cycle_id=pairing.cycle_id, status__in=LINKABLE_NEED_STATES)


def team_commissioners(team_id) -> dict:
    """``{commissioner.pk: commissioner}`` of the team's members (leader included)."""
    from teams.models import Commissioner

    return Commissioner.objects.filter(memberships__team_id=team_id).in_bulk()


def submission_problems(project) -> list[str]:
    """What a project still lacks before it can be submitted (shown on its page; the submit step's guard)."""
    from django.utils.translation import gettext as _

    problems = []
    linked = list(project.needs.values_list("title", "status"))
    if not linked:
        problems.append(_("请至少对应一项本镇已确认的需求。"))
    labels = dict(NeedStatus.choices)
    for title, status in linked:
        if status not in LINKABLE_NEED_STATES:  # the organizer returned or closed it since it was linked
            problems.append(_("需求“%(n)s”当前为“%(s)s”，请取消对应或待需求重新确认。") % {"n": title, "s": labels.get(status, status)})
    if not project.years.exists():
        problems.append(_("请填写进度安排（按年度）。"))
    lines = list(project.budget_lines.values_list("amount", flat=True))
    if not lines:
        problems.append(_("请填写预算明细。"))
    elif sum(lines, Decimal("0")) != project.total_budget:
        problems.append(_("预算明细合计与预算总额不一致。"))
    if not project.members.exists():
        problems.append(_("请填写成员分工。"))
    return problems


def working_pairings(cycle=None):
    """Registered or active pairings (of ``cycle``), the ones that owe an agreement and projects."""
    from matching.models import Pairing

    pairings = Pairing.objects.filter(status__in=WORKING_PAIRING_STATES)
    return pairings.filter(cycle=cycle) if cycle else pairings


def pairings_without_agreement(cycle=None):
    """Working pairings with no agreement drafted yet."""
    from projects.models import Agreement

    return working_pairings(cycle).filter(~Exists(Agreement.objects.filter(pairing_id=OuterRef("pk"))))


def pairings_agreement_late(cycle):
    """Working pairings whose agreement is not confirmed and whose window (the cycle's days) has passed."""
    from projects.choices import AgreementStatus
    from projects.models import Agreement

    if cycle is None:
        return working_pairings().none()
    cutoff = timezone.localdate() - dt.timedelta(days=cycle.agreement_days)  # due = registered + days < today
    confirmed = Agreement.objects.filter(pairing_id=OuterRef("pk"), status=AgreementStatus.CONFIRMED)
    late = working_pairings(cycle).filter(registered_at__date__lt=cutoff).filter(~Exists(confirmed))
    if cycle.agreement_due_date and cycle.agreement_due_date < timezone.localdate():
        late = working_pairings(cycle).filter(~Exists(confirmed)).filter(
            Q(registered_at__date__lt=cutoff) | Q(registered_at__date__lte=cycle.agreement_due_date))
    return late


def pairings_project_late(cycle):
    """Working pairings with no project submitted and whose submission window has passed."""
    from projects.choices import ProjectStatus
    from projects.models import Project

    if cycle is None:
        return working_pairings().none()
    cutoff = timezone.localdate() - dt.timedelta(days=cycle.project_submission_days)
    sent = Project.objects.filter(pairing_id=OuterRef("pk"), submitted_at__isnull=False)
    return working_pairings(cycle).filter(registered_at__date__lt=cutoff).filter(~Exists(sent))


def progress_by_area(user, cycle):
    """Per county (or per city for who sees several cities): working pairings, agreements confirmed, missing or late
    agreements, pairings with a submitted project, late projects — counted in the database, scoped to ``user``."""
    from core.scoping import restrict
    from matching.models import Pairing
    from projects.choices import AgreementStatus
    from projects.models import Agreement, Project
    from regions.selectors import sees_several_cities

    by_city = sees_several_cities(user)
    key = "town__county__city" if by_city else "town__county"
    pairings = restrict(Pairing.objects.filter(status__in=WORKING_PAIRING_STATES, cycle=cycle), user)
    agreement_cut = timezone.localdate() - dt.timedelta(days=cycle.agreement_days)
    project_cut = timezone.localdate() - dt.timedelta(days=cycle.project_submission_days)
    confirmed = Agreement.objects.filter(pairing_id=OuterRef("pk"), status=AgreementStatus.CONFIRMED)
    drafted = Agreement.objects.filter(pairing_id=OuterRef("pk"))
    sent = Project.objects.filter(pairing_id=OuterRef("pk"), submitted_at__isnull=False)
    # Late as pairings_agreement_late says: the cycle's fixed agreement date, once past, counts too.
    agreement_window_passed = Q(registered_at__date__lt=agreement_cut)
    if cycle.agreement_due_date and cycle.agreement_due_date < timezone.localdate():
        agreement_window_passed |= Q(registered_at__date__lte=cycle.agreement_due_date)
    awaiting = Agreement.objects.filter(pairing_id=OuterRef("pk"), status=AgreementStatus.SIGNED)
    confirmed_late = Agreement.objects.filter(pairing_id=OuterRef("pk"), status=AgreementStatus.CONFIRMED,
                                              confirmed_at__date__gt=F("due_date"))
    sent_late = Project.objects.filter(pairing_id=OuterRef("pk"), submitted_at__isnull=False, late=True)
    rows = (pairings.annotate(confirmed=Exists(confirmed), drafted=Exists(drafted), sent=Exists(sent),
                              awaiting=Exists(awaiting), confirmed_late=Exists(confirmed_late),
                              sent_late=Exists(sent_late))
            .values(key, "%s__name" % key)
            .annotate(total=Count("pk"),
                      agreements_confirmed=Count("pk", filter=Q(confirmed=True)),
                      agreements_awaiting=Count("pk", filter=Q(awaiting=True)),
                      agreements_drafting=Count("pk", filter=Q(drafted=True, confirmed=False, awaiting=False)),
                      agreements_missing=Count("pk", filter=Q(drafted=False)),
                      agreements_late=Count("pk", filter=Q(confirmed=False) & agreement_window_passed),
                      agreements_done_late=Count("pk", filter=Q(confirmed_late=True)),
                      projects_sent=Count("pk", filter=Q(sent=True)),
                      projects_late=Count("pk", filter=Q(sent=False, registered_at__date__lt=project_cut)),
                      projects_done_late=Count("pk", filter=Q(sent_late=True)))
            .order_by("%s__code" % key))
    return [{"area": row["%s__name" % key], **{k: row[k] for k in PROGRESS_FIGURES}} for row in rows]


# The figures of the progress table: the four agreement states add up to the pairings; "late" is still outstanding
# past its window, "done late" was confirmed or submitted after it.
PROGRESS_FIGURES = ("total", "agreements_confirmed", "agreements_awaiting", "agreements_drafting", "agreements_missing",
                    "agreements_late", "agreements_done_late", "projects_sent", "projects_late", "projects_done_late")
