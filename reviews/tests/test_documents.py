"""The score sheet with the panel's opinion (PDF) and the funding ledger (XLSX), generated from factory data and read
back: WeasyPrint's own layout for the PDF text (the stylesheets html_to_pdf uses), openpyxl for the XLSX."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes

from core.documents import BASE_CSS
from reviews import documents, selectors, services
from reviews.models import Grant, Review
from reviews.tests.factories import (accepted_project, approved_review, expert_user, grant_values, make_pool, scores,
                                     start_panel, voucher)

pytestmark = pytest.mark.django_db


def pdf_text(html: str, css: str) -> str:
    """The text WeasyPrint lays out on the PDF's pages (the same stylesheets as core.documents.html_to_pdf)."""
    document = HTML(string=html).render(stylesheets=[CSS(string=BASE_CSS), CSS(string=css)])
    return "".join(box.text for page in document.pages for box in page._page_box.descendants()
                   if isinstance(box, boxes.TextBox))


@pytest.fixture
def scored(world):
    """A panel of three in 黄坑镇 (city-organized): two score alike, the third far off (an outlier), all submitted."""
    project, _people = accepted_project(world)
    make_pool(world)
    review, seats = start_panel(world, project)
    services.review_open(actor=world["city_st"], review=review)
    for seat, value, comment in zip(seats, (85, 86, 50), ("技术路线可行", "建议补充示范面积", "经费测算偏高")):
        services.seat_submit(actor=expert_user(seat.expert), seat=seat, scores=scores(value, value, value, value, value),
                             comment=comment)
    return Review.objects.get(pk=review.pk), seats


def test_the_score_sheet_pdf_is_a_pdf_with_the_scores_the_statistics_and_the_signature_lines(world, scored):
    review, seats = scored
    content = documents.score_sheet_pdf(review, world["city_st"])
    assert content.startswith(b"%PDF") and len(content) > 5000
    text = pdf_text(documents.score_sheet_html(review, world["city_st"]), documents.SHEET_CSS)
    assert "专家评分汇总表" in text and "专家组论证意见" in text
    assert review.project.title in text and "黄坑镇" in text and review.team.name in text
    assert review.cycle.name in text and "专家组评审" in text and "韶关市科学技术局" in text
    for seat in seats:
        assert seat.expert.name in text
    for label in ("需求契合度", "技术可行性", "预期效益", "团队能力", "经费合理性", "加权总分", "各项平均分", "权重"):
        assert label in text
    sheet = selectors.score_sheet(review)
    assert sheet["mean"] == Decimal("73.67")
    flat = text.replace(" ", "")  # a line may break anywhere
    assert "平均分73.67" in flat and "极差36.00" in flat and "标准差%s" % sheet["stdev"] in flat
    assert "异常评分（加权总分偏离中位数85.00分超过15分）" in flat and "%s（50.00分）" % seats[2].expert.name in flat
    assert "异常" in documents.score_rows(review, sheet)[2] and documents.score_rows(review, sheet)[0][-1] == ""
    assert "技术路线可行" in text and "经费测算偏高" in text
    assert "专家组组长签字" in text and "年　　月　　日" in text
    assert "（尚未作出决定）" in text  # scored, not yet decided
    # The weights as percentages of their sum (the cycle's defaults: 25, 25, 20, 15, 15).
    assert "25.0" in text and "15.0" in text


def test_the_opinion_page_carries_the_decision(world, scored):
    review, _seats = scored
    services.review_decide(actor=world["city_st"], review=review, action="approve_changes", amount="75000.50",
                           opinion="专家组认为项目目标明确，同意立项。", comment="压减设备购置费")
    review = Review.objects.get(pk=review.pk)
    text = pdf_text(documents.score_sheet_html(review, world["city_st"]), documents.SHEET_CSS)
    assert "专家组认为项目目标明确，同意立项。" in text
    assert "修改后通过" in text and "75,000.50" in text and "压减设备购置费" in text
    today = timezone.localdate()
    assert "%d年%d月%d日" % (today.year, today.month, today.day) in text
    assert documents.score_sheet_pdf(review, world["city_st"]).startswith(b"%PDF")


def test_the_pdf_embeds_a_cjk_font(world, scored):
    from projects.tests.test_documents import pdf_fonts

    review, _seats = scored
    fonts = pdf_fonts(documents.score_sheet_pdf(review, world["city_st"]))
    assert any("WenQuanYi" in name or "Noto" in name or "CJK" in name for name in fonts), fonts


def test_the_score_sheet_is_refused_while_scores_are_hidden(world):
    project, _people = accepted_project(world)
    make_pool(world)
    review, _seats = start_panel(world, project)
    with pytest.raises(ValueError):
        documents.score_sheet_pdf(review, world["city_st"])


# ------------------------------------------------------------------------------------------------ ledger
def _grant(world, review, number, amount, tranches=()):
    grant = services.grant_create(actor=world["city_st"], review=review,
                                  values=grant_values(project_number=number, amount=amount))
    for paid in tranches:
        services.disbursement_add(actor=world["city_st"], grant=grant, amount=paid, paid_on=timezone.localdate(),
                                  voucher=voucher(), note="第一笔")
    return grant


@pytest.fixture
def grants(world):
    """Two city grants in 2026: 80,000.10 paid in two tranches (30,000 + 20,000.05), 60,000 not yet paid."""
    from reviews.tests.factories import extra_team, extra_town

    services.envelope_save(actor=world["city_st"], values={"fiscal_year": 2026, "budgeted": "1000000"})
    first, _project = approved_review(world, amount="80000.10")
    second, _project = approved_review(world, town=extra_town(world), team=extra_team(world), amount="60000",
                                       pool=False)
    return [_grant(world, first, "KTP-2026-4402-001", "80000.10", ("30000", "20000.05")),
            _grant(world, second, "=KTP-2026-4402-002", "60000")]


def test_the_ledger_opens_and_its_totals_add_up(world, grants):
    content = documents.ledger_xlsx(Grant.objects.all())
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["立项资助台账", "拨付明细"]
    sheet = book["立项资助台账"]
    assert sheet["A1"].value == "立项资助台账"
    headers = [cell.value for cell in sheet[2]]
    for header in ("立项编号", "项目名称", "县（市、区）", "镇", "团队", "资金年度", "资金来源", "资助金额（元）",
                   "已拨付（元）", "未拨付（元）", "立项日期", "拨付次数"):
        assert header in headers
    column = {header: index for index, header in enumerate(headers)}
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    data, total = rows[:-1], rows[-1]
    assert len(data) == 2 and total[0] == "合计"
    by_number = {row[column["立项编号"]]: row for row in data}
    first = by_number["KTP-2026-4402-001"]
    assert Decimal(str(first[column["资助金额（元）"]])) == Decimal("80000.10")
    assert Decimal(str(first[column["已拨付（元）"]])) == Decimal("50000.05")
    assert Decimal(str(first[column["未拨付（元）"]])) == Decimal("30000.05")
    assert first[column["拨付次数"]] == 2 and first[column["资金来源"]] == "市级财政科技专项资金"
    assert first[column["县（市、区）"]] == "仁化县" and first[column["资金年度"]] == 2026
    assert isinstance(first[column["立项日期"]], dt.datetime)
    # A formula-like project number is neutralised.
    assert "'=KTP-2026-4402-002" in by_number
    for header, expected in (("资助金额（元）", "140000.10"), ("已拨付（元）", "50000.05"), ("未拨付（元）", "90000.05")):
        cells = [Decimal(str(row[column[header]])) for row in data]
        assert Decimal(str(total[column[header]])) == sum(cells) == Decimal(expected)
    assert total[column["拨付次数"]] == 2
    assert sheet.freeze_panes == "A3"
    money_cell = sheet.cell(row=3, column=column["资助金额（元）"] + 1)
    assert money_cell.number_format == documents.MONEY_FORMAT
    assert sheet.column_dimensions["C"].width == documents.LEDGER_WIDTHS["项目名称"]

    tranches = book["拨付明细"]
    lines = [[cell.value for cell in row] for row in tranches.iter_rows(min_row=3)]
    assert [Decimal(str(line[4])) for line in lines[:-1]] == [Decimal("30000"), Decimal("20000.05")]
    assert lines[-1][0] == "合计" and Decimal(str(lines[-1][4])) == Decimal("50000.05")
    assert tranches.freeze_panes == "A3"


def test_the_ledger_takes_rows_and_an_empty_set(world, grants):
    one = documents.ledger_xlsx([grants[1]], title="韶关市立项资助台账")
    sheet = openpyxl.load_workbook(io.BytesIO(one))["立项资助台账"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert sheet["A1"].value == "韶关市立项资助台账" and len(rows) == 2 and rows[-1][0] == "合计"
    empty = openpyxl.load_workbook(io.BytesIO(documents.ledger_xlsx(Grant.objects.none())))["立项资助台账"]
    total = [cell.value for cell in empty[3]]
    assert total[0] == "合计" and Decimal(str(total[documents.LEDGER_HEADERS.index("资助金额（元）")])) == 0
