"""Reads of annual reports: the figures a report shows (kept or live), the city's completeness panel, corrections to
earlier years, the steps a user may take, and the photos a report may show."""
from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from core.roles import Role, is_system_admin
from core.workflow import action_choices
from reports import figures as F
from reports.choices import FROZEN_STATES, REPORT_WORKFLOW, ReportLevel, ReportStatus

AUTHOR_STEPS = ("submit",)
RECEIVER_STEPS = ("return", "accept", "reopen")


def is_author(user, report) -> bool:
    """The report's own S&T office: the county's for a county's report, the city's for the city's."""
    if report.level == ReportLevel.COUNTY:
        return user.role == Role.COUNTY_ST and user.county_id == report.county_id
    return user.role == Role.CITY_ST and user.city_id == report.city_id


def is_receiver(user, report) -> bool:
    """Who receives it: the city's S&T bureau for a county's report, the province's S&T department for the city's."""
    if report.level == ReportLevel.COUNTY:
        return user.role == Role.CITY_ST and user.city_id == report.city_id
    return user.role == Role.PROVINCE and bool(user.province_code) and user.province_code == report.city.province_code


def actions_for(user, report):
    """``action_choices`` cut to the party: the author submits, the receiver returns, accepts, reopens."""
    if is_system_admin(user):
        return []
    wanted = (AUTHOR_STEPS if is_author(user, report) else ()) + (RECEIVER_STEPS if is_receiver(user, report) else ())
    return [row for row in action_choices(REPORT_WORKFLOW, report, user) if row[0] in wanted]


def scope_of(report) -> F.Scope:
    """Where the report's figures count: the county's towns it organizes, or the whole city (every level)."""
    if report.level == ReportLevel.COUNTY:
        return F.county_scope(report.year, report.county)
    return F.city_scope(report.year, report.city)


def county_reports(report):
    """The county reports of the city's year, by county id."""
    from reports.models import AnnualReport

    return {row.county_id: row for row in AnnualReport.objects.filter(level=ReportLevel.COUNTY, city_id=report.city_id,
                                                                      year=report.year).select_related("county")}


def accepted_county_figures(report) -> dict:
    """The kept figures of the city's accepted county reports of the year, by county id, in :func:`county_reports`'
    order (only the two columns the city's figures read)."""
    from reports.models import AnnualReport

    return dict(AnnualReport.objects.filter(level=ReportLevel.COUNTY, city_id=report.city_id, year=report.year,
                                            status=ReportStatus.ACCEPTED).values_list("county_id", "figures"))


def missing_counties(report):
    """The city's counties whose report of the year is not accepted."""
    from regions.models import County

    accepted = [pk for pk, row in county_reports(report).items() if row.status == ReportStatus.ACCEPTED]
    return list(County.objects.filter(city_id=report.city_id).exclude(pk__in=accepted).order_by("code"))


def completeness(report) -> list[dict]:
    """The city's panel: each county, whether its report is there, submitted, on time, accepted, and any note."""
    from regions.models import County

    rows = county_reports(report)
    notes = report.missing_notes or {}
    out = []
    for county in County.objects.filter(city_id=report.city_id).order_by("code"):
        row = rows.get(county.pk)
        # A county's draft is its own: the city reads "未报送", not the draft's state.
        drafted = row is not None and row.status == ReportStatus.DRAFT
        out.append({"county": county, "report": None if drafted else row,
                    "status": "未报送" if drafted else (row.get_status_display() if row else "未建立"),
                    "submitted_at": row.submitted_at if row else None,
                    "on_time": row.on_time if row else None,
                    "late_open": (row is None or row.submitted_at is None) and timezone.localdate() > (
                        row.due_date if row else _county_due(report)),
                    "accepted": bool(row and row.status == ReportStatus.ACCEPTED),
                    "note": notes.get(str(county.pk), "")})
    return out


def _county_due(report):
    from reports.models import default_due

    return default_due(report.year, ReportLevel.COUNTY)


def city_figures(report) -> dict:
    """The city's figures: the accepted county reports' kept figures plus the city's own towns counted now; each
    county's part is kept under ``parts`` for the table by county."""
    own_scope = F.city_own_scope(report.year, report.city)
    own = F.compute(own_scope)
    own_teams = F.team_days(own_scope)
    own.update(F.day_totals(own_teams))
    parts, teams = {"own": own}, list(own_teams)
    for county_id, figures in accepted_county_figures(report).items():
        if figures:
            parts[str(county_id)] = figures.get("values", {})
            teams.extend(figures.get("teams", []))
    values = F.add_values(*parts.values())
    return {"version": 1, "values": values, "teams": teams, "parts": parts,
            "computed_at": timezone.now().isoformat(), "scope": scope_of(report).params()}


def live_figures(report) -> dict:
    if report.level == ReportLevel.CITY:
        return city_figures(report)
    return F.snapshot(scope_of(report))


def figures_of(report) -> dict:
    """What the report shows: its kept figures once submitted, otherwise counted now."""
    if report.status in FROZEN_STATES and report.figures:
        return report.figures
    return live_figures(report)


def corrections(report) -> list[dict]:
    """Changes since the previous year's accepted report was locked: its kept figures against a count now (not the
    people by attribute: they are counted with today's attributes, so a change there corrects nothing of that year)."""
    from reports.models import AnnualReport

    previous = AnnualReport.objects.filter(level=report.level, city_id=report.city_id, county_id=report.county_id,
                                           year=report.year - 1, status=ReportStatus.ACCEPTED).first()
    if previous is None or not previous.figures:
        return []
    kept = previous.figures.get("values", {})
    scope = scope_of(previous)
    now = F.compute(scope)
    figures = F.figures_for(previous.year)
    out = []
    for key, value in now.items():
        # The people by unit, title, education and age are counted with each person's attributes as they are now, not
        # as records of that year: a promotion since is not a correction of the year's report.
        if figures[key].source == "people" and key != "people.total":
            continue
        if F.as_number(kept.get(key)) != F.as_number(value):
            out.append({"key": key, "label": figures[key].label, "section": figures[key].section, "kept": kept.get(key, 0),
                        "now": value, "year": previous.year, "scope": scope})
    return out


def photos_for(report):
    """The activity photos a report may show: of confirmed activities in its scope and year (the county's towns it
    organizes; the city's every town)."""
    from fieldwork.models import ActivityPhoto

    activities = F.SOURCES["activities"].queryset(scope_of(report))
    return (ActivityPhoto.objects.filter(activity__in=activities.values("pk"))
            .select_related("activity", "activity__town").order_by("-activity__date", "pk"))


def unopened_years(user, today=None) -> dict[int, bool]:
    """The years whose report this author (a county's S&T office for its county, the city's S&T bureau for the city)
    should be writing but has not opened, each with whether it is overdue: a year's report is due from December of
    the year to its due date (overdue after). Only the last full year and, in December, this year, and only years
    a cycle of the programme covers."""
    from cycles.models import Cycle
    from reports.choices import YEAR_MIN
    from reports.models import AnnualReport, default_due

    if user.role == Role.COUNTY_ST and user.county_id:
        level, mine = ReportLevel.COUNTY, Q(level=ReportLevel.COUNTY, county_id=user.county_id)
    elif user.role == Role.CITY_ST and user.city_id:
        level, mine = ReportLevel.CITY, Q(level=ReportLevel.CITY, city_id=user.city_id)
    else:
        return {}
    today = today or timezone.localdate()
    years = [today.year - 1] + ([today.year] if today.month == 12 else [])
    years = [year for year in years if year >= YEAR_MIN and Cycle.objects.filter(
        start_date__year__lte=year, end_date__year__gte=year).exists()]
    if not years:
        return {}
    opened = set(AnnualReport.objects.filter(mine, year__in=years).values_list("year", flat=True))
    return {year: today > default_due(year, level) for year in years if year not in opened}


def todo_counts(user):
    """Reports waiting for this user: to open (author: the year's report not yet opened, from December of the year),
    to submit (author: a draft or returned report), to receive (receiver)."""
    from core.scoping import restrict
    from reports.models import AnnualReport

    rows = restrict(AnnualReport.objects.all(), user, "view")
    if user.role in (Role.COUNTY_ST, Role.CITY_ST):
        unopened = unopened_years(user)
        opening = {"to_open": len(unopened), "to_open_overdue": sum(1 for late in unopened.values() if late)}
    if user.role == Role.COUNTY_ST:
        return {"to_submit": rows.filter(level=ReportLevel.COUNTY, county_id=user.county_id,
                                         status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED)).count(), **opening}
    if user.role == Role.CITY_ST:
        return {"to_receive": rows.filter(level=ReportLevel.COUNTY, city_id=user.city_id,
                                          status=ReportStatus.SUBMITTED).count(),
                "to_submit": rows.filter(level=ReportLevel.CITY, city_id=user.city_id,
                                         status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED)).count(), **opening}
    if user.role == Role.PROVINCE:
        return {"to_receive": rows.filter(level=ReportLevel.CITY, status=ReportStatus.SUBMITTED).count()}
    return {}


__all__ = ["Q"]
