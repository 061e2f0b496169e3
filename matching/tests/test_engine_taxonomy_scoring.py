"""Taxonomy loading and the scoring of (town, team) pairs."""
import json

import pytest

from matching.engine import EngineInputError, Need, Team, Weights, load_taxonomy, match
from matching.engine.taxonomy import DEFAULT_TAXONOMY_PATH, Taxonomy

REQUIRED_CATEGORIES = ["粮食作物", "果树", "茶叶", "蔬菜", "食用菌", "中药材", "畜牧", "水产", "林业/竹木", "花卉",
                       "农产品加工", "农村电商", "乡村旅游", "乡村规划", "其他"]


def need(code, title, description="", industry="", services=()):
    return Need(code, "镇" + code[-3:], title, description, industry, list(services))


def team(team_id, specialties, summary="", **extra):
    return Team(team_id, extra.pop("name", "团队" + team_id), "某大学", specialties, summary, **extra)


def fits(needs, teams, **kwargs):
    """Candidate fit of every team for the first town."""
    result = match(needs, teams, **kwargs)
    return {c.team_id: c.components["fit"] for c in result.candidates[needs[0].town_code]}


def test_it_ships_a_taxonomy_with_every_required_category():
    data = json.loads(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    assert data["version"] == 1
    names = [category["name"] for category in data["categories"]]
    for name in REQUIRED_CATEGORIES:
        assert name in names


def test_it_lists_every_child_as_a_product_and_never_repeats_a_term():
    taxonomy = load_taxonomy()
    terms = []
    for category in taxonomy.data["categories"]:
        for product in category["products"]:
            terms += [product["name"]] + product["synonyms"]
            for child in product["children"]:
                assert child in taxonomy.products
    assert len(terms) == len(set(terms))
    assert taxonomy.term_to_product["荸荠"] == "马蹄"
    assert taxonomy.term_to_product["合掌瓜"] == "佛手瓜"
    assert "贡柑" in taxonomy.products["柑橘"]["children"]


def test_it_refuses_a_taxonomy_whose_child_is_not_a_product():
    with pytest.raises(EngineInputError, match="没有作为产品列出"):
        Taxonomy({"version": 1, "categories": [{"name": "果树", "products": [
            {"name": "柑橘", "synonyms": [], "children": ["贡柑"]}]}]})


@pytest.mark.parametrize("need_word,team_word", [
    ("荸荠", "马蹄"), ("合掌瓜", "佛手瓜"), ("白果", "银杏"), ("山茶油", "油茶"), ("皇帝柑", "贡柑"),
    ("芋头", "香芋"), ("烤烟", "烟叶"), ("马坝油占米", "马坝油粘米"),
])
def test_it_matches_a_need_and_a_team_naming_the_same_product_differently(need_word, team_word):
    scores = fits([need("440224111", need_word + "种植技术")],
                  [team("A", team_word + "栽培"), team("B", "生猪养殖"), team("C", "乡村民宿")])
    assert scores["A"] == pytest.approx(1.0)
    assert scores.get("B", 0.0) < 0.2 and scores.get("C", 0.0) < 0.2


def test_it_expands_a_parent_product_to_its_children():
    scores = fits([need("440224111", "柑橘产业提质")],
                  [team("A", "沙糖桔、贡柑栽培"), team("B", "茶叶加工"), team("C", "水稻育种")])
    assert scores["A"] == pytest.approx(1.0)
    assert scores.get("B", 0.0) < 0.3


def test_it_does_not_confuse_oil_tea_with_tea():
    scores = fits([need("440224111", "油茶低产林改造", industry="林业")],
                  [team("TEA", "白毛茶加工、茶园管理"), team("OIL", "高产油茶栽培")])
    assert scores["OIL"] == pytest.approx(1.0)
    assert scores.get("TEA", 0.0) < 0.3


def test_it_prefers_the_team_with_prior_engagement_when_fit_ties():
    needs = [need("440224111", "沙田柚种植")]
    teams = [team("A", "沙田柚栽培"), team("B", "沙田柚栽培", prior_towns=["440224111"])]
    result = match(needs, teams)
    assert result.assignments[0].team_id == "B"
    assert result.assignments[0].components["prior"] == 1.0


def test_it_weighs_service_type_overlap():
    needs = [need("440224111", "沙田柚种植", services=["技能培训", "成果转化"])]
    teams = [team("A", "沙田柚栽培", service_types=["技术指导"]),
             team("B", "沙田柚栽培", service_types=["技能培训", "成果转化"])]
    result = match(needs, teams)
    assert result.assignments[0].team_id == "B"
    assert result.assignments[0].components["service"] == 1.0


def test_it_lets_weights_change_the_winner():
    needs = [need("440224111", "贡柑种植")]
    teams = [team("FIT", "贡柑栽培与病虫害防治"), team("PRIOR", "柑橘", prior_towns=["440224111"])]
    assert match(needs, teams, Weights(prior=0.0)).assignments[0].team_id == "FIT"
    # Fit first: a large prior weight does not beat a clearly better fit; with the margin opened (1 = always), it does.
    assert match(needs, teams, Weights(prior=5.0)).assignments[0].team_id == "FIT"
    assert match(needs, teams, Weights(prior=5.0, familiarity_margin=1.0)).assignments[0].team_id == "PRIOR"


def test_it_adds_panel_scores_scaled_to_the_largest():
    needs = [need("440224111", "贡柑种植")]
    teams = [team("A", "贡柑栽培"), team("B", "贡柑栽培")]
    result = match(needs, teams, panel_scores={("440224111", "B"): 90.0, ("440224111", "A"): 45.0})
    assert result.assignments[0].team_id == "B"
    assert result.assignments[0].components["panel"] == 1.0


def test_it_refuses_unknown_or_negative_weights():
    with pytest.raises(EngineInputError, match="未知的权重项"):
        Weights.from_mapping({"luck": 1})
    with pytest.raises(EngineInputError, match="不能为负数"):
        Weights.from_mapping({"fit": -1})
    assert Weights.from_mapping({"prior": 1}).prior == 1.0


def test_a_town_named_in_a_teams_contact_note_is_not_expertise():
    # jieba cuts 红山镇 into 山镇 and keeps 石塘: neither may count as a shared skill.
    needs_ = [Need("440224105", "红山镇", "红山镇贡柑黄龙病防控", "石塘、红山镇一带贡柑种植面积大"),
              Need("440224107", "石塘镇", "生猪养殖", "")]
    teams_ = [team("PIG", "生猪疫病防控", summary="联系人：王某，常驻红山镇，往返石塘"),
              team("CITRUS", "柑橘黄龙病防治")]
    result = match(needs_, teams_)
    hongshan = {c.team_id: c.components["fit"] for c in result.candidates["440224105"]}
    assert hongshan.get("PIG", 0.0) == 0.0
    assert hongshan["CITRUS"] == pytest.approx(1.0)
    placed = {a.town_code: a.team_id for a in result.assignments}
    assert placed == {"440224105": "CITRUS", "440224107": "PIG"}
