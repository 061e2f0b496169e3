"""The registration package: the team table as XLSX and the cover letter as DOCX in the official layout."""
import io

import openpyxl
from docx import Document

from calls.tests.factories import staff_team
from needs.models import IndustryCategory, Need
from registrations.selectors import TEAM_TABLE_HEADERS
from registrations.tests.factories import cleared_pairing, county_pairing, prepare
from teams.models import Team


def test_the_team_table_has_the_columns_and_neutralises_formula_like_text(world, login):
    staff_team(world)
    Need.objects.create(cycle=world.cycle, town=world.renhua_county_town, title="贡柑黄龙病防控", description="防控",
                        category=IndustryCategory.objects.get(name="果树"), service_types=["guidance"], status="confirmed")
    Need.objects.create(cycle=world.cycle, town=world.renhua_county_town, title="未确认的需求", description="x",
                        category=IndustryCategory.objects.get(name="果树"), service_types=["guidance"], status="submitted")
    tricky = Team.objects.create(cycle=world.cycle, name="=HYPERLINK(\"http://x\")", lead_unit=world.other_unit,
                                 leader_name="陈海燕")
    second_town = world.renhua_county_town.county.towns.create(code="440224106", name="红山镇")
    world.cycle.town_classifications.create(town=second_town, town_class="consolidation", organizing_level="county")
    submission = prepare(world, "renhua_st", [county_pairing(world), cleared_pairing(world, second_town, tricky, "county")],
                         "city")
    response = login("renhua_st").get("/registrations/%d/package/table.xlsx" % submission.pk)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == TEAM_TABLE_HEADERS == ["序号", "团队名称", "团队负责人", "团队成员", "派出单位", "职称",
                                                   "专业领域", "帮扶镇", "县（市、区）", "对接需求", "联系方式"]
    first = dict(zip(TEAM_TABLE_HEADERS, rows[2]))  # rows follow the town codes: 红山镇 440224106 first
    assert first["团队名称"] == "柑橘团队" and first["团队负责人"] == "黄志强"
    assert first["团队成员"] == "成员0、成员1" and first["派出单位"] == "华南农业大学"
    assert first["职称"].startswith("黄志强：副研究员") and "果树栽培" in first["专业领域"]
    assert (first["帮扶镇"], first["县（市、区）"], first["对接需求"]) == ("董塘镇", "仁化县", "贡柑黄龙病防控")
    assert first["联系方式"].startswith("黄志强 139")
    second = dict(zip(TEAM_TABLE_HEADERS, rows[1]))
    assert second["团队名称"] == "'=HYPERLINK(\"http://x\")" and second["帮扶镇"] == "红山镇"
    assert second["团队负责人"] == "陈海燕" and second["派出单位"] == "韶关学院"


def test_the_cover_letter_opens_in_word_with_title_number_and_recipient(world, login):
    to_city = prepare(world, "renhua_st", [county_pairing(world)], "city")
    response = login("renhua_st").get("/registrations/%d/package/letter.docx" % to_city.pk)
    assert "attachment" in response["Content-Disposition"]
    text = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "仁化县科学技术局" in text and "仁科〔2025〕20号" in text
    assert "关于报送仁化县农村科技特派员团队选派备案的函" in text
    assert "韶关市科学技术局：" in text
    body = "\n".join(text)
    assert "韶科〔2021〕85号" in body and "报送贵局备案" in body and "董塘镇" in body and "妥否，请予备案。" in body
    assert "附件：仁化县农村科技特派员团队选派备案表" in body


def test_the_letter_to_the_province_is_addressed_to_the_department(world, login):
    to_province = prepare(world, "renhua_st", [county_pairing(world)], "province", number="仁科〔2025〕21号")
    response = login("renhua_st").get("/registrations/%d/package/letter.docx" % to_province.pk)
    text = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "广东省科学技术厅：" in text and any("报送贵厅备案" in line for line in text)


def test_a_table_with_full_phones_is_logged_and_a_masked_one_is_not(world, login):
    from core.models import SensitiveAccess

    staff_team(world)
    submission = prepare(world, "renhua_st", [county_pairing(world)], "city")
    assert login("renhua_st").get("/registrations/%d/package/table.xlsx" % submission.pk).status_code == 200
    logged = SensitiveAccess.objects.get(object_id=str(submission.pk), field="phone")
    assert logged.user == world["renhua_st"] and "联系电话" in logged.purpose
    assert login("renhua_rural").get("/registrations/%d/package/table.xlsx" % submission.pk).status_code == 200
    assert SensitiveAccess.objects.filter(field="phone").count() == 1  # masked for the rural office: nothing to log
