"""Annual-report pieces: charts as PNG with Chinese text, the report 公文 as DOCX and PDF, sanitized narratives."""
import datetime as dt
import io
import logging
import re
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from matplotlib.figure import Figure
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.formatting_structure.boxes import TextBox

from core import charts
from core.documents import BASE_CSS, REPORT_CSS, report_docx, report_html, report_pdf

A4_CHART_SIZE = (int(charts.WIDTH_MM / 25.4 * charts.DPI), int(charts.HEIGHT_MM / 25.4 * charts.DPI))
TOWNS = ["董塘镇", "周田镇", "乳源瑶族自治县大桥镇"]
EVIL = ("<p>安全的<strong>叙述</strong></p><script>alert(1)</script><img src=x onerror=alert(2)>"
        "<p><a href=\"javascript:alert(3)\">点击</a></p>")


def _report(**overrides):
    kw = dict(
        issuer="仁化县科学技术局文件", doc_number="仁科〔2025〕3号", title="仁化县2025年农村科技特派员工作年度报告",
        recipients="韶关市科学技术局", signature="仁化县科学技术局", date=dt.date(2025, 12, 30),
        blocks=[
            {"kind": "heading", "text": "一、总体情况"},
            {"kind": "paragraph", "text": "全年共开展服务活动357次。"},
            {"kind": "heading", "text": "（一）典型案例"},
            {"kind": "html", "html": "<h3>柑橘团队</h3><p>在<strong>董塘镇</strong>推广<em>新品种</em>。<br>亩产提高</p>"
                                     "<ul><li><p>技术培训</p></li></ul><ol><li>现场指导</li></ol>"},
            {"kind": "image", "png": charts.bar_chart("各镇服务次数", TOWNS[:2], {"次数": [12, 345]}),
             "caption": "图1 各镇服务次数"},
            {"kind": "table", "title": "表1 服务统计", "headers": ["镇", "次数"], "rows": [["董塘镇", 12], ["周田镇", 345]]},
        ],
        attachments=[{"title": "附件1：团队名单", "headers": ["序号", "团队"], "rows": [[1, "柑橘团队"]]}],
    )
    kw.update(overrides)
    return kw


def _pages_text(**kw) -> list[str]:
    """Each page's text as WeasyPrint lays it out for :func:`report_pdf` (poppler and pypdf are not installed)."""
    document = HTML(string=report_html(**kw)).render(stylesheets=[CSS(string=BASE_CSS), CSS(string=REPORT_CSS)])
    return ["".join(box.text for box in page._page_box.descendants() if isinstance(box, TextBox))
            for page in document.pages]


def _pdf_streams(pdf: bytes) -> bytes:
    """The PDF's bytes with its Flate streams inflated, to search in."""
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return b"\n".join(inflated)


def _png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        image.load()
        return image.size


# --- charts ---

def test_the_warning_check_catches_a_missing_chinese_glyph():
    """The control for the test below: Chinese in a font without it does warn (and so fails under "error")."""
    figure = Figure()
    figure.text(0.5, 0.5, "中文", fontfamily="DejaVu Sans")
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error")
        figure.savefig(io.BytesIO(), format="png")


def test_charts_render_chinese_without_missing_glyphs_at_an_a4_size(caplog):
    assert charts.CJK_FONT_PATH and Path(charts.CJK_FONT_PATH).is_file()
    series = {"2024年": [12, 30.5, None], "2025年": [15, 22, 8]}
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("error")
        pngs = [
            charts.bar_chart("各县（市、区）服务次数", TOWNS, series, unit="次"),
            charts.bar_chart("服务类型", TOWNS, series, stacked=True, horizontal=True, unit="次"),
            charts.line_chart("月度服务人次−对比", [f"{m}月" for m in range(1, 13)],
                              {"服务人次": [m * 10 - 30 for m in range(1, 13)]}, unit="人次"),
            charts.pie_chart("帮扶产业分布", ["水稻", "柑橘", "茶叶", "其他"], [30, 25, 0, 2]),
        ]
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")], caplog.text
    assert [_png_size(png) for png in pngs] == [A4_CHART_SIZE] * 4


def test_charts_of_empty_data_say_there_is_none_instead_of_failing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pngs = [charts.bar_chart("服务次数", [], {}), charts.bar_chart("服务次数", TOWNS, {"次数": [None] * 3}),
                charts.line_chart("人次", TOWNS, {}), charts.pie_chart("分布", ["水稻"], [0]),
                charts.pie_chart("分布", [], [])]
    assert [_png_size(png) for png in pngs] == [A4_CHART_SIZE] * 5
    # The "暂无数据" chart is the one drawn for every kind of empty data.
    assert charts.bar_chart("分布", [], {}) == charts.pie_chart("分布", [], [])


# --- the report as DOCX ---

def test_the_report_docx_has_the_head_body_blocks_seal_space_and_attachments():
    content = report_docx(**_report())
    document = Document(io.BytesIO(content))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    assert "仁化县2025年农村科技特派员工作年度报告" in texts
    assert "仁科〔2025〕3号" in texts and "韶关市科学技术局：" in texts
    heading = paragraphs[texts.index("一、总体情况")]
    assert heading.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    assert "全年共开展服务活动357次。" in texts
    # The narrative: its paragraph keeps the bold run, the line break, and the lists get their markers.
    narrative = next(p for p in paragraphs if p.text.startswith("在董塘镇推广新品种"))
    assert [r.text for r in narrative.runs if r.bold] == ["董塘镇"]
    assert [r.text for r in narrative.runs if r.italic] == ["新品种"]
    assert "\n亩产提高" in narrative.text
    assert "柑橘团队" in texts and "·技术培训" in texts and "1.现场指导" in texts
    # The inline table and the attachment's table.
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "345" in cells and "柑橘团队" in cells
    # The chart, scaled to the type width.
    assert len(document.inline_shapes) == 1
    assert round(document.inline_shapes[0].width.mm) == 156
    assert "图1 各镇服务次数" in texts
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert any(name.startswith("word/media/") and name.endswith(".png") for name in package.namelist())
        footers = "".join(package.read(n).decode() for n in package.namelist() if n.startswith("word/footer"))
    assert 'w:instr="PAGE"' in footers and "— " in footers
    # 附件说明, the seal's space, signature and date, then the attachment on its own page.
    signature = texts.index("仁化县科学技术局")
    assert texts[signature - 3:signature + 2] == ["附件：团队名单", "", "", "仁化县科学技术局", "2025年12月30日"]
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[signature - 3:signature + 1])
    label = paragraphs[texts.index("附件1")]
    assert label.paragraph_format.page_break_before and texts.index("附件1") > signature
    assert "团队名单" in texts[texts.index("附件1"):]


# --- the report as PDF ---

def test_the_report_pdf_has_the_title_the_figures_and_page_numbers():
    kw = _report()
    pdf = report_pdf(**kw)
    assert pdf.startswith(b"%PDF-")
    pages = _pages_text(**kw)
    text = "".join(pages)
    assert "仁化县2025年农村科技特派员工作年度报告" in text
    assert "345" in text and "图1 各镇服务次数" in text and "在董塘镇推广新品种" in text
    assert "— 1 —" in pages[0]
    # The attachment starts a page of its own after the signature.
    attachment = next(i for i, page in enumerate(pages) if page.startswith("附件1"))
    assert "2025年12月30日" in "".join(pages[:attachment]) and "柑橘团队" in pages[attachment]
    html = report_html(**kw)
    assert html.count("data:image/png;base64,") == 1


def test_report_text_is_escaped_in_the_html():
    html = report_html(**_report(title="<b>标题</b>", blocks=[{"kind": "paragraph", "text": "a<i>b</i>&c"}]))
    assert "&lt;b&gt;标题&lt;/b&gt;" in html and "a&lt;i&gt;b&lt;/i&gt;&amp;c" in html
    assert "<b>" not in html and "<i>" not in html


def test_scripts_handlers_and_javascript_urls_reach_neither_the_docx_nor_the_pdf():
    kw = _report(blocks=[{"kind": "html", "html": EVIL}])
    content = report_docx(**kw)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        xml = "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())
    assert "叙述" in xml and "点击" in xml
    for needle in ("alert", "onerror", "javascript", "<script"):
        assert needle not in xml.lower()
    html = report_html(**kw)
    assert "<strong>叙述</strong>" in html
    for needle in ("<script", "alert", "onerror", "javascript:", "<img src=x", "<a "):
        assert needle not in html.lower()
    pdf = report_pdf(**kw)
    streams = _pdf_streams(pdf)
    assert b"alert" not in streams and b"/JavaScript" not in streams and b"/JS" not in streams
    text = "".join(_pages_text(**kw))
    assert "叙述" in text and "alert" not in text
