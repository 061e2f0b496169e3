"""The decision (决定书) and the re-registration letter (备案函): DOCX parsed back (title, team, issuing body, the
new team), PDF rendered; only for a decided warning/adjustment/replacement; scoped like the case."""
import io

import pytest
from django.urls import reverse
from docx import Document

from replacements.tests.factories import (case_world, decide_replacement, decide_warning, open_case,
                                          record_change)

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_the_replacement_decision_as_docx_and_pdf(world, login):
    case_world(world)
    case = decide_replacement(world, open_case(world))
    client = login("renhua_st")
    response = client.get(reverse("replacements:case_document", args=[case.pk, "docx"]))
    assert response.status_code == 200
    text = docx_text(response.content)
    assert "关于调整更换董塘镇农村科技特派员团队的决定" in text
    assert "柑橘团队" in text and "仁化县科学技术局" in text and "蔬菜团队" in text and case.doc_number in text
    pdf = login("leader").get(reverse("replacements:case_document", args=[case.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-") and len(pdf.content) > 5000
    assert login("nanxiong_st").get(reverse("replacements:case_document", args=[case.pk, "docx"])).status_code == 404
    assert login("expert").get(reverse("replacements:case_document", args=[case.pk, "docx"])).status_code == 403


def test_a_warning_has_its_decision_and_an_open_case_none(world, login):
    case_world(world)
    case = open_case(world)
    assert login("renhua_st").get(reverse("replacements:case_document", args=[case.pk, "docx"])).status_code == 404
    decide_warning(world, case)
    text = docx_text(login("renhua_st").get(reverse("replacements:case_document", args=[case.pk, "docx"])).content)
    assert "警示提醒" in text and "柑橘团队" in text


def test_the_member_change_letter(world, login):
    cw = case_world(world)
    change = record_change(world, cw)
    text = docx_text(login("city_st").get(reverse("replacements:change_letter", args=[change.pk, "docx"])).content)
    assert "关于柑橘团队成员变更的备案函" in text and "新成员甲" in text and "变更前团队共3人" in text
    pdf = login("renhua_st").get(reverse("replacements:change_letter", args=[change.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF-")
    assert login("nanxiong_st").get(reverse("replacements:change_letter", args=[change.pk, "pdf"])).status_code == 404
