"""Importing commissioners and teams from Excel: every row checked, all rows or none saved."""
import io

import openpyxl

from teams.models import Commissioner, Team, TeamMembership
from teams.tests.factories import id_number, make_commissioner

PEOPLE_HEADER = ("姓名", "性别", "身份证号码", "手机号码", "派出单位", "职称", "职称级别", "学历", "专业领域", "专长关键词",
                 "个人简介", "是否驻镇工作队队员")
TEAM_HEADER = ("团队名称", "牵头派出单位", "负责人身份证号码", "成员身份证号码", "服务类型", "专长概述", "研究方向", "团队简介")


def workbook(header, rows, name="导入.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2025年特派员名单"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def person(name, number, unit="华南农业大学", education="硕士研究生"):
    return (name, "男", number, "13800138000", unit, "副教授", "副高级", education, "果树", "柑橘", "", "否")


def test_it_imports_people_into_the_registry(world, login):
    response = login("unit").post("/teams/commissioners/import/", {"file": workbook(PEOPLE_HEADER, [
        person("张伟", id_number(21)), person("刘洋", id_number(22).lower()),
    ])})
    assert response.status_code == 302
    assert set(Commissioner.objects.values_list("name", flat=True)) == {"张伟", "刘洋"}
    assert Commissioner.objects.get(name="刘洋").id_number == id_number(22)


def test_it_saves_no_one_when_a_row_is_wrong_and_names_it(world, login):
    make_commissioner(world.unit, name="已登记")
    taken = Commissioner.objects.get(name="已登记").id_number
    bad = id_number(23)[:-1] + ("0" if id_number(23)[-1] != "0" else "1")
    page = login("unit").post("/teams/commissioners/import/", {"file": workbook(PEOPLE_HEADER, [
        person("张伟", id_number(24)), person("刘洋", bad), person("重复", id_number(24)),
        person("已有", taken), person("外单位", id_number(25), unit="韶关学院"),
    ])}).content.decode()
    assert "未保存任何数据" in page
    assert "第4行 “身份证号码”：身份证号码校验位不正确" in page
    assert "第5行 “身份证号码”：与第3行重复" in page
    assert "第6行 “身份证号码”：该身份证号码已在特派员库中登记" in page
    assert "第7行 “派出单位”：只能导入本单位人员" in page
    assert Commissioner.objects.count() == 1


def test_it_imports_teams_of_registered_people(world, login):
    people = [make_commissioner(world.unit) for _ in range(4)]
    ids = [p.id_number for p in people]
    world.cycle.team_size_min, world.cycle.team_size_max = 2, 3
    world.cycle.save()
    response = login("city_st").post("/teams/import/", {"file": workbook(TEAM_HEADER, [
        ("果树团队", "华南农业大学", ids[0], ids[1], "技术指导、技能培训", "果树", "", ""),
        ("蔬菜团队", "华南农业大学", ids[2], "%s" % ids[3], "成果转化", "", "", ""),
    ])})
    assert response.status_code == 302
    team = Team.objects.get(name="果树团队")
    assert team.service_types == ["guidance", "training"]
    assert TeamMembership.objects.get(team=team, role="leader").commissioner == people[0]


def test_it_refuses_teams_with_a_person_twice_or_the_wrong_size(world, login):
    people = [make_commissioner(world.unit) for _ in range(4)]
    ids = [p.id_number for p in people]
    page = login("city_st").post("/teams/import/", {"file": workbook(TEAM_HEADER, [
        ("果树团队", "华南农业大学", ids[0], "%s、%s" % (ids[1], ids[2]), "", "", "", ""),
        ("蔬菜团队", "华南农业大学", ids[3], "%s、%s" % (ids[1], id_number(99)), "", "", "", ""),
        ("小团队", "华南农业大学", id_number(98), "", "", "", "", ""),
    ])}).content.decode()
    assert "未保存任何数据" in page
    assert "第4行 “成员身份证号码”：%s已在第3行的团队中，同一人不能同时加入两个团队" % people[1].name in page
    assert "未在特派员库中登记" in page
    assert "第5行 “成员身份证号码”：团队共1人，本周期要求3至3人（含负责人）" in page
    assert not Team.objects.filter(name__in=["果树团队", "蔬菜团队", "小团队"]).exists()


def test_only_officials_import_teams(world, assert_denied):
    assert_denied("/teams/import/", allowed=["city_st", "renhua_st", "nanxiong_st"])
