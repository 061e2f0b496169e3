"""The scale generator's annual reports (issue 20, ``portal.scale.annual_reports``) at city scale (韶关, two cycles).

The first cycle's last full year (``scale.REPORT_KEPT_YEARS``): every county's report accepted by the city with its
figures kept, the city's accepted by the province with its counties' parts; the current year at every step. The
kept figures are the figure engine's (``reports.figures.snapshot``): with nothing changed since, a count now gives
the same; each report is in the state its transitions lead to; the narratives are sanitized HTML. And the reports
cost the generator little: a bounded number of queries per snapshot and a small share of its time.
"""
from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import scale


@pytest.fixture
def city(db, monkeypatch):
    """The city scale (loaded once: it takes a while), with the time and queries the annual reports took."""
    spent = {"seconds": 0.0, "queries": 0, "calls": 0}
    original = scale.annual_reports

    def timed(*args, **kwargs):
        started = time.monotonic()
        with CaptureQueriesContext(connection) as captured:
            original(*args, **kwargs)
        spent["seconds"] += time.monotonic() - started
        spent["queries"] += len(captured)
        spent["calls"] += 1

    monkeypatch.setattr(scale, "annual_reports", timed)
    started = time.monotonic()
    call_command("load_scale", "--scale", "city", "--cycles", "2", "--seed", "7", stdout=io.StringIO())
    spent["total"] = time.monotonic() - started
    return spent


def _years():
    from cycles.models import Cycle

    return scale.report_years(list(Cycle.objects.order_by("start_date")))


def test_annual_reports(city):
    check_states()
    check_kept_figures()
    check_cost(city)


def check_states():
    from django.contrib.contenttypes.models import ContentType

    from core.models import Transition
    from core.sanitize import clean_html
    from regions.models import City, County
    from reports.models import AnnualReport

    full, current = _years()
    first_cycle = [2022, 2023, 2024]  # all ended
    assert full == (first_cycle[-scale.REPORT_KEPT_YEARS:] if scale.REPORT_KEPT_YEARS else first_cycle)
    assert set(AnnualReport.objects.values_list("year", flat=True)) == set(full) | {current}
    (city_row,) = City.objects.all()
    counties = set(County.objects.values_list("pk", flat=True))
    assert len(counties) == 10
    for year in full:
        rows = AnnualReport.objects.filter(year=year, level="county")
        assert set(rows.values_list("county_id", flat=True)) == counties
        assert set(rows.values_list("status", flat=True)) == {"accepted"}
        for report in rows:
            assert report.frozen and report.figures["values"]["activities.total"] > 0
            assert report.submitted_at <= report.accepted_at and report.figures_at == report.submitted_at
            assert report.due_date.year == year + 1
        city_report = AnnualReport.objects.get(year=year, level="city")
        assert city_report.status == "accepted" and city_report.frozen and city_report.county_id is None
        assert set(city_report.figures["parts"]) == {"own"} | {str(pk) for pk in counties}
        assert city_report.accepted_at > max(rows.values_list("accepted_at", flat=True))
    # Some county reports late (submitted after 31 January), most on time.
    on_time = [r.on_time for r in AnnualReport.objects.filter(level="county", year__in=full)]
    assert on_time.count(True) > on_time.count(False)
    # The current year: every step; kept figures only while submitted or accepted; the city's a draft.
    now = AnnualReport.objects.filter(year=current, level="county")
    states = set(now.values_list("status", flat=True))
    assert {"submitted", "returned", "draft"} <= states <= {"submitted", "returned", "draft", "accepted"}
    assert now.count() < len(counties)  # one county has not begun
    for report in now:
        assert (report.figures is not None) == (report.status in ("submitted", "accepted"))
        assert bool(report.return_comment) == (report.status == "returned")
    assert AnnualReport.objects.get(year=current, level="city").status == "draft"
    assert AnnualReport.objects.filter(city=city_row).count() == AnnualReport.objects.count()
    # Narratives: a short paragraph, already what the sanitizer keeps.
    for report in AnnualReport.objects.all():
        for name in ("achievements", "typical_cases", "problems", "next_plan"):
            value = getattr(report, name)
            assert value.startswith("<p>") and clean_html(value) == value, (report.pk, name)
    # Each report in the state its transitions lead to, one chain from its creation.
    kind = ContentType.objects.get_for_model(AnnualReport)
    chains = {}
    for object_id, source, target in Transition.objects.filter(content_type=kind).order_by("pk").values_list(
            "object_id", "from_state", "to_state"):
        chains.setdefault(int(object_id), []).append((source, target))
    for pk, status in AnnualReport.objects.values_list("pk", "status"):
        chain = chains[pk]
        assert chain[0] == ("", "draft") and chain[-1][1] == status, (pk, chain)
        assert all(a[1] == b[0] for a, b in zip(chain, chain[1:])), (pk, chain)


def check_kept_figures():
    """An accepted county report with nothing changed since: its kept figures are a count now; the city's kept
    report is its own towns now plus its counties' kept parts, and equals the whole city counted live."""
    from reports import figures as F
    from reports import selectors
    from reports.models import AnnualReport

    full, _current = _years()
    year = full[-1]
    report = AnnualReport.objects.filter(year=year, level="county", status="accepted").select_related(
        "county").order_by("county__code").first()
    scope = F.county_scope(year, report.county)
    kept = report.figures
    now = F.compute(scope)
    teams = F.team_days(scope)
    assert {key: value for key, value in kept["values"].items() if not key.startswith("days.")} == now
    assert {key: kept["values"][key] for key in ("days.total", "days.teams_behind")} == F.day_totals(teams)
    assert kept["teams"] == teams and kept["scope"] == scope.params()
    assert now["activities.total"] > 0 and now["people.total"] > 0
    assert selectors.figures_of(report) == kept
    if year - 1 in full:
        assert selectors.corrections(report) == []  # the previous year's kept figures are a count now too

    city_report = AnnualReport.objects.get(year=year, level="city")
    again = selectors.city_figures(city_report)
    assert again["values"] == city_report.figures["values"] and again["parts"] == city_report.figures["parts"]
    live = F.snapshot(F.city_scope(year, city_report.city))
    assert city_report.figures["values"] == live["values"]


def check_cost(city):
    """One call per city; per snapshot (each county and year, and the city's) about one query per figure source and
    the stationed days; a small share of the whole generation."""
    from reports import figures as F
    from reports.models import AnnualReport

    full, _current = _years()
    assert city["calls"] == 1
    snapshots = AnnualReport.objects.exclude(figures=None).count()
    assert snapshots >= 10 * len(full) + 3
    per_snapshot = len(F.SOURCES) + 4  # one aggregate per source, the pairings and their stationed days
    assert city["queries"] <= snapshots * per_snapshot + 30, (city["queries"], snapshots)
    assert city["seconds"] < 0.5 * city["total"], city
