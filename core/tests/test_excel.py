"""Tests for core.excel: reading officials' spreadsheets, exporting, templates."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import xlrd

from core import excel
from core.excel import ColumnSpec, RowError, export_rows, make_template, neutralise, read_table, write_workbook

TOWN_COLUMNS = [
    ColumnSpec("county", "县（市、区）", aliases=("县区",)),
    ColumnSpec("town", "镇", aliases=("镇街", "乡镇")),
    ColumnSpec("town_code", "镇代码", kind="code"),
    ColumnSpec("title", "需求标题", max_length=50),
    ColumnSpec("category", "类别", kind="choice", choices=[("agri", "农业"), ("industry", "工业")]),
    ColumnSpec("industries", "产业", kind="multi", required=False),
    ColumnSpec("amount", "金额（万元）", kind="decimal", required=False),
    ColumnSpec("people", "人数", kind="int", required=False),
    ColumnSpec("due", "完成时间", kind="date", required=False),
]


def xlsx_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def wps_like_workbook() -> openpyxl.Workbook:
    """A sheet as a county office makes it: a title row, padded headers, merged towns, numeric codes."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "需求汇总"
    ws.append(["仁化县2021年镇村需求汇总表"])
    ws.merge_cells("A1:J1")
    ws.append([])
    ws.append(["序号", " 县（市、区） ", "\u3000镇\n", "镇代码*", "需求\n标题 *", "类别", "产业", "金额（万元）", "人数", "完成时间"])
    ws.append([1, "仁化县", "黄坑镇", 440224111, "茶叶加工技术", "农业", "茶叶、旅游", 12.5, 3, dt.datetime(2021, 12, 31)])
    ws.append([2, "仁化县", None, 440224111.0, "冷链物流", "agri", "物流；农业", "8", "4", "2021/12/31"])
    ws.append([3, "仁化县", None, "4.40224111E8", "电商培训", "农业", None, None, None, "2021年12月31日"])
    ws.append([4, "仁化县", "长江镇", "440224112", "  机械维修  ", "工业", "制造 加工", "1,234.56", 10.0, 20211231])
    ws.merge_cells("C4:C6")
    return workbook


# --------------------------------------------------------------------------
# Reading .xlsx
# --------------------------------------------------------------------------


def test_it_reads_a_wps_like_sheet_with_title_row_padded_headers_and_merged_towns():
    table = read_table(io.BytesIO(xlsx_bytes(wps_like_workbook())), filename="汇总.xlsx", columns=TOWN_COLUMNS)

    assert table.errors == []
    assert table.header_row == 3
    assert table.sheet_name == "需求汇总"
    assert table.row_numbers == [4, 5, 6, 7]
    assert [row["town"] for row in table.rows] == ["黄坑镇", "黄坑镇", "黄坑镇", "长江镇"]
    assert {row["town_code"] for row in table.rows[:3]} == {"440224111"}
    assert table.rows[3]["town_code"] == "440224112"
    assert table.rows[3]["title"] == "机械维修"
    assert [row["category"] for row in table.rows] == ["agri", "agri", "agri", "industry"]
    assert table.rows[0]["industries"] == ["茶叶", "旅游"]
    assert table.rows[2]["industries"] == []
    assert table.rows[3]["industries"] == ["制造", "加工"]
    assert table.rows[0]["amount"] == Decimal("12.5")
    assert table.rows[3]["amount"] == Decimal("1234.56")
    assert [row["people"] for row in table.rows] == [3, 4, None, 10]
    assert [row["due"] for row in table.rows] == [dt.date(2021, 12, 31)] * 4


def test_it_reads_merged_cells_when_the_dimension_is_missing():
    data = xlsx_bytes(wps_like_workbook())
    # Some generators leave out <dimension>; openpyxl must not truncate the sheet.
    table = read_table(io.BytesIO(strip_dimension(data)), filename="a.xlsx", columns=TOWN_COLUMNS)
    assert table.errors == []
    assert [row["town"] for row in table.rows] == ["黄坑镇", "黄坑镇", "黄坑镇", "长江镇"]


def strip_dimension(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb"<dimension[^>]*/>", b"", content)
            target.writestr(item, content)
    return target_buffer.getvalue()


def test_it_accepts_dates_typed_as_text_in_many_forms():
    columns = [ColumnSpec("name", "名称"), ColumnSpec("due", "日期", kind="date")]
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["名称", "日期"])
    for text in ["2021-12-31", "2021/12/31", "2021年12月31日", "20211231", "2021.12.31", "2021-12-31 00:00:00"]:
        ws.append(["甲", text])
    ws.append(["乙", dt.date(2021, 12, 31)])
    ws.append(["丙", "2021-02-30"])
    ws.append(["丁", "明年"])
    table = read_table(io.BytesIO(xlsx_bytes(workbook)), filename="d.xlsx", columns=columns)
    assert [row["due"] for row in table.rows] == [dt.date(2021, 12, 31)] * 7
    assert [(error.row, error.column) for error in table.errors] == [(9, "日期"), (10, "日期")]
    assert "2021-12-31" in str(table.errors[0])


def test_it_refuses_a_formula_naming_the_row_and_column():
    columns = [ColumnSpec("town", "镇"), ColumnSpec("title", "需求标题")]
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["标题行"])
    ws.append(["镇", "需求标题"])
    ws.append(["黄坑镇", "修路"])
    ws.append(["黄坑镇", "修桥"])
    ws.append(["黄坑镇", '=A3&"技术"'])
    table = read_table(io.BytesIO(xlsx_bytes(workbook)), filename="f.xlsx", columns=columns)
    assert len(table.errors) == 1
    error = table.errors[0]
    assert (error.row, error.column) == (5, "需求标题")
    assert str(error).startswith("第5行 “需求标题”：")
    assert "公式" in str(error) and "B5" in str(error) and "数值" in str(error)
    assert table.row_numbers == [3, 4]


def test_it_names_missing_required_columns_in_one_error():
    workbook = openpyxl.Workbook()
    workbook.active.append(["县（市、区）", "镇", "类别"])
    workbook.active.append(["仁化县", "黄坑镇", "农业"])
    table = read_table(io.BytesIO(xlsx_bytes(workbook)), filename="m.xlsx", columns=TOWN_COLUMNS)
    assert table.rows == []
    assert len(table.errors) == 1
    message = str(table.errors[0])
    assert "镇代码" in message and "需求标题" in message
    assert "金额" not in message  # optional columns may be absent


def test_it_reports_empty_required_cells_and_bad_choices_by_row_and_header():
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["县（市、区）", "镇", "镇代码", "需求标题", "类别", "人数"])
    ws.append(["仁化县", "黄坑镇", None, "修路", "农业", "三"])
    ws.append(["仁化县", "黄坑镇", "440224111", "修桥", "渔业", 2])
    table = read_table(io.BytesIO(xlsx_bytes(workbook)), filename="e.xlsx", columns=TOWN_COLUMNS)
    messages = [str(error) for error in table.errors]
    assert messages[0] == "第2行 “镇代码”：不能为空"
    assert messages[1].startswith("第2行 “人数”：")
    assert messages[2].startswith("第3行 “类别”：") and "农业、工业" in messages[2]
    assert table.rows == []


def test_it_skips_blank_rows_even_when_a_serial_number_is_prefilled():
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["序号", "县（市、区）", "镇", "镇代码", "需求标题", "类别"])
    ws.append([1, "仁化县", "黄坑镇", "440224111", "修路", "农业"])
    ws.append([2, None, None, None, None, None])
    ws.append([])
    ws.append([None, "仁化县", "黄坑镇", "440224111", "修桥", "农业"])
    table = read_table(io.BytesIO(xlsx_bytes(workbook)), filename="b.xlsx", columns=TOWN_COLUMNS)
    assert table.errors == []
    assert table.row_numbers == [2, 5]


def test_it_rejects_a_code_that_excel_rounded():
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["县（市、区）", "镇", "镇代码", "需求标题", "类别"])
    ws.append(["仁化县", "黄坑镇", 4.40224199001011e17, "修路", "农业"])
    table = read_table(io.BytesIO(xlsx_bytes(workbook)), filename="p.xlsx", columns=TOWN_COLUMNS)
    assert "文本" in str(table.errors[0])


def test_it_picks_the_sheet_whose_header_matches():
    workbook = openpyxl.Workbook()
    workbook.active.title = "封面"
    workbook.active.append(["仁化县需求表"])
    data_sheet = workbook.create_sheet("数据")
    data_sheet.append(["县（市、区）", "镇", "镇代码", "需求标题", "类别"])
    data_sheet.append(["仁化县", "黄坑镇", "440224111", "修路", "农业"])
    table = read_table(io.BytesIO(xlsx_bytes(workbook)), filename="s.xlsx", columns=TOWN_COLUMNS)
    assert table.errors == []
    assert table.sheet_name == "数据"


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

CSV_TEXT = (
    "县（市、区）,镇,镇代码,需求标题,类别,完成时间\r\n"
    "仁化县,黄坑镇,440224111,茶叶加工,农业,2021/12/31\r\n"
    ",,,,,\r\n"
    "仁化县,长江镇,4.40224112E8,冷链,工业,2021年12月31日\r\n"
)


def test_it_reads_a_gbk_csv_from_chinese_windows_excel():
    table = read_table(io.BytesIO(CSV_TEXT.encode("gbk")), filename="需求.csv", columns=TOWN_COLUMNS)
    assert table.errors == []
    assert [row["town"] for row in table.rows] == ["黄坑镇", "长江镇"]
    assert [row["town_code"] for row in table.rows] == ["440224111", "440224112"]
    assert table.row_numbers == [2, 4]


def test_it_reads_a_utf8_bom_csv():
    table = read_table(io.BytesIO(CSV_TEXT.encode("utf-8-sig")), filename="需求.csv", columns=TOWN_COLUMNS)
    assert table.errors == []
    assert table.rows[0]["county"] == "仁化县"  # the BOM is not glued to the first header
    assert table.rows[1]["due"] == dt.date(2021, 12, 31)


def test_it_reads_a_csv_that_turns_gbk_after_a_long_ascii_start():
    columns = [ColumnSpec("town", "town"), ColumnSpec("title", "title")]
    ascii_part = "town,title\r\n" + "".join(f"x,title {i}\r\n" for i in range(10000))
    data = ascii_part.encode() + "黄坑镇,修路\r\n".encode("gbk")
    assert len(ascii_part) > 64 * 1024  # past the sniffed sample
    table = read_table(io.BytesIO(data), filename="late.csv", columns=columns)
    assert table.errors == []
    assert table.rows[-1] == {"town": "黄坑镇", "title": "修路"}


def test_it_stops_reading_a_csv_after_the_row_limit():
    lines = ["镇,需求标题"] + [f"黄坑镇,需求{i}" for i in range(20000)]
    data = "\n".join(lines).encode("utf-8")

    class CountingBytesIO(io.BytesIO):
        bytes_read = 0

        def read(self, size=-1):
            chunk = super().read(size)
            self.bytes_read += len(chunk)
            return chunk

        def read1(self, size=-1):
            chunk = super().read1(size)
            self.bytes_read += len(chunk)
            return chunk

    upload = CountingBytesIO(data)
    columns = [ColumnSpec("town", "镇"), ColumnSpec("title", "需求标题")]
    table = read_table(upload, filename="big.csv", columns=columns, max_rows=100)
    assert table.rows == []
    assert "100" in str(table.errors[0])
    assert upload.bytes_read < len(data) / 2


# --------------------------------------------------------------------------
# Refused files
# --------------------------------------------------------------------------


def test_it_refuses_a_text_file_renamed_xlsx():
    table = read_table(io.BytesIO("镇,需求标题\n黄坑镇,修路\n".encode()), filename="需求.xlsx", columns=TOWN_COLUMNS)
    assert table.rows == []
    assert "文件不是有效的Excel文件" in str(table.errors[0])


def test_it_refuses_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
    table = read_table(io.BytesIO(buffer.getvalue()), filename="需求.xlsx", columns=TOWN_COLUMNS)
    assert "文件不是有效的Excel文件" in str(table.errors[0])


def test_it_refuses_a_broken_legacy_xls():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    table = read_table(io.BytesIO(data), filename="需求.xls", columns=TOWN_COLUMNS)
    assert "文件不是有效的Excel文件" in str(table.errors[0])


def test_it_refuses_an_empty_file():
    table = read_table(io.BytesIO(b""), filename="需求.xlsx", columns=TOWN_COLUMNS)
    assert table.rows == []
    assert "文件为空" in str(table.errors[0])


def test_it_refuses_an_oversized_xlsx_from_its_dimension_without_parsing_rows(monkeypatch):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["镇", "需求标题"])
    for index in range(500):
        ws.append(["黄坑镇", f"需求{index}"])
    data = xlsx_bytes(workbook)
    parsed_rows = []
    real_rows = excel._xlsx_sheet_rows

    def counting_rows(sheet):
        for item in real_rows(sheet):
            parsed_rows.append(item[0])
            yield item

    monkeypatch.setattr(excel, "_xlsx_sheet_rows", counting_rows)
    columns = [ColumnSpec("town", "镇"), ColumnSpec("title", "需求标题")]
    table = read_table(io.BytesIO(data), filename="big.xlsx", columns=columns, max_rows=50)
    assert table.rows == []
    assert "50" in str(table.errors[0]) and "分批" in str(table.errors[0])
    assert parsed_rows == []


def test_it_refuses_an_oversized_xlsx_without_a_dimension_while_reading():
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["镇", "需求标题"])
    for index in range(500):
        ws.append(["黄坑镇", f"需求{index}"])
    data = strip_dimension(xlsx_bytes(workbook))
    columns = [ColumnSpec("town", "镇"), ColumnSpec("title", "需求标题")]
    table = read_table(io.BytesIO(data), filename="big.xlsx", columns=columns, max_rows=50)
    assert table.rows == []
    assert "50" in str(table.errors[0])


# --------------------------------------------------------------------------
# Legacy .xls (no .xls writer is installed, so xlrd's book is stood in for)
# --------------------------------------------------------------------------


class FakeXlsSheet:
    name = "Sheet1"
    visibility = 0

    def __init__(self, rows, types, merged_cells):
        self._rows, self._types, self.merged_cells = rows, types, merged_cells
        self.nrows = len(rows)

    def row_values(self, index):
        return list(self._rows[index])

    def row_types(self, index):
        return list(self._types[index])


class FakeXlsBook:
    datemode = 0

    def __init__(self, sheet):
        self._sheet = sheet
        self.nsheets = 1

    def sheet_by_index(self, index):
        return self._sheet

    def release_resources(self):
        pass


def test_it_reads_a_legacy_xls_with_merged_towns_and_dates(monkeypatch):
    text, number, date, empty = xlrd.XL_CELL_TEXT, xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE, xlrd.XL_CELL_EMPTY
    rows = [
        ["仁化县需求表", "", "", "", "", ""],
        ["县（市、区）", "镇", "镇代码", "需求标题", "类别", "完成时间"],
        ["仁化县", "黄坑镇", 440224111.0, "修路", "农业", 44561.0],
        ["仁化县", "", 440224111.0, "修桥", "农业", ""],
    ]
    types = [
        [text, empty, empty, empty, empty, empty],
        [text] * 6,
        [text, text, number, text, text, date],
        [text, empty, number, text, text, empty],
    ]
    # xlrd's merged_cells are (row_lo, row_hi, col_lo, col_hi), 0-based, hi exclusive.
    sheet = FakeXlsSheet(rows, types, merged_cells=[(0, 1, 0, 6), (2, 4, 1, 2)])
    monkeypatch.setattr(xlrd, "open_workbook", lambda **kwargs: FakeXlsBook(sheet))
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    table = read_table(io.BytesIO(data), filename="老表格.xls", columns=TOWN_COLUMNS)
    assert table.errors == []
    assert table.header_row == 2
    assert [row["town"] for row in table.rows] == ["黄坑镇", "黄坑镇"]
    assert [row["town_code"] for row in table.rows] == ["440224111", "440224111"]
    assert table.rows[0]["due"] == dt.date(2021, 12, 31)


# --------------------------------------------------------------------------
# Export and templates
# --------------------------------------------------------------------------


def test_it_neutralises_formula_like_text_on_export():
    rows = [["=1+1", "+86 138", "-5", "@SUM(A1)", "\tx", "\rx", "正常", -5, None, dt.date(2021, 12, 31)]]
    data = export_rows(["名称"] * 10, rows, sheet_title="需求")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [cell.value for cell in ws[2]]
    assert values[:7] == ["'=1+1", "'+86 138", "'-5", "'@SUM(A1)", "'\tx", "'\rx", "正常"]
    assert values[7] == -5
    assert values[8] is None
    assert values[9].date() == dt.date(2021, 12, 31)
    assert all(cell.data_type != "f" for cell in ws[2])


def test_it_exports_a_bold_frozen_header_with_widths():
    data = export_rows(["镇", "需求标题"], [["黄坑镇", "茶叶加工技术培训与推广" * 2]], sheet_title="需求/汇总")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.title == "需求汇总"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width


def test_it_writes_several_sheets_and_round_trips_through_read_table():
    data = write_workbook(
        [
            ("需求", ["镇", "需求标题"], [["黄坑镇", "=危险"], ["长江镇", "修路"]]),
            ("说明", ["内容"], [["导出于2021年12月31日"]]),
        ]
    )
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["需求", "说明"]
    columns = [ColumnSpec("town", "镇"), ColumnSpec("title", "需求标题")]
    table = read_table(io.BytesIO(data), filename="导出.xlsx", columns=columns)
    assert table.errors == []
    assert [row["title"] for row in table.rows] == ["=危险", "修路"]


def test_it_neutralises_only_text():
    assert neutralise("=A1") == "'=A1"
    assert neutralise("韶关") == "韶关"
    assert neutralise(-1) == -1


def test_it_makes_a_template_with_instructions_and_dropdowns():
    long_choices = [f"产业类别{i:02d}" for i in range(40)]
    columns = [
        ColumnSpec("town_code", "镇代码", kind="code"),
        ColumnSpec("title", "需求标题", max_length=50),
        ColumnSpec("category", "类别", kind="choice", choices=[("agri", "农业"), ("industry", "工业")]),
        ColumnSpec("industries", "产业", kind="multi", choices=long_choices, required=False),
    ]
    data = make_template(columns, title="镇村需求导入", instructions=["每行填写一项需求。", "带*的列必须填写。"])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[:2] == ["镇村需求导入", "说明"]
    ws = workbook["镇村需求导入"]
    assert [cell.value for cell in ws[1]] == ["*镇代码", "*需求标题", "*类别", "产业"]
    assert ws.freeze_panes == "A2"
    validations = {str(v.sqref).split(":")[0]: v for v in ws.data_validations.dataValidation}
    assert validations["C2"].formula1 == '"农业,工业"'
    assert validations["D2"].formula1.startswith("'选项'!")
    assert workbook["选项"].sheet_state == "hidden"
    notes = [cell.value for row in workbook["说明"].iter_rows() for cell in row if cell.value]
    assert "每行填写一项需求。" in notes and "必填" in notes

    # The template, once filled in, reads back.
    ws.append(["440224111", "修路", "农业", "产业类别01、产业类别02"])
    table = read_table(io.BytesIO(xlsx_bytes(workbook)), filename="填好.xlsx", columns=columns)
    assert table.errors == []
    assert table.rows == [
        {"town_code": "440224111", "title": "修路", "category": "agri", "industries": ["产业类别01", "产业类别02"]}
    ]


def test_it_renders_row_errors_in_chinese():
    assert str(RowError(5, "镇代码", "不能为空")) == "第5行 “镇代码”：不能为空"
    assert str(RowError(5, None, "格式不对")) == "第5行：格式不对"
    assert str(RowError(None, None, "文件为空")) == "文件为空"
