"""Scores of (town, team) pairs: BM25 fit over taxonomy-aware features plus the other components.

Every component lies in [0, 1]; the total is their weighted sum (see `Weights`):
- fit: BM25 of the town's needs (the query) against the team's texts (the documents), divided by the
  town's best raw fit over all teams, so the best-fitting team of each town has fit 1;
- service: share of the town's requested service types that the team offers (0 when either is unknown);
- prior: 1 when the team has prior engagement with the town (前期对接基础);
- preference: 1 / rank when the town is on the team's ordered preference list (1 for the first choice);
  fit first: prior and preference count only when the pair's fit is within ``Weights.familiarity_margin`` of the
  town's best fit (so they decide between teams that fit about equally well, never over a clearly better fit);
- panel: per-pair panel score divided by the largest absolute panel score given (0 where none given).
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .models import Need, Team, Weights
from .problems import PROBLEM_PREFIX
from .service_types import SERVICE_TYPES
from .taxonomy import Taxonomy
from .tokens import Analyzer

K1 = 1.2
B = 0.75
NEED_FIELDS: tuple[tuple[str, str, float], ...] = (
    ("title", "需求标题", 2.0),
    ("industry", "产业类别", 2.0),
    ("description", "需求描述", 1.0),
)
TEAM_FIELDS: tuple[tuple[str, str, float], ...] = (
    ("name", "团队名称", 1.0),
    ("specialties", "专业领域", 2.0),
    ("research_directions", "研究方向", 1.5),
    ("summary", "团队简介", 1.0),
    ("member_fields", "成员专业", 1.0),
)
# A problem the town describes is what it needs solved; its crop only says where: a shared problem weighs more than
# a shared word (applied after damping, so it survives BM25's saturation). Tuned on the farmer1 set.
PROBLEM_BOOST = 3.0
# Clues: a need that says enough of a problem's lay words (weighted by how few problems use each) without any whole
# phrasing still speaks of it, with this weight.
CLUE_THRESHOLD = 6.0
CLUE_WEIGHT = 1.0
COMPONENTS: tuple[str, ...] = ("fit", "service", "prior", "preference", "panel")


def as_text(value: object) -> str:
    """Text of a field that may be given as a string or a list of strings."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return "；".join(str(item) for item in value)


def need_text(need: Need) -> str:
    """A need's title and description as one text (clues are looked for across both)."""
    return "%s。%s" % (need.title or "", need.description or "")


def query_weight(count: float) -> float:
    """Dampen repeated need terms: a term said ten times is not ten times as important."""
    return count if count <= 1.0 else 1.0 + math.log(count)


class PairTable:
    """Values for a sparse set of (row, col) pairs, looked up in bulk by key = row * n_cols + col."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_cols: int) -> None:
        keys = rows.astype(np.int64) * n_cols + cols.astype(np.int64)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.values = np.asarray(values, dtype=np.float64)[order]
        self.n_cols = n_cols

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Values at the given pairs; 0 where a pair is absent."""
        keys = np.asarray(rows, dtype=np.int64) * self.n_cols + np.asarray(cols, dtype=np.int64)
        return self.lookup_keys(keys)

    def lookup_keys(self, keys: np.ndarray) -> np.ndarray:
        """Values at the given keys; 0 where a key is absent."""
        result = np.zeros(len(keys), dtype=np.float64)
        if len(self.keys) == 0 or len(keys) == 0:
            return result
        position = np.searchsorted(self.keys, keys)
        position[position >= len(self.keys)] = 0
        found = self.keys[position] == keys
        result[found] = self.values[position[found]]
        return result

    def contains(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Whether each pair is in the table."""
        keys = np.asarray(rows, dtype=np.int64) * self.n_cols + np.asarray(cols, dtype=np.int64)
        if len(self.keys) == 0:
            return np.zeros(len(keys), dtype=bool)
        position = np.searchsorted(self.keys, keys)
        position[position >= len(self.keys)] = 0
        return self.keys[position] == keys

    def block(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(position in `rows`, col, value) of every pair whose row is in `rows` (any order)."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0 or len(self.keys) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        low = np.searchsorted(self.keys, rows * self.n_cols)
        high = np.searchsorted(self.keys, (rows + 1) * self.n_cols)
        counts = high - low
        local = np.repeat(np.arange(len(rows)), counts)
        offsets = np.repeat(low - (np.cumsum(counts) - counts), counts)
        index = offsets + np.arange(int(counts.sum()))
        keys = self.keys[index]
        return local, keys % self.n_cols, self.values[index]


@dataclass
class PairComponents:
    """Component arrays for a list of pairs (raw_fit is the BM25 score before normalisation)."""

    raw_fit: np.ndarray
    service: np.ndarray
    prior: np.ndarray
    preference: np.ndarray
    panel: np.ndarray


PLACE_SUFFIXES = ("街道办事处", "街道", "镇", "乡")


def place_words(names, analyzer=None) -> set[str]:
    """Words that name a place, never a skill: the towns' names, their stems (董塘镇, 董塘) and the pieces the
    tokenizer cuts them into (红山镇 → 山镇). A piece that is a product of the taxonomy (梅花镇 → 梅花) stays a product."""
    words = set()
    for name in names:
        name = (name or "").strip()
        if not name:
            continue
        words.add(name)
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                words.add(name[: -len(suffix)])
                break
        if analyzer is not None:
            words.update(analyzer.tokens(name))
    if analyzer is not None:
        taxonomy = analyzer.taxonomy
        words = {w for w in words if w not in taxonomy.term_to_product and w not in taxonomy.category_terms}
    return words


class ScoringModel:
    """Feature matrices and pair tables for one matching problem."""

    def __init__(self, needs: list[Need], teams: list[Team], *, analyzer: Analyzer, weights: Weights,
                 panel_scores: dict[tuple[str, str], float] | None = None,
                 excluded: list[tuple[str, str]] | None = None) -> None:
        self.analyzer = analyzer
        self.taxonomy: Taxonomy = analyzer.taxonomy
        self.weights = weights
        self.needs_by_town: OrderedDict[str, list[Need]] = OrderedDict()
        for need in needs:
            self.needs_by_town.setdefault(need.town_code, []).append(need)
        self.town_codes = list(self.needs_by_town)
        self.town_names = {code: items[0].town_name for code, items in self.needs_by_town.items()}
        self.town_index = {code: index for index, code in enumerate(self.town_codes)}
        self.teams = list(teams)
        self.team_ids = [team.team_id for team in self.teams]
        self.team_index = {team_id: index for index, team_id in enumerate(self.team_ids)}
        self.n_towns = len(self.town_codes)
        self.n_teams = len(self.teams)
        self.features: dict[str, int] = {}
        self.place_words = place_words(self.town_names.values(), analyzer)
        self._build_text_matrices()
        self._build_service_matrices()
        self._build_pair_tables(panel_scores or {}, excluded or [])

    # ----- construction -------------------------------------------------------------------------
    def _feature_id(self, feature: str) -> int:
        index = self.features.get(feature)
        if index is None:
            index = len(self.features)
            self.features[feature] = index
        return index

    def _town_counts(self, code: str) -> dict[str, float]:
        counts: dict[str, float] = {}
        for need in self.needs_by_town[code]:
            for attribute, _label, field_weight in NEED_FIELDS:
                self.analyzer.features(as_text(getattr(need, attribute)), field_weight, counts)
            for problem, (weight, _pieces) in self.analyzer.clues(need_text(need)).items():
                if weight >= CLUE_THRESHOLD:
                    feature = PROBLEM_PREFIX + problem
                    counts[feature] = counts.get(feature, 0.0) + CLUE_WEIGHT
        return self._without_places(counts)

    def _without_places(self, counts: dict[str, float]) -> dict[str, float]:
        """A town's name is where the work is, not what it is about: a team that writes 董塘 in its contact note
        does not fit 董塘镇's needs any better for it."""
        for word in self.place_words.intersection(counts):
            del counts[word]
        return counts

    def _team_counts(self, team: Team) -> dict[str, float]:
        counts: dict[str, float] = {}
        for attribute, _label, field_weight in TEAM_FIELDS:
            self.analyzer.features(as_text(getattr(team, attribute)), field_weight, counts)
        return self._without_places(counts)

    def _build_text_matrices(self) -> None:
        """Q: towns x features of damped query weights; D: teams x features of BM25 term weights."""
        q_rows, q_cols, q_vals = [], [], []
        for row, code in enumerate(self.town_codes):
            for feature, count in self._town_counts(code).items():
                q_rows.append(row)
                q_cols.append(self._feature_id(feature))
                q_vals.append(query_weight(count) * (PROBLEM_BOOST if feature.startswith(PROBLEM_PREFIX) else 1.0))
        d_rows, d_cols, d_vals = [], [], []
        for row, team in enumerate(self.teams):
            for feature, count in self._team_counts(team).items():
                d_rows.append(row)
                d_cols.append(self._feature_id(feature))
                d_vals.append(count)
        n_features = max(len(self.features), 1)
        self.Q = sparse.csr_matrix((np.asarray(q_vals, dtype=np.float64), (q_rows, q_cols)),
                                   shape=(self.n_towns, n_features))
        tf = sparse.csr_matrix((np.asarray(d_vals, dtype=np.float64), (d_rows, d_cols)),
                               shape=(self.n_teams, n_features))
        self.df = np.bincount(np.asarray(d_cols, dtype=np.int64), minlength=n_features).astype(np.float64)
        self.idf = np.log1p((self.n_teams - self.df + 0.5) / (self.df + 0.5))
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        average = float(lengths.mean()) if self.n_teams and lengths.mean() > 0 else 1.0
        norm = K1 * (1.0 - B + B * lengths / average)
        tf = tf.tocoo()
        weight = tf.data * (K1 + 1.0) / (tf.data + norm[tf.row]) * self.idf[tf.col]
        self.D = sparse.csr_matrix((weight, (tf.row, tf.col)), shape=(self.n_teams, n_features))
        self.DT = self.D.T.tocsr()

    def _build_service_matrices(self) -> None:
        position = {name: index for index, name in enumerate(SERVICE_TYPES)}
        self.town_services = np.zeros((self.n_towns, len(SERVICE_TYPES)))
        for row, code in enumerate(self.town_codes):
            for need in self.needs_by_town[code]:
                for name in need.service_types:
                    if name in position:
                        self.town_services[row, position[name]] = 1.0
        self.team_services = np.zeros((self.n_teams, len(SERVICE_TYPES)))
        for row, team in enumerate(self.teams):
            for name in team.service_types:
                if name in position:
                    self.team_services[row, position[name]] = 1.0
        counts = self.town_services.sum(axis=1, keepdims=True)
        self.town_services_share = np.divide(self.town_services, counts, out=np.zeros_like(self.town_services),
                                             where=counts > 0)

    def _build_pair_tables(self, panel_scores: dict[tuple[str, str], float],
                           excluded: list[tuple[str, str]]) -> None:
        self.open_teams = np.array([not team.preferred_towns for team in self.teams], dtype=bool)
        rows, cols, values = [], [], []
        for col, team in enumerate(self.teams):
            for rank, code in enumerate(_unique(team.preferred_towns)):
                if code in self.town_index:
                    rows.append(self.town_index[code])
                    cols.append(col)
                    values.append(1.0 / (rank + 1))
        self.preference = self._table(rows, cols, values)
        rows, cols = [], []
        for col, team in enumerate(self.teams):
            for code in _unique(team.prior_towns):
                if code in self.town_index:
                    rows.append(self.town_index[code])
                    cols.append(col)
        self.prior = self._table(rows, cols, [1.0] * len(rows))
        rows, cols, values = [], [], []
        scale = max((abs(float(v)) for v in panel_scores.values()), default=0.0)
        for (code, team_id), value in panel_scores.items():
            if code in self.town_index and team_id in self.team_index and scale > 0:
                rows.append(self.town_index[code])
                cols.append(self.team_index[team_id])
                values.append(float(value) / scale)
        self.panel = self._table(rows, cols, values)
        rows = [self.town_index[code] for code, team_id in excluded
                if code in self.town_index and team_id in self.team_index]
        cols = [self.team_index[team_id] for code, team_id in excluded
                if code in self.town_index and team_id in self.team_index]
        self.excluded = self._table(rows, cols, [1.0] * len(rows))

    def _table(self, rows: list[int], cols: list[int], values: list[float]) -> PairTable:
        return PairTable(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
                         np.asarray(values, dtype=np.float64), max(self.n_teams, 1))

    # ----- dense blocks ---------------------------------------------------------------------------
    def raw_fit_block(self, rows: np.ndarray) -> np.ndarray:
        """Raw BM25 fit of the given towns against every team (dense, len(rows) x n_teams)."""
        return (self.Q[rows] @ self.DT).toarray()

    def block(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For some towns: (total score, eligibility mask, raw fit), dense."""
        rows = np.asarray(rows, dtype=np.int64)
        raw = self.raw_fit_block(rows)
        fit_max = raw.max(axis=1, initial=0.0)
        fit = np.divide(raw, fit_max[:, None], out=np.zeros_like(raw), where=fit_max[:, None] > 0)
        total = self.weights.fit * fit
        if self.weights.service:
            total += self.weights.service * (self.town_services_share[rows] @ self.team_services.T)
        eligible = np.repeat(self.open_teams[None, :], len(rows), axis=0)
        local, cols, _values = self.preference.block(rows)
        eligible[local, cols] = True
        local, cols, _values = self.excluded.block(rows)
        eligible[local, cols] = False
        # Fit first among the teams that may serve the town: its best is the best eligible raw fit.
        counts = self.weights.familiarity_counts(raw, self.eligible_best(raw, eligible)[:, None])
        for table, weight, gated in ((self.prior, self.weights.prior, True),
                                     (self.preference, self.weights.preference, True),
                                     (self.panel, self.weights.panel, False)):
            local, cols, values = table.block(rows)
            if weight:
                total[local, cols] += weight * values * (counts[local, cols] if gated else 1.0)
        return total, eligible, raw

    @staticmethod
    def eligible_best(raw: np.ndarray, eligible: np.ndarray) -> np.ndarray:
        """Each row's best raw fit among its eligible teams (0 where none)."""
        return np.where(eligible, raw, 0.0).max(axis=1, initial=0.0)

    # ----- pairs ----------------------------------------------------------------------------------
    def pair_components(self, rows: np.ndarray, cols: np.ndarray, chunk: int = 200_000) -> PairComponents:
        """Exact components for arbitrary (town, team) pairs."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        raw = np.zeros(len(rows))
        for start in range(0, len(rows), chunk):
            part = slice(start, start + chunk)
            raw[part] = np.asarray(self.Q[rows[part]].multiply(self.D[cols[part]]).sum(axis=1)).ravel()
        service = (self.town_services_share[rows] * self.team_services[cols]).sum(axis=1)
        return PairComponents(raw, service, self.prior.lookup(rows, cols), self.preference.lookup(rows, cols),
                              self.panel.lookup(rows, cols))

    def totals(self, parts: PairComponents, fit_max: np.ndarray, rows: np.ndarray,
               gate_max: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(total, normalised fit) of pairs given each town's best raw fit (``fit_max``, over all teams: the fit's
        scale) and its best raw fit among the teams that may serve it (``gate_max``: the fit-first margin's reference;
        ``fit_max`` when not given)."""
        best = fit_max[rows]
        fit = np.divide(parts.raw_fit, best, out=np.zeros_like(parts.raw_fit), where=best > 0)
        # A pair's raw fit and its town's best are summed in different orders (per pair vs a matrix product), so the
        # best pair can come out a rounding error above 1 on some CPUs: the normalised fit is at most 1 by definition.
        np.minimum(fit, 1.0, out=fit)
        weights = self.weights
        counts = weights.familiarity_counts(parts.raw_fit, (gate_max if gate_max is not None else fit_max)[rows])
        total = (weights.fit * fit + weights.service * parts.service
                 + (weights.prior * parts.prior + weights.preference * parts.preference) * counts
                 + weights.panel * parts.panel)
        return total, fit

    def eligible_pairs(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Whether each pair satisfies the preference and exclusion constraints."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        allowed = self.open_teams[cols].copy()
        restricted = np.flatnonzero(~allowed)
        if len(restricted):
            allowed[restricted] = self.preference.contains(rows[restricted], cols[restricted])
        if len(self.excluded):
            candidates = np.flatnonzero(allowed)
            allowed[candidates] = ~self.excluded.contains(rows[candidates], cols[candidates])
        return allowed

    def components_dict(self, parts: PairComponents, fit: np.ndarray, index: int, gate: np.ndarray) -> dict[str, float]:
        """Components of one pair as a dict for results: prior engagement and preference as they counted (0 when the
        pair's fit is outside the fit-first margin; the explanation says what was left out). ``gate``: each pair's
        town's best raw fit among the teams that may serve it."""
        counts = bool(self.weights.familiarity_counts(parts.raw_fit[index], gate[index]))
        return {
            "fit": float(fit[index]),
            "service": float(parts.service[index]),
            "prior": float(parts.prior[index]) if counts else 0.0,
            "preference": float(parts.preference[index]) if counts else 0.0,
            "panel": float(parts.panel[index]),
        }

    def specific_feature_mask(self, max_share: float = 0.05, minimum: int = 5) -> np.ndarray:
        """Features rare enough among teams to generate candidates (common ones would touch every pair)."""
        limit = max(minimum, max_share * self.n_teams)
        return (self.df > 0) & (self.df <= limit)


def _unique(codes: list[str]) -> list[str]:
    """Codes in order without repeats."""
    seen: set[str] = set()
    result = []
    for code in codes:
        if code not in seen:
            seen.add(code)
            result.append(code)
    return result
