"""The printed agreement, the project application form and the summary table, generated from factory data and read
back: python-docx for the DOCX, WeasyPrint's own layout for the PDF text (the stylesheets html_to_pdf uses), openpyxl
for the XLSX."""
import datetime as dt
import io
import re
import zlib
from decimal import Decimal

import openpyxl
import pytest
from docx import Document
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes

from core.documents import BASE_CSS, BODY_FONT, TITLE_FONT
from projects import documents, services
from projects.models import Project
from projects.tests.factories import (active_pairing, agreement_values, confirmed_need, make_project,
                                      project_content, staff)

pytestmark = pytest.mark.django_db


def pdf_text(html: str, css: str) -> str:
    """The text WeasyPrint lays out on the PDF's pages (the same stylesheets as core.documents.html_to_pdf)."""
    document = HTML(string=html).render(stylesheets=[CSS(string=BASE_CSS), CSS(string=css)])
    return "".join(box.text for page in document.pages for box in page._page_box.descendants()
                   if isinstance(box, boxes.TextBox))


def pdf_fonts(pdf: bytes) -> set[str]:
    """The fonts a PDF embeds (its /BaseFont names, read from its compressed object streams)."""
    names = set()
    for found in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(found.group(1))
        except zlib.error:
            continue
        names |= {name.decode().split("+")[-1] for name in re.findall(rb"/BaseFont\s*/([^\s/]+)", data)}
    return names


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def all_text(document) -> str:
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    return "\n".join(texts)


@pytest.fixture
def agreement(world):
    return services.agreement_create(actor=world["leader"], pairing=active_pairing(world), **agreement_values())


@pytest.fixture
def project(world):
    pairing = active_pairing(world)
    people = staff(world)
    return make_project(world, pairing, people, [confirmed_need(world), confirmed_need(world, title="贡柑品种改良")])


# ------------------------------------------------------------------------------------------------ agreement
def test_the_agreement_docx_has_the_title_the_three_parties_the_articles_and_the_signature_block(world, agreement):
    content = documents.agreement_docx(agreement)
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    assert lines[0] == "农村科技特派员驻镇帮镇扶村帮扶协议"
    assert document.paragraphs[0].runs[0].font.name == TITLE_FONT
    assert "甲方：仁化县董塘镇人民政府" in lines
    assert "乙方：柑橘团队（牵头派出单位：华南农业大学）" in lines
    assert "丙方：仁化县董塘镇驻镇帮镇扶村工作队" in lines
    headings = [line for line in lines if line[:2] in {"%s、" % n for n in "一二三四五六七八九"}]
    assert headings == ["一、帮扶内容", "二、甲方职责", "三、乙方职责", "四、丙方职责", "五、工作和生活条件", "六、协议期限",
                        "七、其他"]
    values = agreement_values()
    # Each duty under its own article.
    for heading, text in (("一、帮扶内容", values["summary"]), ("二、甲方职责", values["town_duties"]),
                          ("三、乙方职责", values["team_duties"]), ("四、丙方职责", values["work_team_duties"]),
                          ("五、工作和生活条件", values["conditions"])):
        assert lines.index(text) > lines.index(heading)
    start, end = agreement.term_start, agreement.term_end
    assert "本协议期限自%d年%d月%d日至%d年%d月%d日。" % (start.year, start.month, start.day, end.year, end.month,
                                                   end.day) in lines
    assert "本协议一式四份，甲、乙、丙三方各执一份，报仁化县科学技术局备案一份。" in lines
    assert "本协议自甲、乙、丙三方签字（盖章）之日起生效。" in lines
    assert [line for line in lines if "（盖章）：" in line] == [
        "甲方（盖章）：仁化县董塘镇人民政府", "乙方（盖章）：柑橘团队（牵头派出单位：华南农业大学）",
        "丙方（盖章）：仁化县董塘镇驻镇帮镇扶村工作队"]
    assert lines.count(documents.BLANK_DATE) == 3 and lines[-1] == documents.BLANK_DATE
    body = document.paragraphs[lines.index(values["summary"])].runs[0]
    assert body.font.name == BODY_FONT and body.font.size.pt == 16
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)


def test_without_a_work_team_the_agreement_has_two_parties_and_renumbered_articles(world, agreement):
    agreement = services.agreement_update(actor=world["leader"], agreement=agreement, work_team_party="",
                                          work_team_duties="")
    lines = paragraphs(documents.agreement_docx(agreement))
    assert not any(line.startswith("丙方") for line in lines)
    assert "四、工作和生活条件" in lines and "六、其他" in lines and "四、丙方职责" not in lines
    assert "本协议一式三份，甲、乙双方各执一份，报仁化县科学技术局备案一份。" in lines
    assert lines.count(documents.BLANK_DATE) == 2


def test_a_city_organized_agreement_is_filed_with_the_city(world):
    pairing = active_pairing(world, town=world.renhua_city_town, team=world.other_team)
    agreement = services.agreement_create(actor=world["other_leader"], pairing=pairing, **agreement_values())
    lines = paragraphs(documents.agreement_docx(agreement))
    assert "甲方：仁化县黄坑镇人民政府" in lines and "乙方：茶叶团队（牵头派出单位：韶关学院）" in lines
    assert any("报韶关市科学技术局备案" in line for line in lines)


def test_the_agreement_pdf_prints_the_same_text_in_a_chinese_font(world, agreement):
    pdf = documents.agreement_pdf(agreement)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    assert "WenQuanYi-Micro-Hei" in pdf_fonts(pdf)  # a font with the Chinese glyphs, embedded
    text = pdf_text(documents.agreement_html(agreement), documents.AGREEMENT_CSS)
    assert text.startswith("农村科技特派员驻镇帮镇扶村帮扶协议甲方：仁化县董塘镇人民政府")
    values = agreement_values()
    for expected in ("乙方：柑橘团队（牵头派出单位：华南农业大学）", "丙方：仁化县董塘镇驻镇帮镇扶村工作队", "四、丙方职责",
                     values["team_duties"], values["town_duties"], values["work_team_duties"], values["conditions"],
                     "丙方（盖章）：仁化县董塘镇驻镇帮镇扶村工作队"):
        assert expected in text
    assert text.count("年　　月　　日") == 3


def test_the_agreement_text_is_escaped_in_the_pdf(world, agreement):
    agreement = services.agreement_update(actor=world["leader"], agreement=agreement,
                                          summary="<b>不加粗</b> & 示范")
    html = documents.agreement_html(agreement)
    assert "&lt;b&gt;不加粗&lt;/b&gt; &amp; 示范" in html and "<b>" not in html
    assert "<b>不加粗</b> & 示范" in pdf_text(html, documents.AGREEMENT_CSS)


# ------------------------------------------------------------------------------------------------ project form
def _table(document, first_header: str, second: str):
    for table in document.tables:
        cells = [cell.text for cell in table.rows[0].cells]
        if cells[:2] == [first_header, second]:
            return table
    raise AssertionError("no table starting %s|%s" % (first_header, second))


def test_the_application_form_docx_has_the_cover_and_every_table(world, project):
    document = Document(io.BytesIO(documents.project_docx(project)))
    lines = [p.text for p in document.paragraphs]
    title = lines.index("农村科技特派员驻镇帮镇扶村")  # the title on two lines (2号 does not fit one)
    assert lines[title + 1] == "帮扶项目申请书"
    assert document.paragraphs[title].runs[0].font.name == TITLE_FONT
    for expected in ("项目名称：贡柑黄龙病绿色防控示范", "承担团队：柑橘团队", "帮扶镇：仁化县董塘镇", "派出单位：华南农业大学",
                     "组织单位：仁化县科学技术局", "申报日期：年　　月　　日"):
        assert expected in lines
    headings = [line for line in lines if line[1:2] == "、"]
    assert headings == ["一、基本信息", "二、对应需求", "三、项目目标与主要内容", "四、进度安排", "五、量化指标", "六、预算明细",
                        "七、成员分工", "八、审核意见"]
    text = all_text(document)
    assert "贡柑黄龙病绿色防控" in text and "贡柑品种改良" in text
    assert "建立示范基地，推广绿色防控技术。" in text and "建设示范园，开展6场培训。" in text
    targets = _table(document, "指标", "目标值")
    rows = {row.cells[0].text: (row.cells[1].text, row.cells[2].text) for row in targets.rows[1:]}
    assert rows["开展培训"] == ("6", "场次") and rows["示范面积"] == ("50.0", "亩")
    assert rows["带动增收"] == ("600,000.00", "元") and len(rows) == 9
    for label in ("派出单位意见", "镇人民政府意见", "组织单位（科技部门）意见"):
        assert label in text


def test_the_budget_table_adds_up_to_the_total_in_yuan(world, project):
    document = Document(io.BytesIO(documents.project_docx(project)))
    table = _table(document, "序号", "支出科目")
    assert [cell.text for cell in table.rows[0].cells] == ["序号", "支出科目", "资金来源", "金额（元）", "测算说明"]
    lines = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert lines[0][1:4] == ["材料费（种苗、农资等）", "市级财政科技资金", "50,000.00"]
    total = lines[-1]
    assert total[0] == "合计" and total[3] == "100,000.00"
    amounts = [Decimal(row[3].replace(",", "")) for row in lines[:-1]]
    assert sum(amounts) == Decimal(total[3].replace(",", "")) == project.total_budget


def test_the_members_table_has_no_phone_or_id_number(world, project):
    document = Document(io.BytesIO(documents.project_docx(project)))
    table = _table(document, "序号", "姓名")
    assert [cell.text for cell in table.rows[0].cells] == ["序号", "姓名", "单位", "职称", "项目分工"]
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    member = project.members.select_related("commissioner").first().commissioner
    assert rows[0] == ["1", member.name, "华南农业大学", "副研究员", "项目负责，技术总体设计"]
    text = all_text(document) + documents.project_html(project)
    for person in project.members.select_related("commissioner"):
        commissioner = person.commissioner
        assert commissioner.phone not in text and commissioner.id_number_masked not in text
        assert commissioner.id_number_masked[-4:] not in text


def test_a_draft_whose_lines_do_not_add_up_says_so(world, project):
    Project.objects.filter(pk=project.pk).update(total_budget=Decimal("120000.00"))  # a draft edited elsewhere
    document = Document(io.BytesIO(documents.project_docx(project)))
    rows = [[cell.text for cell in row.cells] for row in _table(document, "序号", "支出科目").rows]
    assert rows[-2][0] == "合计" and rows[-2][3] == "100,000.00"
    assert rows[-1][0] == "预算总额" and rows[-1][3] == "120,000.00" and "不一致" in rows[-1][4]


def test_the_application_form_pdf_prints_the_same_content(world, project):
    pdf = documents.project_pdf(project)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    assert "WenQuanYi-Micro-Hei" in pdf_fonts(pdf)
    text = pdf_text(documents.project_html(project), documents.PROJECT_CSS)
    for expected in ("农村科技特派员驻镇帮镇扶村帮扶项目申请书", "项目名称：贡柑黄龙病绿色防控示范", "组织单位：仁化县科学技术局",
                     "六、预算明细", "合计", "100,000.00", "50,000.00", "项目负责，技术总体设计", "镇人民政府意见",
                     "贡柑品种改良"):
        assert expected in text


def test_a_submitted_project_prints_its_submission_date(world, project):
    from django.utils import timezone

    when = timezone.make_aware(dt.datetime(2025, 3, 9, 10, 0))
    Project.objects.filter(pk=project.pk).update(submitted_at=when, last_submitted_at=when)
    lines = paragraphs(documents.project_docx(project))
    assert "申报日期：2025年3月9日" in lines


# ------------------------------------------------------------------------------------------------ summary table
def test_the_summary_table_has_one_row_per_project_numbers_and_a_total(world):
    pairing = active_pairing(world)
    people = staff(world)
    need = confirmed_need(world)
    first = make_project(world, pairing, people, [need])
    second = make_project(world, pairing, people, [need], title="=HYPERLINK(\"http://x\")", trainings=9)
    other_pairing = active_pairing(world, town=world.nanxiong_county_town, team=world.other_team)
    other_need = confirmed_need(world, world.nanxiong_county_town)
    content = project_content(world, staff(world, world.other_team), [other_need], total="12345.67")
    content["values"]["title"] = "南雄烟叶项目"
    third = services.project_create(actor=world["other_leader"], pairing=other_pairing, **content)
    Project.objects.filter(pk=first.pk).update(submitted_at=dt.datetime(2025, 3, 9, 2, 30, tzinfo=dt.timezone.utc),
                                               late=True)
    projects = Project.objects.filter(pk__in=[first.pk, second.pk, third.pk]).order_by("town__code", "pk")
    content = documents.summary_xlsx(projects, title="仁化县、南雄市农村科技特派员帮扶项目汇总表（测试周期，含很长的说明文字）")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert len(sheet.title) <= 31 and sheet.title.startswith("仁化县")
    assert sheet["A1"].value.startswith("仁化县、南雄市农村科技特派员帮扶项目汇总表")
    headers = [cell.value for cell in sheet[2]]
    assert headers[:8] == ["序号", "县（市、区）", "镇", "团队", "派出单位", "项目名称", "状态", "预算总额（元）"]
    assert headers[-2:] == ["报送时间", "是否逾期"] and "开展培训（场次）" in headers and "带动增收（元）" in headers
    assert sheet.freeze_panes == "A3"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    data, total = rows[:-1], rows[-1]
    assert [row[0] for row in data] == [1, 2, 3]
    assert [row[1] for row in data] == ["仁化县", "仁化县", "南雄市"]
    assert data[1][5] == "'=HYPERLINK(\"http://x\")"  # neutralised: Excel shows it as text
    budget = headers.index("预算总额（元）")
    assert all(isinstance(row[budget], (int, float)) for row in data)
    assert [Decimal(str(row[budget])) for row in data] == [Decimal("100000"), Decimal("100000"), Decimal("12345.67")]
    assert sheet.cell(row=3, column=budget + 1).number_format == "0.00"
    assert data[1][headers.index("开展培训（场次）")] == 9
    assert data[0][headers.index("报送时间")] == dt.datetime(2025, 3, 9, 10, 30)
    assert data[0][-1] == "是" and data[1][-1] == "否" and data[1][headers.index("报送时间")] is None
    assert total[0] == "合计" and isinstance(total[budget], (int, float))
    assert Decimal(str(total[budget])) == Decimal("212345.67")
    assert sheet.cell(row=3 + len(data), column=budget + 1).number_format == "0.00"


def test_the_summary_title_names_the_organizer_and_the_cycle(world):
    assert documents.summary_title(organizer="仁化县科学技术局", cycle=world.cycle) == \
        "仁化县科学技术局农村科技特派员帮扶项目汇总表（测试周期）"


def test_an_empty_summary_table_still_has_its_header_and_a_zero_total(world):
    workbook = openpyxl.load_workbook(io.BytesIO(documents.summary_xlsx(Project.objects.none(), title="项目汇总表")))
    sheet = workbook.active
    assert sheet.title == "项目汇总表"
    assert [cell.value for cell in sheet[3]][0] == "合计"
    assert sheet.cell(row=3, column=8).value == 0
