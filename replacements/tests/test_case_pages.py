"""The case pages: the organizer opens a case with the evidence, the team's leader answers with a PDF, the organizer
decides a replacement with the alternate (the old pairing replaced with its end date, the new one proposed, the
figures kept) — and bad input, wrong roles and other counties are refused, nothing saved."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.menu import menu_for
from matching.models import Pairing
from replacements.models import Case, CaseFile, PairingFigures
from replacements.tests.factories import (answer_case, case_world, decide_replacement, end_date, let_deadline_pass,
                                          open_case, pdf_file)

pytestmark = pytest.mark.django_db

# Who reads a case on 柑橘团队 in 董塘镇 (county-organized in 仁化县): the levels along the tree by the organizer rule,
# the team and its unit; never the towns, the other county or the other team.
READERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "leader", "member", "unit"]


@pytest.fixture
def cw(world):
    return case_world(world)


def html(response) -> str:
    return response.content.decode()


def test_the_organizer_opens_a_case_with_the_evidence_and_a_file(world, cw, login):
    client = login("renhua_st")
    page = html(client.get(reverse("replacements:case_create") + "?pairing=%d" % cw.pairing.pk))
    assert "驻镇天数" in page and "柑橘团队" in page and 'data-testid="evidence"' in page
    due = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(reverse("replacements:case_create"), {
        "pairing": cw.pairing.pk, "cause": "no_work", "summary": "连续两个月未开展服务活动。",
        "answer_due": due.isoformat(), "files": [pdf_file("核查记录.pdf")]})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.status == "open" and case.answer_due == due and case.evidence["days"]["required"] > 0
    assert case.files.get().name == "核查记录.pdf"
    detail = html(client.get(case.get_absolute_url()))
    assert "未实际开展科技帮扶活动" in detail and "核查记录.pdf" in detail and 'data-testid="decide-form"' in detail


def test_opening_needs_a_cause_and_a_summary_in_chinese(world, cw, login):
    client = login("renhua_st")
    page = html(client.post(reverse("replacements:case_create") + "?pairing=%d" % cw.pairing.pk, {
        "pairing": cw.pairing.pk, "cause": "", "summary": "",
        "answer_due": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}))
    assert "请选择事由。" in page and "请填写情况说明。" in page
    assert not Case.objects.exists()


def test_only_the_organizers_open_cases(world, cw, login):
    for name in ("leader", "renhua_county_town", "expert"):
        assert login(name).get(reverse("replacements:case_create")).status_code == 403
    # The city reads 董塘镇 but does not organize it: no pairing to choose.
    page = html(login("city_st").get(reverse("replacements:case_create")))
    assert "柑橘团队" not in page and "暂不能发起" in page


def test_the_leader_answers_with_a_pdf_and_the_member_cannot(world, cw, login):
    case = open_case(world)
    client = login("leader")
    detail = html(client.get(case.get_absolute_url()))
    assert 'data-testid="answer-form"' in detail and 'data-testid="decide-form"' not in detail
    response = client.post(reverse("replacements:case_answer", args=[case.pk]), {
        "answer": "已制定整改计划，下月起每周驻镇三天。", "files": [pdf_file("整改计划.pdf")]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "answered" and case.answer.startswith("已制定整改计划")
    answer_file = CaseFile.objects.get(kind="answer")
    download = client.get(reverse("replacements:case_file", args=[answer_file.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert login("member").post(reverse("replacements:case_answer", args=[case.pk]),
                                {"answer": "成员答复"}).status_code == 403
    assert login("other_leader").post(reverse("replacements:case_answer", args=[case.pk]),
                                      {"answer": "别的团队"}).status_code == 404
    assert login("nanxiong_st").get(reverse("replacements:case_file", args=[answer_file.pk])).status_code == 404


def test_the_organizer_decides_a_replacement_with_the_alternate(world, cw, login):
    case = answer_case(world, open_case(world))
    client = login("renhua_st")
    detail = html(client.get(case.get_absolute_url()))
    assert "蔬菜团队" in detail and "通过重新征集确定新团队" in detail
    response = client.post(reverse("replacements:case_decide", args=[case.pk]), {
        "decision": "replacement", "reason": "经核实未开展帮扶活动。", "doc_number": "仁科〔2025〕8号",
        "end_date": end_date().isoformat(), "new_team": str(cw.alternate.pk)})
    assert response.status_code == 302, html(response)
    case.refresh_from_db()
    old = Pairing.objects.get(pk=cw.pairing.pk)
    assert case.status == "decided" and case.decision == "replacement"
    assert old.status == "replaced" and old.ended_on == end_date()
    new = Pairing.objects.get(replaces=old)
    assert new.team == cw.alternate and new.status == "proposed" and case.new_pairing == new
    figures = PairingFigures.objects.get(pairing=old)
    assert figures.outcome == "replaced" and figures.ended_on == end_date()
    detail = html(client.get(case.get_absolute_url()))
    assert 'data-testid="replacement-outcome"' in detail and "蔬菜团队" in detail
    assert 'data-testid="decision-docx"' in detail
    assert 'data-testid="decide-form"' not in detail  # decided: no form any more


def test_bad_input_on_the_decide_form_shows_the_message_and_changes_nothing(world, cw, login):
    case = let_deadline_pass(open_case(world))
    client = login("renhua_st")
    page = html(client.post(reverse("replacements:case_decide", args=[case.pk]), {
        "decision": "replacement", "reason": "未开展帮扶。", "end_date": "%d-01-01" % (cw.pairing.cycle.start_date.year - 1)}))
    assert "更换团队须选择递补团队，或选择通过重新征集确定新团队。" in page
    assert "截止日期不能早于该结对开始帮扶的日期" in page
    case.refresh_from_db()
    cw.pairing.refresh_from_db()
    assert case.status == "open" and cw.pairing.status == "active" and not PairingFigures.objects.exists()
    assert not Pairing.objects.filter(replaces=cw.pairing).exists()


def test_a_warning_is_decided_without_the_replacement_fields(world, cw, login):
    case = let_deadline_pass(open_case(world))
    response = login("renhua_st").post(reverse("replacements:case_decide", args=[case.pk]), {
        "decision": "warning", "reason": "驻镇时间不足，予以警示。"})
    assert response.status_code == 302
    case.refresh_from_db()
    cw.pairing.refresh_from_db()
    assert case.decision == "warning" and cw.pairing.status == "active"


def test_who_decides(world, cw, login):
    case = open_case(world)
    url = reverse("replacements:case_decide", args=[case.pk])
    data = {"decision": "warning", "reason": "x"}
    assert login("leader").post(url, data).status_code == 403
    assert login("nanxiong_st").post(url, data).status_code == 404
    assert login("city_st").post(url, data).status_code == 404  # reads 仁化's case, does not organize it
    assert login("renhua_county_town").post(url, data).status_code == 403
    case.refresh_from_db()
    assert case.status == "open"


def test_the_organizer_withdraws(world, cw, login):
    case = open_case(world)
    url = reverse("replacements:case_action", args=[case.pk, "withdraw"])
    login("leader").post(url, {"comment": "团队撤销"})
    case.refresh_from_db()
    assert case.status == "open"
    assert login("renhua_st").post(url, {"comment": "经核实情况属实已整改。"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "withdrawn"


def test_an_overdue_answer_is_shown_in_red(world, cw, login):
    case = open_case(world)
    Case.objects.filter(pk=case.pk).update(answer_due=timezone.localdate() - dt.timedelta(days=1))
    client = login("renhua_st")
    assert 'data-testid="answer-overdue"' in html(client.get(case.get_absolute_url()))
    assert 'data-testid="overdue"' in html(client.get(reverse("replacements:case_list")))


def test_the_list_is_scoped_filtered_and_exported(world, cw, login, assert_denied):
    case = open_case(world)
    page = html(login("renhua_st").get(reverse("replacements:case_list") + "?status=open&q=董塘"))
    assert "董塘镇" in page and "柑橘团队" in page
    assert "董塘镇" not in html(login("nanxiong_st").get(reverse("replacements:case_list")))
    assert "董塘镇" not in html(login("other_leader").get(reverse("replacements:case_list")))
    assert "董塘镇" in html(login("unit").get(reverse("replacements:case_list")))
    for name in ("renhua_county_town", "expert"):
        assert login(name).get(reverse("replacements:case_list")).status_code == 403
    export = login("renhua_st").get(reverse("replacements:case_list") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert "董塘镇" in str(sheet[2][0].value) and sheet[2][1].value == "柑橘团队"
    assert_denied(case.get_absolute_url(), allowed=READERS)


def test_the_menu_shows_the_cases_to_who_reads_them(world):
    labels = lambda name: [i["label"] for g in menu_for(world[name]) for i in g["items"]]  # noqa: E731
    assert "调整更换案件" in labels("renhua_st") and "周期结束" in labels("renhua_st")
    assert "调整更换案件" in labels("leader") and "周期结束" not in labels("leader")
    assert "调整更换案件" not in labels("renhua_county_town") and "调整更换案件" not in labels("expert")


def test_the_dashboard_tells_the_leader_and_the_organizer(world, cw):
    from core.dashboard import todo_for

    case = open_case(world)
    assert any(i.label == "调整更换调查待答复" for i in todo_for(world["leader"], world.cycle))
    answer_case(world, case)
    assert any(i.label == "调整更换案件待决定" for i in todo_for(world["renhua_st"], world.cycle))
    decide_replacement(world, case)
    assert not any(i.label == "调整更换案件待决定" for i in todo_for(world["renhua_st"], world.cycle))
