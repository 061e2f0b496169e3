"""The annual reports up the tree, through the services: a county submits, the city returns or accepts (locked, its
figures kept), only the city reopens; the city's report goes up once every county is accepted or noted, adds the
accepted counties' kept figures to its own towns', and the province accepts or returns it. Scope: another county sees
and does nothing; the city and the province do not see drafts.

The world's cycle (CYCLE_YEAR …) with 柑橘团队 active in 董塘镇 (仁化县, county-organized), 茶叶团队 in 珠玑镇 (南雄市,
county-organized) and a third team in 黄坑镇 (city-organized), one confirmed activity each in the report's year.
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from accounts.models import Notification
from core.scoping import restrict
from core.workflow import Conflict, transitions_for
from fieldwork.tests.factories import field_pairing
from portal.testing import CYCLE_YEAR
from reports import selectors, services
from reports.models import AnnualReport
from reports.tests import factories as f

YEAR = CYCLE_YEAR
ACHIEVEMENTS = "<p>全年开展技术服务，<strong>成效明显</strong>。</p>"


@pytest.fixture
def field(world):
    """One confirmed activity of the year in each of 董塘镇 (仁化), 珠玑镇 (南雄) and 黄坑镇 (the city's)."""
    from reviews.tests.factories import extra_team

    renhua, _people = field_pairing(world)
    nanxiong, _ = field_pairing(world, town=world.nanxiong_county_town, team=world.other_team)
    city, _ = field_pairing(world, town=world.renhua_city_town, team=extra_team(world))
    for pairing in (renhua, nanxiong, city):
        f.activity(pairing, dt.date(YEAR, 3, 15), "guidance", people_trained=20)
    return {"renhua": renhua, "nanxiong": nanxiong, "city": city}


def county_report(world, county="renhua", **narrative):
    report = services.report_create(actor=world["%s_st" % county], year=YEAR, level="county",
                                    county=getattr(world, county))
    if narrative:
        report = services.report_update(actor=world["%s_st" % county], report=report, **narrative)
    return report


def submitted(world, county="renhua"):
    report = county_report(world, county, achievements=ACHIEVEMENTS)
    return services.report_submit(actor=world["%s_st" % county], report=report)


def accepted(world, county="renhua"):
    return services.report_accept(actor=world["city_st"], report=submitted(world, county))


def fresh(report):
    return AnnualReport.objects.get(pk=report.pk)


def kept(report, key="activities.total"):
    return selectors.figures_of(fresh(report))["values"][key]


def second_city_user(world):
    from reviews.tests.factories import qingyuan

    qingyuan(world)
    return world["qy_city_st"]


# ------------------------------------------------------------------------------------------------ the county's report
def test_submit_needs_the_achievements_and_keeps_the_figures(world, field):
    report = county_report(world)
    assert report.status == "draft" and report.due_date == dt.date(YEAR + 1, 1, 31)
    assert report.title == "仁化县%d年农村科技特派员驻镇帮镇扶村工作总结" % YEAR
    with pytest.raises(ValidationError) as refused:
        services.report_submit(actor=world["renhua_st"], report=report)
    assert "主要成效" in str(refused.value)
    assert fresh(report).status == "draft" and fresh(report).figures is None

    report = services.report_update(actor=world["renhua_st"], report=report, achievements=ACHIEVEMENTS)
    report = services.report_submit(actor=world["renhua_st"], report=report)
    report = fresh(report)
    assert report.status == "submitted" and report.submitted_at and report.figures_at
    assert report.figures["values"]["activities.total"] == 1          # 仁化's own town only
    assert report.figures["values"]["activities.people_trained"] == 20
    assert [row["pairing_id"] for row in report.figures["teams"]] == [field["renhua"].pk]
    assert [t.action for t in transitions_for(report)] == ["create", "submit"]
    assert Notification.objects.filter(recipient=world["city_st"], link=report.get_absolute_url()).exists()


BLANKS = ("<p></p>", "<p> </p>", "<p></p><p></p>", "<p><br></p><p><br></p>", "<h3></h3>", "<p>&nbsp;</p>",
          "<script>成效</script>")


def test_a_blank_narrative_is_not_achievements(world):
    """What the editor leaves when the field looks empty (empty paragraphs, a space, a line break) is not a summary
    of achievements: the report does not go up with it."""
    report = county_report(world)
    went_up = []
    for blank in BLANKS:
        report = services.report_update(actor=world["renhua_st"], report=fresh(report), achievements=blank)
        try:
            services.report_submit(actor=world["renhua_st"], report=report)
        except ValidationError:
            continue
        went_up.append(blank)
        services.report_return(actor=world["city_st"], report=fresh(report), comment="空白报告")
    assert went_up == []


def test_figures_kept_while_submitted_and_accepted_not_after_a_change(world, field):
    report = submitted(world)
    f.activity(field["renhua"], dt.date(YEAR, 4, 1), "training", people_trained=5)   # confirmed later
    assert kept(report) == 1
    assert selectors.live_figures(fresh(report))["values"]["activities.total"] == 2
    report = services.report_accept(actor=world["city_st"], report=report)
    assert fresh(report).status == "accepted" and fresh(report).accepted_at
    f.activity(field["renhua"], dt.date(YEAR, 5, 1), "training", people_trained=5)
    assert kept(report) == 1 and kept(report, "activities.people_trained") == 20
    assert fresh(report).frozen


def test_the_city_returns_with_a_comment_and_the_county_resubmits(world, field):
    report = submitted(world)
    with pytest.raises(ValidationError):
        services.report_return(actor=world["city_st"], report=report, comment="  ")
    assert fresh(report).status == "submitted"
    report = services.report_return(actor=world["city_st"], report=report, comment="请补充典型案例")
    report = fresh(report)
    assert report.status == "returned" and report.return_comment == "请补充典型案例" and report.figures is None
    assert Notification.objects.filter(recipient=world["renhua_st"], body="请补充典型案例").exists()
    f.activity(field["renhua"], dt.date(YEAR, 6, 1), "policy")
    assert kept(report) == 2                                           # returned: counted again
    report = services.report_update(actor=world["renhua_st"], report=report, typical_cases="<p>董塘镇贡柑</p>")
    report = services.report_submit(actor=world["renhua_st"], report=report)
    assert fresh(report).return_comment == "" and kept(report) == 2
    report = services.report_accept(actor=world["city_st"], report=report)
    assert fresh(report).status == "accepted"
    assert [t.action for t in transitions_for(report)] == ["create", "submit", "return", "submit", "accept"]


def test_an_accepted_report_is_locked_and_only_the_city_reopens_it(world, field):
    report = accepted(world)
    with pytest.raises(ValidationError):
        services.report_update(actor=world["renhua_st"], report=report, achievements="<p>改写</p>")
    with pytest.raises(ValidationError):
        services.report_submit(actor=world["renhua_st"], report=report)
    assert fresh(report).achievements == ACHIEVEMENTS
    for name in ("renhua_st", "renhua_rural", "nanxiong_st", "city_rural", "province", "leader", "admin"):
        with pytest.raises((PermissionDenied, ValidationError)):
            services.report_reopen(actor=world[name], report=report, comment="重新打开")
    with pytest.raises(PermissionDenied):
        services.report_reopen(actor=second_city_user(world), report=report, comment="重新打开")
    with pytest.raises(ValidationError):
        services.report_reopen(actor=world["city_st"], report=report, comment="")
    assert fresh(report).status == "accepted" and fresh(report).figures is not None

    report = services.report_reopen(actor=world["city_st"], report=report, comment="数据需更正")
    report = fresh(report)
    assert report.status == "returned" and report.figures is None and report.figures_at is None
    assert report.return_comment == "数据需更正"
    report = services.report_update(actor=world["renhua_st"], report=report, problems="<p>已更正</p>")
    assert fresh(report).problems == "<p>已更正</p>"


def test_steps_offered_to_each_party(world, field):
    report = county_report(world)
    assert [a for a, _step, _refusal in selectors.actions_for(world["renhua_st"], report)] == ["submit"]
    assert selectors.actions_for(world["renhua_st"], report)[0][2]     # disabled: no achievements yet
    assert selectors.actions_for(world["city_st"], report) == []
    report = submitted(world, "nanxiong")
    assert [a for a, *_rest in selectors.actions_for(world["city_st"], report)] == ["return", "accept"]
    assert selectors.actions_for(world["nanxiong_st"], report) == []
    assert selectors.actions_for(world["province"], report) == []


def test_one_report_per_county_and_year_made_by_its_own_office(world):
    county_report(world)
    with pytest.raises(ValidationError):
        county_report(world)
    for name in ("nanxiong_st", "city_st", "renhua_rural", "province"):
        with pytest.raises(PermissionDenied):
            services.report_create(actor=world[name], year=YEAR, level="county", county=world.renhua)
    with pytest.raises(PermissionDenied):
        services.report_create(actor=world["renhua_st"], year=YEAR, level="city")


# ------------------------------------------------------------------------------------------------ two clicks
def test_two_accepts_of_one_report_one_wins(world, field):
    report = submitted(world)
    stale = fresh(report)
    services.report_accept(actor=world["city_st"], report=report)
    with pytest.raises((Conflict, ValidationError)):
        services.report_accept(actor=world["city_st"], report=stale)
    with pytest.raises((Conflict, ValidationError)):
        services.report_return(actor=world["city_st"], report=stale, comment="晚了一步")
    assert [t.action for t in transitions_for(report)] == ["create", "submit", "accept"]
    assert fresh(report).status == "accepted"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers by design; the race runs on PostgreSQL")
def test_two_accepts_at_the_same_instant_one_wins(transactional_db, world):
    from accounts.models import User

    report = submitted(world)
    for _attempt in range(3):
        AnnualReport.objects.filter(pk=report.pk).update(status="submitted")
        before = transitions_for(report).count()
        barrier = threading.Barrier(2)
        results = []

        def accept():
            try:
                actor = User.objects.get(username="city_st")
                stale = AnnualReport.objects.get(pk=report.pk)
                barrier.wait()
                services.report_accept(actor=actor, report=stale)
                results.append("ok")
            except ValidationError as error:
                results.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=accept) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert results.count("ok") == 1, results
        assert transitions_for(report).count() == before + 1


# ------------------------------------------------------------------------------------------------ scope
def test_another_county_neither_sees_nor_acts(world, field):
    report = submitted(world)
    seen = {name for name in world.users if restrict(AnnualReport.objects.all(), world[name], "view")
            .filter(pk=report.pk).exists()}
    assert seen == {"admin", "province", "city_st", "city_rural", "renhua_st", "renhua_rural"}
    other = world["nanxiong_st"]
    for step in (services.report_accept, services.report_submit):
        with pytest.raises(PermissionDenied):
            step(actor=other, report=report)
    for step in (services.report_return, services.report_reopen):
        with pytest.raises(PermissionDenied):
            step(actor=other, report=report, comment="越权")
    draft = county_report(world, "nanxiong")
    with pytest.raises(PermissionDenied):
        services.report_update(actor=world["renhua_st"], report=draft, achievements="<p>越权</p>")
    with pytest.raises(PermissionDenied):
        services.report_accept(actor=second_city_user(world), report=report)
    assert not restrict(AnnualReport.objects.all(), world["qy_city_st"], "view").filter(pk=report.pk).exists()
    assert fresh(report).status == "submitted"


def test_drafts_are_the_authors_own(world, field):
    draft = county_report(world, achievements=ACHIEVEMENTS)

    def seen_by(name, report):
        return restrict(AnnualReport.objects.all(), world[name], "view").filter(pk=report.pk).exists()

    assert seen_by("renhua_st", draft) and seen_by("renhua_rural", draft)
    assert not any(seen_by(name, draft) for name in ("city_st", "city_rural", "province", "nanxiong_st"))
    services.report_submit(actor=world["renhua_st"], report=draft)
    assert seen_by("city_st", draft) and seen_by("province", draft)
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    assert seen_by("city_st", city) and seen_by("city_rural", city)
    assert not any(seen_by(name, city) for name in ("province", "renhua_st", "nanxiong_st"))
    city_counts, renhua_counts = selectors.todo_counts(world["city_st"]), selectors.todo_counts(world["renhua_st"])
    assert (city_counts["to_receive"], city_counts["to_submit"], renhua_counts["to_submit"]) == (1, 1, 0)
    assert YEAR not in selectors.unopened_years(world["city_st"]) | selectors.unopened_years(world["renhua_st"])
    assert selectors.todo_counts(world["province"]) == {"to_receive": 0}


# ------------------------------------------------------------------------------------------------ the city's report
def test_the_city_report_waits_for_every_county_or_a_note(world, field):
    renhua = accepted(world)
    county_report(world, "nanxiong", achievements=ACHIEVEMENTS)      # a draft: not accepted
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    city = services.report_update(actor=world["city_st"], report=city, achievements=ACHIEVEMENTS)
    with pytest.raises(ValidationError) as refused:
        services.report_submit(actor=world["city_st"], report=city)
    assert "南雄市" in str(refused.value) and "仁化县" not in str(refused.value)
    panel = {row["county"].name: row for row in selectors.completeness(fresh(city))}
    assert panel["仁化县"]["accepted"]
    assert panel["仁化县"]["on_time"] is (timezone.localdate() <= dt.date(YEAR + 1, 1, 31))
    assert not panel["南雄市"]["accepted"] and panel["南雄市"]["status"] == "未报送"

    with pytest.raises(PermissionDenied):
        services.missing_note(actor=world["renhua_st"], report=city, county=world.nanxiong, note="未报送")
    city = services.missing_note(actor=world["city_st"], report=city, county=world.nanxiong,
                                 note="南雄市报告正在修改，年后补报")
    city = services.report_submit(actor=world["city_st"], report=city)
    city = fresh(city)
    assert city.status == "submitted"
    values = city.figures["values"]
    # 仁化's kept figures (1 activity, 20 trained) + the city's own 黄坑镇 (1, 20); 南雄 is not accepted: left out.
    assert values["activities.total"] == 2 and values["activities.people_trained"] == 40
    assert set(city.figures["parts"]) == {"own", str(world.renhua.pk)}
    assert city.figures["parts"][str(world.renhua.pk)] == fresh(renhua).figures["values"]
    assert sorted(row["pairing_id"] for row in city.figures["teams"]) == sorted(
        [field["renhua"].pk, field["city"].pk])
    assert Notification.objects.filter(recipient=world["province"], link=city.get_absolute_url()).exists()


def test_the_city_report_with_a_note_for_each_missing_county(world, field):
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    city = services.report_update(actor=world["city_st"], report=city, achievements=ACHIEVEMENTS)
    services.missing_note(actor=world["city_st"], report=city, county=world.renhua, note="未按期报送")
    with pytest.raises(ValidationError):
        services.report_submit(actor=world["city_st"], report=city)
    services.missing_note(actor=world["city_st"], report=city, county=world.nanxiong, note="未按期报送")
    services.missing_note(actor=world["city_st"], report=city, county=world.renhua, note="")   # a note cleared
    with pytest.raises(ValidationError):
        services.report_submit(actor=world["city_st"], report=city)
    services.missing_note(actor=world["city_st"], report=city, county=world.renhua, note="未按期报送")
    city = services.report_submit(actor=world["city_st"], report=fresh(city))
    assert fresh(city).figures["values"]["activities.total"] == 1       # the city's own town alone


def test_the_city_report_sums_the_accepted_counties(world, field):
    renhua, nanxiong = accepted(world), accepted(world, "nanxiong")
    f.activity(field["nanxiong"], dt.date(YEAR, 9, 9), "training", people_trained=7)   # after 南雄 was locked
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    figures = selectors.city_figures(city)
    assert figures["values"]["activities.total"] == 3                   # kept 1 + kept 1 + own 1 (not the new one)
    assert figures["values"]["activities.people_trained"] == 60
    assert set(figures["parts"]) == {"own", str(world.renhua.pk), str(world.nanxiong.pk)}
    assert selectors.figures_of(city)["values"] == figures["values"]    # a draft shows them counted now
    assert len(figures["teams"]) == 3
    assert fresh(renhua).figures and fresh(nanxiong).figures


def test_the_province_receives_the_city_report(world, field):
    accepted(world), accepted(world, "nanxiong")
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    city = services.report_update(actor=world["city_st"], report=city, achievements=ACHIEVEMENTS)
    city = services.report_submit(actor=world["city_st"], report=city)
    for name in ("city_st", "renhua_st"):
        with pytest.raises(PermissionDenied):
            services.report_accept(actor=world[name], report=city)
    city = services.report_return(actor=world["province"], report=city, comment="请补充资金使用情况")
    assert fresh(city).status == "returned"
    city = services.report_submit(actor=world["city_st"], report=fresh(city))
    city = services.report_accept(actor=world["province"], report=city)
    assert fresh(city).status == "accepted"
    assert Notification.objects.filter(recipient=world["city_st"], title__contains="已审核接收").exists()


def test_a_county_report_stays_locked_while_the_city_report_is_up(world, field):
    renhua = accepted(world)
    accepted(world, "nanxiong")
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    city = services.report_update(actor=world["city_st"], report=city, achievements=ACHIEVEMENTS)
    city = services.report_submit(actor=world["city_st"], report=city)
    with pytest.raises(ValidationError) as refused:
        services.report_reopen(actor=world["city_st"], report=renhua, comment="更正")
    assert "全市年度报告已报送" in str(refused.value)
    services.report_accept(actor=world["province"], report=city)
    with pytest.raises(ValidationError):
        services.report_reopen(actor=world["city_st"], report=renhua, comment="更正")
    services.report_reopen(actor=world["province"], report=fresh(city), comment="全市报告需更正")
    renhua = services.report_reopen(actor=world["city_st"], report=renhua, comment="更正")
    assert fresh(renhua).status == "returned"


# ------------------------------------------------------------------------------------------------ corrections
def test_the_next_years_report_shows_corrections_to_the_last(world, field):
    last = accepted(world)
    f.activity(field["renhua"], dt.date(YEAR, 11, 30), "planning", people_trained=3)   # confirmed after the lock
    this = services.report_create(actor=world["renhua_st"], year=YEAR + 1, level="county", county=world.renhua)
    changes = {row["key"]: row for row in selectors.corrections(this)}
    assert set(changes) == {"activities.total", "activities.people_trained", "activities.trainings",
                            "activities.type.planning", "activities.month.11"}
    assert (changes["activities.total"]["kept"], changes["activities.total"]["now"]) == (1, 2)
    assert (changes["activities.people_trained"]["kept"], changes["activities.people_trained"]["now"]) == (20, 23)
    assert changes["activities.total"]["year"] == YEAR
    assert fresh(last).figures["values"]["activities.total"] == 1
    other = services.report_create(actor=world["nanxiong_st"], year=YEAR + 1, level="county", county=world.nanxiong)
    assert selectors.corrections(other) == []                           # 南雄 had no accepted report
