"""The pages of annual reports: who opens what (a county's draft is its author's own; the city reads it once
submitted; the province the city's), every figure on a report equal to its traced list, the traced rows cut to the
reader's scope, the narrative sanitized on the way in and on the way out, the steps up the tree through the page
(submit, return with and without a comment, accept, a stale click), the city's notes on missing counties, the kept
figures against the records now, corrections to the previous year, and a team's stationed days per person.

The world: 柑橘团队 (``leader``, ``member``) active in 董塘镇 (仁化县, county-organized) since January of
``CYCLE_YEAR``, with two confirmed activities (one with a photo), one awaiting confirmation and a confirmed stay."""
from __future__ import annotations

import html
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fieldwork import services as field
from fieldwork.models import ActivityPhoto
from fieldwork.tests.factories import activity_values, day, field_pairing, photo, stay_values
from core.scoping import restrict
from matching.models import Pairing
from portal.testing import ALL_USERS, CYCLE_YEAR
from reports import selectors, services
from reports.models import AnnualReport

pytestmark = pytest.mark.django_db

YEAR = CYCLE_YEAR
OFFICIALS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural"]
RENHUA_OFFICES = ["renhua_st", "renhua_rural"]
RENHUA_READERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural"]
FIGURE_LINK = re.compile(r'<a href="(/reports/trace/[^"]+)" data-figure="([^"]+)">([^<]+)</a>')


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def log(world, *, confirm=True, **values):
    activity = field.activity_save(actor=world["leader"], values=activity_values(world, **values))
    if confirm:
        field.record_act(actor=world["renhua_county_town"], record=activity, action="confirm")
    return activity


@pytest.fixture
def fieldwork(world):
    pairing, people = field_pairing(world)
    first = field.activity_save(actor=world["leader"], values=activity_values(world, date=day(3, 15)),
                                photos=[photo()])
    field.record_act(actor=world["renhua_county_town"], record=first, action="confirm")
    log(world, date=day(4, 10), title="贡柑春梢管理培训", service_type="training", people_trained=40,
        households_served=20)
    log(world, confirm=False, date=day(5, 6), title="尚未确认的活动")
    stay = field.stay_save(actor=world["leader"], values=stay_values(people[0], day(3, 1), day(3, 7)))
    field.record_act(actor=world["renhua_county_town"], record=stay, action="confirm")
    return {"pairing": pairing, "people": people, "photo": ActivityPhoto.objects.get(activity=first)}


@pytest.fixture
def county_report(world, fieldwork):
    return services.report_create(actor=world["renhua_st"], year=YEAR, level="county", county=world.renhua)


def submitted(world, report, text="<p>全年开展服务活动。</p>"):
    services.report_update(actor=world["renhua_st"], report=report, achievements=text)
    return services.report_submit(actor=world["renhua_st"], report=report)


def trace_value(client, url) -> str:
    text = page(client.get(url))
    found = re.search(r'data-testid="trace-(?:count|total)">([^<]+)<', text)
    assert found, url
    return found.group(1)


def act(client, report, action, comment="", seen=None, follow=True):
    data = {"comment": comment, "seen_status": seen if seen is not None else report.status}
    return client.post(reverse("reports:report_transition", args=[report.pk, action]), data, follow=follow)


# ------------------------------------------------------------------------------------------------ who opens what
def test_each_page_is_for_the_right_roles_only(world, county_report, fieldwork, assert_denied):
    report = county_report
    assert_denied(reverse("reports:report_list"), allowed=OFFICIALS)
    assert_denied(reverse("reports:report_create"), allowed=["city_st", "renhua_st", "nanxiong_st"])
    # A county's draft is its own: not even the city reads it yet.
    assert_denied(report.get_absolute_url(), allowed=RENHUA_OFFICES)
    assert_denied(reverse("reports:report_edit", args=[report.pk]), allowed=["renhua_st"])
    submitted(world, report)
    assert_denied(report.get_absolute_url(), allowed=RENHUA_READERS)
    # Submitted: the author is sent back to the report with a message, everyone else refused.
    assert_denied(reverse("reports:report_edit", args=[report.pk]), allowed=["renhua_st"])
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    assert_denied(city.get_absolute_url(), allowed=["city_st", "city_rural"])
    assert_denied(reverse("reports:report_edit", args=[city.pk]), allowed=["city_st"])
    # A team's days per person: whoever reads the pairing (its scope decides), no one else.
    pairing = fieldwork["pairing"]
    readers = [name for name in ALL_USERS if restrict(Pairing.objects.filter(pk=pairing.pk), world[name]).exists()]
    assert {"renhua_st", "city_st", "leader", "renhua_county_town"} <= set(readers)
    assert "nanxiong_st" not in readers and "expert" not in readers
    assert_denied(reverse("reports:person_days", args=[pairing.pk, YEAR]), allowed=readers)


def test_a_city_official_cannot_reach_a_countys_draft_or_edit_it(world, county_report, login):
    report = county_report
    for name in ("city_st", "nanxiong_st", "province"):
        client = login(name)
        assert client.get(report.get_absolute_url()).status_code == 404, name
        assert client.get(reverse("reports:report_edit", args=[report.pk])).status_code in (403, 404), name
        client.post(reverse("reports:report_edit", args=[report.pk]), {"title": "越权修改"})
    # The county's rural office reads it but does not write it.
    assert login("renhua_rural").get(reverse("reports:report_edit", args=[report.pk])).status_code in (403, 404)
    report.refresh_from_db()
    assert report.title != "越权修改"
    submitted(world, report)
    response = login("renhua_st").get(reverse("reports:report_edit", args=[report.pk]), follow=True)
    assert "不能修改" in page(response) and response.redirect_chain[-1][0] == report.get_absolute_url()


# ------------------------------------------------------------------------------------------------ the list
def test_the_list_filters_creates_and_sums_up_the_year(world, county_report, login):
    client = login("renhua_st")
    text = page(client.get(reverse("reports:report_list")))
    assert str(county_report) in text and 'data-testid="create-report"' in text
    form = text[text.index('data-testid="create-report"'):]
    form = form[:form.index("</form>")]
    assert '<option value="%d"' % (YEAR + 1) in form and '<option value="%d"' % YEAR not in form  # already there
    response = client.post(reverse("reports:report_create"), {"year": YEAR + 1})
    created = AnnualReport.objects.get(year=YEAR + 1, county=world.renhua)
    assert response.status_code == 302 and response["Location"] == reverse("reports:report_edit", args=[created.pk])
    text = page(client.post(reverse("reports:report_create"), {"year": YEAR + 1}))
    assert "尚未建立报告的年度" in text and AnnualReport.objects.filter(county=world.renhua).count() == 2
    # The city: a summary of its counties; the to-do link's filter.
    submitted(world, county_report)
    client = login("city_st")
    text = page(client.get(reverse("reports:report_list"), {"year": YEAR}))
    assert 'data-testid="summary"' in text and "已报送待审核" in text and "南雄市" in text
    text = page(client.get(reverse("reports:report_list"), {"status": "submitted"}))
    assert str(county_report) in text and "共 1 条" in text
    text = page(client.get(reverse("reports:report_list"), {"status": "accepted"}))
    assert "共 0 条" in text
    text = page(login("province").get(reverse("reports:report_list"), {"year": YEAR}))
    assert "韶关市" in text and "1 / 2" in text  # one of two counties' reports submitted
    text = page(login("nanxiong_st").get(reverse("reports:report_list")))
    assert str(county_report) not in text


# ------------------------------------------------------------------------------------------------ figures traced
def test_every_figure_on_the_report_equals_its_traced_list(world, county_report, login):
    client = login("renhua_st")
    text = page(client.get(county_report.get_absolute_url()))
    links = [(html.unescape(url), key, value) for url, key, value in FIGURE_LINK.findall(text)]
    assert len(links) > 50
    values = dict((key, value) for _url, key, value in links)
    assert values["activities.total"] == "2" and values["activities.people_trained"] == "65"
    assert values["pairings.total"] == "1" and values["people.total"] == "3"
    for url, key, value in links:
        assert "report=%d" % county_report.pk in url
        assert trace_value(client, url) == value, key
    assert 'data-testid="case-photos"' not in text  # none chosen yet
    assert "本年驻镇" in text and "实时计算" in text


def test_the_traced_list_shows_only_what_the_reader_may_see(world, county_report, login):
    params = selectors.scope_of(county_report).params()
    url = reverse("reports:trace", args=["activities.total"]) + "?" + "&".join("%s=%s" % kv for kv in params.items())
    text = page(login("renhua_st").get(url))
    assert 'data-testid="trace-count">2<' in text and "贡柑春梢管理培训" in text and "尚未确认的活动" not in text
    assert "%d年 · 韶关市仁化县 · 县级组织" % YEAR in text
    # Another county's scope is refused (not a list of zeros under 仁化's name); roles that read no statistics (a
    # town, an expert) do not have the page, as they have no dashboard.
    assert login("nanxiong_st").get(url).status_code == 403
    for name in ("nanxiong_county_town", "expert"):
        assert login(name).get(url).status_code == 404, name
    # The city reads it: the rows it may read.
    text = page(login("city_rural").get(url))
    assert "贡柑春梢管理培训" in text
    # A sum: its total over the visible rows.
    text = page(login("leader").get(url.replace("activities.total", "activities.people_trained")))
    assert 'data-testid="trace-total">65<' in text
    response = login("renhua_st").get(reverse("reports:trace_export", args=["activities.total"]) + url[url.index("?"):])
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["日期", "活动名称", "所在镇"] and len(rows) == 3
    assert {row[1] for row in rows[1:]} == {"贡柑黄龙病田间诊断", "贡柑春梢管理培训"}


@pytest.mark.parametrize("query", [
    "year=abc", "year=99999&levels=county", "levels=county", "year=%d&levels=bogus" % YEAR,
    "year=%d&county=%d" % (YEAR, 10 ** 30), "year=%d&province=abc" % YEAR,
])
def test_a_malformed_trace_link_is_404(world, login, query):
    client = login("renhua_st")
    assert client.get(reverse("reports:trace", args=["activities.total"]) + "?" + query).status_code == 404
    assert client.get(reverse("reports:trace_export", args=["activities.total"]) + "?" + query).status_code == 404


def test_an_unknown_figure_or_an_unseen_report_is_404(world, county_report, login):
    query = "?year=%d&levels=county&county=%d" % (YEAR, world.renhua.pk)
    client = login("renhua_st")
    assert client.get(reverse("reports:trace", args=["nope.total"]) + query).status_code == 404
    assert client.get(reverse("reports:trace", args=["days.total"]) + query).status_code == 404
    assert client.get(reverse("reports:trace", args=["teams.total"]) + query + "&report=abc").status_code == 404
    other = login("nanxiong_st")
    assert other.get(reverse("reports:trace", args=["teams.total"]) + query).status_code == 403
    other_query = "?year=%d&levels=county&county=%d" % (YEAR, world.nanxiong.pk)
    assert other.get(reverse("reports:trace", args=["teams.total"]) + other_query).status_code == 200
    assert other.get(reverse("reports:trace", args=["teams.total"]) + other_query
                     + "&report=%d" % county_report.pk).status_code == 404


def test_the_kept_figure_is_shown_against_the_count_now(world, county_report, login):
    report = submitted(world, county_report)
    url = reverse("reports:trace", args=["activities.total"]) + "?year=%d&levels=county&city=%d&county=%d&report=%d" % (
        YEAR, world.city.pk, world.renhua.pk, report.pk)
    client = login("city_st")
    assert 'data-testid="kept-same"' in page(client.get(url))
    log(world, date=day(6, 2), title="夏季修剪现场会")
    text = page(client.get(url))
    assert "报告锁定时为 2，现为 3" in text
    # The report itself still shows what it was submitted with.
    text = page(client.get(report.get_absolute_url()))
    assert 'data-figure="activities.total">2<' in text and "锁定的数据" in text


def test_corrections_to_the_previous_years_accepted_report(world, county_report, login):
    report = submitted(world, county_report)
    services.report_accept(actor=world["city_st"], report=report)
    log(world, date=day(6, 2), title="夏季修剪现场会")
    later = services.report_create(actor=world["renhua_st"], year=YEAR + 1, level="county", county=world.renhua)
    text = page(login("renhua_st").get(later.get_absolute_url()))
    assert "以前年度数据更正" in text
    row = re.search(r"已确认服务活动（次）</td><td>(\d+)</td><td><a href=\"([^\"]+)\">(\d+)</a>", text)
    assert row and row.group(1) == "2" and row.group(3) == "3"
    assert "year=%d" % YEAR in html.unescape(row.group(2)) and "report=%d" % report.pk in html.unescape(row.group(2))


# ------------------------------------------------------------------------------------------------ the narrative
def test_the_edit_form_saves_sanitized_html_and_script_never_reaches_a_page(world, county_report, fieldwork, login):
    client = login("renhua_st")
    url = reverse("reports:report_edit", args=[county_report.pk])
    text = page(client.get(url))
    assert "django_prose_editor/editor.js" in text and "data-django-prose-editor-configurable" in text
    assert reverse("fieldwork:photo_thumb", args=[fieldwork["photo"].pk]) in text  # the picker
    hostile = ('<p>全年<strong>成效</strong>显著<script>alert("x")</script><img src="x" onerror="alert(1)">'
               '<a href="javascript:alert(2)">链接</a></p><style>body{}</style>')
    response = client.post(url, {"title": "", "doc_number": "仁科〔%d〕3号" % (YEAR + 1), "achievements": hostile,
                                 "typical_cases": "<h3>案例一</h3><ul><li>贡柑</li></ul>", "problems": "",
                                 "next_plan": "<p onclick=\"x()\">计划</p>", "photos": [fieldwork["photo"].pk]})
    assert response.status_code == 302 and response["Location"] == county_report.get_absolute_url()
    county_report.refresh_from_db()
    assert county_report.achievements == "<p>全年<strong>成效</strong>显著链接</p>"
    assert county_report.next_plan == "<p>计划</p>" and county_report.title.startswith("仁化县")
    assert list(county_report.case_photos.all()) == [fieldwork["photo"]]
    text = page(client.get(county_report.get_absolute_url()))
    assert "<strong>成效</strong>" in text and "<h3>案例一</h3>" in text
    assert 'data-testid="case-photos"' in text
    for bad in ("alert(", "onerror", "javascript:", "onclick"):
        assert bad not in text, bad
    # Even a narrative stored past the service (a row written before the sanitizer) is cleaned again on the page,
    # the author's and the city's.
    submitted(world, county_report, text=county_report.achievements)
    AnnualReport.objects.filter(pk=county_report.pk).update(problems="<p>问题</p><script>alert(3)</script>")
    for name in ("renhua_st", "city_st"):
        text = page(login(name).get(county_report.get_absolute_url()))
        assert "<p>问题</p>" in text and "alert(" not in text, name


def test_a_wrong_edit_shows_chinese_errors_and_saves_nothing(world, county_report, fieldwork, login):
    client = login("renhua_st")
    url = reverse("reports:report_edit", args=[county_report.pk])
    text = page(client.post(url, {"title": "长" * 201, "achievements": "<p>不该保存</p>", "photos": [999999]}))
    assert 'data-testid="error-summary"' in text and "标题不超过 200 个字符" in text
    assert "典型案例配图：" in text  # the photo that is not offered, named by its field
    county_report.refresh_from_db()
    assert county_report.achievements == "" and county_report.title.startswith("仁化县")
    assert not county_report.case_photos.exists()


# ------------------------------------------------------------------------------------------------ the steps
def test_submit_return_accept_through_the_page(world, county_report, login):
    report = county_report
    text = page(login("renhua_st").get(report.get_absolute_url()))
    assert 'data-testid="refusal-submit"' in text and "请先填写“主要成效”" in text  # disabled with the reason
    services.report_update(actor=world["renhua_st"], report=report, achievements="<p>成效</p>")
    text = page(login("renhua_st").get(report.get_absolute_url()))
    assert 'data-testid="action-submit"' in text and 'data-testid="refusal-submit"' not in text
    text = page(act(login("renhua_st"), report, "submit"))
    report.refresh_from_db()
    assert report.status == "submitted" and report.figures["values"]["activities.total"] == 2 and "已报送" in text
    assert 'data-testid="action-' not in text  # nothing left for the author
    text = page(login("city_st").get(report.get_absolute_url()))
    assert 'data-testid="action-return"' in text and 'data-testid="action-accept"' in text
    # The county cannot receive its own report; the page refuses, nothing moves.
    page(act(login("renhua_st"), report, "accept"))
    report.refresh_from_db()
    assert report.status == "submitted"
    text = page(act(login("city_st"), report, "return"))
    report.refresh_from_db()
    assert report.status == "submitted" and "请填写“退回修改”的理由" in text
    text = page(act(login("city_st"), report, "return", "请补充典型案例"))
    report.refresh_from_db()
    assert report.status == "returned" and report.figures is None
    text = page(login("renhua_st").get(report.get_absolute_url()))
    assert "请补充典型案例" in text and 'data-testid="action-submit"' in text
    page(act(login("renhua_st"), report, "submit"))
    report.refresh_from_db()
    # A click on a page showing an older state: someone else has handled it.
    text = page(act(login("city_st"), report, "accept", seen="returned"))
    report.refresh_from_db()
    assert report.status == "submitted" and "已被他人处理" in text
    text = page(act(login("city_st"), report, "accept"))
    report.refresh_from_db()
    assert report.status == "accepted" and "已审核接收" in text
    text = page(act(login("city_st"), report, "accept", seen="submitted"))
    assert "已被他人处理" in text
    text = page(login("city_st").get(report.get_absolute_url() + "?tab=flow"))
    assert "退回修改" in text and "请补充典型案例" in text
    text = page(login("city_st").get(report.get_absolute_url() + "?tab=history"))
    assert "统计数据快照" in text or "变更" in text
    assert login("nanxiong_st").post(reverse("reports:report_transition", args=[report.pk, "reopen"]),
                                      {"comment": "x"}).status_code == 404


def test_the_city_notes_a_missing_county_and_sends_its_report(world, county_report, login):
    report = submitted(world, county_report)
    services.report_accept(actor=world["city_st"], report=report)
    city_report = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    services.report_update(actor=world["city_st"], report=city_report, achievements="<p>全市成效</p>")
    text = page(login("city_st").get(city_report.get_absolute_url()))
    assert 'data-testid="completeness"' in text and "南雄市" in text
    assert 'data-testid="note-form-%d"' % world.nanxiong.pk in text
    assert 'data-testid="note-form-%d"' % world.renhua.pk not in text  # accepted: nothing to explain
    assert "南雄市" in re.search(r'data-testid="refusal-submit">([^<]+)<', text).group(1)
    # The table by county: 仁化县's kept figures linking its report and its traced list.
    assert 'data-testid="parts"' in text and county_report.get_absolute_url() in text
    note_url = reverse("reports:missing_note", args=[city_report.pk, world.nanxiong.pk])
    text = page(login("city_st").post(note_url, {"note": "x" * 301}, follow=True))
    assert "缺报说明不超过 300 字" in text
    text = page(login("city_st").post(note_url, {"note": "南雄市因机构调整延期报送"}, follow=True))
    assert "已保存南雄市的缺报说明" in text
    city_report.refresh_from_db()
    assert city_report.missing_notes == {str(world.nanxiong.pk): "南雄市因机构调整延期报送"}
    # Only the city's author writes notes: others 404 (role) or refused (scope).
    for name in ("renhua_st", "city_rural", "province"):
        assert login(name).post(note_url, {"note": "越权"}).status_code in (403, 404), name
    assert login("city_st").post(reverse("reports:missing_note", args=[city_report.pk, 10 ** 20]), {"note": "x"}
                       ).status_code == 404
    text = page(act(login("city_st"), city_report, "submit"))
    city_report.refresh_from_db()
    assert city_report.status == "submitted"
    text = page(login("province").get(city_report.get_absolute_url()))
    assert "南雄市因机构调整延期报送" in text and 'data-testid="action-accept"' in text
    assert 'data-testid="note-form-' not in text
    text = page(act(login("province"), city_report, "accept"))
    city_report.refresh_from_db()
    assert city_report.status == "accepted"


# ------------------------------------------------------------------------------------------------ stationed days
def test_a_teams_days_per_person_add_up_to_its_figure(world, county_report, fieldwork, login):
    client = login("renhua_st")
    text = page(client.get(county_report.get_absolute_url()))
    pairing = fieldwork["pairing"]
    link = reverse("reports:person_days", args=[pairing.pk, YEAR])
    found = re.search(r'<a href="%s" data-testid="days-%d">(\d+)</a>' % (re.escape(link), pairing.pk), text)
    assert found and found.group(1) == "7"
    text = page(client.get(link))
    assert 'data-testid="days-total">7<' in text and fieldwork["people"][0].name in text
    assert reverse("fieldwork:stay_list") + "?member=%d" % fieldwork["people"][0].pk in html.unescape(text)
    assert login("nanxiong_st").get(link).status_code == 404
    assert client.get(reverse("reports:person_days", args=[pairing.pk, 1999])).status_code == 404
    assert client.get(reverse("reports:person_days", args=[10 ** 20, YEAR])).status_code == 404
