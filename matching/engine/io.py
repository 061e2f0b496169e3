"""Read needs and teams files (.xlsx, or .csv in UTF-8 with or without BOM, or GBK) into engine objects.

Every problem raises `EngineInputError` with a Chinese message naming the file, row and column.

A workbook's data sheet is the first visible sheet whose first rows hold the expected header, so an
instructions sheet (填表说明) before it is skipped. With known town codes (``known_towns=`` or the
:func:`known_towns` context, which ``manage.py match`` sets from the platform's division list) a code
outside them is refused with its row.
"""
from __future__ import annotations

import csv
import io as _io
import re
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Iterator

from .errors import EngineInputError
from .models import Need, Team
from .service_types import SERVICE_TYPES

DEFAULT_ROW_LIMIT = 20_000
HEADER_SEARCH_ROWS = 10
# A needs or teams workbook unpacking to more than this is not a table (a zip or shared-strings bomb).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

_KNOWN_TOWNS: ContextVar[frozenset[str] | None] = ContextVar("known_towns", default=None)


@contextmanager
def known_towns(codes: Collection[str] | None) -> Iterator[None]:
    """Within the block, files are checked against these town codes (None: no check)."""
    token = _KNOWN_TOWNS.set(frozenset(codes) if codes is not None else None)
    try:
        yield
    finally:
        _KNOWN_TOWNS.reset(token)


def _known(codes: Collection[str] | None) -> frozenset[str] | None:
    return frozenset(codes) if codes is not None else _KNOWN_TOWNS.get()


def _check_known(code: str, known: frozenset[str] | None, path: str, number: int, column: str) -> None:
    if known is not None and code not in known:
        raise EngineInputError("镇代码 %s 不在区划名单中（平台的镇、乡、街道列表），请核对代码" % code,
                               file=path, row=number, column=column)

NEED_COLUMNS = {
    "town_code": "镇代码",
    "town_name": "镇名称",
    "title": "需求标题",
    "description": "需求描述",
    "industry": "产业类别",
    "service_types": "服务类型",
}
TEAM_COLUMNS = {
    "team_id": "团队编号",
    "name": "团队名称",
    "unit": "派出单位",
    "specialties": "专业领域",
    "summary": "团队简介",
    "preferred_towns": "意向镇代码",
    "prior_towns": "前期对接镇代码",
}
TEAM_OPTIONAL_COLUMNS = {
    "research_directions": "研究方向",
    "member_fields": "成员专业",
    "service_types": "服务类型",
}

_LIST_SEPARATORS = re.compile(r"[;；、,，\s]+")
_TOWN_CODE = re.compile(r"^[1-8]\d{8}$")
_FLOAT_CODE = re.compile(r"^(\d+)\.0*$")
_SPACES = re.compile(r"[\s\u3000\ufeff]+")


@dataclass
class Table:
    """Rows of a file as dicts keyed by the stripped header, each with its 1-based row number."""

    path: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]


def read_needs(path: str | Path, *, row_limit: int = DEFAULT_ROW_LIMIT,
               known_towns: Collection[str] | None = None) -> list[Need]:
    """Needs from a file with columns 镇代码, 镇名称, 需求标题, 需求描述, 产业类别, 服务类型.

    With ``known_towns`` (or inside :func:`known_towns`) a town code outside them is an error.
    """
    division_codes = _known(known_towns)
    table = read_table(path, required=list(NEED_COLUMNS.values()), row_limit=row_limit)
    needs: list[Need] = []
    names: dict[str, tuple[str, int]] = {}
    previous: dict[str, str] = {}
    for number, row in table.rows:
        row = _fill_merged_town(row, previous)
        code = _town_code(row["镇代码"], table.path, number, "镇代码")
        _check_known(code, division_codes, table.path, number, "镇代码")
        name = _required(row, "镇名称", table.path, number)
        title = _required(row, "需求标题", table.path, number)
        known = names.setdefault(code, (name, number))
        if known[0] != name:
            raise EngineInputError("镇代码 %s 在第 %d 行是“%s”，这里却是“%s”" % (code, known[1], known[0], name),
                                   file=table.path, row=number, column="镇名称")
        needs.append(Need(code, name, title, row["需求描述"], row["产业类别"],
                          _service_types(row["服务类型"], table.path, number)))
        previous = row
    if not needs:
        raise EngineInputError("需求文件中没有任何需求", file=table.path)
    return needs


def read_teams(path: str | Path, *, towns: set[str] | None = None, row_limit: int = DEFAULT_ROW_LIMIT,
               known_towns: Collection[str] | None = None) -> tuple[list[Team], list[str]]:
    """Teams from a file with columns 团队编号, 团队名称, 派出单位, 专业领域, 团队简介, 意向镇代码, 前期对接镇代码.

    With `towns` (the codes in the needs file) a preference for another town is an error, and a prior
    engagement with another town is dropped with a warning; the warnings are returned. With
    ``known_towns`` (or inside :func:`known_towns`) a code outside the division list is an error.
    """
    division_codes = _known(known_towns)
    table = read_table(path, required=list(TEAM_COLUMNS.values()), row_limit=row_limit)
    teams: list[Team] = []
    seen: dict[str, int] = {}
    warnings: list[str] = []
    for number, row in table.rows:
        team_id = _code_text(_required(row, "团队编号", table.path, number))
        if team_id in seen:
            raise EngineInputError("团队编号“%s”重复（第 %d 行已出现）" % (team_id, seen[team_id]),
                                   file=table.path, row=number, column="团队编号")
        seen[team_id] = number
        preferred = _town_codes(row["意向镇代码"], table.path, number, "意向镇代码")
        prior = _town_codes(row["前期对接镇代码"], table.path, number, "前期对接镇代码")
        for column, codes in (("意向镇代码", preferred), ("前期对接镇代码", prior)):
            for code in codes:
                _check_known(code, division_codes, table.path, number, column)
        if towns is not None:
            for code in preferred:
                if code not in towns:
                    raise EngineInputError("意向镇代码 %s 不在需求文件中" % code,
                                           file=table.path, row=number, column="意向镇代码")
            for code in prior:
                if code not in towns:
                    warnings.append("文件“%s”第 %d 行：前期对接镇代码 %s 不在需求文件中，已忽略" % (table.path, number, code))
            prior = [code for code in prior if code in towns]
        teams.append(Team(
            team_id=team_id,
            name=_required(row, "团队名称", table.path, number),
            unit=row["派出单位"],
            specialties=row["专业领域"],
            summary=row["团队简介"],
            research_directions=row.get("研究方向", ""),
            member_fields=row.get("成员专业", ""),
            service_types=_service_types(row.get("服务类型", ""), table.path, number),
            preferred_towns=preferred,
            prior_towns=prior,
        ))
    if not teams:
        raise EngineInputError("团队文件中没有任何团队", file=table.path)
    return teams, warnings


def read_table(path: str | Path, *, required: list[str], row_limit: int = DEFAULT_ROW_LIMIT) -> Table:
    """Read a .xlsx or .csv file; find the header row among the first rows; check the required columns."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise EngineInputError("找不到文件", file=name)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        raw_rows = _xlsx_rows(path, required)
    elif suffix == ".csv":
        raw_rows = _csv_rows(path)
    elif suffix == ".xls":
        raise EngineInputError("不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV", file=name)
    else:
        raise EngineInputError("只支持 .xlsx 或 .csv 文件", file=name)
    try:
        return _collect(name, raw_rows, required, row_limit)
    except EngineInputError:
        raise
    except Exception as error:  # a corrupt workbook can fail deep inside openpyxl
        raise EngineInputError("无法读取文件内容（%s）" % type(error).__name__, file=name) from None


def _collect(name: str, raw_rows: Iterator[list[object]], required: list[str], row_limit: int) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(raw_rows, start=1):
        cells = [_cell_text(value) for value in values]
        if headers is None:
            if _looks_like_header(cells, required):
                headers = [_header_text(cell) for cell in cells]
                _check_columns(name, headers, required, number)
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(cells):
            continue
        if len(rows) >= row_limit:
            raise EngineInputError("数据超过 %d 行的上限" % row_limit, file=name, row=number)
        rows.append((number, _row_dict(headers, cells)))
    if headers is None:
        raise EngineInputError("前 %d 行中找不到表头，缺少列：%s" % (HEADER_SEARCH_ROWS, "、".join(required)),
                               file=name)
    return Table(name, headers, rows)


def _looks_like_header(cells: list[str], required: list[str]) -> bool:
    present = {_header_text(cell) for cell in cells}
    return len(present & set(required)) >= max(2, len(required) // 2)


def _check_columns(name: str, headers: list[str], required: list[str], number: int) -> None:
    missing = [column for column in required if column not in headers]
    if missing:
        raise EngineInputError("缺少列：%s" % "、".join(missing), file=name, row=number)


def _row_dict(headers: list[str], cells: list[str]) -> dict[str, str]:
    row: dict[str, str] = {}
    for index, header in enumerate(headers):
        if header and header not in row:
            row[header] = cells[index].strip() if index < len(cells) else ""
    return row


def _check_unpacked_size(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl names the problem
    if unpacked > MAX_UNPACKED_BYTES:
        raise EngineInputError("文件解压后超过 %d MB，不像正常的数据表，请删除多余的工作表和格式后另存为 .xlsx"
                               % (MAX_UNPACKED_BYTES // (1024 * 1024)), file=str(path))


def _data_sheet(workbook, required: list[str]):
    """The first visible sheet whose first rows hold the header (an instructions sheet first is skipped)."""
    sheets = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    sheets = sheets or list(workbook.worksheets)
    for sheet in sheets:
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # a wrong stored <dimension> would cut the rows short
        for number, values in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
            if _looks_like_header([_cell_text(value) for value in values], required):
                return sheet
            if number >= HEADER_SEARCH_ROWS:
                break
    return sheets[0] if sheets else None


def _xlsx_rows(path: Path, required: list[str]) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    _check_unpacked_size(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise EngineInputError("不是有效的 .xlsx 文件（%s）" % type(error).__name__, file=str(path)) from None
    try:
        sheet = _data_sheet(workbook, required)
        if sheet is None:
            raise EngineInputError("工作簿中没有工作表", file=str(path))
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[list[object]]:
    data = path.read_bytes()
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise EngineInputError("无法识别文件编码（支持 UTF-8 和 GBK）", file=str(path))
    try:
        yield from csv.reader(_io.StringIO(text, newline=""))
    except csv.Error as error:
        raise EngineInputError("CSV 格式错误：%s" % error, file=str(path)) from None


def _cell_text(value: object) -> str:
    """A cell as text; whole numbers typed as numbers (440224111.0) lose their decimal part."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return str(value)


def _header_text(cell: str) -> str:
    return _SPACES.sub("", cell)


def _code_text(value: str) -> str:
    """A code typed as a number or padded with spaces, normalised (' 440224111.0 ' -> '440224111')."""
    value = _SPACES.sub("", value)
    matched = _FLOAT_CODE.match(value)
    return matched.group(1) if matched else value


def _town_code(value: str, path: str, number: int, column: str) -> str:
    code = _code_text(value)
    if not code:
        raise EngineInputError("镇代码不能为空", file=path, row=number, column=column)
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if not _TOWN_CODE.match(code):
        raise EngineInputError("“%s”不是有效的 9 位乡镇区划代码" % value.strip(), file=path, row=number, column=column)
    return code


def _town_codes(value: str, path: str, number: int, column: str) -> list[str]:
    codes = []
    for part in _LIST_SEPARATORS.split(value.strip()):
        if part:
            code = _town_code(part, path, number, column)
            if code not in codes:
                codes.append(code)
    return codes


def _service_types(value: str, path: str, number: int) -> list[str]:
    result = []
    for part in _LIST_SEPARATORS.split(value.strip()):
        if not part:
            continue
        if part not in SERVICE_TYPES:
            raise EngineInputError("未知的服务类型“%s”（可选：%s）" % (part, "、".join(SERVICE_TYPES)),
                                   file=path, row=number, column="服务类型")
        if part not in result:
            result.append(part)
    return result


def _required(row: dict[str, str], column: str, path: str, number: int) -> str:
    value = row.get(column, "").strip()
    if not value:
        raise EngineInputError("不能为空", file=path, row=number, column=column)
    return value


def _fill_merged_town(row: dict[str, str], previous: dict[str, str]) -> dict[str, str]:
    """Town cells merged over several rows arrive empty below the first row: carry them down."""
    if previous and not row.get("镇代码") and not row.get("镇名称"):
        row = dict(row)
        row["镇代码"] = previous.get("镇代码", "")
        row["镇名称"] = previous.get("镇名称", "")
    return row
