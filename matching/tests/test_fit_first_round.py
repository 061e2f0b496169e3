"""A selection round in farmers' words: the specialist wins over the familiar generalist, the proposal says why, and
the round's fit-first margin is a setting officials change on the page (issue 22)."""
import pytest

from matching import services
from matching.models import SelectionRun
from matching.testing import build_selection
from needs.search import index_needs

DONGTANG = "440224108"


@pytest.fixture
def farmers_round(world):
    selection = build_selection(world)
    need = selection.needs[0]  # 董塘镇's
    need.title = "贡柑叶子黄得花花的"
    need.description = "贡柑叶子黄一块绿一块，左右两边不对称，喷了好几次叶面肥也不转绿；结的果子一头红一头青，味道又酸。"
    need.save()
    index_needs([need])
    generalist, specialist = world.team, selection.teams["柑橘栽培第二团队"]
    generalist.expertise_summary = "柑橘栽培与果园管理；果树营养诊断与配方施肥"
    generalist.save()  # has prior engagement in 董塘镇 and lists it first (build_selection)
    specialist.expertise_summary = "柑橘黄龙病田间诊断与分子检测；木虱统防统治；病树清除与无病苗木"
    specialist.save()
    selection_round = services.round_open(actor=world["renhua_st"], call=selection.call)
    return selection, selection_round, generalist, specialist


def proposal_of(run, town_code):
    return next(a for a in run.result["assignments"] if a["town_code"] == town_code)


def test_the_specialist_wins_and_the_reasons_name_the_problem_and_the_left_out_familiarity(world, farmers_round):
    selection, selection_round, generalist, specialist = farmers_round
    run = services.run_execute(services.run_create(actor=world["renhua_st"], selection_round=selection_round))
    assert run.status == "done"
    dongtang = proposal_of(run, DONGTANG)
    assert dongtang["team_id"] == str(specialist.pk)
    assert any("均指问题“柑橘黄龙病”" in reason for reason in dongtang["reasons"]), dongtang["reasons"]
    candidates = {c["team_id"]: c for c in run.result["candidates"][DONGTANG]}
    assert str(generalist.pk) in candidates
    assert run.weights["familiarity_margin"] == pytest.approx(0.15)
    assert "前期对接与志愿仅在匹配度相差 15% 以内时加分" in run.weights_display


def test_the_official_opens_the_margin_on_the_page_and_familiarity_decides_again(world, farmers_round, login):
    selection, selection_round, generalist, specialist = farmers_round
    client = login("renhua_st")
    page = client.get(selection_round.get_absolute_url()).content.decode()
    assert "熟悉度计分范围（%）" in page and 'name="familiarity_margin"' in page and 'value="15"' in page
    response = client.post(f"/matching/rounds/{selection_round.pk}/run/", {
        "fit": 1, "service": 0.15, "prior": 0.35, "preference": 0.25, "panel": 0.5, "familiarity_margin": 100})
    assert response.status_code == 302 and "/tasks/" in response.url
    run = SelectionRun.objects.filter(round=selection_round).order_by("-number").first()
    assert run.weights["familiarity_margin"] == 1.0 and "前期对接与志愿总是加分" in run.weights_display
    assert proposal_of(run, DONGTANG)["team_id"] == str(generalist.pk)
    # Out of range: refused with the field's rule named, no run stored.
    before = SelectionRun.objects.count()
    response = client.post(f"/matching/rounds/{selection_round.pk}/run/", {
        "fit": 1, "service": 0.15, "prior": 0.35, "preference": 0.25, "panel": 0.5, "familiarity_margin": 250},
        follow=True)
    assert "熟悉度计分范围须为0到100之间的整数" in response.content.decode()
    assert SelectionRun.objects.count() == before


def test_a_run_stored_before_the_rule_recomputes_with_the_rule_it_had(world, farmers_round):
    selection, selection_round, generalist, specialist = farmers_round
    run = services.run_execute(services.run_create(actor=world["renhua_st"], selection_round=selection_round))
    legacy = {key: value for key, value in run.weights.items() if key != "familiarity_margin"}
    SelectionRun.objects.filter(pk=run.pk).update(weights=legacy)
    run.refresh_from_db()
    # Saved without a margin (before the rule): familiarity always counted, so the generalist is its choice.
    recomputed = services.run_compute(run)
    assert {a.town_code: a.team_id for a in recomputed.assignments}[DONGTANG] == str(generalist.pk)
    # The same run with its margin reproduces its own result.
    run.weights = {**legacy, "familiarity_margin": 0.15}
    assert {a.town_code: a.team_id for a in services.run_compute(run).assignments}[DONGTANG] == str(specialist.pk)
