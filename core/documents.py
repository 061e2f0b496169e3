"""Documents in the official layout (GB/T 9704-2012): DOCX through python-docx, PDF through WeasyPrint.

Pure helpers returning bytes, no models:

* :func:`official_docx` / :func:`official_pdf` — a 公文: red issuing-body mark, document number with
  〔〕, red separator line, title, recipients, body paragraphs (headings "一、" "（一）" recognised),
  attachment note, signature and date bottom right. A4, margins top 37 mm, left 28 mm, type area
  156 mm × 225 mm.
* :func:`table_docx` — a titled table (application forms, summary tables) on A4.
* :func:`html_to_pdf` — any HTML to PDF with a CJK font that is installed here.

The machines that print these have the official fonts (仿宋_GB2312, 方正小标宋简体); the DOCX names them
and Word falls back when they are missing. PDFs are rendered here, so they use an installed CJK font.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Iterable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

__all__ = ["official_docx", "official_pdf", "official_html", "table_docx", "html_to_pdf", "format_doc_date",
           "PDF_FONT", "DOC_NUMBER_RE"]

RED = RGBColor(0xD7, 0x00, 0x0F)
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PDF_FONT = "WenQuanYi Micro Hei"
SIZE_2 = Pt(22)  # 2号
SIZE_3 = Pt(16)  # 3号
LINE = Pt(28.95)  # 22 lines in the 225 mm type area
# A4 210 × 297; type area 156 × 225 with top 37 and left 28.
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
DOC_NUMBER_RE = re.compile(r"^\S+〔\d{4}〕[1-9]\d*号$")
_HEADING_1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING_2 = re.compile(r"^（[一二三四五六七八九十]+）")


def format_doc_date(value: dt.date | str) -> str:
    """2021年10月29日 (Arabic numerals, no leading zeros), or the text as given."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _set_font(run, name: str, size, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)


def _paragraph(document, text: str, *, font: str = BODY_FONT, size=SIZE_3, align=None, indent_chars: int = 0,
               bold: bool = False, color=None, right_indent_chars: int = 0, space_before=None):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_after = Pt(0)
    fmt.space_before = space_before if space_before is not None else Pt(0)
    if indent_chars:
        fmt.first_line_indent = Pt(size.pt * indent_chars)
    if right_indent_chars:
        fmt.right_indent = Pt(size.pt * right_indent_chars)
    if align is not None:
        paragraph.alignment = align
    if text:
        _set_font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _red_rule(paragraph) -> None:
    """A red line under the paragraph: the separator below the issuing-body mark and number."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "12")
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), "D7000F")
    borders.append(bottom)
    p_pr.append(borders)


def _a4(document, *, landscape: bool = False) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value if not landscape else Mm(20))


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def official_docx(*, issuer: str, doc_number: str, title: str, recipients: str | Sequence[str],
                  paragraphs: Iterable[str], signature: str, date: dt.date | str,
                  attachments_note: str = "") -> bytes:
    """A 公文 as DOCX bytes in the GB/T 9704-2012 layout.

    ``issuer`` is the issuing body's mark (e.g. "韶关市科学技术局文件"), ``doc_number`` like
    "韶科〔2021〕85号", ``recipients`` one line or a list joined with "、", ``paragraphs`` the body
    (a paragraph starting "一、" is set as a level-1 heading, "（一）" as level 2), ``signature`` the
    issuing body at the bottom right with ``date``.
    """
    document = Document()
    _a4(document)
    _paragraph(document, issuer, font=TITLE_FONT, size=Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    _paragraph(document, "")
    number = _paragraph(document, doc_number, align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(number)
    _paragraph(document, "")
    for line in str(title).split("\n"):
        _paragraph(document, line, font=TITLE_FONT, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "")
    if recipients:
        text = recipients if isinstance(recipients, str) else "、".join(recipients)
        _paragraph(document, text.rstrip("：:") + "：")
    for text in paragraphs:
        text = str(text).strip()
        if not text:
            continue
        if _HEADING_1.match(text):
            _paragraph(document, text, font=HEADING_FONT, indent_chars=2)
        elif _HEADING_2.match(text):
            _paragraph(document, text, font=SUBHEADING_FONT, indent_chars=2)
        else:
            _paragraph(document, text, indent_chars=2)
    if attachments_note:
        _paragraph(document, "")
        _paragraph(document, attachments_note if attachments_note.startswith("附件") else "附件：" + attachments_note,
                   indent_chars=2)
    _paragraph(document, "")
    _paragraph(document, "")
    _paragraph(document, signature, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=4)
    _paragraph(document, format_doc_date(date), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=4)
    return _save(document)


def table_docx(*, title: str, headers: Sequence[str] | None, rows: Sequence[Sequence], subtitle: str = "",
               landscape: bool = False, note: str = "", column_widths_mm: Sequence[float] | None = None) -> bytes:
    """A titled table as DOCX bytes: ``headers`` (or None for a two-column form) and ``rows`` of cell text.

    A row shorter than the header is merged across the rest of the line, so forms can mix
    "label | value" rows with full-width text rows.
    """
    document = Document()
    _a4(document, landscape=landscape)
    _paragraph(document, title, font=TITLE_FONT, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    if subtitle:
        _paragraph(document, subtitle, size=Pt(12), align=WD_ALIGN_PARAGRAPH.CENTER)
    width = max([len(headers or [])] + [len(row) for row in rows] + [1])
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def add_row(values, *, bold=False):
        cells = table.add_row().cells
        values = list(values)
        if len(values) < width and values:
            cells[len(values) - 1].merge(cells[width - 1])
        for index, value in enumerate(values):
            cell = cells[index]
            cell.text = ""
            run = cell.paragraphs[0].add_run("" if value is None else str(value))
            _set_font(run, BODY_FONT if not bold else HEADING_FONT, Pt(12), bold=False)

    if headers:
        add_row(headers, bold=True)
    for row in rows:
        add_row(row)
    if column_widths_mm:
        for row in table.rows:
            for cell, width_mm in zip(row.cells, column_widths_mm):
                cell.width = Mm(width_mm)
    if note:
        _paragraph(document, note, size=Pt(10.5))
    return _save(document)


BASE_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
html { font-family: "%(font)s", sans-serif; font-size: 12pt; line-height: 1.6; }
h1 { font-size: 22pt; text-align: center; font-weight: bold; margin: 0 0 6mm; }
table { width: 100%%; border-collapse: collapse; }
th, td { border: 0.6pt solid #000; padding: 2mm; vertical-align: top; text-align: left; }
th { width: 28mm; font-weight: bold; }
.issuer { color: #d7000f; font-size: 32pt; text-align: center; letter-spacing: 2pt; }
.number { text-align: center; font-size: 16pt; padding-bottom: 3mm; border-bottom: 1.5pt solid #d7000f; }
.body p { font-size: 16pt; text-indent: 2em; margin: 0; line-height: 28.95pt; }
.sign { text-align: right; font-size: 16pt; margin-right: 4em; }
""" % {"font": PDF_FONT}


def html_to_pdf(html_text: str, *, base_url: str | None = None, css: str = "") -> bytes:
    """Render HTML to PDF bytes (A4, official margins, an installed CJK font unless ``css`` overrides)."""
    from weasyprint import CSS, HTML

    stylesheets = [CSS(string=BASE_CSS)] + ([CSS(string=css)] if css else [])
    return HTML(string=html_text, base_url=base_url).write_pdf(stylesheets=stylesheets)


def official_html(*, issuer: str, doc_number: str, title: str, recipients, paragraphs: Iterable[str],
                  signature: str, date, attachments_note: str = "") -> str:
    """The same 公文 as :func:`official_docx`, as HTML for :func:`html_to_pdf`."""
    esc = html.escape
    text = recipients if isinstance(recipients, str) else "、".join(recipients or [])
    body = "".join(f"<p>{esc(str(p).strip())}</p>" for p in paragraphs if str(p).strip())
    note = f"<p>{esc(attachments_note if attachments_note.startswith('附件') else '附件：' + attachments_note)}</p>" \
        if attachments_note else ""
    return (
        f'<html><body><div class="issuer">{esc(issuer)}</div><div class="number">{esc(doc_number)}</div>'
        f'<h1 style="margin-top:8mm">{esc(title)}</h1><div class="body">'
        f'{"<p style=text-indent:0>" + esc(text.rstrip("：:")) + "：</p>" if text else ""}{body}{note}</div>'
        f'<p class="sign" style="margin-top:16mm">{esc(signature)}</p><p class="sign">{esc(format_doc_date(date))}</p>'
        "</body></html>"
    )


def official_pdf(**kwargs) -> bytes:
    """The 公文 of :func:`official_docx` (same keyword arguments) as PDF bytes."""
    return html_to_pdf(official_html(**kwargs))
