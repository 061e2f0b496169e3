"""Spreadsheets as officials send them, and as attackers do: cells capped while reading, bombs refused cheaply,
the data sheet found by its header."""
import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

from core.excel import ColumnSpec, read_table
from needs.models import Need
from needs.services import needs_import

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = [ColumnSpec("code", "镇代码", kind="code"), ColumnSpec("title", "需求标题"),
           ColumnSpec("description", "需求描述"), ColumnSpec("surveyed_on", "调研日期", kind="date", required=False)]
HEADER = ["镇代码", "需求标题", "需求描述"]
NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HUGE = object()  # a cell holding this becomes one shared string of `huge_mb` megabytes


def build_xlsx(path_or_buffer, sheets, *, huge_mb=0, raw_cells=None, sheet_extra=None):
    """A workbook as Excel writes it (shared strings), built with zipfile so a huge string costs nothing to make.

    ``sheets`` is ``[(name, rows)]``; ``raw_cells`` maps (sheet index, "C2") to the raw ``<c>`` XML of that cell;
    ``sheet_extra`` is XML put into the first sheet after ``<sheetData>``'s rows.
    """
    strings, index = [], {}

    def shared(text):
        key = id(text) if text is HUGE else text
        if key not in index:
            index[key] = len(strings)
            strings.append(text)
        return index[key]

    sheet_xml = []
    for number, (_name, rows) in enumerate(sheets):
        parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet %s><sheetData>' % NS]
        for r, row in enumerate(rows, start=1):
            parts.append('<row r="%d">' % r)
            for c, value in enumerate(row):
                ref = "%s%d" % (chr(65 + c), r)
                raw = (raw_cells or {}).get((number, ref))
                if raw is not None:
                    parts.append(raw)
                elif value is not None:
                    parts.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, shared(value)))
            parts.append("</row>")
        parts.append("</sheetData>")
        if number == 0 and sheet_extra:
            parts.append(sheet_extra)
        parts.append("</worksheet>")
        sheet_xml.append("".join(parts))
    count = len(sheets)
    with zipfile.ZipFile(path_or_buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join('<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % (i + 1) for i in range(count))
            + '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
              'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        package.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % REL))
        package.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook %s>'
                         "<sheets>%s</sheets></workbook>" % (NS, "".join(
                             '<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (escape(name), i + 1, i + 1)
                             for i, (name, _rows) in enumerate(sheets))))
        package.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join('<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>' % (i + 1, REL, i + 1)
                      for i in range(count))
            + '<Relationship Id="rId%d" Type="%s/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
            % (count + 1, REL)))
        for i, xml in enumerate(sheet_xml):
            package.writestr("xl/worksheets/sheet%d.xml" % (i + 1), xml)
        with package.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst %s count="%d" uniqueCount="%d">'
                        % (NS, len(strings), len(strings))).encode())
            for text in strings:
                part.write(b"<si><t>")
                if text is HUGE:
                    block = b"A" * (1 << 20)
                    for _ in range(huge_mb):
                        part.write(block)
                else:
                    part.write(escape(text).encode())
                part.write(b"</t></si>")
            part.write(b"</sst>")
    return path_or_buffer


def xlsx_bytes(sheets, **options):
    return build_xlsx(io.BytesIO(), sheets, **options).getvalue()


def read(data, filename="需求.xlsx", **options):
    return read_table(io.BytesIO(data), filename=filename, columns=COLUMNS, **options)


# ---------------------------------------------------------------- one huge cell


MEASURE = textwrap.dedent("""
    import json, os, resource, sys, time
    sys.path.insert(0, %(root)r)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django
    django.setup()
    from core.excel import ColumnSpec, read_table
    columns = [ColumnSpec("code", "镇代码", kind="code"), ColumnSpec("title", "需求标题"), ColumnSpec("description", "需求描述")]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with open(sys.argv[1], "rb") as handle:
        table = read_table(handle, filename="需求.xlsx", columns=columns)
    print(json.dumps({"errors": table.error_messages(), "rows": len(table.rows), "seconds": time.perf_counter() - started,
                      "increase_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before}))
""")


def test_a_50_mb_shared_string_is_refused_naming_its_cell_without_building_it(tmp_path):
    path = build_xlsx(tmp_path / "bomb.xlsx", [("需求", [HEADER, ["440224108", "茶叶", HUGE]])], huge_mb=50)
    assert path.stat().st_size < 200_000  # tiny on the wire
    # Measured in a fresh process so this one's memory does not count (ru_maxrss is a high-water mark).
    result = subprocess.run([sys.executable, "-c", MEASURE % {"root": str(ROOT)}, str(path)], capture_output=True,
                            text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["rows"] == 0
    assert outcome["errors"] == ["第2行：单元格C2（工作表“需求”）超过5000个字，请精简到5000字以内后重新上传。"]
    assert outcome["increase_kb"] < 100 * 1024, outcome  # openpyxl alone: about +130 MB for this file
    assert outcome["seconds"] < 5, outcome


def test_the_cap_is_a_setting_and_a_cell_at_the_cap_is_read(settings):
    settings.EXCEL_MAX_CELL_CHARS = 300
    table = read(xlsx_bytes([("需求", [HEADER, ["440224108", "茶叶", "长" * 300], ["440224108", "果树", "短"]])]))
    assert table.ok and [len(row["description"]) for row in table.rows] == [300, 1]
    table = read(xlsx_bytes([("需求", [HEADER, ["440224108", "果树", "短"], ["440224108", "茶叶", "长" * 301]])]))
    assert table.error_messages() == ["第3行：单元格C3（工作表“需求”）超过300个字，请精简到300字以内后重新上传。"]


def test_a_long_text_split_into_rich_text_runs_is_counted_whole(settings):
    settings.EXCEL_MAX_CELL_CHARS = 1000
    runs = "".join("<r><t>%s</t></r>" % ("字" * 400) for _ in range(3))  # 3 runs of 400: 1,200 characters
    raw = {(0, "C2"): '<c r="C2" t="inlineStr"><is>%s</is></c>' % runs}
    table = read(xlsx_bytes([("需求", [HEADER, ["440224108", "茶叶", None]])], raw_cells=raw))
    assert table.error_messages() == ["第2行：单元格C2（工作表“需求”）超过1000个字，请精简到1000字以内后重新上传。"]


def test_a_huge_inline_string_formula_or_attribute_is_refused():
    inline = {(0, "C2"): '<c r="C2" t="inlineStr"><is><t>%s</t></is></c>' % ("A" * 3_000_000)}
    table = read(xlsx_bytes([("需求", [HEADER, ["440224108", "茶叶", None]])], raw_cells=inline))
    assert table.error_messages() == ["第2行：单元格C2（工作表“需求”）超过5000个字，请精简到5000字以内后重新上传。"]
    formula = {(0, "B2"): '<c r="B2"><f>%s</f></c>' % ("A" * 6000)}
    table = read(xlsx_bytes([("需求", [HEADER, ["440224108", None, "描述"]])], raw_cells=formula))
    assert table.error_messages() == ["第2行：单元格B2（工作表“需求”）超过5000个字，请精简到5000字以内后重新上传。"]
    # An attribute is one token expat would buffer whole: refused as a broken file, never built.
    attribute = {(0, "C2"): '<c r="C2" s="%s"><v>1</v></c>' % ("9" * 3_000_000)}
    table = read(xlsx_bytes([("需求", [HEADER, ["440224108", "茶叶", None]])], raw_cells=attribute))
    assert table.error_messages() == ["文件不是有效的Excel文件，请另存为.xlsx格式后重新上传。"]


def test_a_zip_bomb_is_refused_from_the_zip_directory(settings):
    data = xlsx_bytes([("需求", [HEADER, ["440224108", "茶叶", HUGE]])], huge_mb=3)
    settings.EXCEL_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    table = read(data)
    assert table.error_messages() == [
        "文件解压后超过2 MB，不像正常的数据表（可能含有异常内容），请删除多余的工作表和格式后另存为.xlsx重新上传。"]


def test_a_document_type_declaration_is_refused():
    data = xlsx_bytes([("需求", [HEADER, ["440224108", "茶叶", "描述"]])])
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                content = content.replace(b"?><sst", b'?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]><sst', 1)
            out.writestr(item, content)
    assert read(target.getvalue()).error_messages() == ["文件不是有效的Excel文件，请另存为.xlsx格式后重新上传。"]


def test_long_cells_in_csv_are_refused_by_row_and_header():
    text = "镇代码,需求标题,需求描述\n440224108,茶叶,%s\n440224108,果树,好\n" % ("长" * 5001)
    table = read(text.encode("utf-8"), filename="需求.csv")
    assert table.error_messages() == ["第2行 “需求描述”：不能超过5000个字（现有5001个字）"]
    huge = "镇代码,需求标题,需求描述\n440224108,果树,好\n440224108,茶叶,%s\n" % ("长" * 200_000)
    table = read(huge.encode("utf-8"), filename="需求.csv")
    assert table.error_messages() == ["第3行：有单元格超过5000个字，请精简后重新上传。"]


def test_a_date_outside_2000_to_2100_is_a_row_error():
    table = read(xlsx_bytes([("需求", [HEADER + ["调研日期"], ["440224108", "茶叶", "描述", "1999-12-31"],
                                     ["440224108", "果树", "描述", "2025-03-01"]])]))
    assert table.error_messages() == ["第2行 “调研日期”：日期应在2000-01-01至2100-12-31之间（现为1999-12-31），请检查年份"]


# ---------------------------------------------------------------- the data sheet by its header


INSTRUCTIONS = [["填表说明"], ["1. 镇代码填写9位统计用区划代码；需求标题不超过200字。"], ["2. 请在“需求”工作表填写，不要修改表头。"],
                ["列名"], ["镇代码"], ["需求标题"], ["需求描述"]]


def test_an_instructions_sheet_before_the_data_is_skipped():
    data = xlsx_bytes([("填表说明", INSTRUCTIONS), ("需求", [["仁化县需求汇总表"], HEADER, ["440224108", "茶叶", "描述"]])])
    table = read(data)
    assert table.ok and table.sheet_name == "需求" and table.header_row == 2
    assert table.rows == [{"code": "440224108", "title": "茶叶", "description": "描述", "surveyed_on": None}]
    # Written by openpyxl, as the platform's own templates are.
    book = openpyxl.Workbook()
    book.active.title = "说明"
    for line in INSTRUCTIONS:
        book.active.append(line)
    sheet = book.create_sheet("数据")
    sheet.append(HEADER)
    sheet.append(["440224108", "果树", "描述"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read(buffer.getvalue())
    assert table.ok and table.sheet_name == "数据" and [row["title"] for row in table.rows] == ["果树"]


# ---------------------------------------------------------------- the needs import


def test_the_needs_import_applies_the_models_limits_and_the_division_list(world):
    def run(rows):
        book = openpyxl.Workbook()
        book.active.append(["镇代码", "需求标题", "需求描述", "产业类别", "服务类型", "预期成效"])
        for row in rows:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return needs_import(actor=world["renhua_st"], cycle=world.cycle, file=io.BytesIO(buffer.getvalue()),
                            filename="需求.xlsx")

    report = run([["440224108", "贡柑", "描" * 2001, "果树", "技术指导", "成" * 2001],
                  ["440224999", "茶叶", "描述", "茶叶", "技术指导", ""]])
    messages = [str(error) for error in report.errors]
    assert report.saved == 0 and not Need.objects.exists()
    assert "第2行 “需求描述”：不能超过2000个字（现有2001个字）" in messages
    assert "第2行 “预期成效”：不能超过2000个字（现有2001个字）" in messages
    assert "第3行 “镇代码”：未知的镇代码“440224999”" in messages
    assert run([["440224108", "贡柑", "描" * 2000, "果树", "技术指导", ""]]).saved == 1


@pytest.fixture(autouse=True)
def _default_caps(settings):
    settings.EXCEL_MAX_CELL_CHARS = 5000
    settings.EXCEL_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
