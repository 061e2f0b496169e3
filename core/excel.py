"""Spreadsheets in and out, as Chinese officials really make them.

Pure functions over file-like objects (no models):

* :func:`read_table` reads .xlsx (openpyxl, read-only), legacy .xls (xlrd) and
  CSV (UTF-8 with or without BOM, else GBK/GB18030), finds the header row
  below any title rows, fills merged cells down, converts codes typed as
  numbers and dates typed as text, and reports every problem as a
  :class:`RowError` naming the spreadsheet row and the column header.
* :func:`export_rows` / :func:`write_workbook` write .xlsx with a bold,
  frozen header and every formula-like text neutralised.
* :func:`make_template` writes an import template with an instructions
  sheet (说明) and drop-down lists.

Memory is bounded before openpyxl sees a workbook (:func:`_check_xlsx_package`):
the parts may unpack to at most ``EXCEL_MAX_UNCOMPRESSED_BYTES`` (a zip bomb is
refused from the sizes in the zip directory, which Python's zipfile also holds
the data to), and the shared strings and sheets are streamed through expat in
64 KB pieces, counting characters without keeping them, so a cell longer than
``EXCEL_MAX_CELL_CHARS`` is refused (naming its cell) as soon as the count
passes the cap, before openpyxl would build its shared-strings table.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from xml.etree import ElementTree
from xml.parsers import expat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import openpyxl
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

__all__ = [
    "ColumnSpec",
    "ParsedTable",
    "RowError",
    "SheetData",
    "export_rows",
    "make_template",
    "neutralise",
    "normalize_header",
    "read_table",
    "write_workbook",
]

KINDS = ("text", "int", "decimal", "date", "code", "choice", "multi")


def _interpolate(message: Any, params: dict[str, Any]) -> str:
    return str(message) % params


# Keeps %-style messages lazy until rendered (``lazy % params`` would translate now).
format_message = lazy(_interpolate, str)


# --------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """One expected column of an imported table.

    ``choices`` may be plain strings or Django-style ``(value, label)`` pairs;
    a cell may hold either the value or the label and the value is returned.
    """

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    kind: str = "text"
    choices: Sequence[Any] | None = None
    max_length: int | None = None
    help_text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError("a 'choice' column needs choices")

    def choice_pairs(self) -> list[tuple[str, str]]:
        """Return the choices as ``(value, label)`` string pairs."""
        pairs = []
        for choice in self.choices or ():
            if isinstance(choice, (tuple, list)) and len(choice) == 2:
                pairs.append((str(choice[0]), str(choice[1])))
            else:
                pairs.append((str(choice), str(choice)))
        return pairs


@dataclass(frozen=True)
class RowError:
    """A problem in the file: ``row`` is the spreadsheet row number, ``column`` the header."""

    row: int | None
    column: str | None
    message: Any

    def __str__(self) -> str:
        message = str(self.message)
        if self.row is not None and self.column:
            return str(
                format_message(
                    _("第%(row)d行 “%(column)s”：%(message)s"),
                    {"row": self.row, "column": self.column, "message": message},
                )
            )
        if self.row is not None:
            return str(format_message(_("第%(row)d行：%(message)s"), {"row": self.row, "message": message}))
        if self.column:
            return str(
                format_message(_("“%(column)s”列：%(message)s"), {"column": self.column, "message": message})
            )
        return message


@dataclass
class ParsedTable:
    """The outcome of :func:`read_table`.

    ``rows`` holds only the rows without errors (dicts keyed by
    ``ColumnSpec.key``), ``row_numbers`` their spreadsheet row numbers.
    Any file-level error (not Excel, too many rows, missing columns) leaves
    ``rows`` empty.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    header_row: int | None = None
    sheet_name: str | None = None

    @property
    def ok(self) -> bool:
        """True when the file had no errors at all."""
        return not self.errors

    def error_messages(self) -> list[str]:
        """The errors rendered as Chinese sentences."""
        return [str(error) for error in self.errors]


@dataclass
class SheetData:
    """One sheet to write: a title, a header row and data rows."""

    title: str
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] | None = None


# --------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------

MSG_EMPTY_FILE = _("文件为空，请选择填写好的表格。")
MSG_NOT_EXCEL = _("文件不是有效的Excel文件，请另存为.xlsx格式后重新上传。")
MSG_ENCRYPTED = _("文件不是有效的Excel文件，或设置了打开密码，请取消密码并另存为.xlsx后重新上传。")
MSG_UNSUPPORTED = _("不支持该文件类型，请上传.xlsx、.xls或.csv文件。")
MSG_BINARY_CSV = _("文件不是有效的CSV文本文件，请上传.xlsx、.xls或.csv文件。")
MSG_TOO_MANY_ROWS = _("表格数据超过%(limit)d行，一次最多导入%(limit)d行，请分批导入。")
MSG_NO_HEADER = _("在表格前%(rows)d行中没有找到表头，应包含以下列：%(columns)s。")
MSG_MISSING_COLUMNS = _("缺少必填列：%(columns)s。请使用导入模板，不要修改表头。")
MSG_REQUIRED = _("不能为空")
MSG_FORMULA = _("单元格%(cell)s是公式，请复制后“选择性粘贴”为数值")
MSG_CELL_ERROR = _("单元格%(cell)s是错误值%(value)s，请改为正确的内容")
MSG_TOO_LONG = _("不能超过%(max)d个字（现有%(length)d个字）")
MSG_INT = _("应为整数，现为“%(value)s”")
MSG_DECIMAL = _("应为数字，现为“%(value)s”")
MSG_DATE = _("日期格式不正确（“%(value)s”），应如2021-12-31或2021年12月31日")
MSG_CODE_PRECISION = _("数字位数过多，Excel已丢失精度，请把该列设置为文本格式后重新填写")
MSG_CODE_FRACTION = _("代码不能有小数，现为“%(value)s”")
MSG_CHOICE = _("“%(value)s”不是可选值，应为以下之一：%(choices)s")
MSG_DATE_RANGE = _("日期应在%(min)s至%(max)s之间（现为%(value)s），请检查年份")
MSG_UNPACKED_TOO_LARGE = _(
    "文件解压后超过%(limit)d MB，不像正常的数据表（可能含有异常内容），请删除多余的工作表和格式后另存为.xlsx重新上传。"
)
MSG_CELL_TOO_LONG = _("单元格%(cell)s（工作表“%(sheet)s”）超过%(max)d个字，请精简到%(max)d字以内后重新上传。")
MSG_TEXT_TOO_LONG = _("表格中有超过%(max)d个字的文字（未找到所在单元格），请精简后重新上传。")
MSG_CSV_CELL_TOO_LONG = _("有单元格超过%(max)d个字，请精简后重新上传。")

DEFAULT_MAX_CELL_CHARS = 5000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)

EXCEL_ERROR_VALUES = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!")
)

_HEADER_JUNK_RE = re.compile(r"[\s*＊]+|[（(](?:必填|选填|必填项|选填项)[）)]")
_MULTI_SPLIT_RE = re.compile(r"[；;、,，/\s]+")
_NUMERIC_CODE_RE = re.compile(r"^[+]?\d+(?:\.\d*)?(?:[eE][+]?\d+)?$")
_DATE_TEXT_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MERGE_REF_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xltx", ".et", ".ett")
_TEXT_EXTENSIONS = (".csv", ".txt", ".tsv", "")
_MAX_MERGE_COLUMNS = 256


class _FileRefused(Exception):
    """A file-level problem that stops reading (``row`` when it can be named)."""

    def __init__(self, message: Any, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


class _CellProblem(Exception):
    """A cell value that cannot be converted."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


def normalize_header(value: Any) -> str:
    """Strip spaces, full-width spaces, newlines, '*' markers and "(必填)" from a header cell."""
    if value is None:
        return ""
    return _HEADER_JUNK_RE.sub("", str(value)).casefold()


# --------------------------------------------------------------------------
# Cell converters: each takes a non-empty value and returns the clean value
# or raises _CellProblem.
# --------------------------------------------------------------------------


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _convert_code(value: Any) -> str:
    if isinstance(value, str):
        text = value.replace(" ", "").replace("\u3000", "").lstrip("'")
        if "." in text or "e" in text or "E" in text:
            if _NUMERIC_CODE_RE.match(text):
                number = Decimal(text)
                if number != number.to_integral_value():
                    raise _CellProblem(format_message(MSG_CODE_FRACTION, {"value": value}))
                return str(int(number))
        return text
    if isinstance(value, bool):
        raise _CellProblem(format_message(MSG_CODE_FRACTION, {"value": value}))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise _CellProblem(format_message(MSG_CODE_FRACTION, {"value": value}))
        if abs(value) >= 1e15:
            raise _CellProblem(MSG_CODE_PRECISION)
        return str(int(value))
    return _to_text(value)


def _convert_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellProblem(format_message(MSG_INT, {"value": value}))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _CellProblem(format_message(MSG_INT, {"value": value}))
    text = str(value).replace(",", "").replace("，", "").replace(" ", "")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _CellProblem(format_message(MSG_INT, {"value": value})) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise _CellProblem(format_message(MSG_INT, {"value": value}))
    return int(number)


def _convert_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _CellProblem(format_message(MSG_DECIMAL, {"value": value}))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).replace(",", "").replace("，", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _CellProblem(format_message(MSG_DECIMAL, {"value": value})) from None
    if not number.is_finite():
        raise _CellProblem(format_message(MSG_DECIMAL, {"value": value}))
    return number


def _date_from_parts(year: str | int, month: str | int, day: str | int, original: Any) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise _CellProblem(format_message(MSG_DATE, {"value": original})) from None


def _convert_date(value: Any) -> dt.date:
    day = _parse_date(value)
    if not DATE_MIN <= day <= DATE_MAX:
        raise _CellProblem(
            format_message(MSG_DATE_RANGE, {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat(),
                                            "value": day.isoformat()})
        )
    return day


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            text = str(int(value))
            return _date_from_parts(text[:4], text[4:6], text[6:], value)
        if 1 <= value < 2958466:
            # A date serial in a cell without a date format.
            return from_excel(value).date()
        raise _CellProblem(format_message(MSG_DATE, {"value": _number_text(value)}))
    text = str(value)
    match = _DATE_TEXT_RE.match(text) or _DATE_COMPACT_RE.match(text)
    if match is None:
        raise _CellProblem(format_message(MSG_DATE, {"value": value}))
    return _date_from_parts(*match.groups(), value)


def _choice_lookup(spec: ColumnSpec) -> tuple[dict[str, str], str]:
    lookup: dict[str, str] = {}
    labels = []
    for choice_value, label in spec.choice_pairs():
        lookup.setdefault(choice_value.strip().casefold(), choice_value)
        lookup.setdefault(label.strip().casefold(), choice_value)
        labels.append(label)
    return lookup, "、".join(labels)


def _make_converter(spec: ColumnSpec) -> Callable[[Any], Any]:
    """Build the converter for one column, with choices and length limits bound in."""
    kind = spec.kind
    max_length = spec.max_length

    if kind == "text":
        if max_length is None:
            return _to_text

        def convert_text(value: Any) -> str:
            text = _to_text(value)
            if len(text) > max_length:
                raise _CellProblem(format_message(MSG_TOO_LONG, {"max": max_length, "length": len(text)}))
            return text

        return convert_text
    if kind == "code":
        if max_length is None:
            return _convert_code

        def convert_code(value: Any) -> str:
            text = _convert_code(value)
            if len(text) > max_length:
                raise _CellProblem(format_message(MSG_TOO_LONG, {"max": max_length, "length": len(text)}))
            return text

        return convert_code
    if kind == "int":
        return _convert_int
    if kind == "decimal":
        return _convert_decimal
    if kind == "date":
        return _convert_date

    lookup, allowed = _choice_lookup(spec) if spec.choices else ({}, "")

    if kind == "choice":

        def convert_choice(value: Any) -> str:
            text = _to_text(value).strip()
            try:
                return lookup[text.casefold()]
            except KeyError:
                raise _CellProblem(format_message(MSG_CHOICE, {"value": text, "choices": allowed})) from None

        return convert_choice

    def convert_multi(value: Any) -> list[str]:
        items: list[str] = []
        for part in _MULTI_SPLIT_RE.split(_to_text(value)):
            if not part:
                continue
            if lookup:
                try:
                    part = lookup[part.casefold()]
                except KeyError:
                    raise _CellProblem(format_message(MSG_CHOICE, {"value": part, "choices": allowed})) from None
            if part not in items:
                items.append(part)
        return items

    return convert_multi


# --------------------------------------------------------------------------
# Sources: each yields (row_number, values, raw_values) for every physical row.
# ``raw_values`` is the row before merged cells were filled in.
# --------------------------------------------------------------------------

RowSource = Iterator[tuple[int, Sequence[Any], Sequence[Any]]]


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index


def _fill_plan(
    ranges: Iterable[tuple[int, int, int, int]], *, last_row: int
) -> tuple[dict[int, list[tuple[int, tuple[int, int]]]], dict[int, list[int]]]:
    """Turn merged ranges (1-based min_col, min_row, max_col, max_row) into a fill plan.

    Only ranges spanning several rows are filled (a town merged down the
    rows); single-row merges (titles, grouped headers) are left alone.
    Returns ``{row: [(col0, (anchor_row, anchor_col0)), ...]}`` and the
    anchors to remember, ``{anchor_row: [anchor_col0, ...]}``; columns are 0-based.
    """
    plan: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    anchors: dict[int, list[int]] = {}
    for min_col, min_row, max_col, max_row in ranges:
        if max_row <= min_row or min_row > last_row:
            continue
        max_row = min(max_row, last_row)
        max_col = min(max_col, min_col + _MAX_MERGE_COLUMNS)
        anchor = (min_row, min_col - 1)
        anchors.setdefault(min_row, []).append(min_col - 1)
        for row in range(min_row, max_row + 1):
            targets = plan.setdefault(row, [])
            for col in range(min_col - 1, max_col):
                if (row, col) != anchor:
                    targets.append((col, anchor))
    return plan, anchors


def _apply_fill(
    rows: Iterable[tuple[int, Sequence[Any]]],
    plan: dict[int, list[tuple[int, tuple[int, int]]]],
    anchors: dict[int, list[int]],
) -> RowSource:
    if not plan:
        for row_number, values in rows:
            yield row_number, values, values
        return
    anchor_values: dict[tuple[int, int], Any] = {}
    for row_number, values in rows:
        if row_number in anchors:
            width = len(values)
            for col in anchors[row_number]:
                anchor_values[(row_number, col)] = values[col] if col < width else None
        targets = plan.get(row_number)
        if targets is None:
            yield row_number, values, values
            continue
        filled = list(values)
        width = len(filled)
        for col, anchor in targets:
            if col >= width:
                filled.extend([None] * (col + 1 - width))
                width = col + 1
            filled[col] = anchor_values.get(anchor)
        yield row_number, filled, values


def _xlsx_merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """Read the merged ranges of a sheet straight from its XML.

    ``<mergeCells>`` follows ``<sheetData>``, so the stream is decompressed
    (cheap, in C) and only the tail after the first ``mergeCell`` is regex-parsed.
    """
    path = path.lstrip("/")
    chunk_size = 1 << 20
    tail = b""
    with archive.open(path) as source:
        while True:
            chunk = source.read(chunk_size)
            if not chunk:
                return []
            buffer = tail + chunk
            position = buffer.find(b"mergeCell")
            if position >= 0:
                text = buffer[max(0, position - 16) :] + source.read()
                break
            tail = buffer[-32:]
    ranges = []
    for first_col, first_row, last_col, last_row in _MERGE_REF_RE.findall(text):
        last_col = last_col or first_col
        last_row = last_row or first_row
        ranges.append((_column_index(first_col), int(first_row), _column_index(last_col), int(last_row)))
    return ranges


# --------------------------------------------------------------------------
# Bounding memory before openpyxl opens a package
# --------------------------------------------------------------------------

_SCAN_CHUNK = 64 * 1024
# No start tag, attribute, comment or declaration in a workbook is near this long; expat would buffer it whole.
_PENDING_TOKEN_LIMIT = 1024 * 1024
_SMALL_PART_LIMIT = 4 * 1024 * 1024
# What the cheap sheet check cannot rule out: rich-text runs (a text split into pieces), and CDATA, comments
# and processing instructions (which may contain '<').
_FULL_SCAN_RE = re.compile(rb"<(?:[\w.-]+:)?r[\s/>]|<!|<\?(?!xml[\s?])")


class _LongText(Exception):
    """Counting stopped: a text passed the cap (``cell`` is its reference when known)."""

    def __init__(self, cell: str | None = None, row: int | None = None, shared_index: int | None = None) -> None:
        super().__init__(cell)
        self.cell = cell
        self.row = row
        self.shared_index = shared_index


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _refuse_doctype(*_args: Any) -> None:
    raise _FileRefused(MSG_NOT_EXCEL)  # workbooks never declare a DTD (entity expansion)


def _stream_xml(archive: zipfile.ZipFile, path: str, start: Callable, end: Callable, text: Callable) -> None:
    """Feed one part to expat in small pieces; text arrives in pieces too and is never joined."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = False
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = _refuse_doctype
    fed = 0
    with archive.open(path) as source:
        while True:
            chunk = source.read(_SCAN_CHUNK)
            if not chunk:
                break
            parser.Parse(chunk, False)
            fed += len(chunk)
            # CurrentByteIndex is where the last event began: what lies beyond is one token expat is buffering.
            if fed - max(parser.CurrentByteIndex, 0) > _PENDING_TOKEN_LIMIT:
                raise _FileRefused(MSG_NOT_EXCEL)
    parser.Parse(b"", True)


class _SharedStringsScan:
    """Count each shared string's characters (runs included, phonetic guides not); stop at the first long one."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.index = -1
        self.length = 0
        self.in_text = 0
        self.in_phonetic = 0

    def start(self, name: str, _attrs: dict) -> None:
        local = _local(name)
        if local == "si":
            self.index += 1
            self.length = 0
        elif local == "t":
            self.in_text += 1
        elif local == "rPh":
            self.in_phonetic += 1

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "t":
            self.in_text -= 1
        elif local == "rPh":
            self.in_phonetic -= 1

    def text(self, data: str) -> None:
        if self.in_text and not self.in_phonetic:
            self.length += len(data)
            if self.length > self.cap:
                raise _LongText(shared_index=self.index)


class _SheetScan:
    """Find a cell whose value, formula or inline text passes the cap, or that uses a long shared string."""

    def __init__(self, cap: int, long_shared: int | None) -> None:
        self.cap = cap
        self.long_shared = long_shared
        self.row = 0
        self.col = 0
        self.kind = "n"
        self.field: str | None = None  # "v", "f" or "t" (inline text) while inside one
        self.length = 0  # of the current v or f
        self.inline = 0  # characters of the current cell's inline string
        self.digits: list[str] = []
        self.in_phonetic = 0

    def _long(self) -> _LongText:
        return _LongText(cell=f"{get_column_letter(min(max(self.col, 1), 16384))}{self.row}", row=self.row)

    def start(self, name: str, attrs: dict) -> None:
        local = _local(name)
        if local == "row":
            try:
                self.row = int(attrs["r"])
            except (KeyError, ValueError):
                self.row += 1
            self.col = 0
        elif local == "c":
            ref = attrs.get("r")
            letters = ref.rstrip("0123456789") if ref else ""
            if letters and letters.isascii() and letters.isalpha() and len(letters) <= 3:
                self.col = _column_index(letters.upper().encode())
                if ref[len(letters):].isdigit():
                    self.row = int(ref[len(letters):])
            else:
                self.col += 1
            self.kind = attrs.get("t", "n")
            self.inline = 0
        elif local in ("v", "f"):
            self.field = local
            self.length = 0
            self.digits = []
        elif local == "t" and not self.in_phonetic:
            self.field = "t"
        elif local == "rPh":
            self.in_phonetic += 1

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "v" and self.kind == "s" and self.long_shared is not None:
            try:
                index = int("".join(self.digits))
            except ValueError:
                index = -1
            if index == self.long_shared:
                raise self._long()
        if local in ("v", "f", "t"):
            self.field = None
        elif local == "rPh":
            self.in_phonetic -= 1

    def text(self, data: str) -> None:
        field = self.field
        if field is None:
            return
        if field == "t":
            self.inline += len(data)
            if self.inline > self.cap:
                raise self._long()
            return
        self.length += len(data)
        if self.length > self.cap:
            raise self._long()
        if field == "v" and len(self.digits) < 24:
            self.digits.append(data)


def _small_xml(archive: zipfile.ZipFile, path: str) -> Any:
    info = archive.getinfo(path)
    if info.file_size > _SMALL_PART_LIMIT:
        raise ValueError("not a small part")  # read by name instead
    data = archive.read(path)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _FileRefused(MSG_NOT_EXCEL)
    return ElementTree.fromstring(data)


def _rels_targets(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{relationship id: (type, part path)} of one part."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    targets = {}
    for rel in _small_xml(archive, rels_path):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        targets[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return targets


def _package_parts(archive: zipfile.ZipFile) -> tuple[list[str], list[tuple[str, str]]]:
    """(shared-strings parts, [(sheet name, sheet part)]) as the package declares them, as openpyxl finds them.

    What cannot be read from the declarations is taken from the usual part names as well, so a part openpyxl
    would load is never left unchecked; a package openpyxl cannot open is refused by openpyxl afterwards.
    """
    names = set(archive.namelist())
    shared = {name for name in names if posixpath.basename(name).lower() == "sharedstrings.xml"}
    by_name = [(name, name) for name in sorted(names) if name.startswith("xl/worksheets/") and name.endswith(".xml")]
    try:
        workbook = "xl/workbook.xml"
        for kind, path in _rels_targets(archive, "").values():
            if kind.endswith("/officeDocument"):
                workbook = path
        targets = _rels_targets(archive, workbook)
    except _FileRefused:
        raise
    except Exception:  # noqa: BLE001 - no readable relationships: the usual names
        return sorted(shared), by_name
    shared |= {path for kind, path in targets.values() if kind.endswith("/sharedStrings") and path in names}
    declared = {rel_id: path for rel_id, (kind, path) in targets.items()
                if kind.endswith("/worksheet") and path in names}
    sheets: list[tuple[str, str]] = []
    try:
        for element in _small_xml(archive, workbook).iter():
            if _local(element.tag) == "sheet":
                # r:id, in the transitional or the strict namespace
                rel_id = next((value for key, value in element.attrib.items() if key.endswith("}id")), "")
                if rel_id in declared:
                    sheets.append((element.get("name") or declared[rel_id], declared[rel_id]))
    except _FileRefused:
        raise
    except Exception:  # noqa: BLE001 - names are only for the message
        pass
    listed = {path for _name, path in sheets}
    sheets += [(path, path) for path in sorted(set(declared.values()) - listed)]
    return sorted(shared), sheets or by_name


def _may_hold_long_text(archive: zipfile.ZipFile, path: str, cap: int) -> bool:
    """Cheap pre-check of a sheet: could it hold a text (or tag) longer than ``cap`` characters?

    Such a text (or tag) is at least ``cap`` bytes without a '<', so it covers a whole aligned window of
    ``cap // 2`` bytes; finding a '<' in every window (a C-level find) rules it out. Rich-text runs,
    CDATA, comments and processing instructions always get the full scan.
    """
    window = max(cap // 2, 16)
    carry = b""
    tail = b""
    with archive.open(path) as source:
        while True:
            chunk = source.read(1024 * 1024)
            if not chunk:
                return False
            if _FULL_SCAN_RE.search(tail + chunk):
                return True
            tail = chunk[-16:]
            data = carry + chunk
            whole = len(data) - len(data) % window
            for start in range(0, whole, window):
                if data.find(b"<", start, start + window) < 0:
                    return True
            carry = data[whole:]


def _check_xlsx_package(file: IO[bytes], *, max_cell_chars: int, max_unpacked_bytes: int) -> None:
    """Refuse a workbook that unpacks too large or holds a text longer than ``max_cell_chars``, naming the cell.

    Runs before openpyxl, which would build every shared string in memory. Nothing here keeps text: shared
    strings and sheets are streamed and only counted, and counting stops at the cap.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > max_unpacked_bytes:
                limit = max_unpacked_bytes // (1024 * 1024)
                raise _FileRefused(format_message(MSG_UNPACKED_TOO_LARGE, {"limit": limit}))
            shared, sheets = _package_parts(archive)
            long_shared = None
            for path in shared:
                scan = _SharedStringsScan(max_cell_chars)
                try:
                    _stream_xml(archive, path, scan.start, scan.end, scan.text)
                except _LongText as long:
                    long_shared = long.shared_index
                    break
            for name, path in sheets:
                if long_shared is None and not _may_hold_long_text(archive, path, max_cell_chars):
                    continue
                sheet_scan = _SheetScan(max_cell_chars, long_shared)
                try:
                    _stream_xml(archive, path, sheet_scan.start, sheet_scan.end, sheet_scan.text)
                except _LongText as long:
                    params = {"cell": long.cell, "sheet": name, "max": max_cell_chars}
                    message = format_message(MSG_CELL_TOO_LONG, params)
                    raise _FileRefused(message, row=long.row) from None
            if long_shared is not None:
                raise _FileRefused(format_message(MSG_TEXT_TOO_LONG, {"max": max_cell_chars}))
    except _FileRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, expat.ExpatError, ElementTree.ParseError, EOFError, KeyError,
            ValueError, OSError, NotImplementedError, RuntimeError):
        raise _FileRefused(MSG_NOT_EXCEL) from None
    finally:
        file.seek(0)


def _open_xlsx(file: IO[bytes]) -> Any:
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for broken packages
        raise _FileRefused(MSG_NOT_EXCEL) from None


def _xlsx_sheet_rows(sheet: Any) -> Iterator[tuple[int, Sequence[Any]]]:
    # Dimensions were reset, so rows start at 1 and gaps come as empty tuples.
    return enumerate(sheet.iter_rows(values_only=True), start=1)


def _pick_sheet(
    candidates: Sequence[tuple[Any, Callable[[], Iterator[tuple[int, Sequence[Any]]]]]],
    columns: Sequence[ColumnSpec],
    header_search_rows: int,
) -> Any:
    """Pick the sheet whose header matches the columns best (the first on ties)."""
    if len(candidates) == 1:
        return candidates[0][0]
    best, best_score = candidates[0][0], -1
    for sheet, opener in candidates:
        head = []
        for row_number, values in opener():
            if row_number > header_search_rows:
                break
            head.append((row_number, values))
        score = _find_header(head, columns)[0]
        if score > best_score:
            best, best_score = sheet, score
    return best


def _xlsx_source(
    file: IO[bytes], *, columns: Sequence[ColumnSpec], max_rows: int, header_search_rows: int, sheet: str | None
) -> tuple[RowSource, str, Callable[[], None]]:
    workbook = _open_xlsx(file)
    try:
        sheets = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        sheets = sheets or list(workbook.worksheets)
        if not sheets:
            raise _FileRefused(MSG_NOT_EXCEL)
        if sheet is not None:
            chosen = workbook[sheet]
        else:
            chosen = _pick_sheet(
                [(ws, lambda ws=ws: _xlsx_sheet_rows(ws)) for ws in sheets], columns, header_search_rows
            )
        last_allowed_row = max_rows + header_search_rows
        if chosen.max_row is not None and chosen.max_row > last_allowed_row:
            raise _FileRefused(format_message(MSG_TOO_MANY_ROWS, {"limit": max_rows}))
        # Some writers store a wrong <dimension>; openpyxl would truncate to it.
        chosen.reset_dimensions()
        ranges = _xlsx_merged_ranges(workbook._archive, chosen._worksheet_path)
        plan, anchors = _fill_plan(ranges, last_row=last_allowed_row + 1)
        source = _apply_fill(_xlsx_sheet_rows(chosen), plan, anchors)
        return source, chosen.title, workbook.close
    except _FileRefused:
        workbook.close()
        raise
    except Exception:
        workbook.close()
        raise _FileRefused(MSG_NOT_EXCEL) from None


def _xls_source(
    data: bytes, *, columns: Sequence[ColumnSpec], max_rows: int, header_search_rows: int, sheet: str | None
) -> tuple[RowSource, str, Callable[[], None]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:
        raise _FileRefused(MSG_ENCRYPTED) from None
    try:
        sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
        visible = [s for s in sheets if getattr(s, "visibility", 0) == 0] or sheets
        if not visible:
            raise _FileRefused(MSG_NOT_EXCEL)
        if sheet is not None:
            chosen = book.sheet_by_name(sheet)
        else:
            chosen = _pick_sheet(
                [(s, lambda s=s: _xls_sheet_rows(s, book.datemode)) for s in visible], columns, header_search_rows
            )
        if chosen.nrows > max_rows + header_search_rows:
            raise _FileRefused(format_message(MSG_TOO_MANY_ROWS, {"limit": max_rows}))
        ranges = [(clo + 1, rlo + 1, chi, rhi) for rlo, rhi, clo, chi in chosen.merged_cells]
        plan, anchors = _fill_plan(ranges, last_row=chosen.nrows)
        source = _apply_fill(_xls_sheet_rows(chosen, book.datemode), plan, anchors)
        return source, chosen.name, book.release_resources
    except _FileRefused:
        book.release_resources()
        raise
    except Exception:
        book.release_resources()
        raise _FileRefused(MSG_NOT_EXCEL) from None


def _xls_sheet_rows(sheet: Any, datemode: int) -> Iterator[tuple[int, Sequence[Any]]]:
    import xlrd
    from xlrd.biffh import error_text_from_code

    for index in range(sheet.nrows):
        values = sheet.row_values(index)
        types = sheet.row_types(index)
        for col, cell_type in enumerate(types):
            if cell_type == xlrd.XL_CELL_EMPTY or cell_type == xlrd.XL_CELL_BLANK:
                values[col] = None
            elif cell_type == xlrd.XL_CELL_DATE:
                try:
                    values[col] = xlrd.xldate_as_datetime(values[col], datemode)
                except Exception:  # noqa: BLE001 - an impossible serial stays a number
                    pass
            elif cell_type == xlrd.XL_CELL_ERROR:
                values[col] = error_text_from_code.get(values[col], "#VALUE!")
            elif cell_type == xlrd.XL_CELL_BOOLEAN:
                values[col] = bool(values[col])
        yield index + 1, values


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _csv_source(
    file: IO[bytes], *, filename: str, max_cell_chars: int = DEFAULT_MAX_CELL_CHARS
) -> tuple[RowSource, str, Callable[[], None]]:
    sample = file.read(64 * 1024)
    file.seek(0)
    if b"\x00" in sample:
        raise _FileRefused(MSG_BINARY_CSV)
    encoding = _detect_encoding(sample)
    delimiter = _csv_delimiter(file)

    def rows() -> RowSource:
        try:
            yield from _csv_rows(file, encoding, delimiter, max_cell_chars)
        except UnicodeDecodeError:
            if encoding == "gb18030":
                raise _FileRefused(MSG_BINARY_CSV) from None
            # Non-UTF-8 bytes after the sample: start again as GB18030 (a GBK superset).
            raise _RestartAsGb18030 from None

    return rows(), filename, lambda: None


class _RestartAsGb18030(Exception):
    """The CSV looked like UTF-8 at first but is not."""


def _csv_rows(
    file: IO[bytes], encoding: str, delimiter: str, max_cell_chars: int = DEFAULT_MAX_CELL_CHARS
) -> RowSource:
    file.seek(0)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    number = 0
    try:
        for number, values in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            yield number, values, values
    except csv.Error as error:
        if "field larger than field limit" not in str(error):
            raise
        # The csv module stops a field at csv.field_size_limit() characters (131,072), far above the cap.
        raise _FileRefused(format_message(MSG_CSV_CELL_TOO_LONG, {"max": max_cell_chars}), row=number + 1) from None
    finally:
        text.detach()


# --------------------------------------------------------------------------
# The shared pipeline
# --------------------------------------------------------------------------


def _find_header(
    head: Sequence[tuple[int, Sequence[Any]]], columns: Sequence[ColumnSpec]
) -> tuple[int, int | None, dict[str, int]]:
    """Return (matches, header row number, {key: column index}) for the best header row."""
    names = [
        (spec.key, {normalize_header(spec.header), *(normalize_header(alias) for alias in spec.aliases)})
        for spec in columns
    ]
    best: tuple[int, int | None, dict[str, int]] = (0, None, {})
    for row_number, values in head:
        cells = [normalize_header(value) if value is not None else "" for value in values]
        mapping: dict[str, int] = {}
        for key, wanted in names:
            for index, cell in enumerate(cells):
                if cell and cell in wanted:
                    mapping[key] = index
                    break
        if len(mapping) > best[0]:
            best = (len(mapping), row_number, mapping)
    return best


def _parse(
    source: RowSource,
    *,
    columns: Sequence[ColumnSpec],
    max_rows: int,
    header_search_rows: int,
    spreadsheet: bool,
    max_cell_chars: int = DEFAULT_MAX_CELL_CHARS,
) -> ParsedTable:
    table = ParsedTable()
    head: list[tuple[int, Sequence[Any], Sequence[Any]]] = []
    for item in source:
        head.append(item)
        if item[0] >= header_search_rows:
            break
    matches, header_row, mapping = _find_header([(number, values) for number, values, _raw in head], columns)
    if header_row is None:
        table.errors.append(
            RowError(
                None,
                None,
                format_message(
                    MSG_NO_HEADER,
                    {"rows": header_search_rows, "columns": "、".join(str(spec.header) for spec in columns)},
                ),
            )
        )
        return table
    table.header_row = header_row
    missing = [str(spec.header) for spec in columns if spec.required and spec.key not in mapping]
    if missing:
        message = format_message(MSG_MISSING_COLUMNS, {"columns": "、".join(missing)})
        table.errors.append(RowError(header_row, None, message))
        return table

    # (key, index, converter, required, header, empty value, column letter)
    plan = []
    absent: dict[str, Any] = {}
    for spec in columns:
        empty = [] if spec.kind == "multi" else None
        if spec.key in mapping:
            index = mapping[spec.key]
            letter = get_column_letter(index + 1)
            plan.append((spec.key, index, _make_converter(spec), spec.required, str(spec.header), empty, letter))
        else:
            absent[spec.key] = empty
    indexes = [entry[1] for entry in plan]

    rows = table.rows
    row_numbers = table.row_numbers
    errors = table.errors
    data_rows = 0

    def data() -> RowSource:
        for item in head:
            if item[0] > header_row:
                yield item
        yield from source

    for row_number, values, raw in data():
        width = len(raw)
        for index in indexes:
            if index < width:
                value = raw[index]
                if value is not None and (type(value) is not str or value.strip()):
                    break
        else:
            continue  # blank row: every mapped cell is empty
        data_rows += 1
        if data_rows > max_rows:
            del rows[:], row_numbers[:], errors[:]
            errors.append(RowError(None, None, format_message(MSG_TOO_MANY_ROWS, {"limit": max_rows})))
            return table
        width = len(values)
        record = dict(absent)
        row_ok = True
        for key, index, convert, required, header, empty, letter in plan:
            value = values[index] if index < width else None
            if value is None:
                if required:
                    errors.append(RowError(row_number, header, MSG_REQUIRED))
                    row_ok = False
                record[key] = empty
                continue
            if type(value) is str:
                if len(value) > max_cell_chars:  # .xls and CSV; a workbook was checked while streaming
                    message = format_message(MSG_TOO_LONG, {"max": max_cell_chars, "length": len(value)})
                    errors.append(RowError(row_number, header, message))
                    row_ok = False
                    record[key] = empty
                    continue
                value = value.strip()
                if not value:
                    if required:
                        errors.append(RowError(row_number, header, MSG_REQUIRED))
                        row_ok = False
                    record[key] = empty
                    continue
                first = value[0]
                if first == "=" and spreadsheet:
                    message = format_message(MSG_FORMULA, {"cell": f"{letter}{row_number}"})
                    errors.append(RowError(row_number, header, message))
                    row_ok = False
                    record[key] = empty
                    continue
                if first == "#" and value in EXCEL_ERROR_VALUES:
                    errors.append(
                        RowError(
                            row_number,
                            header,
                            format_message(MSG_CELL_ERROR, {"cell": f"{letter}{row_number}", "value": value}),
                        )
                    )
                    row_ok = False
                    record[key] = empty
                    continue
                if first == "'" and len(value) > 1 and value[1] in "=+-@":
                    value = value[1:]  # undo our own export neutralisation
            elif isinstance(value, (ArrayFormula, DataTableFormula)):
                message = format_message(MSG_FORMULA, {"cell": f"{letter}{row_number}"})
                errors.append(RowError(row_number, header, message))
                row_ok = False
                record[key] = empty
                continue
            try:
                record[key] = convert(value)
            except _CellProblem as problem:
                errors.append(RowError(row_number, header, problem.message))
                row_ok = False
                record[key] = empty
        if row_ok:
            rows.append(record)
            row_numbers.append(row_number)
    return table


def _as_binary(file: IO[bytes] | bytes | bytearray) -> IO[bytes]:
    if isinstance(file, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(file))
    try:
        file.seek(0)
        return file
    except (AttributeError, OSError, io.UnsupportedOperation):
        return io.BytesIO(file.read())


def read_table(
    file: IO[bytes] | bytes,
    *,
    filename: str,
    columns: Sequence[ColumnSpec],
    max_rows: int = 20000,
    header_search_rows: int = 10,
    sheet: str | None = None,
    max_cell_chars: int | None = None,
    max_unpacked_bytes: int | None = None,
) -> ParsedTable:
    """Read an uploaded .xlsx, .xls or .csv into clean rows and Chinese error messages.

    The type is detected from the content (the name only decides between CSV
    and "not a valid Excel file"). The header row is searched within the first
    ``header_search_rows`` rows; with several sheets the one whose header
    matches ``columns`` best is used unless ``sheet`` names one. More than
    ``max_rows`` non-blank data rows is refused before the file is read in full.
    Blank rows (all mapped cells empty) are skipped.

    A cell longer than ``max_cell_chars`` (setting ``EXCEL_MAX_CELL_CHARS``) is refused; in a workbook
    while streaming, before it is built, and so is a workbook unpacking to more than
    ``max_unpacked_bytes`` (``EXCEL_MAX_UNCOMPRESSED_BYTES``). The sheet is found by its header: an
    instructions sheet before the data is skipped.
    """
    if max_cell_chars is None:
        max_cell_chars = _setting("EXCEL_MAX_CELL_CHARS", DEFAULT_MAX_CELL_CHARS)
    if max_unpacked_bytes is None:
        max_unpacked_bytes = _setting("EXCEL_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES)
    binary = _as_binary(file)
    head = binary.read(8)
    binary.seek(0)
    if not head:
        return ParsedTable(errors=[RowError(None, None, MSG_EMPTY_FILE)])
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    options = {"columns": columns, "max_rows": max_rows, "header_search_rows": header_search_rows}
    close: Callable[[], None] = lambda: None  # noqa: E731
    try:
        if head.startswith(_ZIP_MAGIC):
            if not _is_xlsx_package(binary):
                raise _FileRefused(MSG_NOT_EXCEL)
            _check_xlsx_package(binary, max_cell_chars=max_cell_chars, max_unpacked_bytes=max_unpacked_bytes)
            source, sheet_name, close = _xlsx_source(binary, sheet=sheet, **options)
            spreadsheet = True
        elif head.startswith(_OLE_MAGIC):
            source, sheet_name, close = _xls_source(binary.read(), sheet=sheet, **options)
            spreadsheet = True
        elif extension in _EXCEL_EXTENSIONS:
            raise _FileRefused(MSG_NOT_EXCEL)
        elif extension in _TEXT_EXTENSIONS:
            source, sheet_name, close = _csv_source(binary, filename=filename, max_cell_chars=max_cell_chars)
            spreadsheet = False
        else:
            raise _FileRefused(MSG_UNSUPPORTED)
        try:
            table = _parse(source, spreadsheet=spreadsheet, max_cell_chars=max_cell_chars, **options)
        except (zipfile.BadZipFile, zlib.error, SyntaxError, EOFError, KeyError) if spreadsheet else ():
            # A package that opened but breaks while its rows are read.
            raise _FileRefused(MSG_NOT_EXCEL) from None
        except _RestartAsGb18030:
            source = _csv_rows(binary, "gb18030", _csv_delimiter(binary), max_cell_chars)
            table = _parse(source, spreadsheet=False, max_cell_chars=max_cell_chars, **options)
        table.sheet_name = sheet_name
        return table
    except _FileRefused as refused:
        return ParsedTable(errors=[RowError(refused.row, None, refused.message)])
    except (UnicodeDecodeError, csv.Error):
        return ParsedTable(errors=[RowError(None, None, MSG_BINARY_CSV)])
    finally:
        close()


def upload_kind_error(file: Any, filename: str = "") -> str | None:
    """Why an upload is not a spreadsheet this module reads (checked by its content, as :func:`read_table` does),
    or None. Cheap: the first bytes (and, for a zip, its table of contents). Forms call it on upload, so a wrong
    file is refused before any background task starts."""
    binary = _as_binary(file)
    head = binary.read(8)
    binary.seek(0)
    if not head:
        return str(MSG_EMPTY_FILE)
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if head.startswith(_ZIP_MAGIC):
        ok = _is_xlsx_package(binary)
        binary.seek(0)
        return None if ok else str(MSG_NOT_EXCEL)
    if head.startswith(_OLE_MAGIC):
        return None
    if extension in _EXCEL_EXTENSIONS:
        return str(MSG_NOT_EXCEL)
    if extension in _TEXT_EXTENSIONS:
        sample = binary.read(64 * 1024)
        binary.seek(0)
        return str(MSG_BINARY_CSV) if b"\x00" in sample else None
    return str(MSG_UNSUPPORTED)


def _setting(name: str, default: int) -> int:
    """A Django setting when settings are configured (this module also runs without them)."""
    try:
        from django.conf import settings

        return int(getattr(settings, name, default))
    except Exception:  # noqa: BLE001 - settings not configured
        return default


def _csv_delimiter(file: IO[bytes]) -> str:
    file.seek(0)
    first_line = file.read(64 * 1024).split(b"\n", 1)[0]
    file.seek(0)
    return "\t" if first_line.count(b"\t") > first_line.count(b",") else ","


def _is_xlsx_package(file: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(file) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        file.seek(0)
    return "xl/workbook.xml" in names or "[Content_Types].xml" in names and any(
        name.startswith("xl/") for name in names
    )


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
REQUIRED_HEADER_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_SHEET_TITLE_RE = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: Any) -> Any:
    """Prefix a single quote to text Excel would run as a formula (= + - @, tab, CR)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell_value(value: Any) -> Any:
    """Turn a Python value into something safe for an exported cell."""
    if value is None or isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            from .china import SHANGHAI

            value = value.astimezone(SHANGHAI).replace(tzinfo=None)
        return value
    if isinstance(value, (dt.date, dt.time)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        value = "、".join(str(item) for item in value)
    elif not isinstance(value, str):
        value = str(value)  # lazy translations, enums, UUIDs
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    text = value if isinstance(value, str) else str(value)
    longest = 0
    for line in text.split("\n"):
        # CJK characters take two columns.
        width = sum(2 if ord(char) > 0x2E7F else 1 for char in line)
        longest = max(longest, width)
    return longest


def _column_widths(headers: Sequence[Any], rows: Sequence[Sequence[Any]], *, sample: int = 500) -> list[float]:
    widths = [_display_width(header) for header in headers]
    for row in rows[:sample]:
        for index, value in enumerate(row):
            width = _display_width(value)
            if index >= len(widths):
                widths.append(width)
            elif width > widths[index]:
                widths[index] = width
    return [min(max(width + 2, 8), 60) for width in widths]


def _sheet_title(title: Any, used: set[str]) -> str:
    base = _SHEET_TITLE_RE.sub("", str(title or "Sheet")).strip("'")[:31] or "Sheet"
    candidate, counter = base, 2
    while candidate in used:
        suffix = f"({counter})"
        candidate = base[: 31 - len(suffix)] + suffix
        counter += 1
    used.add(candidate)
    return candidate


def write_workbook(sheets: Sequence[SheetData | tuple[Any, Sequence[Any], Iterable[Sequence[Any]]]]) -> bytes:
    """Write sheets to .xlsx bytes: bold frozen header, sized columns, neutralised text.

    Each sheet is a :class:`SheetData` or a ``(title, headers, rows)`` tuple.
    """
    workbook = openpyxl.Workbook(write_only=True)
    used: set[str] = set()
    for item in sheets:
        data = item if isinstance(item, SheetData) else SheetData(*item)
        ws = workbook.create_sheet(_sheet_title(data.title, used))
        headers = [_cell_value(header) for header in data.headers]
        rows = [[_cell_value(value) for value in row] for row in data.rows]
        widths = list(data.widths) if data.widths else _column_widths(headers, rows)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=header)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append(row)
    if not used:
        workbook.create_sheet("Sheet1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_rows(headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Sheet1") -> bytes:
    """Write one sheet of rows to .xlsx bytes (see :func:`write_workbook`)."""
    return write_workbook([SheetData(title=sheet_title, headers=headers, rows=rows)])


KIND_DESCRIPTIONS = {
    "text": _("文本"),
    "int": _("整数"),
    "decimal": _("数字，可带小数"),
    "date": _("日期，如2021-12-31"),
    "code": _("代码，按文本填写，如440224111"),
    "choice": _("从下拉列表中选择"),
    "multi": _("可填多个，用“、”分隔"),
}
CHOICES_SHEET_TITLE = "选项"
INSTRUCTIONS_SHEET_TITLE = "说明"
_INLINE_LIST_LIMIT = 255


def make_template(
    columns: Sequence[ColumnSpec],
    *,
    title: str,
    instructions: Sequence[Any],
    choices_sheet: bool = True,
) -> bytes:
    """Write an import template: the data sheet, an instructions sheet (说明) and drop-downs.

    Required headers are marked with ``*`` (which :func:`read_table` ignores)
    and shown in red. 'choice' and 'multi' columns get a list validation
    ('multi' allows other text, as several values are typed in one cell);
    lists too long for an inline formula go to a hidden sheet (选项) when
    ``choices_sheet`` is true, otherwise a ValueError is raised. Code and
    text columns are formatted as text so leading zeros survive.
    """
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = _sheet_title(title, set())
    choices_ws = None

    for index, spec in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = f"*{spec.header}" if spec.required else str(spec.header)
        cell = ws.cell(row=1, column=index, value=header)
        cell.font = REQUIRED_HEADER_FONT if spec.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        dimension = ws.column_dimensions[letter]
        dimension.width = min(max(_display_width(header) + 4, 12), 40)
        if spec.kind in ("code", "text", "choice", "multi"):
            dimension.number_format = "@"
        elif spec.kind == "date":
            dimension.number_format = "yyyy-mm-dd"

        if spec.kind not in ("choice", "multi") or not spec.choices:
            continue
        labels = [label for _value, label in spec.choice_pairs()]
        inline = '"' + ",".join(labels) + '"'
        awkward = any("," in label or '"' in label for label in labels)
        fits_inline = len(inline) <= _INLINE_LIST_LIMIT and not awkward
        if fits_inline:
            formula = inline
        elif choices_sheet:
            if choices_ws is None:
                choices_ws = workbook.create_sheet(CHOICES_SHEET_TITLE)
                choices_ws.sheet_state = "hidden"
            choices_ws.cell(row=1, column=index, value=str(spec.header))
            for row, label in enumerate(labels, start=2):
                choices_ws.cell(row=row, column=index, value=neutralise(label))
            formula = f"'{CHOICES_SHEET_TITLE}'!${letter}$2:${letter}${len(labels) + 1}"
        else:
            raise ValueError(f"choices of {spec.key!r} are too long for an inline list")
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        if spec.kind == "multi":
            validation.showErrorMessage = False
            validation.promptTitle = str(spec.header)[:32]
            validation.prompt = str(_("可填多个，用“、”分隔"))
            validation.showInputMessage = True
        else:
            validation.showErrorMessage = True
            validation.errorTitle = str(spec.header)[:32]
            validation.error = str(_("请从下拉列表中选择"))
        validation.add(f"{letter}2:{letter}1048576")
        ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30

    notes = workbook.create_sheet(INSTRUCTIONS_SHEET_TITLE, index=1)
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 40
    notes.column_dimensions["D"].width = 60
    notes.cell(row=1, column=1, value=str(title)).font = Font(bold=True, size=14)
    row = 2
    for line in instructions:
        notes.cell(row=row, column=1, value=neutralise(str(line)))
        row += 1
    row += 1
    for index, label in enumerate((_("列名"), _("是否必填"), _("填写要求"), _("可选值")), start=1):
        notes.cell(row=row, column=index, value=str(label)).font = HEADER_FONT
    for spec in columns:
        row += 1
        requirement = str(KIND_DESCRIPTIONS[spec.kind])
        if spec.max_length:
            requirement += str(format_message(_("，不超过%(max)d个字"), {"max": spec.max_length}))
        if spec.help_text:
            requirement += "；" + str(spec.help_text)
        notes.cell(row=row, column=1, value=str(spec.header))
        notes.cell(row=row, column=2, value=str(_("必填") if spec.required else _("选填")))
        notes.cell(row=row, column=3, value=neutralise(requirement))
        allowed = "、".join(label for _value, label in spec.choice_pairs()) if spec.choices else ""
        notes.cell(row=row, column=4, value=neutralise(allowed)).alignment = Alignment(wrap_text=True)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
