"""Importing town classes and levels from Excel: all rows or none, with a report naming row and column."""
import io

import openpyxl

from regions.models import TownClassification


def workbook(rows, header=("镇代码", "镇名称", "镇类别", "组织层级", "备注")):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2025年镇类别表"])  # a title row above the header, as officials make them
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "镇类别.xlsx"
    return buffer


def test_it_imports_classes_from_a_spreadsheet(world, login):
    client = login("city_st")
    response = client.post("/regions/towns/import/", {"file": workbook([
        (440224108, "董塘镇", "重点帮扶镇", "市级组团", ""),
        ("440282113", "", "巩固提升镇", "县级组团", "备注"),
    ])})
    assert response.status_code == 302
    row = TownClassification.objects.get(town=world.renhua_county_town, cycle=world.cycle)
    assert (row.town_class, row.organizing_level) == ("key", "city")


def test_it_saves_nothing_when_one_row_is_wrong_and_names_the_row(world, login):
    client = login("city_st")
    response = client.post("/regions/towns/import/", {"file": workbook([
        ("440224108", "董塘镇", "重点帮扶镇", "市级组团", ""),
        ("440299999", "不存在镇", "巩固提升镇", "县级组团", ""),
        ("440282113", "珠玑镇", "特级镇", "县级组团", ""),
    ])})
    page = response.content.decode()
    assert "未保存任何数据" in page
    assert "第4行 “镇代码”：未知的镇代码“440299999”" in page
    assert "第5行" in page and "镇类别" in page
    row = TownClassification.objects.get(town=world.renhua_county_town, cycle=world.cycle)
    assert row.town_class == "consolidation"


def test_it_refuses_a_file_that_is_not_excel(world, login):
    fake = io.BytesIO(b"not a spreadsheet at all")
    fake.name = "镇类别.xlsx"
    page = login("city_st").post("/regions/towns/import/", {"file": fake}).content.decode()
    assert "不是有效的Excel文件" in page


def test_it_offers_a_template_with_instructions(world, login):
    response = login("city_st").get("/regions/towns/import/?template=1")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "说明" in book.sheetnames


def test_only_the_city_may_import(world, login):
    assert login("renhua_st").get("/regions/towns/import/").status_code == 404
    assert login("renhua_county_town").post("/regions/towns/import/", {"file": workbook([])}).status_code == 404
