"""Official-layout documents: DOCX with the GB/T 9704 page and parts, PDF through WeasyPrint."""
import datetime as dt
import io

from docx import Document

from core.documents import official_docx, official_pdf, html_to_pdf, table_docx


def _text(document):
    return "\n".join(p.text for p in document.paragraphs)


def test_it_writes_an_official_document_with_number_title_and_signature():
    content = official_docx(
        issuer="韶关市科学技术局文件", doc_number="韶科〔2025〕12号", title="关于公开征集农村科技特派员团队的通知",
        recipients=["各县（市、区）科技部门", "各有关单位"], paragraphs=["一、征集范围", "为贯彻落实……", "（一）申报条件"],
        signature="韶关市科学技术局", date=dt.date(2025, 3, 1), attachments_note="1.申请表",
    )
    document = Document(io.BytesIO(content))
    text = _text(document)
    assert "韶科〔2025〕12号" in text
    assert "关于公开征集农村科技特派员团队的通知" in text
    assert "各县（市、区）科技部门、各有关单位：" in text
    assert "附件：1.申请表" in text
    assert text.rstrip().endswith("韶关市科学技术局\n2025年3月1日")
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    # The issuing-body mark is red.
    assert str(document.paragraphs[0].runs[0].font.color.rgb) == "D7000F"


def test_it_writes_a_form_table_with_merged_full_width_rows():
    content = table_docx(title="申请表", headers=None, rows=[["团队名称", "柑橘团队", "负责人", "黄志强"], ["帮扶思路", "长文本"]])
    document = Document(io.BytesIO(content))
    table = document.tables[0]
    assert table.rows[0].cells[1].text == "柑橘团队"
    assert table.rows[1].cells[1].text == "长文本" and table.rows[1].cells[3].text == "长文本"
    assert "申请表" in _text(document)


def test_it_renders_chinese_html_and_official_documents_to_pdf():
    pdf = html_to_pdf("<h1>申请表</h1><p>仁化县董塘镇</p>")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
    pdf = official_pdf(issuer="仁化县科学技术局", doc_number="仁科〔2025〕3号", title="通知", recipients="各镇",
                       paragraphs=["正文"], signature="仁化县科学技术局", date=dt.date(2025, 1, 2))
    assert pdf.startswith(b"%PDF-")
