"""The engine's entry point: `match(needs, teams, ...) -> MatchResult`."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .assign import DEFAULT_TOP_K, DENSE_LIMIT, Plan, dense_plan, pruned_plan
from .errors import EngineInputError
from .explain import Explainer
from .models import Assignment, Candidate, MatchResult, Need, Team, Weights
from .scoring import ScoringModel
from .taxonomy import Taxonomy, as_taxonomy
from .tokens import analyzer_for

Pair = tuple[str, str]


def match(needs: list[Need], teams: list[Team], weights: Weights | None = None, *,
          locked: list[Pair] | None = None, excluded: list[Pair] | None = None,
          panel_scores: dict[Pair, float] | None = None,
          taxonomy: Taxonomy | dict | str | Path | None = None, top_k: int | None = None,
          mode: str | None = None) -> MatchResult:
    """Pair teams with towns one to one, covering as many towns as possible with the best total score.

    Hard constraints: a team with a preference list only goes to towns on it (an empty list means any
    town); excluded pairs never; locked pairs always (they bypass the other constraints). `top_k` prunes
    to each town's best K teams (the default above ~4 million pairs); `mode` ("dense" or "pruned")
    forces a solver, for benchmarks.
    """
    weights = weights or Weights()
    locked = [(str(town), str(team)) for town, team in (locked or [])]
    excluded = [(str(town), str(team)) for town, team in (excluded or [])]
    _check_inputs(needs, teams, locked, excluded, top_k)
    model = ScoringModel(needs, teams, analyzer=analyzer_for(as_taxonomy(taxonomy)), weights=weights,
                         panel_scores=panel_scores, excluded=excluded)
    locked_rows = np.array([model.town_index[town] for town, _team in locked], dtype=np.int64)
    locked_cols = np.array([model.team_index[team] for _town, team in locked], dtype=np.int64)
    chosen = mode or ("dense" if top_k is None and model.n_towns * model.n_teams <= DENSE_LIMIT else "pruned")
    if chosen == "dense":
        plan = dense_plan(model, locked_rows, locked_cols)
    elif chosen == "pruned":
        plan = pruned_plan(model, top_k or DEFAULT_TOP_K, locked_rows, locked_cols)
    else:
        raise EngineInputError("未知的求解方式“%s”" % chosen)
    return _result(model, plan, locked_rows, locked_cols)


def _check_inputs(needs: list[Need], teams: list[Team], locked: list[Pair], excluded: list[Pair],
                  top_k: int | None) -> None:
    if not needs:
        raise EngineInputError("没有任何需求，无法匹配")
    towns = {need.town_code for need in needs}
    team_ids: set[str] = set()
    for team in teams:
        if team.team_id in team_ids:
            raise EngineInputError("团队编号“%s”重复" % team.team_id)
        team_ids.add(team.team_id)
    if top_k is not None and top_k < 1:
        raise EngineInputError("候选数 top_k 必须是正整数")
    excluded_set = set(excluded)
    locked_towns: set[str] = set()
    locked_teams: set[str] = set()
    for town, team in locked:
        if town not in towns:
            raise EngineInputError("锁定的结对中，镇代码“%s”不在需求中" % town)
        if team not in team_ids:
            raise EngineInputError("锁定的结对中，团队编号“%s”不存在" % team)
        if town in locked_towns:
            raise EngineInputError("镇“%s”被锁定了多个团队" % town)
        if team in locked_teams:
            raise EngineInputError("团队“%s”被锁定到多个镇" % team)
        if (town, team) in excluded_set:
            raise EngineInputError("结对（%s，%s）既被锁定又被排除" % (town, team))
        locked_towns.add(town)
        locked_teams.add(team)


def _result(model: ScoringModel, plan: Plan, locked_rows: np.ndarray, locked_cols: np.ndarray) -> MatchResult:
    explainer = Explainer(model)
    rows = np.concatenate([locked_rows, plan.rows])
    cols = np.concatenate([locked_cols, plan.cols])
    is_locked = np.r_[np.ones(len(locked_rows), dtype=bool), np.zeros(len(plan.rows), dtype=bool)]
    parts = model.pair_components(rows, cols)
    gate = plan.gate_max if plan.gate_max is not None else plan.fit_max
    totals, fit = model.totals(parts, plan.fit_max, rows, gate)
    candidates = _candidates(model, plan)
    assigned_to = {model.team_ids[col]: model.town_codes[row] for row, col in zip(rows, cols)}
    assignments = []
    for index in np.argsort(rows, kind="stable"):
        components = model.components_dict(parts, fit, index, gate[rows])
        town_code, team_id = model.town_codes[rows[index]], model.team_ids[cols[index]]
        decided_over = None if is_locked[index] else _familiarity_decided(
            model, town_code, team_id, float(totals[index]), components, candidates, assigned_to)
        assignments.append(Assignment(
            town_code=town_code, team_id=team_id, score=float(totals[index]),
            reasons=explainer.reasons(int(rows[index]), int(cols[index]), components, locked=bool(is_locked[index]),
                                      decided_over=decided_over),
            components=components, locked=bool(is_locked[index])))
    covered = np.zeros(model.n_towns, dtype=bool)
    covered[rows] = True
    uncovered = np.flatnonzero(~covered)
    return MatchResult(
        assignments=assignments,
        unassigned_towns=[model.town_codes[row] for row in uncovered],
        unassigned_reasons=_unassigned_reasons(model, uncovered, locked_cols),
        candidates=candidates,
        mode=plan.mode,
        stats=dict(plan.stats),
    )


def _familiarity(model: ScoringModel, components: dict[str, float]) -> float:
    return model.weights.prior * components.get("prior", 0.0) + model.weights.preference * components.get("preference", 0.0)


def _familiarity_decided(model: ScoringModel, town_code: str, team_id: str, score: float, components: dict[str, float],
                         candidates: dict[str, list[Candidate]], assigned_to: dict[str, str]):
    """(other team, its score, this team's score) without prior engagement and preference, when the town's chosen team
    won only by them over a team that was free to take it; None otherwise."""
    own = _familiarity(model, components)
    if own <= 0:
        return None
    base = score - own
    best = None
    for candidate in candidates.get(town_code, []):
        if candidate.team_id == team_id or assigned_to.get(candidate.team_id, town_code) != town_code:
            continue
        other = candidate.score - _familiarity(model, candidate.components)
        if other > base + 1e-9 and candidate.score <= score + 1e-9 and (best is None or other > best[1]):
            best = (candidate.team_id, other)
    if best is None:
        return None
    name = model.teams[model.team_index[best[0]]].name
    return (name or best[0], best[1], base)


def _candidates(model: ScoringModel, plan: Plan) -> dict[str, list[Candidate]]:
    parts = model.pair_components(plan.shown_rows, plan.shown_cols)
    gate_max = plan.gate_max if plan.gate_max is not None else plan.fit_max
    totals, fit = model.totals(parts, plan.fit_max, plan.shown_rows, gate_max)
    best = gate_max[plan.shown_rows]
    result: dict[str, list[Candidate]] = {code: [] for code in model.town_codes}
    order = np.lexsort((-totals, plan.shown_rows))
    for index in order:
        code = model.town_codes[plan.shown_rows[index]]
        result[code].append(Candidate(model.team_ids[plan.shown_cols[index]], float(totals[index]),
                                      model.components_dict(parts, fit, index, best)))
    return result


def _unassigned_reasons(model: ScoringModel, rows: np.ndarray, locked_cols: np.ndarray) -> dict[str, str]:
    reasons: dict[str, str] = {}
    if len(rows) == 0:
        return reasons
    _total, allowed, _raw = model.block(rows)
    excluded_local, _cols, _values = model.excluded.block(rows)
    excluded_count = np.bincount(excluded_local, minlength=len(rows))
    # Teams that could serve the town but are locked to another town are named as the cause, not hidden.
    locked_away = allowed[:, locked_cols].sum(axis=1) if len(locked_cols) else np.zeros(len(rows), dtype=np.int64)
    allowed[:, locked_cols] = False
    for position, row in enumerate(rows):
        count = int(allowed[position].sum())
        code = model.town_codes[row]
        if model.n_teams == 0:
            reasons[code] = "没有任何团队"
        elif count == 0 and locked_away[position] and excluded_count[position]:
            reasons[code] = ("没有符合条件的团队：可派往本镇的 %d 个团队已锁定到其他镇，其余意向本镇的团队被排除"
                             % int(locked_away[position]))
        elif count == 0 and locked_away[position]:
            reasons[code] = "没有符合条件的团队：可派往本镇的 %d 个团队已锁定到其他镇" % int(locked_away[position])
        elif count == 0 and excluded_count[position]:
            reasons[code] = "没有符合条件的团队：意向本镇的团队均被排除"
        elif count == 0:
            reasons[code] = "没有符合条件的团队：没有团队把本镇列为意向镇，也没有不限意向镇的团队可派"
        else:
            reasons[code] = "符合条件的 %d 个团队都已分配给其他镇，一对一约束下无法覆盖本镇" % count
    return reasons


def text_fit(queries: list[Need], documents: list[Team], *,
             taxonomy: Taxonomy | dict | str | Path | None = None) -> tuple[list[str], list[str], np.ndarray]:
    """The engine's text fit alone: BM25 of each query (grouped by ``town_code``) against each document's texts,
    scaled so each query's best document has 1 (0 where nothing fits). Returns (query keys, document ids, matrix).

    Other programme steps reuse it: the expert review proposes panels by an expert's field against a project's
    texts (a "query" is a project, a "document" an expert)."""
    if not queries or not documents:
        return [], [], np.zeros((len({q.town_code for q in queries}), len(documents)))
    model = ScoringModel(queries, documents, analyzer=analyzer_for(as_taxonomy(taxonomy)), weights=Weights())
    raw = model.raw_fit_block(np.arange(model.n_towns, dtype=np.int64))
    best = raw.max(axis=1, initial=0.0)
    fit = np.divide(raw, best[:, None], out=np.zeros_like(raw), where=best[:, None] > 0)
    return model.town_codes, model.team_ids, fit
