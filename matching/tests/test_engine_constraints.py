"""Hard constraints, infeasible and incomplete problems, and optimality of both solvers."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import EngineInputError, Need, Team, match
from matching.engine.assign import solve_dense, solve_sparse

A, B, C = "440224111", "440224102", "440224103"


def needs(*codes, title="沙田柚种植"):
    return [Need(code, "镇" + code[-3:], title) for code in codes]


def team(team_id, specialties="沙田柚栽培", **extra):
    return Team(team_id, "团队" + team_id, "某大学", specialties, **extra)


def pairs(result):
    return {(a.town_code, a.team_id) for a in result.assignments}


def test_it_keeps_a_locked_pair_even_against_a_better_fit():
    result = match(needs(A), [team("GOOD"), team("POOR", "生猪养殖")], locked=[(A, "POOR")])
    assert pairs(result) == {(A, "POOR")}
    assert result.assignments[0].locked
    assert "此结对为人工锁定" in result.assignments[0].reasons


def test_it_never_uses_an_excluded_pair():
    result = match(needs(A, B), [team("X"), team("Y", "生猪养殖")], excluded=[(A, "X")])
    assert pairs(result) == {(A, "Y"), (B, "X")}


def test_it_sends_a_team_only_to_towns_it_applied_to():
    result = match(needs(A, B), [team("X", preferred_towns=[B]), team("Y", "生猪养殖", preferred_towns=[A])])
    assert pairs(result) == {(B, "X"), (A, "Y")}
    for candidate in result.candidates[A]:
        assert candidate.team_id != "X"


def test_it_follows_a_teams_preference_order_when_fits_tie():
    result = match(needs(A, B), [team("X", preferred_towns=[B, A]), team("Y", preferred_towns=[A, B])])
    assert pairs(result) == {(B, "X"), (A, "Y")}


def test_it_reports_a_town_no_eligible_team_can_cover():
    result = match(needs(A, B), [team("X", preferred_towns=[A])])
    assert pairs(result) == {(A, "X")}
    assert result.unassigned_towns == [B]
    assert "没有符合条件的团队" in result.unassigned_reasons[B]


def test_it_covers_as_many_towns_as_possible_before_maximising_score():
    # X fits A best, but only X can serve B: full coverage needs X in B and Y in A.
    result = match(needs(A, B), [team("X", preferred_towns=[A, B]), team("Y", "生猪养殖", preferred_towns=[A])])
    assert pairs(result) == {(B, "X"), (A, "Y")}


def test_it_reports_towns_left_over_when_there_are_fewer_teams():
    result = match(needs(A, B, C), [team("X"), team("Y")])
    assert len(result.assignments) == 2
    assert len(result.unassigned_towns) == 1
    assert "已分配给其他镇" in result.unassigned_reasons[result.unassigned_towns[0]]


def test_it_reports_every_town_when_there_are_no_teams():
    result = match(needs(A, B), [])
    assert result.assignments == []
    assert set(result.unassigned_towns) == {A, B}


def test_it_reports_a_town_whose_only_team_is_excluded():
    result = match(needs(A), [team("X", preferred_towns=[A])], excluded=[(A, "X")])
    assert result.unassigned_towns == [A]
    assert "排除" in result.unassigned_reasons[A]


@pytest.mark.parametrize("locked,excluded,message", [
    ([(A, "X"), (A, "Y")], [], "锁定了多个团队"),
    ([(A, "X"), (B, "X")], [], "锁定到多个镇"),
    ([(A, "X")], [(A, "X")], "既被锁定又被排除"),
    ([("440224999", "X")], [], "不在需求中"),
    ([(A, "NOPE")], [], "不存在"),
])
def test_it_refuses_contradictory_constraints(locked, excluded, message):
    with pytest.raises(EngineInputError, match=message):
        match(needs(A, B), [team("X"), team("Y")], locked=locked, excluded=excluded)


def test_it_refuses_duplicate_team_ids_and_no_needs():
    with pytest.raises(EngineInputError, match="重复"):
        match(needs(A), [team("X"), team("X")])
    with pytest.raises(EngineInputError, match="没有任何需求"):
        match([], [team("X")])


def test_it_gives_the_same_assignment_with_pruning_on_a_small_problem():
    codes = ["4402241%02d" % index for index in range(12)]
    products = ["沙田柚", "贡柑", "白毛茶", "马蹄", "香芋", "生猪"]
    town_needs = [Need(code, "镇", products[index % 6] + "种植") for index, code in enumerate(codes)]
    teams = [team("T%02d" % index, products[index % 6] + "栽培" + products[(index + 1) % 6]) for index in range(15)]
    dense = match(town_needs, teams, mode="dense")
    pruned = match(town_needs, teams, top_k=3)
    assert pruned.mode == "pruned"
    assert len(pruned.assignments) == len(dense.assignments) == 12
    assert pruned.total_score == pytest.approx(dense.total_score, rel=1e-9)


def brute_force(total, allowed):
    """Best (coverage, score) over all partial matchings, by enumeration."""
    n, m = total.shape
    best = (0, 0.0)
    for size in range(1, min(n, m) + 1):
        for rows in itertools.combinations(range(n), size):
            for cols in itertools.permutations(range(m), size):
                if all(allowed[r, c] for r, c in zip(rows, cols)):
                    value = (size, sum(total[r, c] for r, c in zip(rows, cols)))
                    best = max(best, value)
    return best


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_it_finds_the_optimum_with_both_solvers(n, m, data):
    values = data.draw(st.lists(st.floats(0, 3), min_size=n * m, max_size=n * m))
    mask = data.draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))
    total = np.array(values).reshape(n, m)
    allowed = np.array(mask).reshape(n, m)
    size, score = brute_force(total, allowed)
    rows, cols = solve_dense(total, allowed)
    assert len(rows) == size and total[rows, cols].sum() == pytest.approx(score)
    edge_rows, edge_cols = np.nonzero(allowed)
    rows, cols = solve_sparse(edge_rows, edge_cols, total[edge_rows, edge_cols])
    assert len(rows) == size and total[rows, cols].sum() == pytest.approx(score)


def test_a_town_whose_only_team_is_locked_elsewhere_names_the_lock():
    # X listed both towns; the panel locked it to B, so A is left without a team because of the lock.
    result = match(needs(A, B), [team("X", preferred_towns=[A, B])], locked=[(B, "X")])
    assert result.unassigned_towns == [A]
    reason = result.unassigned_reasons[A]
    assert "锁定到其他镇" in reason and "没有团队把本镇列为意向镇" not in reason
