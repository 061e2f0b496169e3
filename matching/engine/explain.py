"""Chinese explanations: why a team fits a town, and each town's best candidates."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .models import Candidate
from .scoring import NEED_FIELDS, TEAM_FIELDS, ScoringModel, as_text
from .service_types import SERVICE_TYPES
from .problems import PROBLEM_PREFIX
from .taxonomy import CATEGORY_PREFIX

TERM_REASONS = 3
FEATURES_EXAMINED = 12


@dataclass(frozen=True)
class Hit:
    """Where a feature came from: the place (need title or team field), the surface word, and how."""

    place: str
    token: str
    kind: str
    via: str


class Explainer:
    """Builds the reasons for pairs of one scoring model (caches each town's and team's analysis)."""

    def __init__(self, model: ScoringModel) -> None:
        self.model = model
        self._town_hits: dict[int, dict[str, list[Hit]]] = {}
        self._team_hits: dict[int, dict[str, list[Hit]]] = {}

    def reasons(self, row: int, col: int, components: dict[str, float], *, locked: bool = False,
                decided_over: tuple[str, float, float] | None = None) -> list[str]:
        """All reasons for one pair, most important first.

        ``decided_over`` = (the other team, its score and this team's score without prior engagement and
        preference) when those two decided between teams that fit about equally well."""
        model = self.model
        team = model.teams[col]
        result = [_summary(components, model)]
        if locked:
            result.append("此结对为人工锁定")
        result.extend(self.term_reasons(row, col))
        fit = components.get("fit", 0.0)
        if fit <= 0.0:
            result.append("团队专长与本镇需求没有共同的专业词语，因覆盖需要而分配")
        weights = model.weights
        margin = "%d%%" % round(100 * weights.familiarity_margin)
        left_out = "（专业匹配度低于可派往本镇的团队中最匹配者 %s 以上，按“先看匹配度”不加分）" % margin
        has_prior = bool(model.prior.lookup(np.array([row]), np.array([col]))[0])
        if has_prior:
            counted = components.get("prior", 0.0) > 0 or not weights.prior
            result.append("有前期对接基础：团队已与本镇对接过" + ("" if counted else left_out))
        rank = _preference_rank(team.preferred_towns, model.town_codes[row])
        if decided_over is not None:
            other, other_score, own_score = decided_over
            result.insert(1, "前期对接基础与意向决定了本推荐：不计这两项时“%s”得分更高（%.3f 对 %.3f），两队专业匹配度都在"
                             "可派往本镇的团队中最佳匹配的 %s 以内" % (other, other_score, own_score, margin))
        if rank:
            counted = components.get("preference", 0.0) > 0 or not weights.preference
            result.append("意向排序：本镇是团队的第 %d 意向镇" % rank + ("" if counted else left_out))
        elif not team.preferred_towns:
            result.append("团队未限定意向镇，可派往任一镇")
        shared = self._shared_services(row, col)
        if shared:
            result.append("服务类型吻合：%s" % "、".join(shared))
        if components.get("panel", 0.0):
            result.append("评审评分（按最高分折算）：%.2f" % components["panel"])
        return result

    def term_reasons(self, row: int, col: int, limit: int = TERM_REASONS) -> list[str]:
        """Which need words matched which expertise words, through which synonym or parent product."""
        model = self.model
        query = model.Q.getrow(row)
        document = model.D.getrow(col)
        shared, query_at, document_at = np.intersect1d(query.indices, document.indices, return_indices=True)
        if len(shared) == 0:
            return []
        contribution = query.data[query_at] * document.data[document_at]
        names = _feature_names(model)
        town_hits = self._hits_for_town(row)
        team_hits = self._hits_for_team(col)
        ranked = []
        for position in np.argsort(-contribution)[:FEATURES_EXAMINED]:
            feature = names[shared[position]]
            pair = _best_pair(town_hits.get(feature, []), team_hits.get(feature, []))
            if pair is not None:
                ranked.append((-contribution[position] * _directness(*pair), feature, pair))
        ranked.sort(key=lambda item: item[0])
        seen: set[tuple[str, str]] = set()
        result = []
        for _key, feature, (need_hit, team_hit) in ranked:
            if (need_hit.token, team_hit.token) in seen or need_hit.token in {n for n, _t in seen}:
                continue
            seen.add((need_hit.token, team_hit.token))
            result.append(_term_reason(feature, need_hit, team_hit))
            if len(result) >= limit:
                break
        return result

    def _hits_for_town(self, row: int) -> dict[str, list[Hit]]:
        hits = self._town_hits.get(row)
        if hits is None:
            hits = {}
            for need in self.model.needs_by_town[self.model.town_codes[row]]:
                place = "需求“%s”" % need.title
                for attribute, _label, _weight in NEED_FIELDS:
                    self._collect(as_text(getattr(need, attribute)), place, hits)
            self._town_hits[row] = hits
        return hits

    def _hits_for_team(self, col: int) -> dict[str, list[Hit]]:
        hits = self._team_hits.get(col)
        if hits is None:
            hits = {}
            team = self.model.teams[col]
            for attribute, label, _weight in TEAM_FIELDS:
                self._collect(as_text(getattr(team, attribute)), label, hits)
            self._team_hits[col] = hits
        return hits

    def _collect(self, text: str, place: str, hits: dict[str, list[Hit]]) -> None:
        for token, concepts in self.model.analyzer.analyze(text):
            for concept in concepts:
                hits.setdefault(concept.feature, []).append(Hit(place, token, concept.kind, concept.via))

    def _shared_services(self, row: int, col: int) -> list[str]:
        wanted = self.model.town_services[row]
        offered = self.model.team_services[col]
        return [name for index, name in enumerate(SERVICE_TYPES) if wanted[index] and offered[index]]


def _feature_names(model: ScoringModel) -> list[str]:
    names = getattr(model, "_feature_names", None)
    if names is None or len(names) != len(model.features):
        names = [""] * len(model.features)
        for feature, index in model.features.items():
            names[index] = feature
        model._feature_names = names
    return names


_PRIORITY = {"term": 0, "word": 0, "problem": 0, "synonym": 1, "parent": 2, "category": 3}
_DIRECTNESS = {0: 1.0, 1: 1.0, 2: 0.5, 3: 0.25}


def _best_pair(need_hits: list[Hit], team_hits: list[Hit]) -> tuple[Hit, Hit] | None:
    """The most direct (need word, team word) pair for a feature: words or synonyms before parents."""
    if not need_hits or not team_hits:
        return None
    need_hit = min(need_hits, key=lambda hit: _PRIORITY.get(hit.kind, 9))
    team_hit = min(team_hits, key=lambda hit: _PRIORITY.get(hit.kind, 9))
    return need_hit, team_hit


def _directness(need_hit: Hit, team_hit: Hit) -> float:
    """Show specific matches (贡柑 = 皇帝柑) before broad ones (both are fruit)."""
    worst = max(_PRIORITY.get(need_hit.kind, 9), _PRIORITY.get(team_hit.kind, 9))
    return _DIRECTNESS.get(worst, 0.1)


def _term_reason(feature: str, need_hit: Hit, team_hit: Hit) -> str:
    relation = _relation(feature, need_hit, team_hit)
    text = "%s中的“%s”对应%s中的“%s”" % (need_hit.place, need_hit.token, team_hit.place, team_hit.token)
    if relation:
        text += "（%s）" % relation
    return text


def _relation(feature: str, need_hit: Hit, team_hit: Hit) -> str:
    """How two different words meet: the same product, a parent product, or the same category."""
    if feature.startswith(PROBLEM_PREFIX):
        return "均指问题“%s”" % feature[len(PROBLEM_PREFIX):]
    if need_hit.token == team_hit.token:
        return ""
    if feature.startswith(CATEGORY_PREFIX):
        return "同属“%s”类" % feature[len(CATEGORY_PREFIX):]
    need_direct = need_hit.kind in ("term", "synonym")
    team_direct = team_hit.kind in ("term", "synonym")
    if need_direct and team_direct:
        return "同义词，均指“%s”" % feature
    if need_direct:
        return "“%s”属于“%s”" % (team_hit.via, feature)
    if team_direct:
        return "“%s”属于“%s”" % (need_hit.via, feature)
    return "“%s”与“%s”同属“%s”" % (need_hit.via, team_hit.via, feature)


def _preference_rank(preferred: list[str], town_code: str) -> int:
    seen: list[str] = []
    for code in preferred:
        if code not in seen:
            seen.append(code)
    return seen.index(town_code) + 1 if town_code in seen else 0


def _summary(components: dict[str, float], model: ScoringModel) -> str:
    weights = model.weights
    total = sum(getattr(weights, name) * components.get(name, 0.0) for name in components)
    parts = ["专业匹配度 %d%%（相对本镇最匹配的团队）" % round(100 * components.get("fit", 0.0))]
    if components.get("service"):
        parts.append("服务类型吻合 %d%%" % round(100 * components["service"]))
    return "综合得分 %.3f：%s" % (total, "，".join(parts))


def describe_candidates(candidates: list[Candidate], team_names: dict[str, str] | None = None) -> list[str]:
    """One Chinese line per candidate, best first: rank, team, total and its main parts."""
    lines = []
    for rank, candidate in enumerate(candidates, start=1):
        name = (team_names or {}).get(candidate.team_id, "")
        label = "%s（%s）" % (candidate.team_id, name) if name else candidate.team_id
        parts = ["匹配度 %d%%" % round(100 * candidate.components.get("fit", 0.0))]
        if candidate.components.get("prior"):
            parts.append("有前期对接")
        if candidate.components.get("preference"):
            parts.append("第 %d 意向" % round(1 / candidate.components["preference"]))
        lines.append("第 %d 名：%s，综合得分 %.3f（%s）" % (rank, label, candidate.score, "，".join(parts)))
    return lines
