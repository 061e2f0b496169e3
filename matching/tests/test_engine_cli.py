"""The command line on good and bad files: JSON on stdout, Chinese errors on stderr, never a traceback."""
import csv
import io
import json

import pytest
from openpyxl import Workbook

from matching.engine.cli import main

NEED_HEADER = ["镇代码", "镇名称", "需求标题", "需求描述", "产业类别", "服务类型"]
TEAM_HEADER = ["团队编号", "团队名称", "派出单位", "专业领域", "团队简介", "意向镇代码", "前期对接镇代码"]
NEEDS = [
    ["440224111", "黄坑镇", "贡柑提质增效", "皇帝柑黄龙病防控", "果树", "技术指导；技能培训"],
    ["440224111", "黄坑镇", "贡柑保鲜", "采后贮藏", "农产品加工", "成果转化"],
    ["440282100", "乌迳镇", "荸荠种苗", "荸荠品种退化", "蔬菜", "技术指导"],
]
TEAMS = [
    ["T01", "柑橘团队", "华南农业大学", "柑橘栽培、黄龙病", "贡柑与沙糖桔", "440224111", "440224111"],
    ["T02", "水生蔬菜团队", "广东省农科院", "马蹄脱毒种苗", "", "440282100；440224111", ""],
    ["T03", "养猪团队", "韶关学院", "生猪养殖", "", "", ""],
]


def write_csv(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path):
    return write_csv(tmp_path / "needs.csv", NEED_HEADER, NEEDS), write_csv(tmp_path / "teams.csv", TEAM_HEADER, TEAMS)


def assert_refused(code, out, err, *fragments):
    assert code != 0
    assert out == ""
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


def test_it_prints_only_json_for_good_files(files):
    code, out, err = run("--needs", files[0], "--teams", files[1])
    assert code == 0, err
    data = json.loads(out)
    assert {(a["town_code"], a["team_id"]) for a in data["assignments"]} == {("440224111", "T01"), ("440282100", "T02")}
    assert data["unassigned_towns"] == []
    assert [c["team_id"] for c in data["candidates"]["440224111"]][0] == "T01"
    assert "读取需求 3 条" in err


def test_it_reads_a_bom_csv_and_a_gbk_csv(tmp_path):
    needs = write_csv(tmp_path / "needs.csv", NEED_HEADER, NEEDS, encoding="utf-8-sig")
    teams = write_csv(tmp_path / "teams.csv", TEAM_HEADER, TEAMS, encoding="gbk")
    code, out, err = run("--needs", needs, "--teams", teams)
    assert code == 0, err
    assert len(json.loads(out)["assignments"]) == 2


def test_it_reads_xlsx_with_a_title_row_padded_headers_numeric_codes_and_merged_towns(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["仁化县、南雄市乡镇科技需求表"])
    sheet.append([" 镇代码 ", "镇名称\u3000", "需求标题", "需求描述", "产业类别", "服务类型"])
    sheet.append([440224111.0, "黄坑镇", "贡柑提质增效", "皇帝柑黄龙病", "果树", "技术指导"])
    sheet.append([None, None, "贡柑保鲜", "采后贮藏", "农产品加工", ""])
    sheet.append([440282100, "乌迳镇", "荸荠种苗", "荸荠品种退化", "蔬菜", "技术指导"])
    needs = tmp_path / "needs.xlsx"
    book.save(needs)
    book = Workbook()
    book.active.append(TEAM_HEADER)
    for row in TEAMS:
        book.active.append(row[:5] + [440224111.0 if row[5] == "440224111" else row[5], row[6]])
    teams = tmp_path / "teams.xlsx"
    book.save(teams)
    code, out, err = run("--needs", str(needs), "--teams", str(teams))
    assert code == 0, err
    data = json.loads(out)
    assert {(a["town_code"], a["team_id"]) for a in data["assignments"]} == {("440224111", "T01"), ("440282100", "T02")}


def test_it_refuses_missing_columns(tmp_path, files):
    needs = write_csv(tmp_path / "bad.csv", NEED_HEADER[:4], [row[:4] for row in NEEDS])
    assert_refused(*run("--needs", needs, "--teams", files[1]), "缺少列：产业类别、服务类型", "bad.csv")


def test_it_refuses_a_malformed_code_naming_row_and_column(tmp_path, files):
    rows = [NEEDS[0], ["44022411X", "黄坑镇", "标题", "", "", ""]]
    needs = write_csv(tmp_path / "needs.csv", NEED_HEADER, rows)
    assert_refused(*run("--needs", needs, "--teams", files[1]), "第 3 行", "“镇代码”列", "不是有效的 9 位乡镇区划代码")


def test_it_refuses_a_code_with_two_town_names(tmp_path, files):
    rows = [NEEDS[0], ["440224111", "乌迳镇", "标题", "", "", ""]]
    needs = write_csv(tmp_path / "needs.csv", NEED_HEADER, rows)
    assert_refused(*run("--needs", needs, "--teams", files[1]), "第 3 行", "镇代码 440224111")


def test_it_refuses_an_unknown_service_type(tmp_path, files):
    needs = write_csv(tmp_path / "needs.csv", NEED_HEADER, [NEEDS[0][:5] + ["技术咨询"]])
    assert_refused(*run("--needs", needs, "--teams", files[1]), "未知的服务类型“技术咨询”")


def test_it_refuses_duplicate_team_ids(tmp_path, files):
    teams = write_csv(tmp_path / "teams.csv", TEAM_HEADER, TEAMS + [TEAMS[0]])
    assert_refused(*run("--needs", files[0], "--teams", teams), "团队编号“T01”重复", "第 5 行")


def test_it_refuses_a_file_without_needs(tmp_path, files):
    needs = write_csv(tmp_path / "needs.csv", NEED_HEADER, [])
    assert_refused(*run("--needs", needs, "--teams", files[1]), "没有任何需求")


def test_it_refuses_a_preference_for_a_town_not_in_the_needs_file(tmp_path, files):
    rows = TEAMS[:2] + [["T03", "养猪团队", "韶关学院", "生猪", "", "440233100", ""]]
    teams = write_csv(tmp_path / "teams.csv", TEAM_HEADER, rows)
    assert_refused(*run("--needs", files[0], "--teams", teams), "意向镇代码 440233100 不在需求文件中", "第 4 行")


def test_it_warns_about_prior_engagement_with_a_town_not_in_the_needs_file(tmp_path, files):
    rows = TEAMS[:2] + [["T03", "养猪团队", "韶关学院", "生猪", "", "", "440233100"]]
    teams = write_csv(tmp_path / "teams.csv", TEAM_HEADER, rows)
    code, out, err = run("--needs", files[0], "--teams", teams)
    assert code == 0
    assert "前期对接镇代码 440233100 不在需求文件中，已忽略" in err
    json.loads(out)


def test_it_refuses_a_file_over_the_row_limit(tmp_path, files):
    rows = [["4402241%02d" % (index % 90), "镇", "标题", "", "", ""] for index in range(30)]
    needs = write_csv(tmp_path / "needs.csv", NEED_HEADER, rows)
    assert_refused(*run("--needs", needs, "--teams", files[1], "--row-limit", "20"), "超过 20 行的上限")


@pytest.mark.parametrize("argv,fragment", [
    (["--weights", "{bad"], "权重不是有效的 JSON"),
    (["--weights", '{"luck": 1}'], "未知的权重项"),
    (["--top-k", "0"], "--top-k 必须是正整数"),
])
def test_it_refuses_bad_options(files, argv, fragment):
    assert_refused(*run("--needs", files[0], "--teams", files[1], *argv), fragment)


def test_it_refuses_missing_arguments_missing_files_and_other_formats(tmp_path, files):
    assert_refused(*run("--needs", files[0]), "命令行参数错误")
    assert_refused(*run("--needs", str(tmp_path / "none.csv"), "--teams", files[1]), "找不到文件")
    other = tmp_path / "needs.txt"
    other.write_text("x", encoding="utf-8")
    assert_refused(*run("--needs", str(other), "--teams", files[1]), "只支持 .xlsx 或 .csv 文件")
    broken = tmp_path / "needs.xlsx"
    broken.write_bytes(b"not a zip")
    assert_refused(*run("--needs", str(broken), "--teams", files[1]), "不是有效的 .xlsx 文件")


def test_it_accepts_weights_and_top_k(files):
    code, out, err = run("--needs", files[0], "--teams", files[1], "--weights", '{"prior": 0}', "--top-k", "2")
    assert code == 0, err
    assert len(json.loads(out)["assignments"]) == 2
