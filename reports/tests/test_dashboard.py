"""The dashboards (数据看板): each role sees its own scope, every number on the page is the figure of the scope its link
carries (``figures.compute``), the province picks only its own cities, the export opens, and the page costs a fixed
number of queries whatever the records."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import parse_qsl, unquote, urlparse

import openpyxl
import pytest
from django.utils import timezone

from fieldwork.models import Activity, Flag, Stay
from fieldwork.tests.factories import field_pairing
from projects.tests.factories import active_pairing, staff
from regions.models import City, County
from reports import dashboards
from reports import figures as F

URL = "/reports/dashboard/"
EXPORT = "/reports/dashboard/data.xlsx"


def _day(days_ago: int) -> dt.date:
    """A day ``days_ago`` before today, kept inside this year (so the default page, this year, counts it)."""
    today = timezone.localdate()
    return max(today - dt.timedelta(days=days_ago), dt.date(today.year, 1, 1))


def _activities(pairing, rows):
    """Confirmed activities of ``pairing``: (days ago, service type, town or None for the paired town)."""
    items = []
    for days_ago, service_type, town in rows:
        activity = Activity(date=_day(days_ago), service_type=service_type, title="技术服务", description="田间指导",
                            status="confirmed")
        activity.copy_pairing(pairing)
        activity.set_town(town or pairing.town)
        items.append(activity)
    Activity.objects.bulk_create(items)


def _stays(pairing, people, starts):
    rows = []
    for person, (days_ago, length) in zip(people, starts):
        start = _day(days_ago)
        end = min(start + dt.timedelta(days=length - 1), timezone.localdate())
        rows.append(Stay(pairing=pairing, cycle_id=pairing.cycle_id, team_id=pairing.team_id,
                         home_town_id=pairing.town_id, town=pairing.town, cross_town=False, status="confirmed",
                         commissioner=person, start_date=start, end_date=end, first_day=start.toordinal(),
                         last_day=end.toordinal(), place="驻点", purpose="技术服务"))
    Stay.objects.bulk_create(rows)


def _flag(pairing, kind, status="open"):
    flag = Flag(kind=kind, status=status, detail="测试预警", opened_at=timezone.now())
    flag.copy_pairing(pairing)
    flag.save()
    return flag


@pytest.fixture
def programme(world):
    """柑橘团队 working in 董塘镇 (仁化, county-organized) and 茶叶团队 in 珠玑镇 (南雄, county-organized), each with
    activities (one of 柑橘团队's done across town, in 黄坑镇), stays and flags; budgets for the city and both counties."""
    from reviews.models import Envelope

    renhua, people = field_pairing(world)
    nanxiong = active_pairing(world, town=world.nanxiong_county_town, team=world.other_team,
                              registered=renhua.registered_at)
    other_people = staff(world, world.other_team)
    _activities(renhua, [(3, "guidance", None), (10, "guidance", None), (20, "training", None),
                         (30, "planning", world.renhua_city_town), (90, "policy", None)])
    _activities(nanxiong, [(5, "guidance", None), (8, "transfer", None)])
    _stays(renhua, people, [(40, 12), (30, 5)])
    _stays(nanxiong, other_people, [(15, 4)])
    _flag(renhua, "pace")
    _flag(nanxiong, "inactive")
    _flag(nanxiong, "tasks_overdue", status="closed")
    year = timezone.localdate().year
    for level, county, budget in (("city", None, "900000"), ("county", world.renhua, "300000"),
                                  ("county", world.nanxiong, "200000")):
        Envelope.objects.create(organizer_level=level, city=world.city, county=county, fiscal_year=year,
                                budgeted=Decimal(budget))
    return {"renhua": renhua, "nanxiong": nanxiong, "people": people, "other_people": other_people}


def _trace(url: str):
    """(key, scope) of a ``reports:trace`` link."""
    parsed = urlparse(url)
    parts = [part for part in parsed.path.split("/") if part]
    assert parts[:2] == ["reports", "trace"], url
    return unquote(parts[2]), F.Scope.from_params(dict(parse_qsl(parsed.query)))


def _same(shown, figure) -> bool:
    return Decimal(str(shown)) == Decimal(str(figure))


def _traced_numbers(context):
    """Every number the page links to a trace: (shown value, url) — headline figures, table cells, totals, the town
    grids' cells, the legend's counts and every chart point."""
    out = [(kpi.cell.value, kpi.cell.url) for kpi in context["kpis"]]
    for panel in context["panels"]:
        for row in panel.rows + [panel.footer or []]:
            out += [(cell.value, cell.url) for cell in row]
        for kpi in panel.kpis or []:
            out.append((kpi.cell.value, kpi.cell.url))
        for item in panel.legend or []:
            if item.get("url"):
                out.append((item["count"], item["url"]))
        for group in panel.groups or []:
            out += [(town["count"], town["url"]) for town in group["towns"] if "count" in town]
        for series in (panel.chart or {}).get("series", []):
            out += [(point["value"], point["url"]) for point in series["data"] if point.get("url")]
    return [(value, url) for value, url in out if url and url.startswith("/reports/trace/")]


def _check_every_number(context):
    checked = 0
    for value, url in _traced_numbers(context):
        key, scope = _trace(url)
        assert _same(value, F.compute(scope, [key])[key]), (url, value)
        checked += 1
    return checked


# ------------------------------------------------------------------------------------------------ who sees what
def test_the_wrong_roles_are_refused(world, client):
    for name in ("renhua_city_town", "nanxiong_county_town", "expert"):
        client.force_login(world[name])
        # As /reports/ (a page that is not the role's): 404.
        assert client.get(URL).status_code == 404, name
        assert client.get(EXPORT).status_code == 404, name
    client.logout()
    assert client.get(URL).status_code == 302


def test_every_dashboard_role_gets_its_page(world, login):
    for name in ("admin", "province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "leader",
                 "member", "unit"):
        assert login(name).get(URL).status_code == 200, name


def test_the_city_sees_every_level_of_its_city(programme, world, login):
    response = login("city_st").get(URL)
    frame = response.context["frame"]
    assert frame.kind == "city" and frame.scope.city_id == world.city.pk and frame.scope.levels == F.ALL_LEVELS
    assert frame.scope.cycle_id == world.cycle.pk and frame.year == timezone.localdate().year
    values = F.compute(frame.scope)
    kpis = {kpi.key: kpi.cell.value for kpi in response.context["kpis"]}
    for key in ("towns.to_cover", "towns.covered", "teams.total", "people.total", "activities.total", "flags.total"):
        assert _same(kpis[key], values[key]), key
    assert kpis["activities.total"] == 7 and kpis["teams.total"] == 2
    html = response.content.decode()
    assert "董塘镇" in html and "珠玑镇" in html
    assert _check_every_number(response.context) > 50


def test_a_county_official_sees_only_its_county(programme, world, login):
    response = login("renhua_st").get(URL + "?city=%d&county=%d" % (world.city.pk, world.nanxiong.pk))
    frame = response.context["frame"]
    assert frame.kind == "county" and frame.scope.county_id == world.renhua.pk and frame.scope.levels == ("county",)
    kpis = {kpi.key: kpi.cell.value for kpi in response.context["kpis"]}
    assert kpis["activities.total"] == 5 and kpis["teams.total"] == 1 and kpis["flags.total"] == 1
    html = response.content.decode()
    assert "董塘镇" in html and "黄坑镇" in html      # its towns, the city-organized one marked as another level
    assert "珠玑镇" not in html and "百顺镇" not in html and "茶叶团队" not in html and "南雄市" not in html
    coverage = next(panel for panel in response.context["panels"] if panel.id == "coverage")
    statuses = {town["town"].name: town["status"] for group in coverage.groups for town in group["towns"]}
    assert statuses == {"董塘镇": "active", "黄坑镇": "other"}
    assert 'data-testid="coverage-other"' in html
    # the county's activity done in 黄坑镇 is coloured there (the town where it happened)
    recent = next(panel for panel in response.context["panels"] if panel.id == "recent")
    counts = {town["town"].name: town["count"] for group in recent.groups for town in group["towns"]}
    assert counts["黄坑镇"] == 1
    assert _check_every_number(response.context) > 20
    # the other county: its own numbers, never 仁化's
    other = login("nanxiong_st").get(URL)
    kpis = {kpi.key: kpi.cell.value for kpi in other.context["kpis"]}
    assert kpis["activities.total"] == 2 and "董塘镇" not in other.content.decode()


def test_a_team_sees_its_team_and_a_unit_its_unit(programme, world, login):
    response = login("leader").get(URL + "?team=%d&cycle=all" % world.other_team.pk)
    frame = response.context["frame"]
    assert frame.kind == "team" and frame.scope.team_id == world.team.pk and frame.cycle == world.cycle
    kpis = {kpi.key: kpi.cell.value for kpi in response.context["kpis"]}
    assert kpis["activities.total"] == 5 and kpis["flags.total"] == 1
    assert "茶叶团队" not in response.content.decode()
    assert [panel.id for panel in response.context["panels"]] == ["days", "activities", "funding", "flags"]
    _check_every_number(response.context)

    response = login("unit").get(URL)
    frame = response.context["frame"]
    assert frame.kind == "unit" and frame.scope.unit_id == world.unit.pk
    kpis = {kpi.key: kpi.cell.value for kpi in response.context["kpis"]}
    assert kpis["teams.total"] == 1 and kpis["activities.total"] == 5
    assert [panel.id for panel in response.context["panels"]] == ["days", "activities", "evaluations"]
    _check_every_number(response.context)


def test_the_province_picks_only_its_own_cities(programme, world, login):
    guangxi = City.objects.create(code="4501", name="南宁市", province_code="45", province_name="广西壮族自治区")
    County.objects.create(city=guangxi, code="450102", name="兴宁区")
    qingyuan = City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    client = login("province")
    assert client.get(URL + "?city=%d" % guangxi.pk).status_code == 404
    assert client.get(EXPORT + "?city=%d" % guangxi.pk).status_code == 404
    assert client.get(URL + "?city=abc").status_code == 404
    response = client.get(URL + "?city=%d" % qingyuan.pk)
    assert response.status_code == 200 and response.context["frame"].scope.city_id == qingyuan.pk
    response = client.get(URL)
    frame = response.context["frame"]
    assert frame.city == world.city and {c.pk for c in frame.cities} == {world.city.pk, qingyuan.pk}
    assert frame.scope.province_code == "44"
    assert "南宁市" not in response.content.decode()
    # a city official's page ignores the parameter: its own city
    response = login("city_st").get(URL + "?city=%d" % guangxi.pk)
    assert response.status_code == 200 and response.context["frame"].scope.city_id == world.city.pk


# ------------------------------------------------------------------------------------------------ numbers
def test_the_charts_cells_add_up_to_the_figures(programme, world, login):
    response = login("city_st").get(URL)
    scope = response.context["frame"].scope
    values = F.compute(scope)
    panels = {panel.id: panel for panel in response.context["panels"]}
    activities = panels["activities"]
    for series in activities.chart["series"]:
        key = next(k for k in values if k.startswith("activities.type.") and
                   F.figures_for(scope.year)[k].label == series["name"])
        assert sum(point["value"] for point in series["data"]) == values[key]
        assert all("@m" in point["url"] for point in series["data"])  # activities.type.<t>@mNN
    assert activities.footer[-1].value == values["activities.total"]
    # stationed days: the figures' team_days, the most behind first
    days = panels["days"]
    rows = F.team_days(scope)
    assert sorted(row[2].value for row in days.rows) == sorted(row["days_year"] for row in rows)
    assert {kpi.key: kpi.cell.value for kpi in response.context["kpis"]}["days.total"] == sum(
        row["days_year"] for row in rows) > 0
    # funding: each funder's budget, grants and payments; the budgets are the envelopes
    funding = panels["funding"]
    assert [row[0].value for row in funding.rows][:1] == ["韶关市本级（市级、省级组团）"]
    budgets = {row[0].value: row[1].value for row in funding.rows}
    assert budgets == {"韶关市本级（市级、省级组团）": "900000.00", "仁化县": "300000.00", "南雄市": "200000.00"}
    # flags: this period's by kind, and those open now
    flags = panels["flags"]
    assert flags.footer[1].value == values["flags.total"] == 3
    assert flags.footer[2].value == 2


def test_the_links_open_lists_that_count_what_the_page_shows(programme, world, login):
    """Following a number's link as the same user: the traced list (cut to what the user may read) measures the
    number shown."""
    for name in ("renhua_st", "city_st", "leader"):
        client = login(name)
        response = client.get(URL)
        seen = {}
        for value, url in _traced_numbers(response.context):
            if value and url not in seen:
                seen[url] = value
        assert len(seen) >= 5, name
        for url, value in list(seen.items())[:40]:
            page = client.get(url)
            assert page.status_code == 200, url
            assert _same(value, page.context["measure"]), (name, url, value, page.context["measure"])


def test_funding_is_each_funders_grants_and_payments(programme, world, login):
    from reviews import services
    from reviews.tests.factories import approved_review, extra_team, grant_values, voucher

    review, _project = approved_review(world, town=world.renhua_city_town, team=extra_team(world), amount="80000")
    today = timezone.localdate()
    grant = services.grant_create(actor=world["city_st"], review=review,
                                  values=grant_values(fiscal_year=today.year, amount="80000", granted_on=today))
    services.disbursement_add(actor=world["city_st"], grant=grant, amount="30000", paid_on=today, voucher=voucher(),
                              note="第一笔")
    response = login("city_st").get(URL)
    funding = next(panel for panel in response.context["panels"] if panel.id == "funding")
    rows = {row[0].value: (row[1].value, row[2].value, row[3].value) for row in funding.rows}
    assert rows["韶关市本级（市级、省级组团）"] == ("900000.00", "80000.00", "30000.00")
    assert rows["仁化县"] == ("300000.00", "0.00", "0.00")
    assert [cell.value for cell in funding.footer[1:]] == ["1400000.00", "80000.00", "30000.00"]
    assert _check_every_number(response.context) > 50
    kpis = {kpi.key: kpi.cell.value for kpi in response.context["kpis"]}
    assert kpis["grants.amount"] == "80000.00"
    # the county's page: its own funder only, and no city grant
    response = login("renhua_st").get(URL)
    funding = next(panel for panel in response.context["panels"] if panel.id == "funding")
    assert [(row[0].value, row[2].value) for row in funding.rows] == [("仁化县", "0.00")]
    assert {kpi.key: kpi.cell.value for kpi in response.context["kpis"]}["grants.amount"] == "0.00"


def test_a_cycle_without_a_year_spans_the_cycle(programme, world, login):
    cycle = world.cycle
    response = login("city_st").get(URL + "?year=all&cycle=%d" % cycle.pk)
    frame = response.context["frame"]
    assert frame.year is None and (frame.scope.start, frame.scope.end) == (cycle.start_date, cycle.end_date)
    assert "全周期" in response.content.decode()
    # months of several years: each cell narrowed by its month's dates
    activities = next(panel for panel in response.context["panels"] if panel.id == "activities")
    assert activities.rows[0][0].value == "%d-%02d" % (cycle.start_date.year, cycle.start_date.month)
    _check_every_number(response.context)
    # a year outside the cycle: the whole cycle, said on the page
    response = login("city_st").get(URL + "?year=%d&cycle=%d" % (cycle.end_date.year + 3, cycle.pk))
    assert response.context["frame"].year is None and "已显示整个周期" in response.content.decode()
    # every cycle of a year
    response = login("city_st").get(URL + "?cycle=all")
    assert response.context["frame"].scope.cycle_id is None and response.context["frame"].year is not None


def test_the_page_costs_the_same_queries_whatever_the_records(programme, world, login,
                                                              django_assert_max_num_queries):
    client = login("city_st")
    client.get(URL)  # warm the session
    with django_assert_max_num_queries(40) as first:
        client.get(URL)
    _activities(programme["renhua"], [(n, "guidance", None) for n in range(1, 30)])
    _flag(programme["renhua"], "inactive")
    _stays(programme["nanxiong"], programme["other_people"], [(70, 3), (65, 2), (64, 1)])
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(URL)


# ------------------------------------------------------------------------------------------------ page and export
def test_the_page_loads_the_charts_deferred_without_inline_handlers(programme, login):
    html = login("city_st").get(URL).content.decode()
    assert '<script src="/static/vendor/echarts/echarts.common.min.js" defer></script>' in html
    assert '<script src="/static/js/charts.js" defer></script>' in html
    for chart in ("days", "activities", "funding", "flags"):
        assert 'id="chart-data-%s" type="application/json"' % chart in html
        assert 'data-chart="chart-data-%s" role="img" aria-label="' % chart in html
    assert "onclick" not in html and "onchange" not in html
    assert html.count("<details") >= 6  # every chart's data table
    # the other pages do not load the library
    assert "echarts" not in login("city_st").get("/").content.decode()


def test_the_export_has_every_panel_as_a_sheet(programme, world, login):
    client = login("renhua_st")
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概要", "镇覆盖", "镇覆盖（逐镇）", "驻镇进度", "服务活动", "近60天活跃度",
                               "近60天活跃度（逐镇）", "资金", "预警"]
    scope = F.county_scope(timezone.localdate().year, world.renhua)
    scope = F.Scope(**{**scope.__dict__, "cycle_id": world.cycle.pk})
    values = F.compute(scope)
    last = list(book["服务活动"].iter_rows(values_only=True))[-1]
    assert last[0] == "合计" and last[-1] == values["activities.total"] == 5
    towns = {row[1]: row[2] for row in book["镇覆盖（逐镇）"].iter_rows(min_row=2, values_only=True)}
    assert towns == {"董塘镇": "已开展帮扶", "黄坑镇": "其他层级组团"}
    # one panel
    one = openpyxl.load_workbook(io.BytesIO(client.get(EXPORT + "?panel=flags").content))
    assert one.sheetnames == ["预警"]


def test_the_dashboard_frames_follow_the_user(world):
    """``frame_for`` reads the scope from the user whatever the query says."""
    frame = dashboards.frame_for(world["nanxiong_st"], {"county": str(world.renhua.pk), "levels": "county,city"})
    assert frame.scope.county_id == world.nanxiong.pk and frame.scope.levels == ("county",)
    frame = dashboards.frame_for(world["member"], {"cycle": "all", "team": str(world.other_team.pk)})
    assert frame.scope.team_id == world.team.pk and frame.scope.cycle_id == world.cycle.pk
