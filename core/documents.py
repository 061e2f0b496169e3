"""Documents in the official layout (GB/T 9704-2012): DOCX through python-docx, PDF through WeasyPrint.

Pure helpers returning bytes, no models:

* :func:`official_docx` / :func:`official_pdf` — a 公文: red issuing-body mark, document number with
  〔〕, red separator line, title, recipients, body paragraphs (headings "一、" "（一）" recognised),
  attachment note, signature and date bottom right. A4, margins top 37 mm, left 28 mm, type area
  156 mm × 225 mm.
* :func:`report_docx` / :func:`report_pdf` (:func:`report_html`) — a 公文 with a structured body: headings,
  paragraphs, sanitized rich text, figures (charts from :mod:`core.charts`, photos), tables, and attachment
  tables each on its own page; page numbers "— 1 —" at the foot.
* :func:`table_docx` — a titled table (application forms, summary tables) on A4.
* :func:`html_to_pdf` — any HTML to PDF with a CJK font that is installed here.

The machines that print these have the official fonts (仿宋_GB2312, 方正小标宋简体); the DOCX names them
and Word falls back when they are missing. PDFs are rendered here, so they use an installed CJK font.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
from html.parser import HTMLParser
from typing import Iterable, Mapping, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core.sanitize import clean_html

__all__ = ["official_docx", "official_pdf", "official_html", "table_docx", "html_to_pdf", "format_doc_date",
           "report_docx", "report_pdf", "report_html", "REPORT_CSS", "PDF_FONT", "DOC_NUMBER_RE"]

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


def _save(document, *, title: str = "", author: str = "") -> bytes:
    """The DOCX bytes, with its properties saying what it is and who issued it (not the library's defaults)."""
    properties = document.core_properties
    properties.title = str(title).replace("\n", "")
    properties.author = properties.last_modified_by = str(author)
    properties.comments = ""
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
    return _save(document, title=title, author=signature)


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
    return _save(document, title=title)


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


# --- Reports: a 公文 with a structured body (headings, paragraphs, rich text, figures, tables, attachments) ---

#: "附件1：名称" / "附件：名称" — the label and the name of an attachment's title.
_ATTACHMENT_TITLE = re.compile(r"^\s*(附件\s*\d*)\s*[：:]\s*(.*)$", re.S)
TYPE_WIDTH_MM = 156
#: A figure taller than this (a portrait photo) is scaled down to it, keeping its proportions.
MAX_FIGURE_HEIGHT_MM = 190
TABLE_SIZE = Pt(10.5)  # 5号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
PAGE_NUMBER_FONT = "宋体"
_LIST_BULLET = "·"


def _text_width(text: str) -> float:
    """Width in characters of the body size: ASCII (digits in dates) counts half."""
    return sum(0.5 if ord(char) < 128 else 1 for char in text)


def _signature_indents(signature: str, date_text: str) -> tuple[float, float]:
    """Right indents (in characters) of the signature and the date: the date 右空四字, the signature centred over
    the date (GB/T 9704 7.3.5.1, a sealed single-issuer document)."""
    offset = (_text_width(date_text) - _text_width(signature)) / 2
    return max(0.0, 4 + offset), 4.0


def _attachment_parts(title: str, number: int, count: int) -> tuple[str, str]:
    """("附件1", "名称") from "附件1：名称"; a title without the label gets "附件N" (or "附件" when alone)."""
    match = _ATTACHMENT_TITLE.match(str(title or ""))
    if match:
        return re.sub(r"\s+", "", match.group(1)), match.group(2).strip()
    return ("附件" if count == 1 else f"附件{number}"), str(title or "").strip()


def _attachment_note_lines(attachments: Sequence[Mapping]) -> list[str]:
    """附件说明: "附件：名称", or "附件：1.名称" then "2.名称" … for several."""
    names = [_attachment_parts(a.get("title", ""), i, len(attachments))[1]
             for i, a in enumerate(attachments, start=1)]
    if len(names) == 1:
        return [f"附件：{names[0]}"]
    return [("附件：" if i == 1 else "") + f"{i}.{name}" for i, name in enumerate(names, start=1)]


def _cell(value) -> str:
    return "" if value is None else str(value)


def _table_shape(headers, rows) -> tuple[list[str], list[list[str]], int]:
    headers = [_cell(h) for h in (headers or [])]
    rows = [[_cell(v) for v in row] for row in (rows or [])]
    width = max([len(headers)] + [len(row) for row in rows] + [1])
    pad = lambda values: values + [""] * (width - len(values))  # noqa: E731
    return (pad(headers) if headers else []), [pad(row) for row in rows], width


def _image_mime(data: bytes) -> str | None:
    for signature, mime in ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                            (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif")):
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _add_page_number_field(paragraph, font: str, size) -> None:
    """"— N —" with N a PAGE field, in 4号 宋体 (GB/T 9704 7.5)."""
    _set_font(paragraph.add_run("— "), font, size)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    _set_font(run, font, size)
    field.append(run._r)  # moves the run into the field (its cached result)
    paragraph._p.append(field)
    _set_font(paragraph.add_run(" —"), font, size)


def _page_number_footers(document) -> None:
    """Page numbers at the foot: odd pages 右空一字, even pages 左空一字."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    section.footer_distance = Mm(25)  # the dashes about 7 mm below the type area (GB/T 9704 7.5)
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer,
                                                                        WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
        else:
            paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
        _add_page_number_field(paragraph, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


class _HtmlToDocx(HTMLParser):
    """The sanitized narrative HTML (:data:`core.sanitize.TAGS`) as DOCX paragraphs and runs in the official fonts.

    ``p`` → a body paragraph (仿宋, first line 空二字); ``h3`` → a level-2 heading (楷体); ``h4`` → a level-3
    heading (仿宋, bold); ``li`` → a paragraph starting "1." (``ol``; "（1）" when nested) or "·" (``ul``), nested
    lists indented two characters per level; ``blockquote`` → 楷体 indented two characters; ``strong`` ``em``
    ``u`` ``s`` → bold, italic, underline, strike runs; ``br`` → a line break. Anything else (nothing else passes
    the sanitizer) contributes its text only.
    """

    _MARKS = ("strong", "em", "u", "s")

    def __init__(self, document):
        super().__init__(convert_charrefs=True)
        self.document = document
        self.paragraph = None
        self.blocks: list[str] = []  # open p / h3 / h4 / li
        self.lists: list[list] = []  # [tag, counter] per open ul / ol
        self.quotes = 0
        self.prefix = ""
        self.marks = dict.fromkeys(self._MARKS, 0)
        self.paragraphs = []

    def _style(self) -> tuple[str, bool]:
        inner = next((tag for tag in reversed(self.blocks) if tag in ("h3", "h4")), None)
        if inner == "h3":
            return SUBHEADING_FONT, False
        if inner == "h4":
            return BODY_FONT, True
        return (SUBHEADING_FONT if self.quotes else BODY_FONT), False

    def _close(self) -> None:
        if self.paragraph is not None and self.paragraph.runs:
            last = self.paragraph.runs[-1]
            last.text = last.text.rstrip()
        self.paragraph = None

    def _open(self):
        font, _ = self._style()
        paragraph = _paragraph(self.document, "", font=font, indent_chars=2)
        depth = max(0, len(self.lists) - 1) + self.quotes
        if depth:
            paragraph.paragraph_format.left_indent = Pt(SIZE_3.pt * 2 * depth)
        if any(tag in ("h3", "h4") for tag in self.blocks):
            _keep_with_next(paragraph)
        if self.prefix:
            _set_font(paragraph.add_run(self.prefix), font, SIZE_3)
            self.prefix = ""
        self.paragraph = paragraph
        self.paragraphs.append(paragraph)
        return paragraph

    def handle_starttag(self, tag, attrs):
        if tag in self.marks:
            self.marks[tag] += 1
        elif tag == "br":
            if self.paragraph is not None:
                font, bold = self._style()
                run = self.paragraph.add_run()
                _set_font(run, font, SIZE_3, bold=bold)
                run.add_break()
        elif tag in ("ul", "ol"):
            self._close()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._close()
            self.blocks.append("li")
            if self.lists:
                self.lists[-1][1] += 1
                kind, number = self.lists[-1]
                if kind == "ol":
                    self.prefix = f"{number}." if len(self.lists) == 1 else f"（{number}）"
                else:
                    self.prefix = _LIST_BULLET
        elif tag == "blockquote":
            self._close()
            self.quotes += 1
        elif tag in ("p", "h3", "h4"):
            self._close()
            self.blocks.append(tag)

    def handle_endtag(self, tag):
        if tag in self.marks:
            self.marks[tag] = max(0, self.marks[tag] - 1)
        elif tag in ("ul", "ol"):
            self._close()
            self.prefix = ""
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._close()
            self.quotes = max(0, self.quotes - 1)
        elif tag in ("p", "h3", "h4", "li"):
            self._close()
            if tag in self.blocks:
                while self.blocks.pop() != tag:
                    pass
            if tag == "li":
                self.prefix = ""

    def handle_data(self, data):
        text = re.sub(r"\s+", " ", data)
        if self.paragraph is None:
            text = text.lstrip()
            if not text:
                return
            self._open()
        font, bold = self._style()
        run = self.paragraph.add_run(text)
        _set_font(run, font, SIZE_3, bold=bold or self.marks["strong"] > 0)
        if self.marks["em"]:
            run.font.italic = True
        if self.marks["u"]:
            run.font.underline = True
        if self.marks["s"]:
            run.font.strike = True

    def close(self):
        super().close()
        self._close()


def _docx_html(document, value: str) -> None:
    parser = _HtmlToDocx(document)
    parser.feed(clean_html(value))  # sanitized on save already: again here, defence in depth
    parser.close()


def _docx_image(document, data: bytes, caption: str) -> None:
    """A figure at the type width (156 mm), a portrait photo at most 190 mm high, the caption centred below."""
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image

    try:
        image = Image.from_blob(data)
        width = Mm(TYPE_WIDTH_MM)
        height = Mm(TYPE_WIDTH_MM * image.px_height / max(1, image.px_width))
        if height.mm > MAX_FIGURE_HEIGHT_MM:
            width, height = Mm(MAX_FIGURE_HEIGHT_MM * image.px_width / max(1, image.px_height)), \
                Mm(MAX_FIGURE_HEIGHT_MM)
    except (UnrecognizedImageError, ValueError, TypeError, IndexError, KeyError):
        paragraph = _paragraph(document, "（图片无法显示）", size=Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER)
    else:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line height would cut the picture
        fmt.space_before, fmt.space_after = Pt(6), Pt(0)
        paragraph.add_run().add_picture(io.BytesIO(data), width=width, height=height)
    if caption:
        _keep_with_next(paragraph)
        _paragraph(document, caption, size=Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _docx_table(document, title: str, headers, rows, *, size=TABLE_SIZE) -> None:
    """A table at the type width in 5号 (10.5 pt): the title centred above in 黑体, the header row in 黑体 and
    repeated on each page, the cells in 仿宋."""
    if title:
        _keep_with_next(_paragraph(document, title, font=HEADING_FONT, size=Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER))
    headers, rows, width = _table_shape(headers, rows)
    if not headers and not rows:
        _paragraph(document, "暂无数据", size=Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER)
        return
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def add_row(values, *, header: bool = False):
        row = table.add_row()
        if header:
            _repeat_header(row)
        for cell, value in zip(row.cells, values):
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.space_before = fmt.space_after = Pt(1)
            if header:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for index, line in enumerate(value.split("\n")):
                run = paragraph.add_run()
                _set_font(run, HEADING_FONT if header else BODY_FONT, size)
                if index:
                    run.add_break()
                run.add_text(line)
        return row

    if headers:
        add_row(headers, header=True)
    for values in rows:
        add_row(values)
    _paragraph(document, "", size=Pt(10.5))  # a little air after the table


def _docx_blocks(document, blocks: Iterable[Mapping]) -> None:
    for block in blocks or ():
        kind = block.get("kind")
        if kind == "heading":
            text = str(block.get("text", "")).strip()
            if text:
                level = block.get("level") or (2 if _HEADING_2.match(text) else 1)
                _keep_with_next(_paragraph(document, text, font=HEADING_FONT if level == 1 else SUBHEADING_FONT,
                                           indent_chars=2))
        elif kind == "paragraph":
            for line in str(block.get("text", "")).split("\n"):
                if line.strip():
                    _paragraph(document, line.strip(), indent_chars=2)
        elif kind == "html":
            _docx_html(document, block.get("html", ""))
        elif kind == "image":
            _docx_image(document, block.get("png") or b"", str(block.get("caption", "") or ""))
        elif kind == "table":
            _docx_table(document, str(block.get("title", "") or ""), block.get("headers"), block.get("rows"))
        else:
            raise ValueError(f"unknown report block kind: {kind!r}")


def report_docx(*, issuer: str, doc_number: str, title: str, recipients: str | Sequence[str] = "",
                blocks: Iterable[Mapping] = (), signature: str, date: dt.date | str,
                attachments: Sequence[Mapping] = ()) -> bytes:
    """An annual report as a 公文 in DOCX bytes, in the GB/T 9704-2012 layout of :func:`official_docx`.

    The head is that of :func:`official_docx`: red issuing-body mark ``issuer``, ``doc_number`` (e.g.
    "仁科〔2025〕3号") over the red separator line, ``title`` (2号 方正小标宋, "\\n" splits lines) and
    ``recipients`` ("…："). The body is ``blocks``, in order, each a dict:

    * ``{"kind": "heading", "text": "一、…"}`` — level 1 in 黑体; "（一）…" (or ``"level": 2``) in 楷体;
    * ``{"kind": "paragraph", "text": …}`` — body paragraphs in 3号 仿宋, first line 空二字 (one per line);
    * ``{"kind": "html", "html": …}`` — a narrative's rich text, cleaned again by :func:`core.sanitize.clean_html`
      and turned into paragraphs and runs (see :class:`_HtmlToDocx`: h3 楷体, h4 仿宋 bold, lists, quotes,
      bold / italic / underline / strike, line breaks);
    * ``{"kind": "image", "png": bytes, "caption": "图1 …"}`` — a chart or photo (PNG, JPEG or GIF) scaled to
      the 156 mm type width (at most 190 mm high), the caption centred below; unreadable bytes print
      "（图片无法显示）" instead of failing the document;
    * ``{"kind": "table", "title": …, "headers": [...], "rows": [[...]]}`` — a table in 5号 (10.5 pt).

    Then the 附件说明 ("附件：1.…" from the attachments' titles), and the signature and date: the seal (印章)
    is stamped over them, so GB/T 9704 7.3.5.1 is followed by leaving two blank body lines (≈ 20 mm) above
    ``signature``, centring the signature over ``date`` (右空四字), and keeping that space, the signature, the
    date and the last body paragraph together on one page, so the seal never falls on a page without text.
    No "（盖章）" is printed: the space is for the real seal.

    ``attachments``: ``{"title": "附件1：…", "headers": [...], "rows": [[...]]}`` each on a new page after the
    signature, laid out as GB/T 9704 8.1 says: "附件1" in 3号 黑体 on the first line at the left, the name
    centred in 2号 方正小标宋 on the third line, then the table. Page numbers "— 1 —" are in the footer (odd
    pages right, even pages left, 4号 宋体).
    """
    attachments = list(attachments or ())
    document = Document()
    _a4(document)
    _page_number_footers(document)
    _paragraph(document, issuer, font=TITLE_FONT, size=Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    _paragraph(document, "")
    _red_rule(_paragraph(document, doc_number, align=WD_ALIGN_PARAGRAPH.CENTER))
    _paragraph(document, "")
    for line in str(title).split("\n"):
        _paragraph(document, line, font=TITLE_FONT, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "")
    if recipients:
        text = recipients if isinstance(recipients, str) else "、".join(recipients)
        _paragraph(document, text.rstrip("：:") + "：")
    _docx_blocks(document, blocks)
    if attachments:
        _paragraph(document, "")
        for index, line in enumerate(_attachment_note_lines(attachments)):
            paragraph = _paragraph(document, line, indent_chars=2 if index == 0 else 0)
            if index:
                paragraph.paragraph_format.left_indent = Pt(SIZE_3.pt * 5)  # under the "1." after "附件："
    if document.paragraphs:
        _keep_with_next(document.paragraphs[-1])
    date_text = format_doc_date(date)
    signature_indent, date_indent = _signature_indents(str(signature), date_text)
    for _ in range(2):  # the seal's space: it presses on the signature and date from above
        _keep_with_next(_paragraph(document, ""))
    _keep_with_next(_paragraph(document, signature, align=WD_ALIGN_PARAGRAPH.RIGHT,
                               right_indent_chars=signature_indent))
    _paragraph(document, date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=date_indent)
    for number, attachment in enumerate(attachments, start=1):
        label, name = _attachment_parts(attachment.get("title", ""), number, len(attachments))
        first = _paragraph(document, label, font=HEADING_FONT)
        first.paragraph_format.page_break_before = True
        _paragraph(document, "")
        if name:
            _keep_with_next(_paragraph(document, name, font=TITLE_FONT, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER))
            _paragraph(document, "", size=Pt(10.5))
        _docx_table(document, "", attachment.get("headers"), attachment.get("rows"))
    return _save(document, title=title, author=issuer)


REPORT_CSS = """
body { margin: 0; }
@page :right { @bottom-right { content: "— " counter(page) " —"; font-size: 14pt; vertical-align: top;
  padding-top: 3mm; padding-right: 14pt; } }
@page :left { @bottom-left { content: "— " counter(page) " —"; font-size: 14pt; vertical-align: top;
  padding-top: 3mm; padding-left: 14pt; } }
h1.title { margin: 8mm 0 0; line-height: 1.5; }
.recipients { font-size: 16pt; margin: 28.95pt 0 0; line-height: 28.95pt; }
.body h2 { font-size: 16pt; text-indent: 2em; margin: 0; line-height: 28.95pt; font-weight: bold;
  break-after: avoid; }
.narrative h3, .narrative h4 { font-size: 16pt; text-indent: 2em; margin: 0; line-height: 28.95pt;
  break-after: avoid; }
.narrative h3, .narrative h4 { font-weight: bold; }
.narrative ul, .narrative ol { margin: 0; padding-left: 4em; }
.narrative li { font-size: 16pt; line-height: 28.95pt; }
.body .narrative li p { text-indent: 0; }
.narrative blockquote { margin: 0 0 0 2em; }
.figure { margin: 4mm 0 2mm; text-align: center; break-inside: avoid; }
.figure img { max-width: 100%; max-height: 190mm; }
.figure figcaption { font-size: 14pt; line-height: 1.6; }
.missing-image { font-size: 14pt; text-align: center; }
.rtable { margin: 3mm 0; }
.rtable .table-title { font-size: 14pt; font-weight: bold; text-align: center; text-indent: 0; margin: 0 0 2mm; }
.rtable table { font-size: 10.5pt; line-height: 1.4; }
.rtable th, .rtable td { width: auto; padding: 1mm 1.5mm; }
.rtable th { text-align: center; }
.rtable thead { display: table-header-group; }
.rtable .empty { font-size: 14pt; text-align: center; }
.body p.attachment-note { margin-top: 28.95pt; }
.body p.attachment-more { text-indent: 0; padding-left: 5em; }
.closing { break-inside: avoid; break-before: avoid; }
.seal-space { height: 57.9pt; }
.closing .sign { margin-top: 0; margin-bottom: 0; line-height: 28.95pt; text-indent: 0; }
.attachment { break-before: page; }
.attachment .label { font-size: 16pt; font-weight: bold; margin: 0; line-height: 28.95pt; }
.attachment h1 { margin: 28.95pt 0 4mm; }
"""


def _html_table(title: str, headers, rows) -> str:
    esc = html.escape
    headers, rows, _ = _table_shape(headers, rows)

    def cell(tag: str, value: str) -> str:
        return f"<{tag}>{'<br>'.join(esc(line) for line in value.split(chr(10)))}</{tag}>"

    parts = ['<div class="rtable">']
    if title:
        parts.append(f'<p class="table-title">{esc(title)}</p>')
    if not headers and not rows:
        parts.append('<p class="empty">暂无数据</p>')
    else:
        parts.append("<table>")
        if headers:
            parts.append("<thead><tr>" + "".join(cell("th", h) for h in headers) + "</tr></thead>")
        parts.append("<tbody>" + "".join("<tr>" + "".join(cell("td", v) for v in row) + "</tr>" for row in rows)
                     + "</tbody></table>")
    parts.append("</div>")
    return "".join(parts)


def _html_blocks(blocks: Iterable[Mapping]) -> str:
    esc = html.escape
    parts = []
    for block in blocks or ():
        kind = block.get("kind")
        if kind == "heading":
            text = str(block.get("text", "")).strip()
            if text:
                level = block.get("level") or (2 if _HEADING_2.match(text) else 1)
                parts.append(f'<h2 class="level-{1 if level == 1 else 2}">{esc(text)}</h2>')
        elif kind == "paragraph":
            parts.extend(f"<p>{esc(line.strip())}</p>" for line in str(block.get("text", "")).split("\n")
                         if line.strip())
        elif kind == "html":
            cleaned = clean_html(block.get("html", ""))  # sanitized on save already: again, defence in depth
            if cleaned:
                parts.append(f'<div class="narrative">{cleaned}</div>')
        elif kind == "image":
            data = block.get("png") or b""
            caption = str(block.get("caption", "") or "")
            mime = _image_mime(data)
            image = (f'<img src="data:{mime};base64,{base64.b64encode(data).decode("ascii")}" alt="">' if mime
                     else '<p class="missing-image">（图片无法显示）</p>')
            parts.append(f'<figure class="figure">{image}'
                         f'{f"<figcaption>{esc(caption)}</figcaption>" if caption else ""}</figure>')
        elif kind == "table":
            parts.append(_html_table(str(block.get("title", "") or ""), block.get("headers"), block.get("rows")))
        else:
            raise ValueError(f"unknown report block kind: {kind!r}")
    return "".join(parts)


def report_html(*, issuer: str, doc_number: str, title: str, recipients: str | Sequence[str] = "",
                blocks: Iterable[Mapping] = (), signature: str, date: dt.date | str,
                attachments: Sequence[Mapping] = ()) -> str:
    """The report of :func:`report_docx` as the HTML that :func:`report_pdf` renders (with :data:`REPORT_CSS`).

    Every text is escaped; the narratives' HTML is cleaned again by :func:`core.sanitize.clean_html`; images are
    data: URIs, so nothing is fetched.
    """
    esc = html.escape
    attachments = list(attachments or ())
    text = recipients if isinstance(recipients, str) else "、".join(recipients or [])
    title_html = "<br>".join(esc(line) for line in str(title).split("\n"))
    note = ""
    if attachments:
        lines = _attachment_note_lines(attachments)
        note = f'<p class="attachment-note">{esc(lines[0])}</p>' + "".join(
            f'<p class="attachment-more">{esc(line)}</p>' for line in lines[1:])
    date_text = format_doc_date(date)
    signature_indent, date_indent = _signature_indents(str(signature), date_text)
    parts = [
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(str(title))}</title></head>'
        f'<body><div class="issuer">{esc(issuer)}</div><div class="number">{esc(doc_number)}</div>'
        f'<h1 class="title">{title_html}</h1>',
        f'<p class="recipients">{esc(text.rstrip("：:"))}：</p>' if text else "",
        f'<div class="body">{_html_blocks(blocks)}</div>',
        f'<div class="closing body">{note}<div class="seal-space"></div>'
        f'<p class="sign" style="margin-right:{signature_indent:g}em">{esc(str(signature))}</p>'
        f'<p class="sign" style="margin-right:{date_indent:g}em">{esc(date_text)}</p></div>',
    ]
    for number, attachment in enumerate(attachments, start=1):
        label, name = _attachment_parts(attachment.get("title", ""), number, len(attachments))
        parts.append(f'<section class="attachment"><p class="label">{esc(label)}</p>'
                     f'{f"<h1>{esc(name)}</h1>" if name else ""}'
                     f'{_html_table("", attachment.get("headers"), attachment.get("rows"))}</section>')
    parts.append("</body></html>")
    return "".join(parts)


def report_pdf(**kwargs) -> bytes:
    """The report of :func:`report_docx` (same keyword arguments) as PDF bytes, page numbers "— 1 —" at the foot."""
    return html_to_pdf(report_html(**kwargs), css=REPORT_CSS)
