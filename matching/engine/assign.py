"""Optimal one-to-one assignment of teams to towns under hard constraints.

Coverage comes first (全覆盖): among all feasible matchings the solver takes one with the most covered
towns and, among those, the highest total score. This is done exactly by adding a large constant to
every allowed pair's value. Small problems are solved on the dense score matrix with
`linear_sum_assignment`; large ones on a sparse candidate graph (each town's top K teams plus every pair a
team asked for) with `min_weight_full_bipartite_matching`, where every town also has a private dummy
"unassigned" node so that a full matching always exists and the solver never raises.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .scoring import ScoringModel

DENSE_LIMIT = 4_000_000
DEFAULT_TOP_K = 40
CANDIDATES_SHOWN = 5
BLOCK_BUDGET = 20_000_000
REPAIR_ROUNDS = 3


@dataclass
class Plan:
    """What the solver decided: matched pairs, each town's best raw fit, and the pairs to show as candidates."""

    rows: np.ndarray
    cols: np.ndarray
    fit_max: np.ndarray
    shown_rows: np.ndarray
    shown_cols: np.ndarray
    mode: str
    stats: dict[str, float] = field(default_factory=dict)
    # Each town's best raw fit among the teams that may serve it (the fit-first margin's reference).
    gate_max: np.ndarray | None = None


def solve_dense(total: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-coverage, then maximum-score matching on a dense matrix; disallowed pairs never chosen."""
    empty = np.zeros(0, dtype=np.int64)
    if total.size == 0 or not allowed.any():
        return empty, empty
    low = float(total[allowed].min())
    spread = float(total[allowed].max()) - low
    big = spread * min(total.shape) + 1.0
    # A disallowed pair is worth 0, exactly like leaving both ends unmatched, so dropping it afterwards
    # leaves an optimal partial matching.
    value = np.where(allowed, total - low + big, 0.0)
    rows, cols = linear_sum_assignment(value, maximize=True)
    keep = allowed[rows, cols]
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64)


def solve_sparse(rows: np.ndarray, cols: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same objective as `solve_dense` on a list of allowed (row, col, total) edges, without duplicates."""
    empty = np.zeros(0, dtype=np.int64)
    if len(rows) == 0:
        return empty, empty
    town_ids, row_local = np.unique(rows, return_inverse=True)
    team_ids, col_local = np.unique(cols, return_inverse=True)
    n_rows, n_cols = len(town_ids), len(team_ids)
    low = float(total.min())
    spread = float(total.max()) - low
    big = spread * min(n_rows, n_cols) + 1.0
    ceiling = big + spread + 1.0
    cost = ceiling - (total - low + big)  # >= 1: the solver must not see explicit zeros
    dummy_rows = np.arange(n_rows)
    graph = sparse.csr_matrix(
        (np.concatenate([cost, np.full(n_rows, ceiling)]),
         (np.concatenate([row_local, dummy_rows]), np.concatenate([col_local, n_cols + dummy_rows]))),
        shape=(n_rows, n_cols + n_rows),
    )
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    real = matched_cols < n_cols
    return town_ids[matched_rows[real]].astype(np.int64), team_ids[matched_cols[real]].astype(np.int64)


def top_per_row(rows: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values within each row (ties broken by position)."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-values, rows))
    sorted_rows = rows[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_rows)) + 1]
    run_lengths = np.diff(np.r_[starts, len(sorted_rows)])
    rank = np.arange(len(sorted_rows)) - np.repeat(starts, run_lengths)
    return order[rank < k]


def top_in_csr_rows(indptr: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Indices (into the CSR data) of the k largest values of each row; faster than sorting everything."""
    counts = np.diff(indptr)
    entry_rows = np.repeat(np.arange(len(counts)), counts)
    chosen = [np.flatnonzero((counts <= k)[entry_rows])]
    for row in np.flatnonzero(counts > k):
        start = indptr[row]
        part = np.argpartition(-values[start:indptr[row + 1]], k - 1)[:k]
        chosen.append(part + start)
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def _top_dense(total: np.ndarray, allowed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) of the k best allowed entries of each row of a dense block."""
    rows, cols = np.nonzero(allowed)
    if len(rows) == 0:
        return rows.astype(np.int64), cols.astype(np.int64)
    keep = top_per_row(rows, total[rows, cols], k)
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64)


def _blocked(model: ScoringModel, locked_rows: np.ndarray, locked_cols: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    row_blocked = np.zeros(model.n_towns, dtype=bool)
    col_blocked = np.zeros(model.n_teams, dtype=bool)
    row_blocked[locked_rows] = True
    col_blocked[locked_cols] = True
    return row_blocked, col_blocked


def dense_plan(model: ScoringModel, locked_rows: np.ndarray, locked_cols: np.ndarray) -> Plan:
    """Score every pair, then solve with linear_sum_assignment."""
    n, m = model.n_towns, model.n_teams
    total = np.zeros((n, m))
    allowed = np.zeros((n, m), dtype=bool)
    fit_max = np.zeros(n)
    gate_max = np.zeros(n)
    step = max(1, BLOCK_BUDGET // max(m, 1))
    for start in range(0, n, step):
        rows = np.arange(start, min(n, start + step))
        block_total, block_allowed, raw = model.block(rows)
        total[rows] = block_total
        allowed[rows] = block_allowed
        fit_max[rows] = raw.max(axis=1, initial=0.0)
        gate_max[rows] = model.eligible_best(raw, block_allowed)
    shown_rows, shown_cols = _top_dense(np.where(allowed, total, -np.inf), allowed, CANDIDATES_SHOWN)
    row_blocked, col_blocked = _blocked(model, locked_rows, locked_cols)
    allowed[row_blocked, :] = False
    allowed[:, col_blocked] = False
    rows, cols = solve_dense(total, allowed)
    return Plan(rows, cols, fit_max, shown_rows, shown_cols, "dense", {"edges": float(allowed.sum())}, gate_max)


def pruned_plan(model: ScoringModel, k: int, locked_rows: np.ndarray, locked_cols: np.ndarray) -> Plan:
    """Keep each town's top-k teams (plus every pair a team asked for), then solve the sparse problem."""
    n, m = model.n_towns, model.n_teams
    cand_rows, cand_cols, norm_rows, norm_cols = _generate_candidates(model, k)
    fit_max = np.zeros(n)
    exact_fit = np.zeros(n, dtype=bool)
    counts = np.bincount(cand_rows, minlength=n)
    thin = np.flatnonzero(counts < k)
    extra_rows, extra_cols = _dense_fill(model, thin, k, fit_max, exact_fit)
    rows = np.concatenate([cand_rows, extra_rows])
    cols = np.concatenate([cand_cols, extra_cols])
    rows, cols = _unique_pairs(rows, cols, m)
    parts = model.pair_components(rows, cols)
    norm_parts = model.pair_components(norm_rows, norm_cols)
    approximate = ~exact_fit
    np.maximum.at(fit_max, rows[approximate[rows]], parts.raw_fit[approximate[rows]])
    np.maximum.at(fit_max, norm_rows[approximate[norm_rows]], norm_parts.raw_fit[approximate[norm_rows]])
    row_blocked, col_blocked = _blocked(model, locked_rows, locked_cols)
    for _round in range(REPAIR_ROUNDS + 1):
        gate_max = _eligible_best(model, rows, cols, parts.raw_fit)
        total, _fit = model.totals(parts, fit_max, rows, gate_max)
        usable = ~row_blocked[rows] & ~col_blocked[cols]
        match_rows, match_cols = solve_sparse(rows[usable], cols[usable], total[usable])
        if _round == REPAIR_ROUNDS:
            break
        added_rows, added_cols = _repair_edges(model, k, match_rows, match_cols, row_blocked, col_blocked,
                                               fit_max, exact_fit)
        if len(added_rows) == 0:
            break
        rows, cols = _unique_pairs(np.concatenate([rows, added_rows]), np.concatenate([cols, added_cols]), m)
        parts = model.pair_components(rows, cols)
    gate_max = _eligible_best(model, rows, cols, parts.raw_fit)
    total, _fit = model.totals(parts, fit_max, rows, gate_max)
    shown = top_per_row(rows, total, CANDIDATES_SHOWN)
    stats = {"edges": float(len(rows)), "dense_filled_towns": float(len(thin))}
    return Plan(match_rows, match_cols, fit_max, rows[shown], cols[shown], "pruned", stats, gate_max)


def _eligible_best(model: ScoringModel, rows: np.ndarray, cols: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """Each town's best raw fit among the eligible candidate pairs (the pruned path's view of the teams that may
    serve it: each town's best-fitting eligible teams are among its candidates)."""
    best = np.zeros(model.n_towns)
    allowed = model.eligible_pairs(rows, cols)
    np.maximum.at(best, rows[allowed], raw[allowed])
    return best


def _generate_candidates(model: ScoringModel, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Allowed pairs sharing rare features (top k per town), and each town's best raw-fit pairs overall."""
    n, m = model.n_towns, model.n_teams
    mask = model.specific_feature_mask().astype(np.float64)
    query = model.Q.multiply(mask[None, :]).tocsr()
    query.eliminate_zeros()
    step = max(1, BLOCK_BUDGET // max(m, 1) // 8)
    cand_rows, cand_cols, norm_rows, norm_cols = [], [], [], []
    for start in range(0, n, step):
        product = (query[start:start + step] @ model.DT).tocsr()
        counts = np.diff(product.indptr)
        rows = np.repeat(np.arange(start, start + len(counts), dtype=np.int64), counts)
        cols = product.indices.astype(np.int64)
        values = product.data
        best = top_in_csr_rows(product.indptr, values, 3)
        norm_rows.append(rows[best])
        norm_cols.append(cols[best])
        allowed = model.eligible_pairs(rows, cols)
        keep = top_in_csr_rows(product.indptr, np.where(allowed, values, -np.inf), k)
        keep = keep[allowed[keep]]
        cand_rows.append(rows[keep])
        cand_cols.append(cols[keep])
    for table in (model.preference, model.prior, model.panel):
        rows, cols = table.keys // table.n_cols, table.keys % table.n_cols
        allowed = model.eligible_pairs(rows, cols)
        cand_rows.append(rows[allowed])
        cand_cols.append(cols[allowed])
    return (_concat(cand_rows), _concat(cand_cols), _concat(norm_rows), _concat(norm_cols))


def _dense_fill(model: ScoringModel, towns: np.ndarray, k: int, fit_max: np.ndarray, exact_fit: np.ndarray,
                excluded_cols: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact dense scoring for a few towns: their top-k allowed teams and their exact best raw fit."""
    out_rows, out_cols = [], []
    step = max(1, BLOCK_BUDGET // max(model.n_teams, 1))
    for start in range(0, len(towns), step):
        rows = towns[start:start + step]
        total, allowed, raw = model.block(rows)
        fit_max[rows] = raw.max(axis=1, initial=0.0)
        exact_fit[rows] = True
        if excluded_cols is not None:
            allowed[:, excluded_cols] = False
        local, cols = _top_dense(total, allowed, k)
        out_rows.append(rows[local])
        out_cols.append(cols)
    return _concat(out_rows), _concat(out_cols)


def _repair_edges(model: ScoringModel, k: int, match_rows: np.ndarray, match_cols: np.ndarray,
                  row_blocked: np.ndarray, col_blocked: np.ndarray, fit_max: np.ndarray,
                  exact_fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges from uncovered towns to still-free allowed teams that pruning left out."""
    covered = np.zeros(model.n_towns, dtype=bool)
    covered[match_rows] = True
    uncovered = np.flatnonzero(~covered & ~row_blocked)
    if len(uncovered) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    taken = col_blocked.copy()
    taken[match_cols] = True
    return _dense_fill(model, uncovered, k, fit_max, exact_fit, excluded_cols=np.flatnonzero(taken))


def _unique_pairs(rows: np.ndarray, cols: np.ndarray, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    keys = np.unique(rows.astype(np.int64) * max(n_cols, 1) + cols.astype(np.int64))
    return keys // max(n_cols, 1), keys % max(n_cols, 1)


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(parts).astype(np.int64)
