"""The agreement pages: list (filters, search, export, the leader's pairings to draft), draft and edit, the sign form,
the town's steps, the scan and the printed agreement, the progress dashboard — each for the right user only."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from matching.models import Pairing
from portal.testing import CYCLE_YEAR
from projects import services
from projects.models import Agreement, Project
from projects.tests.factories import active_pairing, agreement_values
from teams.models import Team

pytestmark = pytest.mark.django_db

OFFICIALS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural"]
# Who reads 董塘镇's agreement with 柑橘团队: along the tree, the town, the team and its unit.
READERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "renhua_county_town", "leader", "member",
           "unit"]


def pdf(name="signed.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf")


def draft(world, pairing=None):
    """柑橘团队's leader drafts; another team's agreement is drafted by the administrator (no leader in the world)."""
    pairing = pairing or active_pairing(world)
    actor = world["leader"] if pairing.team_id == world.team.pk else world["admin"]
    return services.agreement_create(actor=actor, pairing=pairing, **agreement_values())


def signed(world, agreement=None):
    agreement = agreement or draft(world)
    actor = world["leader"] if agreement.team_id == world.team.pk else world["admin"]
    return services.agreement_sign(actor=actor, agreement=agreement, scan=pdf(), signed_on=timezone.localdate())


def form_data(**overrides):
    data = {**agreement_values(), "town_party": "仁化县董塘镇人民政府", "work_team_party": "仁化县董塘镇驻镇帮镇扶村工作队",
            "term_start": timezone.localdate().isoformat(), "term_end": dt.date(CYCLE_YEAR + 2, 12, 31).isoformat()}
    data.update(overrides)
    return data


def other_pairing(world, town, name, level="county", days=5):
    team = Team.objects.create(cycle=world.cycle, name=name, lead_unit=world.other_unit)
    return active_pairing(world, town=town, team=team, level=level,
                          registered=timezone.now() - dt.timedelta(days=days))


# ------------------------------------------------------------------------------------------------ list
def test_the_list_shows_town_team_status_due_date_and_a_late_badge(world, login):
    on_time = draft(world)
    late = signed(world, draft(world, other_pairing(world, world.nanxiong_county_town, "水稻团队", days=45)))
    Agreement.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=15))
    html = login("city_st").get(reverse("projects:agreement_list")).content.decode()
    assert "仁化县董塘镇" in html and "南雄市珠玑镇" in html and "柑橘团队" in html and "水稻团队" in html
    assert "起草中" in html and "已签署待确认" in html
    assert html.count('data-testid="late"') == 2  # the late one, in the table and in its phone card
    assert formats.date_format(on_time.due_date, "SHORT_DATE_FORMAT") in html


def test_the_list_is_scoped_and_gated(world, login, assert_denied):
    draft(world)
    draft(world, other_pairing(world, world.nanxiong_county_town, "水稻团队"))
    assert "南雄市珠玑镇" not in login("renhua_st").get(reverse("projects:agreement_list")).content.decode()
    html = login("other_leader").get(reverse("projects:agreement_list")).content.decode()
    assert 'data-testid="empty"' in html
    html = login("nanxiong_county_town").get(reverse("projects:agreement_list")).content.decode()
    assert "南雄市珠玑镇" in html and "仁化县董塘镇" not in html
    assert_denied(reverse("projects:agreement_list"),
                  allowed=OFFICIALS + ["renhua_city_town", "renhua_county_town", "nanxiong_city_town",
                                       "nanxiong_county_town", "leader", "member", "other_leader", "unit"])


def test_filters_search_and_mine(world, login):
    late = draft(world)
    Agreement.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    signed(world, draft(world, other_pairing(world, world.nanxiong_county_town, "水稻团队")))
    client = login("city_st")
    url = reverse("projects:agreement_list")

    def towns(**params):
        html = client.get(url, params).content.decode()
        return {name for name in ("董塘镇", "珠玑镇") if name in html}

    assert towns(status="signed") == {"珠玑镇"}
    assert towns(late="yes") == {"董塘镇"}
    assert towns(late="no") == {"珠玑镇"}
    assert towns(county=world.renhua.pk) == {"董塘镇"}
    assert towns(q="水稻") == {"珠玑镇"}
    assert towns(q="董塘") == {"董塘镇"}
    assert towns(cycle=world.cycle.pk) == {"董塘镇", "珠玑镇"}
    # ?mine=1: the rows this user acts on — the town its own signed agreement, an official none.
    html = login("nanxiong_county_town").get(url, {"mine": "1", "status": "signed"}).content.decode()
    assert "珠玑镇" in html and 'data-testid="mine"' in html
    assert 'data-testid="empty"' in login("city_st").get(url, {"mine": "1"}).content.decode()


def test_the_export_is_an_xlsx_of_the_filtered_rows(world, login):
    from openpyxl import load_workbook

    late = draft(world)
    Agreement.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    draft(world, other_pairing(world, world.nanxiong_county_town, "水稻团队"))
    response = login("renhua_st").get(reverse("projects:agreement_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[0], [row for row in rows[1:] if any(row)]
    assert "镇" in header and "是否逾期" in header and "签订期限" in header
    assert len(body) == 1
    row = dict(zip(header, body[0]))
    assert row["镇"] == "仁化县董塘镇" and row["团队"] == "柑橘团队" and row["是否逾期"] == "逾期"
    assert row["状态"] == "起草中"
    assert row["签订期限"].date() == timezone.localdate() - dt.timedelta(days=1)  # a real date cell


def test_the_list_costs_the_same_queries_for_one_row_or_many(world, login):
    client = login("city_st")
    draft(world)
    url = reverse("projects:agreement_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for index, (town, level) in enumerate(((world.renhua_city_town, "city"), (world.nanxiong_city_town, "city"),
                                            (world.nanxiong_county_town, "county"))):
        pairing = other_pairing(world, town, "团队%d" % index, level=level)
        services.agreement_create(actor=world["admin"], pairing=pairing, **agreement_values())
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count("团队2") >= 1
    assert len(many) == len(one)


def test_the_leader_sees_his_registered_pairing_to_draft_until_it_has_an_agreement(world, login):
    pairing = active_pairing(world)
    other_pairing(world, world.nanxiong_county_town, "水稻团队")  # not his
    client = login("leader")
    html = client.get(reverse("projects:agreement_list")).content.decode()
    assert 'data-testid="to-draft"' in html
    assert reverse("projects:agreement_create", args=[pairing.pk]) in html
    assert "珠玑镇" not in html
    assert 'data-testid="to-draft"' not in login("member").get(reverse("projects:agreement_list")).content.decode()
    draft(world, pairing)
    assert 'data-testid="to-draft"' not in login("leader").get(reverse("projects:agreement_list")).content.decode()


# ------------------------------------------------------------------------------------------------ create and edit
def test_the_leader_drafts_from_the_form_with_the_parties_filled_in(world, login):
    pairing = active_pairing(world)
    url = reverse("projects:agreement_create", args=[pairing.pk])
    client = login("leader")
    html = client.get(url).content.decode()
    assert 'value="仁化县董塘镇人民政府"' in html and 'value="仁化县董塘镇驻镇帮镇扶村工作队"' in html
    assert 'type="date"' in html and "帮扶内容概要" in html
    response = client.post(url, form_data(idempotency_key="k1"))
    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    assert agreement.status == "draft" and agreement.created_by == world["leader"]
    assert agreement.summary == agreement_values()["summary"]
    # A second visit goes to the agreement instead of a second draft.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()


def test_only_the_pairings_leader_may_open_the_draft_form(world, assert_denied):
    pairing = active_pairing(world)
    assert_denied(reverse("projects:agreement_create", args=[pairing.pk]), allowed=["leader"])


def test_a_bad_draft_shows_chinese_errors_on_the_fields_and_saves_nothing(world, login):
    pairing = active_pairing(world)
    url = reverse("projects:agreement_create", args=[pairing.pk])
    client = login("leader")
    response = client.post(url, form_data(term_end=dt.date(CYCLE_YEAR + 5, 1, 1).isoformat()))
    assert response.status_code == 200
    assert "帮扶周期" in " ".join(response.context["form"].errors["term_end"])
    html = response.content.decode()
    assert 'data-testid="error-summary"' in html and 'id="id_term_end_error"' in html
    response = client.post(url, form_data(summary="", term_start="2025-13-40"))
    errors = response.context["form"].errors
    assert "必填" in " ".join(errors["summary"]) and errors["term_start"]
    assert not Agreement.objects.exists()


def test_a_pairing_not_yet_registered_shows_why_and_saves_nothing(world, login):
    pairing = active_pairing(world)
    Pairing.objects.filter(pk=pairing.pk).update(status="notice_cleared")
    url = reverse("projects:agreement_create", args=[pairing.pk])
    client = login("leader")
    html = client.get(url).content.decode()
    assert "备案后" in html and 'data-testid="form-notice"' in html
    response = client.post(url, form_data())
    assert response.status_code == 200 and "备案后" in response.content.decode()
    assert not Agreement.objects.exists()


def test_the_leader_edits_a_draft_and_nobody_else_may(world, login, assert_denied):
    agreement = draft(world)
    url = reverse("projects:agreement_edit", args=[agreement.pk])
    assert_denied(url, allowed=["leader"])
    client = login("leader")
    assert "修改帮扶协议" in client.get(url).content.decode()
    response = client.post(url, form_data(summary="改为重点推广贡柑绿色防控。"))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.summary == "改为重点推广贡柑绿色防控。"


def test_a_confirmed_agreement_is_no_longer_edited_or_signed(world, login):
    agreement = services.agreement_confirm(actor=world["renhua_county_town"], agreement=signed(world))
    client = login("leader")
    for name in ("projects:agreement_edit", "projects:agreement_sign"):
        response = client.get(reverse(name, args=[agreement.pk]), follow=True)
        assert "镇已确认" in response.content.decode() and "不能修改" in response.content.decode()
    response = client.post(reverse("projects:agreement_edit", args=[agreement.pk]), form_data(summary="偷改"))
    agreement.refresh_from_db()
    assert agreement.summary != "偷改"


# ------------------------------------------------------------------------------------------------ sign
def test_the_leader_uploads_the_signed_scan_and_the_town_is_asked_to_confirm(world, login):
    from accounts.models import Notification

    agreement = draft(world)
    url = reverse("projects:agreement_sign", args=[agreement.pk])
    client = login("leader")
    html = client.get(url).content.decode()
    assert 'accept=".pdf,.jpg,.jpeg,.png' in html and "不超过" in html and 'type="date"' in html
    response = client.post(url, {"signed_on": timezone.localdate().isoformat(), "signed_scan": pdf()})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "signed" and agreement.signed_scan and agreement.signed_on == timezone.localdate()
    assert Notification.objects.filter(recipient=world["renhua_county_town"]).exists()
    assert "已提交镇确认" in client.get(agreement.get_absolute_url()).content.decode()


def test_a_text_file_as_scan_and_a_future_date_are_refused_on_their_fields(world, login):
    agreement = draft(world)
    url = reverse("projects:agreement_sign", args=[agreement.pk])
    fake = SimpleUploadedFile("scan.pdf", b"only some text, not a PDF", content_type="application/pdf")
    response = login("leader").post(url, {"signed_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
                                          "signed_scan": fake})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "晚于今天" in " ".join(errors["signed_on"])
    response = login("leader").post(url, {"signed_on": timezone.localdate().isoformat(),
                                          "signed_scan": SimpleUploadedFile("a.txt", b"hello", "text/plain")})
    assert "文件类型不符" in " ".join(response.context["form"].errors["signed_scan"])
    response = login("leader").post(url, {"signed_on": timezone.localdate().isoformat()})
    assert "请上传" in " ".join(response.context["form"].errors["signed_scan"])
    agreement.refresh_from_db()
    assert agreement.status == "draft" and not agreement.signed_scan and agreement.signed_on is None


def test_only_the_leader_opens_the_sign_form(world, assert_denied):
    agreement = draft(world)
    assert_denied(reverse("projects:agreement_sign", args=[agreement.pk]), allowed=["leader"])


# ------------------------------------------------------------------------------------------------ detail and steps
def test_the_detail_shows_the_agreement_and_only_the_steps_of_this_user(world, login):
    agreement = draft(world)
    url = agreement.get_absolute_url()
    html = login("leader").get(url).content.decode()
    assert "仁化县董塘镇人民政府" in html and "柑橘团队" in html and "起草中" in html
    assert agreement.due_date.isoformat() in html
    assert 'data-testid="edit"' in html and 'data-testid="sign"' in html
    assert 'data-testid="action-sign"' not in html  # signing is the upload form, not a comment button
    assert 'data-testid="print-docx"' in html and 'data-testid="print-pdf"' in html
    html = login("renhua_county_town").get(url).content.decode()
    assert 'data-testid="edit"' not in html and 'data-testid="action-confirm"' not in html
    signed(world, agreement)
    html = login("renhua_county_town").get(url).content.decode()
    assert 'data-testid="action-confirm"' in html and 'data-testid="action-return"' in html
    assert reverse("projects:agreement_scan", args=[agreement.pk]) in html
    html = login("leader").get(url).content.decode()
    assert 'data-testid="edit"' not in html and 'data-testid="action-confirm"' not in html
    html = login("renhua_st").get(url).content.decode()
    assert 'data-testid="action-confirm"' not in html and 'data-testid="edit"' not in html


def test_a_late_agreement_reads_late_on_its_page(world, login):
    agreement = draft(world)
    Agreement.objects.filter(pk=agreement.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    assert 'data-testid="late"' in login("renhua_st").get(agreement.get_absolute_url()).content.decode()


def test_the_detail_is_for_its_readers_only(world, assert_denied):
    agreement = draft(world)
    assert_denied(agreement.get_absolute_url(), allowed=READERS)


def test_the_town_confirms_or_returns_with_reasons(world, login):
    agreement = signed(world)
    client = login("renhua_county_town")
    url = reverse("projects:agreement_action", args=[agreement.pk, "return"])
    response = client.post(url, {"comment": ""}, follow=True)
    assert "退回理由" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    client.post(url, {"comment": "签署日期与盖章页不一致"})
    agreement.refresh_from_db()
    assert agreement.status == "returned" and agreement.return_comment == "签署日期与盖章页不一致"
    html = login("leader").get(agreement.get_absolute_url()).content.decode()
    assert 'data-testid="return-comment"' in html and "签署日期与盖章页不一致" in html
    assert 'data-testid="sign"' in html
    signed(world, agreement)
    login("renhua_county_town").post(reverse("projects:agreement_action", args=[agreement.pk, "confirm"]))
    agreement.refresh_from_db()
    assert agreement.status == "confirmed" and agreement.confirmed_at


def test_nobody_else_confirms(world, login, client):
    agreement = signed(world)
    url = reverse("projects:agreement_action", args=[agreement.pk, "confirm"])
    for name in ("nanxiong_county_town", "renhua_city_town", "other_leader", "expert"):
        client.force_login(world[name])
        assert client.post(url).status_code == 404
    for name in ("leader", "renhua_st", "city_st"):
        client.force_login(world[name])
        response = client.post(url, follow=True)
        assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.status == "signed"


def test_the_sign_step_is_not_taken_as_a_comment_button(world, login):
    agreement = draft(world)
    response = login("leader").post(reverse("projects:agreement_action", args=[agreement.pk, "sign"]), follow=True)
    assert "上传签署件" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "draft"


# ------------------------------------------------------------------------------------------------ files
def test_the_scan_is_served_to_readers_and_is_404_when_none(world, login, assert_denied):
    agreement = draft(world)
    url = reverse("projects:agreement_scan", args=[agreement.pk])
    assert login("leader").get(url).status_code == 404
    signed(world, agreement)
    response = login("renhua_county_town").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert_denied(url, allowed=READERS)


def test_the_printed_agreement_in_word_and_pdf(world, login, assert_denied):
    agreement = draft(world)
    client = login("renhua_county_town")
    response = client.get(reverse("projects:agreement_document", args=[agreement.pk, "docx"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "wordprocessingml" in response["Content-Type"]
    response = client.get(reverse("projects:agreement_document", args=[agreement.pk, "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(reverse("projects:agreement_document", args=[agreement.pk, "txt"])).status_code == 404
    assert_denied(reverse("projects:agreement_document", args=[agreement.pk, "pdf"]), allowed=READERS)


# ------------------------------------------------------------------------------------------------ progress
@pytest.fixture
def progress(world):
    """董塘镇 (仁化, county) confirmed on time; 黄坑镇 (仁化, city) drafted, 40 days after registration: late;
    珠玑镇 (南雄, county) registered 70 days ago, nothing drafted, no project: both late; 百顺镇 not registered."""
    services.agreement_confirm(actor=world["renhua_county_town"], agreement=signed(world))
    huangkeng = other_pairing(world, world.renhua_city_town, "茶叶二队", level="city", days=40)
    services.agreement_create(actor=world["admin"], pairing=huangkeng, **agreement_values())
    zhuji = other_pairing(world, world.nanxiong_county_town, "水稻团队", days=70)
    Pairing.objects.create(cycle=world.cycle, town=world.nanxiong_city_town, team=world.other_team,
                           organizer_level="city", status="on_notice")
    return huangkeng, zhuji


def figures(response):
    return {row["area"]: tuple(row[k] for k in ("total", "agreements_confirmed", "agreements_missing",
                                                   "agreements_late", "projects_sent", "projects_late"))
            for row in response.context["rows"]}


def test_the_progress_counts_per_county_with_totals(world, login, progress):
    huangkeng, zhuji = progress
    response = login("city_st").get(reverse("projects:progress"))
    assert figures(response) == {"仁化县": (2, 1, 0, 1, 0, 0), "南雄市": (1, 0, 1, 1, 0, 1)}
    assert response.context["totals"] == {"total": 3, "agreements_confirmed": 1, "agreements_awaiting": 0,
                                          "agreements_drafting": 1, "agreements_missing": 1, "agreements_late": 2,
                                          "agreements_done_late": 0, "projects_sent": 0, "projects_late": 1,
                                          "projects_done_late": 0}
    totals = response.context["totals"]  # the four agreement states add up to the pairings
    assert sum(totals[k] for k in ("agreements_confirmed", "agreements_awaiting", "agreements_drafting",
                                   "agreements_missing")) == totals["total"]
    html = response.content.decode()
    assert 'data-testid="totals"' in html
    assert "status=confirmed&amp;county=%d" % world.renhua.pk in html
    attention = {row["pairing"].pk: (row["agreement_late"], row["project_late"]) for row in response.context["attention"]}
    assert attention == {huangkeng.pk: (True, False), zhuji.pk: (True, True)}
    assert 'data-pairing="%d"' % zhuji.pk in html


def test_a_county_sees_its_own_county_and_a_province_goes_by_city(world, login, progress):
    response = login("renhua_st").get(reverse("projects:progress"))
    assert figures(response) == {"仁化县": (2, 1, 0, 1, 0, 0)}
    assert {row["pairing"].town.name for row in response.context["attention"]} == {"黄坑镇"}
    from regions.models import City

    City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    response = login("province").get(reverse("projects:progress"))
    assert figures(response) == {"韶关市": (3, 1, 1, 2, 0, 1)}


def test_the_progress_is_for_officials_only(world, assert_denied):
    assert_denied(reverse("projects:progress"), allowed=OFFICIALS)


def test_the_progress_of_another_cycle_is_chosen(world, login, progress):
    from cycles.models import Cycle

    other = Cycle.objects.create(name="下一周期", status=Cycle.Status.PLANNED, start_date=dt.date(CYCLE_YEAR + 3, 1, 1),
                                 end_date=dt.date(CYCLE_YEAR + 5, 12, 31), dispatch_deadline=dt.date(CYCLE_YEAR + 3, 3, 31))
    response = login("city_st").get(reverse("projects:progress"), {"cycle": other.pk})
    assert response.context["cycle"] == other and response.context["rows"] == []
    assert 'data-testid="progress-empty"' in response.content.decode()


# ------------------------------------------------------------------------------------------------ menu
def test_the_menu_offers_each_role_its_entries(world, login):
    def labels(name):
        html = login(name).get(reverse("portal:home")).content.decode()
        return {label for label in ("帮扶协议", "帮扶项目", "项目变更", "协议与项目进度") if ">%s<" % label in html
                or " %s<" % label in html}

    assert labels("city_st") == {"帮扶协议", "帮扶项目", "项目变更", "协议与项目进度"}
    assert labels("leader") == {"帮扶协议", "帮扶项目", "项目变更"}
    assert labels("renhua_county_town") == {"帮扶协议", "帮扶项目"}
    assert labels("unit") == {"帮扶协议", "帮扶项目"}
    assert labels("expert") == set()


def test_the_cycles_fixed_agreement_date_makes_the_figure_late_as_the_list_and_the_to_dos_say(world, login):
    """A pairing registered before the cycle's fixed agreement date, now past, is late in the figure too."""
    pairing = active_pairing(world, registered=timezone.now() - dt.timedelta(days=5))
    world.cycle.agreement_due_date = timezone.localdate() - dt.timedelta(days=1)
    world.cycle.save()
    response = login("renhua_st").get(reverse("projects:progress"))
    assert figures(response) == {"仁化县": (1, 0, 1, 1, 0, 0)}
    assert [row["pairing"].pk for row in response.context["attention"] if row["agreement_late"]] == [pairing.pk]


def test_the_progress_remembers_what_was_done_late_and_what_awaits_the_town(world, login):
    """An agreement confirmed after its due date and a project submitted late stay counted as done late; a signed
    agreement awaiting its town has its own column (the states add up to the pairings)."""
    from projects.tests.factories import confirmed_need, make_project, staff

    agreement = signed(world)
    Agreement.objects.filter(pk=agreement.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    services.agreement_confirm(actor=world["renhua_county_town"], agreement=agreement)
    pairing = agreement.pairing
    project = make_project(world, pairing, staff(world), [confirmed_need(world)])
    Project.objects.filter(pk=project.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    services.project_submit(actor=world["leader"], project=project, confirmed=True)
    huangkeng = other_pairing(world, world.renhua_city_town, "茶叶二队", level="city", days=2)
    other = services.agreement_create(actor=world["admin"], pairing=huangkeng, **agreement_values())
    services.agreement_sign(actor=world["admin"], agreement=other, scan=pdf(), signed_on=timezone.localdate())
    row = login("renhua_st").get(reverse("projects:progress")).context["rows"][0]
    assert (row["total"], row["agreements_confirmed"], row["agreements_awaiting"], row["agreements_done_late"],
            row["projects_sent"], row["projects_done_late"]) == (2, 1, 1, 1, 1, 1)
