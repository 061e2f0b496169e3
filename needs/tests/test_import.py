"""Importing needs from spreadsheets as officials really make them: all rows or none, a report naming row and column."""
import io

import openpyxl
import pytest

from needs.models import Need
from needs.services import needs_import

HEADER = ["镇代码", "镇名称", "涉及行政村", "需求标题", "需求描述", "产业类别", "服务类型", "优先级", "预期成效", "调研人", "调研日期"]


def xlsx(rows, header=HEADER, merge=None, title=True):
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append(["仁化县乡镇科技需求汇总表"])
    sheet.append([" %s " % h for h in header])  # padded headers, as WPS users leave them
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(world, content, filename="需求.xlsx", actor="renhua_st"):
    return needs_import(actor=world[actor], cycle=world.cycle, file=io.BytesIO(content), filename=filename)


def test_it_imports_a_wps_style_sheet_with_merged_town_cells_and_numeric_codes(world):
    content = xlsx([
        [440224108, "董塘镇", "", "贡柑黄龙病防控", "黄龙病蔓延", "果树", "技术指导、技能培训", "高", "", "张三", "2025-03-01"],
        [None, None, "", "白毛茶加工", "加工工艺落后", "茶叶", "成果转化", "", "", "", "2025年3月2日"],
    ], merge="A3:A4")
    # openpyxl keeps the merged range's top-left value; the second row's town comes from the merge.
    report = run(world, content)
    assert report.errors == [] and report.saved == 2
    assert list(Need.objects.order_by("pk").values_list("town__name", "service_types")) == [
        ("董塘镇", ["guidance", "training"]), ("董塘镇", ["transfer"])]
    assert Need.objects.filter(priority="high").count() == 1


def test_it_reads_gbk_and_utf8_bom_csv(world):
    text = "镇代码,需求标题,需求描述,产业类别,服务类型\n440224108,香芋种植,香芋产量低,蔬菜,技术指导\n"
    assert run(world, text.encode("gbk"), "需求.csv").saved == 1
    assert run(world, "\ufeff".encode() + text.encode("utf-8"), "需求.csv").saved == 1


def test_it_saves_nothing_and_names_each_bad_row(world):
    content = xlsx([
        ["440224108", "董塘镇", "", "好的一行", "描述", "果树", "技术指导", "", "", "", ""],
        ["440299999", "", "", "未知镇", "描述", "果树", "技术指导", "", "", "", ""],
        ["440282113", "珠玑镇", "", "外县的镇", "描述", "果树", "技术指导", "", "", "", ""],
        ["440224108", "", "", "", "描述", "果树", "技术指导", "", "", "", ""],
        ["440224108", "", "", "没有服务类型", "描述", "果树", "打酱油", "", "", "", ""],
        ["440224108", "", "", "公式", "=A1", "果树", "技术指导", "", "", "", ""],
    ])
    report = run(world, content)
    messages = [str(error) for error in report.errors]
    assert report.saved == 0 and Need.objects.count() == 0
    assert any(m.startswith("第4行 “镇代码”：未知的镇代码") for m in messages)
    assert any(m.startswith("第5行") and "不在您的填报范围内" in m for m in messages)
    assert any(m.startswith("第6行 “需求标题”") for m in messages)
    assert any(m.startswith("第7行 “服务类型”") for m in messages)
    assert any(m.startswith("第8行 “需求描述”") and "公式" in m for m in messages)


def test_it_names_missing_headers(world):
    report = run(world, xlsx([["440224108", "x"]], header=["镇代码", "需求标题"]))
    assert report.saved == 0 and any("需求描述" in str(e) for e in report.errors)


@pytest.mark.parametrize("content,filename,expected", [
    (b"", "需求.xlsx", "空"),
    (b"hello world, not a spreadsheet", "需求.xlsx", "不是有效的Excel文件"),
])
def test_it_refuses_empty_and_fake_files(world, content, filename, expected):
    report = run(world, content, filename)
    assert report.saved == 0 and expected in str(report.errors[0])


def test_it_refuses_a_file_beyond_the_row_limit_at_once(world, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [["440224108", "", "", "需求%d" % i, "描述", "果树", "技术指导", "", "", "", ""] for i in range(8)]
    report = run(world, xlsx(rows))
    assert report.saved == 0 and "5" in str(report.errors[0])


def test_a_town_user_imports_only_its_own_town(world):
    content = xlsx([["440224111", "黄坑镇", "", "x", "y", "果树", "技术指导", "", "", "", ""]])
    report = run(world, content, actor="renhua_county_town")
    assert report.saved == 0 and "不在您的填报范围内" in str(report.errors[0])


def test_the_import_page_runs_in_the_background_and_shows_the_report(world, login):
    client = login("renhua_st")
    upload = io.BytesIO(xlsx([["440224108", "", "", "香芋种植", "描述", "蔬菜", "技术指导", "", "", "", ""]]))
    upload.name = "需求.xlsx"
    response = client.post("/needs/import/", {"file": upload})
    assert response.status_code == 302 and "/tasks/" in response.url
    page = client.get(response.url).content.decode()
    assert "导入成功：共 1 行" in page
    assert Need.objects.get().title == "香芋种植"
    bad = io.BytesIO(xlsx([["440299999", "", "", "x", "y", "蔬菜", "技术指导", "", "", "", ""]]))
    bad.name = "坏.xlsx"
    page = client.get(client.post("/needs/import/", {"file": bad}).url).content.decode()
    assert "未保存任何数据" in page and "未知的镇代码" in page


def test_the_export_neutralises_formula_like_text(world, make_need, login):
    make_need(title="=HYPERLINK(\"http://x\")", description="x")
    response = login("renhua_st").get("/needs/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["'=HYPERLINK(\"http://x\")"]


def test_the_template_has_drop_downs_and_instructions(world, login):
    response = login("renhua_st").get("/needs/import/?template=1")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "说明" in book.sheetnames
    assert book.worksheets[0].data_validations.dataValidation


@pytest.mark.parametrize("content, filename", [(b"%PDF-1.4 not a sheet", "需求.pdf"), (b"%PDF-1.4", "需求.xlsx"),
                                               (b"PK\x03\x04broken zip", "需求.xlsx"), (b"a,b\x00\x00", "需求.csv")])
def test_a_file_that_is_not_a_spreadsheet_is_refused_on_upload_before_any_task(world, login, content, filename):
    from core.models import TaskRun

    upload = io.BytesIO(content)
    upload.name = filename
    response = login("renhua_st").post("/needs/import/", {"file": upload})
    assert response.status_code == 200  # the form again, with the reason beside the file field
    page = response.content.decode()
    assert "不是有效的" in page or "不支持该文件类型" in page
    assert not TaskRun.objects.exists()


def test_the_export_shows_the_entry_date_as_a_date_without_a_time(world, make_need, login):
    import datetime as dt

    from django.utils import timezone

    need = make_need(title="香芋种植", description="x")
    response = login("renhua_st").get("/needs/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    value = sheet.cell(row=2, column=header.index("填报日期") + 1).value
    # openpyxl reads a date cell back as a midnight datetime: no time of day, and the local (Beijing) date.
    assert value == dt.datetime.combine(timezone.localtime(need.created_at).date(), dt.time())
    assert sheet.cell(row=2, column=header.index("填报日期") + 1).number_format in ("yyyy-mm-dd", "YYYY-MM-DD")


def test_a_survey_date_after_today_is_refused_on_its_row_as_on_the_form(world):
    import datetime as dt

    from django.utils import timezone

    later = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    content = xlsx([
        ["440224108", "董塘镇", "", "好的一行", "描述", "果树", "技术指导", "", "", "", "2025-03-01"],
        ["440224108", "董塘镇", "", "未来调研", "描述", "果树", "技术指导", "", "", "", later],
    ])
    report = run(world, content)
    assert report.saved == 0 and not Need.objects.exists()
    assert [(e.column, "调研日期不能晚于今天" in e.message) for e in report.errors] == [("调研日期", True)]
