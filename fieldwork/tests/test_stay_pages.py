"""The stay pages (驻镇时间), the day-count table and a team's page: a member records a stay on the page, bad stays are
refused beside the field with nothing saved, the town's work team confirms (one or many), the day count shows the
right figures (overlaps once, cross-town apart, only confirmed) in a bounded number of queries, the team page shows
each member's share and the calendar heat map — each for the right people only."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fieldwork import services
from fieldwork.choices import RecordStatus
from fieldwork.models import Stay
from fieldwork.tests.factories import day, field_pairing, stay_values
from portal.testing import ALL_USERS, CYCLE_YEAR
from projects.tests.factories import active_pairing, staff
from regions.models import Town
from teams.models import Team

pytestmark = pytest.mark.django_db

# Who reads 柑橘团队's stays in 董塘镇 and its team page: along the tree, the town, the team and its unit.
READERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "renhua_county_town", "leader", "member",
           "unit"]
EVERYONE_BUT_EXPERT = [name for name in ALL_USERS if name != "expert"]


@pytest.fixture
def team(world):
    pairing, people = field_pairing(world)
    return {"pairing": pairing, "people": people, "world": world}


def form_data(person, start, end, town=None, **overrides):
    town = town or Town.objects.get(name="董塘镇")  # the paired town, as the form starts
    data = {"commissioner": person.pk, "town": town.pk, "start_date": start.isoformat(), "end_date": end.isoformat(),
            "place": "董塘镇驻镇工作队宿舍", "purpose": "贡柑果园技术指导"}
    data.update(overrides)
    return data


def field_errors(html: str, name: str) -> str:
    """The error list shown beside one field of the form."""
    found = re.search(r'<ul class="errorlist" id="id_%s_error" data-field="%s">(.*?)</ul>' % (name, name), html, re.S)
    return found.group(1) if found else ""


def stay(world, person, start, end, *, actor="leader", town=None, confirm=True):
    """A stay logged through the service (and confirmed by the town where it was, unless told not to)."""
    record = services.stay_save(actor=world[actor], values=stay_values(person, start, end, **(
        {"town": town} if town is not None else {})))
    if confirm:
        where = record.town
        town_user = next(world[name] for name in ("renhua_county_town", "renhua_city_town", "nanxiong_city_town",
                                                  "nanxiong_county_town") if world[name].town_id == where.pk)
        record = services.record_act(actor=town_user, record=record, action="confirm")
    return record


def overlapping_confirmed(pairing, person, start, end):
    """An overlapping confirmed stay the service would refuse today (an import of older records, a migration): the day
    count must still count each day once."""
    record = Stay(commissioner=person, start_date=start, end_date=end, place="村委会", purpose="补录",
                  status=RecordStatus.CONFIRMED, confirmed_at=timezone.now())
    record.copy_pairing(pairing)
    record.set_town(pairing.town)
    record.save()
    return record


@pytest.fixture
def stationed(team):
    """A (leader): 3-01…3-10 and an overlapping 3-05…3-12 → 12 days. B (member): 3-08…3-09 in 董塘镇 (2) and 5-01…5-03
    in 黄坑镇 (3, cross-town). C: 6-01…6-10 awaiting confirmation (not counted)."""
    world, (a, b, c) = team["world"], team["people"]
    stay(world, a, day(3, 1), day(3, 10))
    overlapping_confirmed(team["pairing"], a, day(3, 5), day(3, 12))
    stay(world, b, day(3, 8), day(3, 9), actor="member")
    stay(world, b, day(5, 1), day(5, 3), actor="member", town=world.renhua_city_town)
    stay(world, c, day(6, 1), day(6, 10), confirm=False)
    return team


def row_cells(html: str, text: str) -> list[str]:
    """The cells (tags stripped) of the first table row containing ``text``."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        if text in row:
            cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
            return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    return []


# ------------------------------------------------------------------------------------------------ the form
def test_the_member_records_a_stay_through_the_page(team, login):
    world, (leader, member, third) = team["world"], team["people"]
    client = login("member")
    page = client.get(reverse("fieldwork:stay_create")).content.decode()
    # A member is offered only themself, already chosen; the town starts as the paired town.
    options = re.search(r'<select name="commissioner".*?</select>', page, re.S).group(0)
    assert member.name in options and leader.name not in options and third.name not in options
    assert 'selected>%s' % member.name in options
    town_select = re.search(r'<select name="town".*?</select>', page, re.S).group(0)
    assert re.search(r'value="%d" selected>仁化县董塘镇' % world.renhua_county_town.pk, town_select)

    response = client.post(reverse("fieldwork:stay_create"), form_data(member, day(3, 1), day(3, 7),
                                                                       town=world.renhua_county_town))
    saved = Stay.objects.get()
    assert response.status_code == 302 and response.url == saved.get_absolute_url()
    assert (saved.commissioner, saved.status, saved.cross_town, saved.days) == (
        member, RecordStatus.SUBMITTED, False, 7)
    assert saved.created_by == world["member"]
    detail = client.get(saved.get_absolute_url()).content.decode()
    assert "待确认" in detail and "%s 至 %s（7天）" % (day(3, 1), day(3, 7)) in detail
    # The town's work team is told.
    assert world["renhua_county_town"].notifications.filter(title__contains="驻镇记录待确认").exists()


def test_a_double_submit_makes_one_stay(team, login):
    member = team["people"][1]
    client = login("member")
    data = form_data(member, day(3, 1), day(3, 3), town=team["world"].renhua_county_town,
                     idempotency_key="a" * 32)
    assert client.post(reverse("fieldwork:stay_create"), data).status_code == 302
    assert client.post(reverse("fieldwork:stay_create"), data).status_code == 302
    assert Stay.objects.count() == 1


def test_the_leader_chooses_among_the_members_and_records_cross_town_work(team, login):
    world, (leader, member, third) = team["world"], team["people"]
    client = login("leader")
    page = client.get(reverse("fieldwork:stay_create")).content.decode()
    options = re.search(r'<select name="commissioner".*?</select>', page, re.S).group(0)
    assert all(person.name in options for person in (leader, member, third))
    response = client.post(reverse("fieldwork:stay_create"), form_data(third, day(4, 1), day(4, 2),
                                                                       town=world.renhua_city_town))
    assert response.status_code == 302
    saved = Stay.objects.get()
    assert (saved.commissioner, saved.town, saved.home_town, saved.cross_town) == (
        third, world.renhua_city_town, world.renhua_county_town, True)


def test_a_member_cannot_record_someone_elses_stay(team, login):
    leader = team["people"][0]
    response = login("member").post(reverse("fieldwork:stay_create"), form_data(leader, day(3, 1), day(3, 2)))
    assert response.status_code == 200
    assert "所选驻镇成员不在可选范围内" in field_errors(response.content.decode(), "commissioner")
    assert not Stay.objects.exists()


def test_an_overlapping_stay_is_refused_beside_the_date_naming_the_other(team, login):
    member = team["people"][1]
    stay(team["world"], member, day(3, 1), day(3, 7), actor="member", confirm=False)
    response = login("member").post(reverse("fieldwork:stay_create"), form_data(member, day(3, 5), day(3, 10)))
    assert response.status_code == 200
    message = field_errors(response.content.decode(), "start_date")
    assert "日期重叠" in message and "%s 至 %s" % (day(3, 1), day(3, 7)) in message and "董塘镇" in message
    assert Stay.objects.count() == 1


def test_a_stay_of_400_days_is_refused(team, login):
    member = team["people"][1]
    start = day(1, 2)
    end = start + dt.timedelta(days=399)
    if end > timezone.localdate():  # the test cycle started last year: only in early January is this still ahead
        pytest.skip("a 400-day stay in the past needs the cycle to have run 400 days")
    response = login("member").post(reverse("fieldwork:stay_create"), form_data(member, start, end))
    assert response.status_code == 200
    message = field_errors(response.content.decode(), "end_date")
    assert "400天" in message and "超过92天" in message
    assert not Stay.objects.exists()


def test_a_future_stay_is_refused(team, login):
    member = team["people"][1]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = login("member").post(reverse("fieldwork:stay_create"),
                                    form_data(member, tomorrow, tomorrow + dt.timedelta(days=2)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "不能晚于今天" in field_errors(html, "start_date") and "不能晚于今天" in field_errors(html, "end_date")
    assert 'data-error-summary' in html
    assert not Stay.objects.exists()


def test_a_stay_before_the_cycle_is_refused(team, login):
    member = team["people"][1]
    response = login("member").post(reverse("fieldwork:stay_create"),
                                    form_data(member, dt.date(CYCLE_YEAR - 1, 12, 30), day(1, 2)))
    assert "应在帮扶周期" in field_errors(response.content.decode(), "start_date")
    assert not Stay.objects.exists()


def test_a_queried_stay_is_corrected_and_sent_back(team, login):
    world, member = team["world"], team["people"][1]
    record = stay(world, member, day(3, 1), day(3, 7), actor="member", confirm=False)
    services.record_act(actor=world["renhua_county_town"], record=record, action="query", comment="3月6日未见在镇")
    client = login("member")
    detail = client.get(record.get_absolute_url()).content.decode()
    assert "3月6日未见在镇" in detail and 'data-testid="stay-edit"' in detail
    page = client.get(reverse("fieldwork:stay_edit", args=[record.pk])).content.decode()
    assert "3月6日未见在镇" in page
    response = client.post(reverse("fieldwork:stay_edit", args=[record.pk]),
                           form_data(member, day(3, 1), day(3, 5), town=world.renhua_county_town))
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.end_date, record.status) == (day(3, 5), RecordStatus.SUBMITTED)


def test_a_member_edits_only_their_own_stays(team, login):
    world, (leader, member, third) = team["world"], team["people"]
    theirs = stay(world, third, day(3, 1), day(3, 7), confirm=False)
    client = login("member")
    assert 'data-testid="stay-edit"' not in client.get(theirs.get_absolute_url()).content.decode()
    response = client.get(reverse("fieldwork:stay_edit", args=[theirs.pk]))
    assert response.status_code == 302 and response.url == theirs.get_absolute_url()
    client.post(reverse("fieldwork:stay_edit", args=[theirs.pk]), form_data(member, day(3, 1), day(3, 7)))
    with pytest.raises(PermissionDenied):  # nor through the service (the API)
        services.stay_save(actor=world["member"], stay=theirs, values={"commissioner": member})
    theirs.refresh_from_db()
    assert theirs.commissioner == third
    # The leader corrects any member's.
    response = login("leader").post(reverse("fieldwork:stay_edit", args=[theirs.pk]),
                                    form_data(third, day(3, 1), day(3, 4)))
    theirs.refresh_from_db()
    assert response.status_code == 302 and theirs.end_date == day(3, 4)


def test_a_confirmed_stay_is_not_edited(team, login):
    record = stay(team["world"], team["people"][1], day(3, 1), day(3, 7), actor="member")
    client = login("member")
    assert 'data-testid="stay-edit"' not in client.get(record.get_absolute_url()).content.decode()
    response = client.get(reverse("fieldwork:stay_edit", args=[record.pk]))
    assert response.status_code == 302 and response.url == record.get_absolute_url()


# ------------------------------------------------------------------------------------------------ confirmation
def test_the_town_confirms_a_stay_on_its_page(team, login):
    world, member = team["world"], team["people"][1]
    record = stay(world, member, day(3, 1), day(3, 7), actor="member", confirm=False)
    client = login("renhua_county_town")
    detail = client.get(record.get_absolute_url()).content.decode()
    assert 'data-testid="action-confirm"' in detail and 'data-testid="action-query"' in detail
    response = client.post(reverse("fieldwork:stay_action", args=[record.pk, "confirm"]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.confirmed_by) == (RecordStatus.CONFIRMED, world["renhua_county_town"])


def test_the_town_queries_with_a_reason_and_the_team_is_told(team, login):
    world, member = team["world"], team["people"][1]
    record = stay(world, member, day(3, 1), day(3, 7), actor="member", confirm=False)
    login("renhua_county_town").post(reverse("fieldwork:stay_action", args=[record.pk, "query"]),
                                     {"comment": "请补充驻点地点"})
    record.refresh_from_db()
    assert (record.status, record.query_reason) == (RecordStatus.QUERIED, "请补充驻点地点")
    assert world["member"].notifications.filter(body="请补充驻点地点").exists()
    history = login("member").get(record.get_absolute_url() + "?tab=flow").content.decode()
    assert "询问退回" in history


def test_the_town_confirms_many_at_once_and_only_its_own(team, login):
    world, (a, b, c) = team["world"], team["people"]
    own = [stay(world, a, day(3, 1), day(3, 3), confirm=False), stay(world, c, day(3, 1), day(3, 3), confirm=False)]
    elsewhere = stay(world, b, day(4, 1), day(4, 2), actor="member", town=world.renhua_city_town, confirm=False)
    client = login("renhua_county_town")
    page = client.get(reverse("fieldwork:stay_list")).content.decode()
    assert 'data-testid="bulk-form"' in page
    assert all('data-testid="tick-%d"' % record.pk in page for record in own)
    assert 'data-testid="tick-%d"' % elsewhere.pk not in page  # cross-town work is 黄坑镇's to confirm
    assert 'data-testid="cross-town"' in page and 'data-testid="pending-submitted"' in page
    response = client.post(reverse("fieldwork:stay_bulk_confirm"), {"ids": [r.pk for r in own] + [elsewhere.pk]})
    assert response.status_code == 302
    statuses = dict(Stay.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in own] == [RecordStatus.CONFIRMED] * 2
    assert statuses[elsewhere.pk] == RecordStatus.SUBMITTED
    # 黄坑镇 confirms its cross-town stay.
    login("renhua_city_town").post(reverse("fieldwork:stay_bulk_confirm"), {"ids": [elsewhere.pk]})
    elsewhere.refresh_from_db()
    assert elsewhere.status == RecordStatus.CONFIRMED


def test_the_team_and_officials_cannot_confirm(team, login):
    world, member = team["world"], team["people"][1]
    record = stay(world, member, day(3, 1), day(3, 7), actor="member", confirm=False)
    for name in ("member", "leader", "renhua_st"):
        login(name).post(reverse("fieldwork:stay_action", args=[record.pk, "confirm"]))
        record.refresh_from_db()
        assert record.status == RecordStatus.SUBMITTED, name
    # The other town does not see the stay at all.
    other_town = login("renhua_city_town")
    assert other_town.post(reverse("fieldwork:stay_action", args=[record.pk, "confirm"])).status_code == 404


def test_the_team_sees_what_is_pending(team, login):
    world, (a, b, c) = team["world"], team["people"]
    stay(world, a, day(3, 1), day(3, 3), confirm=False)
    queried = stay(world, c, day(3, 1), day(3, 3), confirm=False)
    services.record_act(actor=world["renhua_county_town"], record=queried, action="query", comment="核实")
    page = login("leader").get(reverse("fieldwork:stay_list")).content.decode()
    assert re.search(r'data-testid="pending-submitted">待确认 1 条', page)
    assert re.search(r'data-testid="pending-queried">被询问 1 条', page)
    assert 'data-testid="stay-create"' in page and 'data-testid="bulk-form"' not in page


def test_the_stay_list_filters_and_exports(stationed, login):
    from openpyxl import load_workbook

    client = login("renhua_st")
    html = client.get(reverse("fieldwork:stay_list"), {"cross_town": "yes"}).content.decode()
    assert 'data-testid="count">共 1 条' in html
    html = client.get(reverse("fieldwork:stay_list"), {"status": "submitted"}).content.decode()
    assert 'data-testid="count">共 1 条' in html
    response = client.get(reverse("fieldwork:stay_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("驻镇成员", "团队", "所在镇", "开始日期")
    cross = [row for row in rows[1:] if row[2] == "黄坑镇（跨镇帮扶）"]
    assert len(cross) == 1 and cross[0][5] == 3 and cross[0][8] == "已确认"
    assert len(rows) == 6


# ------------------------------------------------------------------------------------------------ the day count
def test_the_days_page_counts_overlaps_once_cross_town_apart_and_only_confirmed(stationed, login):
    html = login("renhua_st").get(reverse("fieldwork:days_list")).content.decode()
    # team, town, county, members, own, cross, counted, required, percent, behind
    cells = row_cells(html, "柑橘团队")
    assert cells[:9] == ["柑橘团队", "董塘镇", "仁化县", "3", "14", "3", "14", "365", "4%"]
    assert cells[9].startswith("是")
    assert reverse("fieldwork:team_days", args=[stationed["world"].team.pk]) in html


def test_cross_town_days_count_where_the_cycle_says_so(stationed, login):
    cycle = stationed["world"].cycle
    cycle.cross_town_days_count = True
    cycle.save()
    html = login("leader").get(reverse("fieldwork:days_list")).content.decode()
    assert row_cells(html, "柑橘团队")[4:8] == ["14", "3", "17", "365"]


def test_the_days_page_exports_the_figures(stationed, login):
    from openpyxl import load_workbook

    response = login("city_st").get(reverse("fieldwork:days_list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == ("团队", "结对镇", "县（市、区）", "成员数", "本镇驻镇天数", "跨镇天数", "计入要求天数", "要求天数",
                       "完成比例", "进度滞后")
    assert rows[1][:8] == ("柑橘团队", "董塘镇", "仁化县", 3, 14, 3, 14, 365) and rows[1][9] == "是"


def test_the_days_page_shows_each_user_only_their_teams(stationed, login):
    world = stationed["world"]
    other = active_pairing(world, town=world.nanxiong_county_town, team=world.other_team)
    staff(world, world.other_team)
    assert other.pk
    seen = {}
    for name in ("city_st", "renhua_st", "nanxiong_st", "renhua_county_town", "renhua_city_town", "leader",
                 "other_leader", "unit"):
        html = login(name).get(reverse("fieldwork:days_list")).content.decode()
        seen[name] = ("柑橘团队" in html, "茶叶团队" in html)
    assert seen == {"city_st": (True, True), "renhua_st": (True, False), "nanxiong_st": (False, True),
                    "renhua_county_town": (True, False), "renhua_city_town": (False, False),
                    "leader": (True, False), "other_leader": (False, True), "unit": (True, False)}


def _teams(world, n):
    """``n`` more teams, each active in a town of its own with three people and a confirmed stay."""
    first = Team.objects.filter(name__startswith="测试团队").count()
    for index in range(first, first + n):
        town = Town.objects.create(county=world.renhua, code="44022420%d" % index, name="测试%d镇" % index)
        team = Team.objects.create(cycle=world.cycle, name="测试团队%d" % index, lead_unit=world.unit)
        pairing = active_pairing(world, town=town, team=team)
        people = staff(world, team)
        for offset, person in enumerate(people):
            overlapping_confirmed(pairing, person, day(3, 1 + offset), day(3, 10 + offset))


def test_the_days_page_costs_the_same_queries_for_two_teams_as_for_five(stationed, login,
                                                                        django_assert_max_num_queries):
    world = stationed["world"]
    _teams(world, 1)
    client = login("city_st")
    url = reverse("fieldwork:days_list")
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    _teams(world, 3)
    with django_assert_max_num_queries(len(two.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('data-testid="team-days-') == 2 * 5  # the table and the phone cards


# ------------------------------------------------------------------------------------------------ the team page
def test_the_team_page_shows_the_figures_the_shares_and_the_heat_map(stationed, login):
    world, (a, b, c) = stationed["world"], stationed["people"]
    html = login("leader").get(reverse("fieldwork:team_days", args=[world.team.pk])).content.decode()
    assert re.search(r'data-testid="counted"><span class="kj-big-figure">14</span> / 365 人天', html)
    assert 'data-testid="own">14 人天' in html and re.search(r'data-testid="cross">3 人天 .*不计入要求', html)
    assert "今后每月需驻镇" in html and 'data-testid="behind-warning"' in html
    assert re.search(r'data-testid="pending"><a [^>]*>待确认 1 条', html)
    # Each member: own, cross-town, total, counted, share of the team's counted days.
    assert row_cells(html, a.name)[1:] == ["12", "0", "12", "12", "86%"]
    assert row_cells(html, b.name)[1:] == ["2", "3", "5", "2", "14%"]
    assert row_cells(html, c.name)[1:] == ["0", "0", "0", "0", "0%"]
    # The heat map: 3-08 had two people, 3-01 one, the cross-town 5-02 one, the unconfirmed 6-05 nobody.
    assert '<span class="kj-h2" title="%s：2人"></span>' % day(3, 8).isoformat() in html
    assert '<span class="kj-h1" title="%s：1人"></span>' % day(3, 1).isoformat() in html
    assert '<span class="kj-h1" title="%s：1人"></span>' % day(5, 2).isoformat() in html
    assert '<span class="kj-h0" title="%s：0人"></span>' % day(6, 5).isoformat() in html
    assert 'data-testid="heat-legend"' in html
    summary = re.search(r'data-testid="heat-summary-%d">(.*?)</table>' % CYCLE_YEAR, html, re.S).group(1)
    assert row_cells(summary, "3月") == ["3月", "12", "14", "2"]  # 12 days, 14 person-days, at most 2 a day
    assert row_cells(summary, "5月") == ["5月", "3", "3", "1"]


def test_the_team_page_lists_open_flags_tasks_and_confirmed_activities(stationed, login):
    from fieldwork.models import Activity
    from fieldwork.tests.factories import activity_values

    world = stationed["world"]
    flag = services.flag_report(actor=world["renhua_county_town"], detail="多次通知未到镇")
    task = services.task_save(actor=world["renhua_county_town"],
                              values={"title": "组织春季培训", "due_date": timezone.localdate() + dt.timedelta(days=5)})
    done = services.activity_save(actor=world["member"], values=activity_values(world, title="田间诊断"))
    services.record_act(actor=world["renhua_county_town"], record=done, action="confirm")
    services.activity_save(actor=world["member"], values=activity_values(world, title="还没确认的活动"))
    html = login("renhua_county_town").get(reverse("fieldwork:team_days", args=[world.team.pk])).content.decode()
    assert flag.get_absolute_url() in html and "驻镇工作队反映不配合" in html
    assert task.get_absolute_url() in html and "组织春季培训" in html
    assert done.get_absolute_url() in html and "田间诊断" in html and "还没确认的活动" not in html
    assert Activity.objects.count() == 2


def test_the_stay_list_and_the_days_list_link_to_the_team_page(stationed, login):
    url = reverse("fieldwork:team_days", args=[stationed["world"].team.pk])
    client = login("renhua_county_town")
    assert url in client.get(reverse("fieldwork:stay_list")).content.decode()
    assert url in client.get(reverse("fieldwork:days_list")).content.decode()


# ------------------------------------------------------------------------------------------------ who may
def test_the_lists_are_for_the_programme_not_experts(team, assert_denied):
    assert_denied(reverse("fieldwork:stay_list"), allowed=EVERYONE_BUT_EXPERT)
    assert_denied(reverse("fieldwork:days_list"), allowed=EVERYONE_BUT_EXPERT)


def test_a_stay_is_read_along_its_town_and_team_only(stationed, assert_denied):
    record = Stay.objects.filter(cross_town=False).first()
    assert_denied(record.get_absolute_url(), allowed=READERS)


def test_cross_town_work_is_read_by_the_town_it_was_in(stationed, assert_denied):
    record = Stay.objects.get(cross_town=True)
    assert_denied(record.get_absolute_url(), allowed=READERS + ["renhua_city_town"])


def test_the_team_page_is_for_who_reads_the_pairing(stationed, assert_denied):
    assert_denied(reverse("fieldwork:team_days", args=[stationed["world"].team.pk]), allowed=READERS)


def test_a_team_without_a_pairing_has_no_page(team, login):
    world = team["world"]
    for name in ("city_st", "other_leader"):
        assert login(name).get(reverse("fieldwork:team_days", args=[world.other_team.pk])).status_code == 404
    assert login("city_st").get(reverse("fieldwork:team_days", args=[99999999])).status_code == 404
    assert login("city_st").get("/field/days/%d/" % 10 ** 30).status_code == 404


def test_only_the_team_records_and_edits_stays(stationed, assert_denied):
    record = Stay.objects.filter(status=RecordStatus.SUBMITTED).first()
    assert_denied(reverse("fieldwork:stay_create"), allowed=["leader", "member", "other_leader"])
    assert_denied(reverse("fieldwork:stay_edit", args=[record.pk]), allowed=["leader", "member"])


def test_a_team_without_a_working_pairing_is_told_why(team, login):
    html = login("other_leader").get(reverse("fieldwork:stay_create")).content.decode()
    assert "没有已备案或帮扶中的结对" in html and 'data-testid="stay-form"' not in html


def test_only_a_town_confirms_in_bulk(stationed, assert_denied):
    record = Stay.objects.filter(status=RecordStatus.SUBMITTED).first()
    towns = ["renhua_city_town", "renhua_county_town", "nanxiong_city_town", "nanxiong_county_town"]
    assert_denied(reverse("fieldwork:stay_bulk_confirm"), allowed=towns, method="post", data={"ids": [record.pk]})
