"""Fixes of the fresh-eyes review of the annual reports (issue 20): each test fails before its fix."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldwork.tests.factories import field_pairing
from portal.testing import CYCLE_YEAR
from reports import dashboards, selectors, services
from reports import figures as F
from reports.models import AnnualReport
from reports.tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = CYCLE_YEAR
ACHIEVEMENTS = "<p>全年开展技术服务。</p>"


@pytest.fixture
def field(world):
    """One confirmed activity of the year in 董塘镇 (仁化), 珠玑镇 (南雄) and 黄坑镇 (the city's own)."""
    from reviews.tests.factories import extra_team

    renhua, _people = field_pairing(world)
    nanxiong, _ = field_pairing(world, town=world.nanxiong_county_town, team=world.other_team)
    city, _ = field_pairing(world, town=world.renhua_city_town, team=extra_team(world))
    for pairing in (renhua, nanxiong, city):
        f.activity(pairing, dt.date(YEAR, 3, 15), "guidance", people_trained=20)
    return {"renhua": renhua, "nanxiong": nanxiong, "city": city}


def submitted(world, county):
    report = services.report_create(actor=world["%s_st" % county], year=YEAR, level="county",
                                    county=getattr(world, county))
    services.report_update(actor=world["%s_st" % county], report=report, achievements=ACHIEVEMENTS)
    return services.report_submit(actor=world["%s_st" % county], report=report)


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"]) if response.context else ""


# ------------------------------------------------------------------------------------------------ 1. city trace
def test_a_city_reports_trace_lists_what_its_figure_is_built_from(world, field, login):
    services.report_accept(actor=world["city_st"], report=submitted(world, "renhua"))
    services.report_return(actor=world["city_st"], report=submitted(world, "nanxiong"), comment="请补充")
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    values = selectors.figures_of(city)["values"]
    assert values["activities.total"] == 2          # 仁化 (accepted) + the city's own; 南雄 (returned) not
    client = login("city_st")
    params = selectors.scope_of(city).params()
    for key in ("activities.total", "teams.total", "people.total", "activities.people_trained"):
        text = client.get(reverse("reports:trace", args=[key]), {**params, "report": city.pk}).content.decode()
        found = re.search(r'data-testid="trace-(?:count|total)">([^<]+)<', text)
        assert found and found.group(1).replace(",", "") == str(values[key]), (key, found and found.group(1))
        assert "trace-parts" in text and "南雄市" not in text.split('data-testid="trace-parts"')[1].split("</ul>")[0]
    # The rows listed are those of 仁化 and the city's towns, not 南雄's.
    text = client.get(reverse("reports:trace", args=["activities.total"]), {**params, "report": city.pk}).content
    assert world.nanxiong_county_town.name.encode() not in text


# ------------------------------------------------------------------------------------------------ 2. unopened report
def test_an_unopened_report_is_a_reminder_from_december_and_overdue_after_its_due_date(world):
    user = world["renhua_st"]
    assert selectors.unopened_years(user, today=dt.date(YEAR, 11, 30)) == {}       # YEAR - 1: before the cycle
    assert selectors.unopened_years(user, today=dt.date(YEAR, 12, 1)) == {YEAR: False}
    assert selectors.unopened_years(user, today=dt.date(YEAR + 1, 1, 31)) == {YEAR: False}
    assert selectors.unopened_years(user, today=dt.date(YEAR + 1, 2, 1)) == {YEAR: True}
    assert selectors.unopened_years(world["city_st"], today=dt.date(YEAR + 1, 3, 1)) == {YEAR: True}
    assert selectors.unopened_years(world["renhua_rural"], today=dt.date(YEAR + 1, 2, 1)) == {}
    services.report_create(actor=user, year=YEAR, level="county", county=world.renhua)
    assert selectors.unopened_years(user, today=dt.date(YEAR + 1, 2, 1)) == {}


def test_the_todo_names_the_report_to_open(world, monkeypatch):
    from reports import dashboard

    monkeypatch.setattr(selectors, "unopened_years", lambda user, today=None: {YEAR: True})
    items = dashboard.todo(world["renhua_st"], None)
    assert [(item.label, item.count, item.level) for item in items] == [("年度报告待建立（已逾期）", 1, "danger")]


# ------------------------------------------------------------------------------------------------ 3. oversized narrative
def test_an_oversized_narrative_is_refused_before_sanitizing_and_not_echoed(world, login, monkeypatch):
    import core.sanitize

    report = services.report_create(actor=world["renhua_st"], year=YEAR, level="county", county=world.renhua)
    calls = []
    original = core.sanitize.clean_html
    monkeypatch.setattr("reports.forms.clean_html", lambda value: calls.append(len(value)) or original(value))
    huge = "<p>" + "很长" * 60_000 + "</p>"
    response = login("renhua_st").post(reverse("reports:report_edit", args=[report.pk]),
                                       {"achievements": huge, "title": "", "doc_number": ""})
    text = response.content.decode()
    assert response.status_code == 200 and "主要成效过长" in text
    assert "很长很长很长很长" not in text and len(text) < 200_000
    assert all(length <= 80_000 for length in calls)
    assert AnnualReport.objects.get(pk=report.pk).achievements == ""


# ------------------------------------------------------------------------------------------------ 4. out of region
def test_a_trace_or_the_figures_api_outside_the_readers_region_is_refused(world, field, login):
    trace = reverse("reports:trace", args=["activities.total"])
    nanxiong = {"year": YEAR, "levels": "county", "city": world.nanxiong.city_id, "county": world.nanxiong.pk}
    assert login("renhua_st").get(trace, nanxiong).status_code == 403
    assert login("renhua_st").get(trace, {"year": YEAR, "town": world.nanxiong_county_town.pk}).status_code == 403
    assert login("renhua_st").get(trace, {"year": YEAR, "team": world.other_team.pk}).status_code == 403
    assert login("renhua_st").get(trace, {"year": YEAR, "county": world.renhua.pk}).status_code == 200
    assert login("city_st").get(trace, nanxiong).status_code == 200
    api = "/api/v1/report-figures/"
    client = login("renhua_st")
    assert client.get(api, {"year": YEAR, "town": world.nanxiong_county_town.pk}).status_code == 403
    assert client.get(api, {"year": YEAR, "team": world.other_team.pk}).status_code == 403
    assert client.get(api, {"year": YEAR, "team": world.team.pk}).status_code == 200
    assert client.get(api, {"year": YEAR, "town": field["renhua"].town_id}).status_code == 200
    # Roles that read no statistics: refused on the traced list as on the dashboard (and /reports/).
    for name in ("renhua_county_town", "expert"):
        client = login(name)
        codes = {client.get(url).status_code for url in (trace + "?year=%d" % YEAR, reverse("reports:dashboard"),
                                                         reverse("reports:report_list"))}
        assert codes == {404}, (name, codes)


# ------------------------------------------------------------------------------------------------ 5. refusal message
def test_a_step_by_someone_who_may_not_take_it_says_so(world, field, login):
    report = services.report_accept(actor=world["city_st"], report=submitted(world, "renhua"))
    response = login("renhua_st").post(reverse("reports:report_transition", args=[report.pk, "accept"]),
                                       {"comment": "", "seen_status": "accepted"}, follow=True)
    text = messages_of(response)
    assert "只有接收单位" in text and "已被他人处理" not in text


# ------------------------------------------------------------------------------------------------ 6. year select
def test_the_new_report_year_defaults_to_the_report_due_and_lists_cycle_years_only(world):
    from reports.forms import ReportCreateForm

    today = timezone.localdate()
    form = ReportCreateForm()
    years = [value for value, _label in form.fields["year"].choices]
    assert years == sorted(years, reverse=True) and max(years) <= today.year
    cycle = world.cycle
    assert all(cycle.start_date.year <= year <= cycle.end_date.year for year in years)
    assert form.fields["year"].initial == (today.year - 1 if today.year - 1 >= cycle.start_date.year else None)
    taken = ReportCreateForm(taken=[today.year - 1]).fields["year"]
    assert taken.initial in (None, today.year)


# ------------------------------------------------------------------------------------------------ 7. corrections
def test_corrections_leave_out_the_people_by_their_current_attributes(world, field):
    from teams.choices import TitleLevel

    last = services.report_accept(actor=world["city_st"], report=submitted(world, "renhua"))
    person = field["renhua"].team.memberships.first().commissioner
    person.title_level = TitleLevel.SENIOR if person.title_level != TitleLevel.SENIOR else TitleLevel.NONE
    person.save()
    this = services.report_create(actor=world["renhua_st"], year=YEAR + 1, level="county", county=world.renhua)
    assert selectors.corrections(this) == []
    f.activity(field["renhua"], dt.date(YEAR, 11, 30), "planning")                      # confirmed after the lock
    assert "activities.total" in {row["key"] for row in selectors.corrections(this)}
    assert last.status == "accepted"


# ------------------------------------------------------------------------------------------------ 8. dashboard year
def test_a_year_outside_the_current_cycle_picks_the_cycle_of_that_year(world):
    from cycles.models import Cycle

    earlier = Cycle.objects.create(name="上一周期", status=Cycle.Status.CLOSED, start_date=dt.date(YEAR - 3, 1, 1),
                                   end_date=dt.date(YEAR - 1, 12, 31), dispatch_deadline=dt.date(YEAR - 3, 3, 31))
    frame = dashboards.frame_for(world["city_st"], {"year": str(YEAR - 2)})
    assert (frame.cycle.pk, frame.year, frame.note) == (earlier.pk, YEAR - 2, "")
    frame = dashboards.frame_for(world["city_st"], {"year": str(YEAR - 10)})
    assert frame.year is None and "不在" in frame.note


# ------------------------------------------------------------------------------------------------ 9. reopen
def test_a_reopened_report_is_no_longer_accepted_and_says_why_it_was_reopened(world, field, login):
    report = services.report_accept(actor=world["city_st"], report=submitted(world, "renhua"))
    assert AnnualReport.objects.get(pk=report.pk).accepted_at is not None
    services.report_reopen(actor=world["city_st"], report=report, comment="数据需更正")
    report = AnnualReport.objects.get(pk=report.pk)
    assert report.accepted_at is None and report.status == "returned"
    text = login("renhua_st").get(report.get_absolute_url()).content.decode()
    assert "重新打开原因：</strong>数据需更正" in text and "退回意见" not in text


# ------------------------------------------------------------------------------------------------ 10. units and links
def test_the_days_are_person_days_everywhere_and_link_to_their_trace(world, field, login):
    from reports import api, documents

    assert api.DAY_FIGURES["days.total"][1] == "人天"
    assert documents.TEAM_HEADERS[0] == "当年驻镇（人天）"
    services.report_accept(actor=world["city_st"], report=submitted(world, "renhua"))
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    text = login("city_st").get(city.get_absolute_url()).content.decode()
    parts = text.split('data-testid="parts"')[1].split("</table>")[0]
    renhua = AnnualReport.objects.get(level="county", county=world.renhua, year=YEAR)
    assert 'href="%s#days"' % renhua.get_absolute_url() in parts and 'href="#days"' in parts
    assert 'id="days"' in text
    frame = dashboards.frame_for(world["renhua_st"], {"year": str(YEAR)})
    kpis = {kpi.key: kpi for kpi in dashboards.build(world["renhua_st"], frame)["kpis"]}
    assert kpis["days.total"].cell.url.startswith("/reports/days/") and kpis["days.teams_behind"].cell.url


def test_the_team_dashboard_counts_the_teams_members_before_it_works(world, login):
    from projects.tests.factories import staff

    staff(world, world.team)                     # three people, no pairing at work yet
    frame = dashboards.frame_for(world["leader"], {})
    members = next(kpi for kpi in dashboards.build(world["leader"], frame)["kpis"] if kpi.key == "people.total")
    assert members.cell.value == 3


# ------------------------------------------------------------------------------------------------ 12. API refusal
def test_patching_a_locked_report_answers_a_detail(world, field, login):
    report = submitted(world, "renhua")
    response = login("renhua_st").patch("/api/v1/annual-reports/%d/" % report.pk, {"title": "改"},
                                        content_type="application/json")
    assert response.status_code == 400 and "不能修改" in response.json()["detail"]
