"""The annual reports API: scoped like the pages (a county's draft is its author's own; the city and the province read
what was sent up; towns, teams, units and experts read nothing), writes through ``reports.services`` (400 with Chinese
messages, 403 for the wrong party, 409 for a step someone else took first), the figures equal to the figure engine's
and kept once submitted, narratives sanitized; and the figures of a scope only inside the caller's own region."""
import datetime as dt
import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from core.workflow import transitions_for
from portal.testing import CYCLE_YEAR
from reports import figures as F
from reports import selectors, services
from reports.models import AnnualReport

pytestmark = pytest.mark.django_db
API = "/api/v1/"
YEAR = CYCLE_YEAR
OUTSIDERS = ("nanxiong_st", "nanxiong_rural", "renhua_county_town", "renhua_city_town", "leader", "member", "unit",
             "expert")


def post(client, url, body=None, **headers):
    return client.post(API + url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def patch(client, url, body):
    return client.patch(API + url, data=json.dumps(body), content_type="application/json")


def rows(response):
    assert response.status_code == 200, response.content
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def text(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


@pytest.fixture
def login(world):
    clients = {}

    def sign_in(name):
        if name not in clients:
            clients[name] = Client()
            clients[name].force_login(world[name])
        return clients[name]

    return sign_in


def county_report(world, *, county=None, year=YEAR, achievements="<p>全年开展技术服务。</p>"):
    county = county or world.renhua
    author = world["renhua_st" if county == world.renhua else "nanxiong_st"]
    report = services.report_create(actor=author, year=year, level="county", county=county)
    if achievements:
        report = services.report_update(actor=author, report=report, achievements=achievements)
    return report


def city_report(world, year=YEAR):
    return services.report_create(actor=world["city_st"], year=year, level="city")


def field_work(world):
    """柑橘团队 active in 董塘镇 (仁化县, county-organized) since January of the report's year, with two confirmed
    activities there (one with trainees and a demonstration area)."""
    from fieldwork.models import Activity
    from fieldwork.tests.factories import field_pairing

    pairing, people = field_pairing(world)
    paired = {"pairing": pairing, "cycle": pairing.cycle, "team": pairing.team, "home_town": pairing.town,
              "town": pairing.town}
    Activity.objects.create(**paired, date=dt.date(YEAR, 3, 15), service_type="guidance", title="贡柑田间诊断",
                            description="果园诊断", status="confirmed", people_trained=25, households_served=12)
    Activity.objects.create(**paired, date=dt.date(YEAR, 5, 8), service_type="training", title="修剪培训",
                            description="修剪", status="confirmed", people_trained=40, demo_area_mu="12.5")
    return pairing, people


# ------------------------------------------------------------------------------------------------ create and read
def test_a_county_report_is_created_once_by_its_s_and_t_office(world, login):
    body = {"year": YEAR, "level": "county", "county": world.renhua.pk}
    client = login("renhua_st")
    response = post(client, "annual-reports/", body, **{"Idempotency-Key": "report-create-1"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["level"], data["county"], data["status"], data["year"]) == ("county", world.renhua.pk, "draft", YEAR)
    assert data["title"] == "仁化县%d年农村科技特派员驻镇帮镇扶村工作总结" % YEAR
    assert data["due_date"] == "%d-01-31" % (YEAR + 1)
    again = post(client, "annual-reports/", body, **{"Idempotency-Key": "report-create-1"})
    assert again.status_code == 200 and again["Idempotent-Replay"] == "true"
    assert AnnualReport.objects.count() == 1
    # One report per county and year (the service's full_clean, in Chinese).
    twice = post(client, "annual-reports/", body)
    assert twice.status_code == 400 and "已建立" in text(twice)
    # Another county's S&T office does not reach 仁化县; the city does not write a county's report; nor others.
    assert post(login("nanxiong_st"), "annual-reports/", {**body, "year": YEAR - 1}).status_code == 400
    assert post(login("city_st"), "annual-reports/", {**body, "year": YEAR - 1}).status_code == 403
    for name in ("renhua_rural", "leader", "renhua_county_town", "province"):
        assert post(login(name), "annual-reports/", {**body, "year": YEAR - 1}).status_code == 403, name
    assert AnnualReport.objects.count() == 1
    # The city's report: by the city S&T bureau, no county.
    city = post(login("city_st"), "annual-reports/", {"year": YEAR, "level": "city"})
    assert city.status_code == 201 and city.json()["county"] is None and city.json()["level"] == "city"
    missing = post(client, "annual-reports/", {"year": YEAR - 1, "level": "county"})
    assert missing.status_code == 400 and "county" in missing.json()
    bad = post(client, "annual-reports/", {"year": 1999, "level": "province", "county": world.renhua.pk})
    assert bad.status_code == 400 and {"year", "level"} <= set(bad.json())


def test_a_draft_is_its_authors_own_and_a_sent_report_is_read_up_the_tree(world, login):
    report = county_report(world)
    other = county_report(world, county=world.nanxiong)
    url = "annual-reports/%d/" % report.pk
    for name in ("renhua_st", "renhua_rural", "admin"):
        assert login(name).get(API + url).status_code == 200, name
        assert [row["id"] for row in rows(login(name).get(API + "annual-reports/?county=%d" % world.renhua.pk))] == [
            report.pk], name
    for name in ("city_st", "city_rural", "province") + OUTSIDERS:
        assert login(name).get(API + url).status_code == 404, name
        assert report.pk not in [row["id"] for row in rows(login(name).get(API + "annual-reports/"))], name
    services.report_submit(actor=world["renhua_st"], report=report)
    for name in ("renhua_st", "renhua_rural", "city_st", "city_rural", "province", "admin"):
        assert login(name).get(API + url).status_code == 200, name
        assert login(name).get(API + url + "figures/").status_code == 200, name
        assert login(name).get(API + url + "transitions/").status_code == 200, name
    for name in OUTSIDERS:
        assert login(name).get(API + url).status_code == 404, name
        assert login(name).get(API + url + "figures/").status_code == 404, name
        assert login(name).get(API + url + "transitions/").status_code == 404, name
        assert report.pk not in [row["id"] for row in rows(login(name).get(API + "annual-reports/"))], name
    # 南雄's draft stays its own; the filters work on what one reads.
    assert [row["id"] for row in rows(login("city_st").get(API + "annual-reports/"))] == [report.pk]
    assert rows(login("city_st").get(API + "annual-reports/?status=draft")) == []
    assert [row["id"] for row in rows(login("nanxiong_st").get(API + "annual-reports/?year=%d" % YEAR))] == [other.pk]
    assert rows(login("renhua_st").get(API + "annual-reports/?level=city")) == []


# ------------------------------------------------------------------------------------------------ edit
def test_the_author_edits_a_draft_and_a_script_in_a_narrative_comes_back_sanitized(world, login):
    report = county_report(world, achievements="")
    url = "annual-reports/%d/" % report.pk
    dirty = ('<script>alert("x")</script><p onclick="steal()">成效<strong>显著</strong></p>'
             '<img src="x" onerror="alert(1)"><a href="javascript:alert(1)">链接</a>')
    response = patch(login("renhua_st"), url, {"achievements": dirty, "doc_number": "仁科〔%d〕3号" % YEAR,
                                               "problems": "<h3>问题</h3><ul><li>经费不足</li></ul>"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["achievements"] == "<p>成效<strong>显著</strong></p>链接"
    for bad in ("script", "alert", "onclick", "onerror", "img", "javascript", "href"):
        assert bad not in data["achievements"]
    assert data["problems"] == "<h3>问题</h3><ul><li>经费不足</li></ul>"
    assert data["doc_number"] == "仁科〔%d〕3号" % YEAR
    report.refresh_from_db()
    assert "script" not in report.achievements and "alert" not in report.achievements
    # The same on a read, for every reader.
    services.report_submit(actor=world["renhua_st"], report=report)
    for name in ("city_st", "province"):
        assert "alert" not in login(name).get(API + url).content.decode()


def test_only_the_author_edits_and_only_while_a_draft_or_returned(world, login):
    report = county_report(world)
    url = "annual-reports/%d/" % report.pk
    assert patch(login("renhua_rural"), url, {"title": "改"}).status_code == 403  # reads it, does not write it
    for name in ("city_st", "province", "nanxiong_st", "leader", "renhua_county_town"):
        assert patch(login(name), url, {"title": "改"}).status_code == 404, name
    unknown_photo = patch(login("renhua_st"), url, {"photos": [999999]})
    assert unknown_photo.status_code == 400 and "photos" in unknown_photo.json()
    services.report_submit(actor=world["renhua_st"], report=report)
    locked = patch(login("renhua_st"), url, {"title": "改"})
    assert locked.status_code == 400 and "不能修改" in text(locked)
    assert patch(login("city_st"), url, {"title": "改"}).status_code == 403  # reads it now, still not its author
    report.refresh_from_db()
    assert report.title != "改"


def test_case_photos_come_from_the_reports_own_confirmed_activities(world, login):
    from fieldwork.models import ActivityPhoto

    from fieldwork.models import Activity

    pairing, _people = field_work(world)
    activity = Activity.objects.filter(pairing=pairing).order_by("pk").first()
    photo = ActivityPhoto.objects.create(activity=activity, image="field-photos/a.jpg", thumbnail="field-photos/t.jpg")
    report = county_report(world)
    response = patch(login("renhua_st"), "annual-reports/%d/" % report.pk, {"photos": [photo.pk]})
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["case_photos"]] == [photo.pk]
    assert response.json()["case_photos"][0]["url"] == "/field/photos/%d/" % photo.pk
    # 南雄's report may not show 仁化's photo.
    other = county_report(world, county=world.nanxiong)
    refused = patch(login("nanxiong_st"), "annual-reports/%d/" % other.pk, {"photos": [photo.pk]})
    assert refused.status_code == 400 and "只能选用" in text(refused)


# ------------------------------------------------------------------------------------------------ the steps
def test_submit_accept_return_and_reopen_by_their_parties(world, login):
    report = county_report(world, achievements="")
    url = "annual-reports/%d/" % report.pk
    empty = post(login("renhua_st"), url + "submit/")
    assert empty.status_code == 400 and "主要成效" in text(empty)
    services.report_update(actor=world["renhua_st"], report=report, achievements="<p>成效</p>")
    assert post(login("renhua_rural"), url + "submit/").status_code == 403
    assert [a["action"] for a in login("renhua_st").get(API + url + "actions/").json()] == ["submit"]
    sent = post(login("renhua_st"), url + "submit/")
    assert sent.status_code == 200 and sent.json()["status"] == "submitted" and sent.json()["frozen"] is True
    assert post(login("renhua_st"), url + "submit/").status_code == 409  # a second click
    # The receiver is the city: not the province, not the author.
    assert post(login("province"), url + "accept/").status_code == 403
    assert post(login("renhua_st"), url + "accept/").status_code == 403
    assert post(login("nanxiong_st"), url + "accept/").status_code == 404
    assert [a["action"] for a in login("city_st").get(API + url + "actions/").json()] == ["return", "accept"]
    no_reason = post(login("city_st"), url + "return/")
    assert no_reason.status_code == 400 and "comment" in no_reason.json()
    returned = post(login("city_st"), url + "return/", {"comment": "请补充典型案例"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["return_comment"] == "请补充典型案例" and returned.json()["frozen"] is False
    assert post(login("renhua_st"), url + "submit/").json()["status"] == "submitted"
    accepted = post(login("city_st"), url + "accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert post(login("city_st"), url + "accept/").status_code == 409
    assert post(login("renhua_st"), url + "reopen/", {"comment": "要改"}).status_code == 403  # only the city reopens
    reopened = post(login("city_st"), url + "reopen/", {"comment": "数据有误"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "returned"
    steps = [(row["action"], row["from_state"], row["to_state"], row["comment"])
             for row in login("renhua_st").get(API + url + "transitions/").json()]
    assert steps == [("create", "", "draft", ""), ("submit", "draft", "submitted", ""),
                     ("return", "submitted", "returned", "请补充典型案例"), ("submit", "returned", "submitted", ""),
                     ("accept", "submitted", "accepted", ""), ("reopen", "accepted", "returned", "数据有误")]


def test_a_stale_click_answers_409_and_changes_nothing(world, login):
    report = county_report(world)
    services.report_submit(actor=world["renhua_st"], report=report)
    url = "annual-reports/%d/" % report.pk
    # Two officials of the city opened the submitted report; the first accepts, the second returns it.
    assert post(login("city_st"), url + "accept/", {"seen_status": "submitted"}).status_code == 200
    late = post(login("city_st"), url + "return/", {"comment": "退回", "seen_status": "submitted"})
    assert late.status_code == 409 and "已被他人处理" in text(late)
    report.refresh_from_db()
    assert report.status == "accepted"
    assert [t.action for t in transitions_for(report)].count("accept") == 1


def test_the_city_report_waits_for_its_counties_or_a_note_and_goes_to_the_province(world, login):
    report = city_report(world)
    services.report_update(actor=world["city_st"], report=report, achievements="<p>全市成效</p>")
    url = "annual-reports/%d/" % report.pk
    refused = post(login("city_st"), url + "submit/")
    assert refused.status_code == 400 and "仁化县" in text(refused) and "南雄市" in text(refused)
    renhua = county_report(world)
    services.report_submit(actor=world["renhua_st"], report=renhua)
    services.report_accept(actor=world["city_st"], report=renhua)
    note = post(login("city_st"), url + "missing-note/", {"county": world.nanxiong.pk, "note": "南雄市因故未报"})
    assert note.status_code == 200 and note.json()["missing_notes"] == {str(world.nanxiong.pk): "南雄市因故未报"}
    assert post(login("renhua_st"), url + "missing-note/", {"county": world.nanxiong.pk, "note": "x"}).status_code \
        == 404
    assert post(login("province"), url + "missing-note/", {"county": world.nanxiong.pk, "note": "x"}).status_code \
        == 404  # a draft of the city: the province does not read it yet
    from regions.models import City, County

    elsewhere = County.objects.create(city=City.objects.create(code="4418", name="清远市", province_code="44"),
                                      code="441881", name="英德市")
    assert post(login("city_st"), url + "missing-note/", {"county": elsewhere.pk, "note": "x"}).status_code == 400
    sent = post(login("city_st"), url + "submit/")
    assert sent.status_code == 200, sent.content
    # The province receives it; the city does not accept its own report.
    assert post(login("city_st"), url + "accept/").status_code == 403
    assert post(login("province"), url + "accept/").json()["status"] == "accepted"
    # A county's report is not reopened while the city's report of the year is with the province or accepted.
    locked = post(login("city_st"), "annual-reports/%d/reopen/" % renhua.pk, {"comment": "重新打开"})
    assert locked.status_code == 400 and "省级" in text(locked)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers by design; the race runs on PostgreSQL")
def test_two_accepts_at_once_one_wins_and_the_other_gets_409(transactional_db, world):
    report = county_report(world)
    services.report_submit(actor=world["renhua_st"], report=report)
    barrier = threading.Barrier(2)
    codes = []

    def accept():
        try:
            client = Client()
            client.force_login(world["city_st"])
            barrier.wait()
            codes.append(post(client, "annual-reports/%d/accept/" % report.pk).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(codes) == [200, 409], codes
    assert [t.action for t in transitions_for(report)].count("accept") == 1


def test_two_accepts_one_after_the_other_the_second_gets_409(world, login):
    """What the race test shows on PostgreSQL, in sequence: both officials saw it submitted."""
    report = county_report(world)
    services.report_submit(actor=world["renhua_st"], report=report)
    from accounts.models import User

    User.objects.create(username="city_st2", role="city_st", city=world.city, must_change_password=False)
    second = Client()
    second.force_login(User.objects.get(username="city_st2"))
    url = "annual-reports/%d/accept/" % report.pk
    codes = [post(login("city_st"), url).status_code, post(second, url, {"seen_status": "submitted"}).status_code]
    assert codes == [200, 409]
    assert [t.action for t in transitions_for(report)].count("accept") == 1


# ------------------------------------------------------------------------------------------------ figures
def test_the_figures_endpoint_equals_the_figure_engine_and_links_each_figure_to_its_records(world, login):
    field_work(world)
    report = county_report(world)
    response = login("renhua_st").get(API + "annual-reports/%d/figures/" % report.pk)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["frozen"] is False and data["parts"] is None and data["completeness"] is None
    scope = selectors.scope_of(report)
    engine = F.compute(scope)
    shown = {row["key"]: row["value"] for row in data["figures"]}
    assert {key: shown[key] for key in engine} == engine
    assert shown["activities.total"] == 2 and shown["activities.people_trained"] == 65
    assert shown["activities.demo_area"] == "12.5" and shown["pairings.total"] == 1
    assert shown["days.total"] == 0
    row = next(row for row in data["figures"] if row["key"] == "activities.total")
    assert row["label"] == "已确认服务活动（次）" and row["unit"] == "次" and row["section"] == "四、服务活动"
    assert row["trace_url"].startswith("/reports/trace/activities.total/?")
    assert "county=%d" % world.renhua.pk in row["trace_url"] and "year=%d" % YEAR in row["trace_url"]
    (team,) = data["teams"]
    assert team["town"] == "董塘镇" and team["trace_url"] == "/reports/days/%d/%d/" % (team["pairing_id"], YEAR)


def test_submitted_figures_are_kept_while_the_records_change(world, login):
    from fieldwork.models import Activity

    pairing, _people = field_work(world)
    report = county_report(world)
    services.report_submit(actor=world["renhua_st"], report=report)
    Activity.objects.create(pairing=pairing, cycle=pairing.cycle, team=pairing.team, home_town=pairing.town,
                            town=pairing.town, date=dt.date(YEAR, 6, 1), service_type="guidance", title="后补",
                            description="后补", status="confirmed")
    for name in ("renhua_st", "city_st"):
        data = login(name).get(API + "annual-reports/%d/figures/" % report.pk).json()
        assert data["frozen"] is True and data["figures_at"]
        assert {row["key"]: row["value"] for row in data["figures"]}["activities.total"] == 2
    assert F.compute(selectors.scope_of(report))["activities.total"] == 3
    services.report_accept(actor=world["city_st"], report=report)
    data = login("city_st").get(API + "annual-reports/%d/figures/" % report.pk).json()
    assert {row["key"]: row["value"] for row in data["figures"]}["activities.total"] == 2


def test_the_city_reports_figures_add_its_accepted_counties_and_show_their_completeness(world, login):
    field_work(world)
    renhua = county_report(world)
    services.report_submit(actor=world["renhua_st"], report=renhua)
    services.report_accept(actor=world["city_st"], report=renhua)
    nanxiong = county_report(world, county=world.nanxiong)  # a draft: the city does not read it
    report = city_report(world)
    data = login("city_st").get(API + "annual-reports/%d/figures/" % report.pk).json()
    shown = {row["key"]: row["value"] for row in data["figures"]}
    assert shown["activities.total"] == 2
    parts = {row["part"]: row for row in data["parts"]}
    assert parts[str(world.renhua.pk)]["name"] == "仁化县"
    assert parts[str(world.renhua.pk)]["values"]["activities.total"] == 2
    assert parts["own"]["values"]["activities.total"] == 0
    panel = {row["county_name"]: row for row in data["completeness"]}
    assert panel["仁化县"]["report"] == renhua.pk and panel["仁化县"]["accepted"] is True
    assert panel["南雄市"]["report"] is None and panel["南雄市"]["status"] == "未报送"
    assert nanxiong.pk not in [row["report"] for row in data["completeness"]]
    assert login("province").get(API + "annual-reports/%d/figures/" % report.pk).status_code == 404


# ------------------------------------------------------------------------------------------------ figures by scope
def test_report_figures_of_the_callers_own_region_only(world, login):
    field_work(world)
    city = world.city
    # The city reads its whole city: the same as the engine's.
    data = login("city_st").get(API + "report-figures/?year=%d" % YEAR)
    assert data.status_code == 200, data.content
    shown = {row["key"]: row["value"] for row in data.json()["figures"]}
    engine = F.compute(F.city_scope(YEAR, city))
    assert {key: shown[key] for key in engine} == engine and shown["activities.total"] == 2
    assert data.json()["scope"]["city"] == city.pk
    # 仁化's S&T office: its county (pinned), never another county's or city's.
    own = login("renhua_st").get(API + "report-figures/?year=%d" % YEAR).json()
    assert own["scope"]["county"] == world.renhua.pk
    assert {row["key"]: row["value"] for row in own["figures"]}["activities.total"] == 2
    assert login("renhua_st").get(API + "report-figures/?year=%d&county=%d" % (YEAR, world.nanxiong.pk)) \
        .status_code == 403
    assert login("nanxiong_st").get(API + "report-figures/?year=%d&county=%d" % (YEAR, world.renhua.pk)) \
        .status_code == 403
    nanxiong = login("nanxiong_st").get(API + "report-figures/?year=%d" % YEAR).json()
    assert {row["key"]: row["value"] for row in nanxiong["figures"]}["activities.total"] == 0
    # The team its own team; another team is refused.
    team = login("leader").get(API + "report-figures/?year=%d" % YEAR).json()
    assert team["scope"]["team"] == world.team.pk
    assert {row["key"]: row["value"] for row in team["figures"]}["activities.total"] == 2
    assert login("leader").get(API + "report-figures/?team=%d" % world.other_team.pk).status_code == 403
    assert login("other_leader").get(API + "report-figures/?year=%d" % YEAR).json()["figures"][0]["value"] == 0
    # The province its province; towns and experts not at all.
    assert login("province").get(API + "report-figures/?year=%d&city=%d" % (YEAR, city.pk)).status_code == 200
    for name in ("renhua_county_town", "expert"):
        assert login(name).get(API + "report-figures/").status_code == 403, name
    for query in ("year=abc", "year=1800", "levels=town", "county=abc", "from=2025-13-01", "county=" + "9" * 300):
        assert login("city_st").get(API + "report-figures/?" + query).status_code == 400, query


def test_report_figures_count_only_what_the_caller_may_read(world, login):
    """A team's scope holds its members' evaluations, which the leader may not read: the leader's figure leaves them
    out, the evaluated member counts their own, the unit and the city count it."""
    from evaluations.models import Evaluation

    pairing, people = field_work(world)
    evaluation = Evaluation(unit=people[1].unit, commissioner=people[1], team=pairing.team, year=YEAR,
                            cycle=world.cycle, grade="pass", status="submitted")
    evaluation.copy_pairing(pairing)
    evaluation.save()
    assert F.compute(F.Scope(year=YEAR, team_id=world.team.pk))["evaluations.total"] == 1

    def shown(name):
        response = login(name).get(API + "report-figures/?year=%d" % YEAR)
        assert response.status_code == 200, response.content
        return {row["key"]: row["value"] for row in response.json()["figures"]}

    assert shown("leader")["evaluations.total"] == 0 and shown("leader")["activities.total"] == 2
    assert shown("member")["evaluations.total"] == 1
    assert shown("unit")["evaluations.total"] == 1
    assert shown("city_st")["evaluations.total"] == 1 and shown("city_st")["evaluations.grade.pass"] == 1
