"""A report's documents open and say what the report says: the DOCX parsed back (python-docx), the PDF rendered to an
image and its text read (pypdfium2), the XLSX read back (openpyxl) equal to ``reports.figures.compute``; built by the
background task (immediate in tests) from the export page, and served back only to a reader of the report, for a run
of that report; script in a narrative (even one written past the sanitizing service) never reaches a document.

The world: 柑橘团队 (``leader``) active in 董塘镇 (仁化县, county-organized) since January of ``CYCLE_YEAR``, two
confirmed activities (one with a photo chosen for the typical cases), one awaiting confirmation, a confirmed stay and
a grant with cents."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from core.models import TaskRun
from fieldwork import services as field
from fieldwork.tests.factories import activity_values, day, field_pairing, photo, stay_values
from portal.testing import CYCLE_YEAR
from reports import documents, selectors, services
from reports import figures as F
from reports.models import AnnualReport
from reports.tests import factories

pytestmark = pytest.mark.django_db

YEAR = CYCLE_YEAR
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def report(world):
    pairing, people = field_pairing(world)
    first = field.activity_save(actor=world["leader"], photos=[photo()], values=activity_values(
        world, date=day(3, 15), title="贡柑黄龙病田间诊断"))
    field.record_act(actor=world["renhua_county_town"], record=first, action="confirm")
    second = field.activity_save(actor=world["leader"], values=activity_values(
        world, date=day(4, 10), title="贡柑春梢管理培训", service_type="training", people_trained=40))
    field.record_act(actor=world["renhua_county_town"], record=second, action="confirm")
    field.activity_save(actor=world["leader"], values=activity_values(world, date=day(5, 6), title="尚未确认的活动"))
    stay = field.stay_save(actor=world["leader"], values=stay_values(people[0], day(3, 1), day(3, 7)))
    field.record_act(actor=world["renhua_county_town"], record=stay, action="confirm")
    project = factories.project(pairing, "approved", dt.date(YEAR, 3, 1), dt.date(YEAR, 12, 31), demo_area_mu="12.5")
    factories.grant(project, "12345.60", "county", dt.date(YEAR, 5, 20))
    actor = world["renhua_st"]
    created = services.report_create(actor=actor, year=YEAR, level="county", county=world.renhua)
    return services.report_update(
        actor=actor, report=created, photos=list(selectors.photos_for(created)),
        achievements="<p>全年推广贡柑健康种苗，<strong>成效明显</strong>。</p>" + SCRIPT,
        typical_cases="<p>董塘镇贡柑黄龙病综合防控示范。</p>", problems="<p>部分团队驻镇时间不足。</p>",
        next_plan="<ol><li>加强驻镇管理</li></ol>")


def export(client, user, report, fmt):
    """Start the export as ``user`` from the page; the task runs at once; returns the download response."""
    client.force_login(user)
    page = client.get(reverse("reports:report_export", args=[report.pk, fmt]))
    assert page.status_code == 200 and 'data-testid="export-form"' in page.content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page.content.decode()).group(1)
    response = client.post(reverse("reports:report_export", args=[report.pk, fmt]), {"idempotency_key": key})
    assert response.status_code == 302
    run = TaskRun.objects.get(pk=resolve(response.url).kwargs["pk"], created_by=user, kind="report_export")
    assert run.result["report_id"] == report.pk and run.result["format"] == fmt
    assert run.status == TaskRun.Status.DONE and run.done == run.total == 4, run.message
    assert run.result_url == reverse("reports:report_download", args=[report.pk, run.pk])
    progress = client.get(response.url)
    assert run.result_url in progress.content.decode()
    download = client.get(run.result_url)
    assert download.status_code == 200
    return run, download


def smuggle_script(report):
    """Script in a narrative: saved through the service it is gone already; written past it (an old row, a bug), the
    documents clean it again."""
    assert "script" not in report.achievements and "alert" not in report.achievements
    AnnualReport.objects.filter(pk=report.pk).update(
        problems='<p>部分团队驻镇时间不足。</p><script>alert("x")</script><img src=x onerror="alert(2)">'
                 '<p onclick="alert(3)">经费拨付偏慢。</p>')


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_pages(content: bytes) -> tuple[list[str], object]:
    """Each page's text (whitespace removed: a title or a sentence may wrap) and page 1 as an image."""
    pdf = pdfium.PdfDocument(content)
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append("".join(textpage.get_text_range().split()))
            textpage.close()
            page.close()
        image = pdf[0].render(scale=1).to_pil()
    finally:
        pdf.close()
    return texts, image


def test_the_docx_has_the_head_title_figures_narrative_images_and_attachments(client, world, report):
    smuggle_script(report)
    run, response = export(client, world["renhua_st"], report, "docx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    title = "仁化县%d年农村科技特派员驻镇帮镇扶村工作总结（草稿）" % YEAR
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" + "%E4%BB%81%E5%8C%96%E5%8E%BF" in response["Content-Disposition"]  # 仁化县
    assert run.result["filename"] == title + ".docx"
    content = content_of(response)
    document = Document(io.BytesIO(content))
    text = docx_text(content)
    lines = [p.text for p in document.paragraphs]
    assert lines[0] == "仁化县科学技术局" and title in lines and "韶关市科学技术局：" in lines
    values = F.compute(selectors.scope_of(report))
    assert values["activities.total"] == 2 and values["activities.people_trained"] == 65
    assert "开展并经驻镇工作队确认的服务活动2次" in text and "培训65人次" in text
    assert "资助金额1.23万元" in text
    for heading in ("一、基本情况", "二、主要成效", "三、典型案例", "四、存在问题", "五、下一年度工作计划"):
        assert heading in lines
    assert "全年推广贡柑健康种苗，成效明显。" in text and "加强驻镇管理" in text
    assert "经费拨付偏慢。" in lines
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert "经费拨付偏慢" in xml and "alert" not in xml and "script" not in xml and "onerror" not in xml
    # Charts (activities by month, stationed days, grants by source) and the chosen photo, with its caption.
    assert len(document.inline_shapes) == 4
    assert any(re.match(r"^图4\s+贡柑黄龙病田间诊断（董塘镇，%d年3月15日）$" % YEAR, line) for line in lines)
    assert "附件1" in lines and "附件2" in lines and "12,345.60" in text
    today = timezone.localdate()
    assert "%d年%d月%d日" % (today.year, today.month, today.day) in lines


def test_the_pdf_renders_with_the_title_and_a_figure(client, world, report):
    smuggle_script(report)
    run, response = export(client, world["renhua_st"], report, "pdf")
    assert response["Content-Type"] == "application/pdf"
    assert run.result["filename"].endswith("（草稿）.pdf")
    texts, image = pdf_pages(content_of(response))
    assert len(texts) >= 4
    grey = image.convert("L")
    low, high = grey.getextrema()
    assert image.size[0] > 500 and low < 100 and high == 255  # ink on white paper, not a blank page
    dark = sum(grey.histogram()[:128])
    assert dark > 2000  # the red mark, the title and the body's text
    assert "仁化县科学技术局" in texts[0]
    assert "仁化县%d年农村科技特派员驻镇帮镇扶村工作总结（草稿）" % YEAR in texts[0]
    everything = "".join(texts)
    assert "开展并经驻镇工作队确认的服务活动2次" in everything
    assert "全年推广贡柑健康种苗" in everything and "经费拨付偏慢" in everything
    assert "alert" not in everything and "script" not in everything
    assert "附件1" in everything and "12,345.60" in everything


def test_the_xlsx_cells_equal_the_figures(client, world, report):
    run, response = export(client, world["renhua_st"], report, "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert run.result["filename"] == "仁化县%d年农村科技特派员驻镇帮镇扶村工作总结（草稿）_统计表.xlsx" % YEAR
    book = load_workbook(io.BytesIO(content_of(response)))
    assert book.sheetnames == ["统计表", "驻镇天数", "按月服务活动"]
    sheet = book["统计表"]
    assert [cell.value for cell in sheet[1]] == ["类别", "指标", "数值", "单位", "指标代码"]
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > 10
    scope = selectors.scope_of(report)
    expected = F.compute(scope)
    expected.update(F.day_totals(F.team_days(scope)))
    cells = {row[4].value: row[2] for row in sheet.iter_rows(min_row=2)}
    assert set(cells) == set(expected)
    for key, value in expected.items():
        cell = cells[key]
        assert isinstance(cell.value, (int, float)), key
        assert Decimal(str(cell.value)) == Decimal(str(value)), key
    assert cells["grants.amount"].value == pytest.approx(12345.6)
    assert cells["grants.amount"].number_format == "#,##0.00"
    assert cells["activities.total"].value == 2 and cells["days.total"].value == 7
    teams = book["驻镇天数"]
    assert [cell.value for cell in teams[2]][1:4] == ["柑橘团队", "董塘镇", 7]
    months = book["按月服务活动"]
    header = [cell.value for cell in months[1]]
    assert header[0] == "月份" and header[-1] == "合计（次）"
    rows = {row[0].value: [cell.value for cell in row[1:]] for row in months.iter_rows(min_row=2)}
    assert rows["3月"][-1] == 1 and rows["4月"][-1] == 1 and rows["合计"][-1] == 2


def test_downloads_are_the_readers_own_runs_of_that_report(client, world, report):
    run, _response = export(client, world["renhua_st"], report, "xlsx")
    url = reverse("reports:report_download", args=[report.pk, run.pk])
    for name in ("nanxiong_st", "city_st", "leader", "renhua_county_town", "unit"):
        client.force_login(world[name])
        assert client.get(url).status_code == 404, name
    # A run of another report, under this report's address.
    other = services.report_create(actor=world["renhua_st"], year=YEAR + 1, level="county", county=world.renhua)
    other_run, _ = export(client, world["renhua_st"], other, "xlsx")
    client.force_login(world["renhua_st"])
    assert client.get(reverse("reports:report_download", args=[report.pk, other_run.pk])).status_code == 404
    assert client.get(reverse("reports:report_download", args=[other.pk, other_run.pk])).status_code == 200
    # Exporting again replaces this user's earlier file of the report and format: its link is gone.
    again, _ = export(client, world["renhua_st"], report, "xlsx")
    assert client.get(url).status_code == 404
    url = again.result_url
    assert client.get(url).status_code == 200
    # A run still going, a made-up id.
    TaskRun.objects.filter(pk=again.pk).update(status=TaskRun.Status.RUNNING)
    assert client.get(url).status_code == 404
    unknown = reverse("reports:report_download", args=[report.pk, "00000000-0000-0000-0000-000000000000"])
    assert client.get(unknown).status_code == 404
    # Once submitted the city reads the report, and downloads its own exports of it — not the county's.
    services.report_submit(actor=world["renhua_st"], report=report)
    TaskRun.objects.filter(pk=again.pk).update(status=TaskRun.Status.DONE)
    client.force_login(world["city_st"])
    assert client.get(url).status_code == 404
    city_run, download = export(client, world["city_st"], report, "xlsx")
    assert city_run.result_url.startswith("/reports/%d/download/" % report.pk)


def test_only_readers_export_and_the_page_writes_nothing(client, world, report):
    runs = TaskRun.objects.count()
    for name in ("leader", "nanxiong_st", "city_st", "unit"):
        client.force_login(world[name])
        for fmt in ("docx", "pdf", "xlsx"):
            url = reverse("reports:report_export", args=[report.pk, fmt])
            assert client.get(url).status_code == 404, (name, fmt)
        assert client.post(url, {"idempotency_key": "k" * 16}).status_code == 404, name
    client.force_login(world["renhua_st"])
    assert client.get(reverse("reports:report_export", args=[report.pk, "doc"])).status_code == 404
    assert client.post(reverse("reports:report_export", args=[report.pk, "html"])).status_code == 404
    page = client.get(reverse("reports:report_export", args=[report.pk, "pdf"]))
    assert page.status_code == 200 and "export-draft" in page.content.decode()
    assert TaskRun.objects.count() == runs
    # The same form sent twice starts one export.
    client.post(reverse("reports:report_export", args=[report.pk, "xlsx"]), {"idempotency_key": "same-key-123"})
    again = client.post(reverse("reports:report_export", args=[report.pk, "xlsx"]), {"idempotency_key": "same-key-123"})
    assert again.status_code == 302 and TaskRun.objects.count() == runs + 1


def test_a_submitted_report_prints_its_kept_figures_number_and_date(world, report):
    services.report_update(actor=world["renhua_st"], report=report, doc_number="仁科〔%d〕3号" % (YEAR + 1))
    report = services.report_submit(actor=world["renhua_st"], report=report)
    # A record confirmed after submission changes nothing the report says.
    pairing = report_pairing(world)
    factories.activity(pairing, day(6, 1), "policy")
    data = documents.collect(AnnualReport.objects.get(pk=report.pk))
    kwargs = documents.document_kwargs(data, charts=[], photos=[])
    assert kwargs["title"] == "仁化县%d年农村科技特派员驻镇帮镇扶村工作总结" % YEAR
    assert kwargs["doc_number"] == "仁科〔%d〕3号" % (YEAR + 1)
    assert kwargs["date"] == timezone.localdate() and kwargs["issuer"] == kwargs["signature"] == "仁化县科学技术局"
    sentences = " ".join(block.get("text", "") for block in kwargs["blocks"])
    assert "服务活动2次" in sentences
    assert data.month_by_type is False and sum(data.month_series["服务活动"]) == 2  # the kept months, alone
    assert [a["title"].split("：")[0] for a in kwargs["attachments"]] == ["附件1", "附件2"]


def report_pairing(world):
    from matching.models import Pairing

    return Pairing.objects.get(town=world.renhua_county_town, team=world.team)


def test_the_city_report_goes_to_the_province_with_the_counties(world, report):
    city = services.report_create(actor=world["city_st"], year=YEAR, level="city")
    data = documents.collect(city)
    kwargs = documents.document_kwargs(data, charts=[], photos=[])
    assert kwargs["issuer"] == "韶关市科学技术局" and kwargs["recipients"] == "广东省科学技术厅"
    assert kwargs["doc_number"] == "" and kwargs["title"].endswith("（草稿）")
    titles = [a["title"] for a in kwargs["attachments"]]
    assert titles[2].startswith("附件3：") and "各县（市、区）" in titles[2]
    assert [row[0] for row in kwargs["attachments"][2]["rows"]] == ["仁化县", "南雄市"]
    book = load_workbook(io.BytesIO(documents.report_xlsx(data)))
    assert book.sheetnames == ["统计表", "驻镇天数", "按月服务活动", "各县报送情况", "分县数据"]
    parts = book["分县数据"]
    assert [cell.value for cell in parts[1]] == ["类别", "指标", "单位", "仁化县（未接收）", "南雄市（未接收）",
                                                 "市本级", "合计"]
