"""Chinese explanations of pairs and each town's top candidates."""
from matching.engine import Need, Team, describe_candidates, match

TOWN = "440282100"


def result_for(teams, **kwargs):
    needs = [Need(TOWN, "乌迳镇", "荸荠提质", "荸荠品种退化、病害多", "蔬菜", ["技术指导", "技能培训"])]
    return match(needs, teams, **kwargs)


def test_it_names_the_matched_words_and_the_synonym():
    result = result_for([Team("T1", "水生蔬菜团队", "省农科院", "马蹄脱毒种苗", service_types=["技术指导"],
                              preferred_towns=[TOWN], prior_towns=[TOWN])])
    reasons = result.assignments[0].reasons
    text = "\n".join(reasons)
    assert reasons[0].startswith("综合得分")
    assert "“荸荠”对应专业领域中的“马蹄”（同义词，均指“马蹄”）" in text
    assert "有前期对接基础" in text
    assert "第 1 意向镇" in text
    assert "服务类型吻合：技术指导" in text


def test_it_explains_a_parent_product_match():
    needs = [Need("440224111", "黄坑镇", "柑橘提质", "", "果树")]
    result = match(needs, [Team("T1", "果树团队", "华农", "沙糖桔栽培")])
    assert any("“沙糖桔”属于“柑橘”" in reason for reason in result.assignments[0].reasons)


def test_it_says_when_a_team_is_assigned_without_any_fit():
    result = result_for([Team("T1", "养猪团队", "某大学", "生猪养殖")])
    assert any("没有共同的专业词语" in reason for reason in result.assignments[0].reasons)


def test_it_lists_the_top_five_candidates_best_first_whatever_the_assignment():
    teams = [Team("T%d" % index, "团队", "某大学", "马蹄" if index % 2 else "生猪") for index in range(8)]
    result = result_for(teams, locked=[(TOWN, "T0")])
    candidates = result.candidates[TOWN]
    assert len(candidates) == 5
    scores = [candidate.score for candidate in candidates]
    assert scores == sorted(scores, reverse=True)
    assert candidates[0].team_id != "T0"
    assert result.assignments[0].team_id == "T0"
    lines = describe_candidates(candidates, {"T1": "水生蔬菜团队"})
    assert lines[0].startswith("第 1 名：")
    assert len(lines) == 5


def test_it_serialises_the_cli_shape():
    result = result_for([Team("T1", "水生蔬菜团队", "省农科院", "马蹄")])
    data = result.to_dict()
    assert set(data) >= {"assignments", "unassigned_towns", "candidates"}
    assert set(data["assignments"][0]) >= {"town_code", "team_id", "score", "reasons"}
    assert set(data["candidates"][TOWN][0]) == {"team_id", "score"}
