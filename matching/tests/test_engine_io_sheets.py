"""`manage.py match` on workbooks as officials send them: the data sheet found by its header behind an
instructions sheet, and town codes outside the platform's division list refused with their row."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from matching.engine import io as engine_io
from matching.engine.errors import EngineInputError
from matching.engine.io import read_needs, read_teams
from matching.management.commands.match import known_town_codes

ROOT = Path(__file__).resolve().parents[2]
NEED_HEADER = ["镇代码", "镇名称", "需求标题", "需求描述", "产业类别", "服务类型"]
TEAM_HEADER = ["团队编号", "团队名称", "派出单位", "专业领域", "团队简介", "意向镇代码", "前期对接镇代码"]
NEEDS = [
    ["440224111", "黄坑镇", "贡柑提质增效", "皇帝柑黄龙病防控", "果树", "技术指导；技能培训"],
    ["440282100", "乌迳镇", "荸荠种苗", "荸荠品种退化", "蔬菜", "技术指导"],
]
TEAMS = [
    ["T01", "柑橘团队", "华南农业大学", "柑橘栽培、黄龙病", "贡柑与沙糖桔", "440224111", "440224111"],
    ["T02", "水生蔬菜团队", "广东省农科院", "马蹄脱毒种苗", "", "440282100", ""],
]
INSTRUCTIONS = [["填表说明"], ["1. 镇代码填写9位统计用区划代码，如440224111。"], ["2. 数据请填在“数据”工作表，不要修改表头。"],
                ["镇代码", "须为9位数字"], ["需求标题", "不超过200字"]]


def workbook(path, header, rows, *, instructions=True, hidden_first=False):
    book = Workbook()
    first = book.active
    if instructions:
        first.title = "填表说明"
        for line in INSTRUCTIONS:
            first.append(line)
        if hidden_first:
            decoy = book.create_sheet("旧数据", 0)
            decoy.append(header)
            decoy.append(rows[0])
            decoy.sheet_state = "hidden"
        data = book.create_sheet("数据")
    else:
        data = first
    data.append(["仁化县乡镇科技需求汇总表"])  # a title row above the header, as WPS users make it
    data.append(header)
    for row in rows:
        data.append(row)
    book.save(path)
    return str(path)


def run_command(*args):
    return subprocess.run([sys.executable, "manage.py", "match", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_the_engine_skips_an_instructions_sheet_before_the_data(tmp_path):
    needs = read_needs(workbook(tmp_path / "needs.xlsx", NEED_HEADER, NEEDS))
    assert [(need.town_code, need.title) for need in needs] == [("440224111", "贡柑提质增效"), ("440282100", "荸荠种苗")]
    teams, warnings = read_teams(workbook(tmp_path / "teams.xlsx", TEAM_HEADER, TEAMS), towns={"440224111", "440282100"})
    assert [team.team_id for team in teams] == ["T01", "T02"] and warnings == []
    # A hidden sheet is never the data sheet, even with the right header.
    needs = read_needs(workbook(tmp_path / "hidden.xlsx", NEED_HEADER, NEEDS[1:], hidden_first=True))
    assert [need.title for need in needs] == ["荸荠种苗"]


def test_a_workbook_without_the_header_anywhere_is_refused_in_chinese(tmp_path):
    path = workbook(tmp_path / "needs.xlsx", ["县", "镇", "内容"], [["仁化县", "黄坑镇", "贡柑"]])
    with pytest.raises(EngineInputError, match="找不到表头"):
        read_needs(path)


def test_the_command_reads_workbooks_with_an_instructions_sheet_first(tmp_path):
    needs = workbook(tmp_path / "needs.xlsx", NEED_HEADER, NEEDS)
    teams = workbook(tmp_path / "teams.xlsx", TEAM_HEADER, TEAMS)
    result = run_command("--needs", needs, "--teams", teams)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {(a["town_code"], a["team_id"]) for a in data["assignments"]} == {("440224111", "T01"), ("440282100", "T02")}


def test_the_command_refuses_a_town_code_outside_the_division_list_with_its_row(tmp_path):
    rows = NEEDS + [["440224999", "不存在镇", "茶叶加工", "白毛茶加工工艺落后", "茶叶", "技术指导"]]
    needs = workbook(tmp_path / "needs.xlsx", NEED_HEADER, rows, instructions=False)
    teams = workbook(tmp_path / "teams.xlsx", TEAM_HEADER, TEAMS, instructions=False)
    result = run_command("--needs", needs, "--teams", teams)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert "第 5 行“镇代码”列：镇代码 440224999 不在区划名单中" in result.stderr


def test_the_division_list_is_the_platforms_towns_or_the_shipped_files(world):
    # With towns in the database, those are the list.
    assert known_town_codes() == {world.renhua_city_town.code, world.renhua_county_town.code,
                                  world.nanxiong_city_town.code, world.nanxiong_county_town.code}


def test_the_shipped_division_files_are_the_fallback(db):
    codes = known_town_codes()
    assert len(codes) == 105 and {"440224111", "440282100"} <= codes  # Shaoguan's 105 towns, no farms or parks
    assert all(int(code[6:]) < 400 for code in codes)


def test_known_towns_apply_to_needs_and_team_preferences(tmp_path):
    needs = workbook(tmp_path / "needs.xlsx", NEED_HEADER, NEEDS)
    with pytest.raises(EngineInputError) as error:
        read_needs(needs, known_towns={"440224111"})
    assert (error.value.row, error.value.column) == (4, "镇代码") and "440282100 不在区划名单中" in str(error.value)
    teams = workbook(tmp_path / "teams.xlsx", TEAM_HEADER, TEAMS)
    with engine_io.known_towns({"440224111"}):
        with pytest.raises(EngineInputError) as error:
            read_teams(teams)
    assert (error.value.row, error.value.column) == (4, "意向镇代码")
    assert len(read_needs(needs)) == 2  # outside the block: no list, no check


def test_a_workbook_unpacking_too_large_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    path = workbook(tmp_path / "needs.xlsx", NEED_HEADER, NEEDS)
    unpacked = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(engine_io, "MAX_UNPACKED_BYTES", unpacked - 1)
    with pytest.raises(EngineInputError, match="解压后超过"):
        read_needs(path)
