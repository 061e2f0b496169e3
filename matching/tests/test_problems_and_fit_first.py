"""Problem knowledge (farmers' words meet disciplinary words) and the fit-first rule, on the engine alone."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Need, Team, Weights, match
from matching.engine.errors import EngineInputError
from matching.engine.problems import ProblemIndex
from matching.engine.taxonomy import Taxonomy, load_taxonomy

TOWN, OTHER = "440224111", "440224107"


def need(code, title, description="", name="黄坑镇"):
    return Need(town_code=code, town_name=name, title=title, description=description)


def team(team_id, specialties, **kwargs):
    return Team(team_id=team_id, name=kwargs.pop("name", team_id), specialties=specialties, **kwargs)


def taxonomy_with(problems, products=("辣椒", "番茄", "生姜")):
    return {"version": 1, "categories": [
        {"name": "蔬菜", "products": [{"name": name, "synonyms": [], "children": []} for name in products]},
        {"name": "畜牧", "products": [{"name": "肉牛", "synonyms": ["黄牛"], "children": []}]},
    ], "problems": problems}


WILT = {"name": "青枯病", "category": "蔬菜", "products": ["辣椒", "番茄"],
        "phrases": ["中午 蔫", "早上 又好", "整株 死"], "terms": ["青枯病", "青枯菌"]}
# Other teams of the pool: peppers are common ground, as in a real call (many teams name the crop).
POOL = [team("BREED", "辣椒育种与制种"), team("FOOD", "辣椒酱加工"), team("TOMATO", "番茄设施栽培")]
GINGER = {"name": "姜瘟", "category": "蔬菜", "products": ["生姜"],
          "phrases": ["姜块 烂 臭", "姜 流 白浆"], "terms": ["姜瘟", "姜细菌性萎蔫"]}


def test_a_phrasing_is_found_when_its_fragments_share_a_sentence_commas_included():
    index = ProblemIndex(Taxonomy(taxonomy_with([WILT, GINGER])).problems)
    found = index.find("辣椒苗一到中午就蔫，早上又好了，过几天整株死。姜块烂了还有臭味")
    assert [(f.problem, f.kind, f.surface) for f in found] == [
        ("青枯病", "phrase", "中午就蔫"), ("青枯病", "phrase", "早上又好"), ("青枯病", "phrase", "整株死"),
        ("姜瘟", "phrase", "姜块烂了还有臭")]
    # Fragments in two sentences do not make a phrasing; a term is found inside a longer word.
    assert index.find("中午开会。茄子蔫了") == ()
    assert [f.kind for f in index.find("茄科青枯病综合防控")] == ["term"]


def test_a_need_in_farmers_words_goes_to_the_team_that_names_the_problem_and_the_reason_says_so():
    needs = [need(TOWN, "辣椒苗死了不少", "辣椒苗一到中午就蔫，早上又好了，过几天整株死")]
    teams = [team("WILT", "茄科青枯病综合防控；土传病害绿色防控"), team("SOIL", "辣椒高产栽培；测土配方施肥"), *POOL]
    with_problems = match(needs, teams, taxonomy=taxonomy_with([WILT]))
    assert with_problems.assignments[0].team_id == "WILT"
    reasons = " ".join(with_problems.assignments[0].reasons)
    assert "“中午就蔫”对应" in reasons and "“青枯病”" in reasons and "均指问题“青枯病”" in reasons, reasons
    # Without the knowledge the only shared word is the crop, and a pepper team that does not treat wilt wins.
    without = match(needs, teams, taxonomy=taxonomy_with([]))
    assert without.assignments[0].team_id != "WILT"


def test_the_right_problem_of_another_crop_loses_to_the_right_problem_of_this_crop():
    needs = [need(TOWN, "姜块烂了", "姜块烂了还有臭味，一片片死")]
    teams = [team("GINGER", "生姜姜瘟防控"), team("WILT", "番茄青枯病防控"), team("ROOT", "生姜高产栽培")]
    result = match(needs, teams, taxonomy=taxonomy_with([WILT, GINGER]))
    assert [c.team_id for c in result.candidates[TOWN]][:1] == ["GINGER"]


def test_fit_first_a_clearly_better_fit_beats_prior_engagement_and_first_preference():
    needs = [need(TOWN, "辣椒苗死了不少", "辣椒苗一到中午就蔫，早上又好了，过几天整株死")]
    teams = [team("WILT", "茄科青枯病综合防控"),
             team("NEAR", "辣椒栽培技术推广；蔬菜病虫害", prior_towns=[TOWN], preferred_towns=[TOWN]), *POOL]
    taxonomy = taxonomy_with([WILT])
    result = match(needs, teams, taxonomy=taxonomy)
    assert result.assignments[0].team_id == "WILT"
    near = next(c for c in result.candidates[TOWN] if c.team_id == "NEAR")
    assert near.components["prior"] == 0 and near.components["preference"] == 0  # outside the margin: not counted
    # The rule before (familiarity always counts, margin 1) let the generalist win.
    old_rule = match(needs, teams, Weights(familiarity_margin=1.0), taxonomy=taxonomy)
    assert old_rule.assignments[0].team_id == "NEAR"


def test_between_teams_that_fit_equally_prior_engagement_decides_and_the_proposal_says_so():
    needs = [need(TOWN, "肉牛养殖", "黄牛肚子胀")]
    teams = [team("A", "肉牛健康养殖", name="甲团队"), team("B", "肉牛健康养殖", name="乙团队", prior_towns=[TOWN])]
    result = match(needs, teams, taxonomy=taxonomy_with([]))
    assignment = result.assignments[0]
    assert assignment.team_id == "B"
    assert not any("决定了本推荐" in reason for reason in assignment.reasons)  # A scores no higher without it: a tie
    teams = [team("A", "肉牛健康养殖；黄牛养殖", name="甲团队"), team("B", "肉牛健康养殖", name="乙团队", prior_towns=[TOWN])]
    result = match(needs, teams, taxonomy=taxonomy_with([]))
    fits = {c.team_id: c.components["fit"] for c in result.candidates[TOWN]}
    assert 0.85 <= fits["B"] < fits["A"] == 1.0, fits  # within the 15 % margin
    assignment = result.assignments[0]
    assert assignment.team_id == "B"
    assert "前期对接基础与意向决定了本推荐：不计这两项时“甲团队”得分更高" in assignment.reasons[1], assignment.reasons


def test_the_explanation_says_when_familiarity_was_left_out():
    needs = [need(TOWN, "辣椒苗死了不少", "辣椒苗一到中午就蔫，早上又好了，过几天整株死"),
             need(OTHER, "辣椒种植", "辣椒想扩大种植", name="石塘镇")]
    teams = [team("WILT", "茄科青枯病综合防控", preferred_towns=[OTHER, TOWN]),
             team("NEAR", "辣椒栽培技术推广", prior_towns=[TOWN]), *POOL]
    result = match(needs, teams, taxonomy=taxonomy_with([WILT]))
    by_town = {a.town_code: a for a in result.assignments}
    assert by_town[TOWN].team_id == "WILT"
    assert any(reason.startswith("意向排序：本镇是团队的第 2 意向镇") for reason in by_town[TOWN].reasons)
    near = by_town[OTHER]
    assert near.team_id == "NEAR"


def test_runs_saved_before_the_rule_keep_their_rule_and_the_margin_is_checked():
    assert Weights.stored({"fit": 1.0, "prior": 0.35}).familiarity_margin == 1.0
    assert Weights.stored({"familiarity_margin": 0.2}).familiarity_margin == 0.2
    with pytest.raises(EngineInputError, match="熟悉度计分范围必须在 0 到 1 之间"):
        Weights.from_mapping({"familiarity_margin": 5})


@pytest.mark.parametrize("problem, message", [
    ({**WILT, "products": ["烟叶"]}, "问题“青枯病”涉及的产品“烟叶”没有作为产品列出"),
    ({**WILT, "category": "水产"}, "问题“青枯病”的产业类别“水产”不存在"),
    ({**WILT, "phrases": [], "terms": [" "]}, "问题“青枯病”至少需要一条群众说法或专业术语"),
    ({**WILT, "name": ""}, "存在没有名称的问题"),
])
def test_a_malformed_problem_is_refused_in_chinese(problem, message):
    with pytest.raises(EngineInputError, match=message):
        Taxonomy(taxonomy_with([problem]))
    with pytest.raises(EngineInputError, match="问题“青枯病”重复出现"):
        Taxonomy(taxonomy_with([WILT, WILT]))


def test_the_shipped_knowledge_covers_every_main_industry():
    taxonomy = load_taxonomy()
    per_category = {}
    for name, problem in taxonomy.problems.items():
        assert len(problem["phrases"]) >= 3 and len(problem["terms"]) >= 1, name
        per_category.setdefault(problem["category"], []).append(name)
    livestock = [name for name in per_category["畜牧"] if not set(taxonomy.problems[name]["products"])
                 & {"家禽", "鸡", "鸭", "鹅"}]
    poultry = [name for name in per_category["畜牧"] if name not in livestock]
    assert len(livestock) >= 10 and len(poultry) >= 10
    for category in ("粮食作物", "果树", "茶叶", "蔬菜", "食用菌", "中药材", "水产", "林业/竹木", "花卉",
                     "农产品加工", "农村电商", "乡村旅游", "乡村规划"):
        assert len(per_category.get(category, [])) >= 10, category


WORDS = ["辣椒", "番茄", "生姜", "肉牛", "中午就蔫", "整株死", "姜块烂了还有臭味", "青枯病", "姜瘟", "栽培", "防控"]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_familiarity_never_counts_outside_the_margin(data):
    """Whatever the texts, preferences and prior engagement: a pair's prior engagement and preference count only when
    its fit is within the margin of the best fit among the teams that may serve its town, and a team that won only by
    them is named in the proposal."""
    towns = ["4402241%02d" % i for i in range(data.draw(st.integers(1, 4)))]
    text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map("，".join)
    needs = [need(code, data.draw(text), data.draw(text)) for code in towns]
    teams = []
    for number in range(data.draw(st.integers(1, 5))):
        preferred = data.draw(st.lists(st.sampled_from(towns), max_size=2, unique=True))
        prior = data.draw(st.lists(st.sampled_from(towns), max_size=1))
        teams.append(team("T%d" % number, data.draw(text), preferred_towns=preferred, prior_towns=prior))
    margin = data.draw(st.sampled_from([0.0, 0.15, 0.5]))
    result = match(needs, teams, Weights(familiarity_margin=margin), taxonomy=taxonomy_with([WILT, GINGER]))
    for code, candidates in result.candidates.items():
        for candidate in candidates:
            if candidate.components["prior"] or candidate.components["preference"]:
                # The best fit among the teams that may serve the town (every eligible team is shown: at most 5).
                best = max(c.components["fit"] for c in candidates)
                assert candidate.components["fit"] >= (1 - margin) * best - 1e-9 or best == 0, (code, candidate)
    for assignment in result.assignments:
        decided = [r for r in assignment.reasons if "决定了本推荐" in r]
        if decided:
            assert assignment.components["prior"] or assignment.components["preference"]
