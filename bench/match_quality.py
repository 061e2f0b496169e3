"""Matching quality on a labelled set of real Shaoguan towns (a benchmark: it reports, never fails).

    python bench/match_quality.py [--data bench/data] [--set quality]   (--set quality2: the independent set)

Reads quality_needs.csv, quality_teams.csv (the command line's file formats) and quality_gold.csv (the
team a town should get). Reports, for the engine and a plain BM25 baseline on the same set and under the
same hard constraints (preference lists): top-1 and top-3 accuracy of each town's ranked eligible teams,
assignment accuracy of the one-to-one assignment, and coverage. Ablations show where the gains come from.
"""
from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections import Counter
from pathlib import Path

import jieba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.engine import Need, Team, Weights, match  # noqa: E402
from matching.engine.assign import solve_dense  # noqa: E402
from matching.engine.io import read_needs, read_teams  # noqa: E402
from matching.engine.taxonomy import load_taxonomy  # noqa: E402
from matching.engine.scoring import NEED_FIELDS, TEAM_FIELDS, as_text  # noqa: E402

EMPTY_TAXONOMY = {"version": 1, "categories": []}


def without_problems(taxonomy: dict) -> dict:
    """The taxonomy with its problem knowledge left out (products, synonyms and categories kept)."""
    return {key: value for key, value in taxonomy.items() if key != "problems"}


def read_gold(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {row["镇代码"].strip(): row["团队编号"].strip() for row in csv.DictReader(handle)}


def eligible(team: Team, town: str) -> bool:
    return not team.preferred_towns or town in team.preferred_towns


def evaluate(ranked: dict[str, list[str]], assigned: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    towns = list(gold)
    top1 = sum(1 for town in towns if ranked.get(town, [])[:1] == [gold[town]])
    top3 = sum(1 for town in towns if gold[town] in ranked.get(town, [])[:3])
    right = sum(1 for town in towns if assigned.get(town) == gold[town])
    covered = sum(1 for town in towns if town in assigned)
    n = len(towns)
    return {"top1": top1 / n, "top3": top3 / n, "assignment": right / n, "coverage": covered / n}


def run_engine(needs: list[Need], teams: list[Team], gold: dict[str, str], misses: bool = False,
               **kwargs) -> dict[str, float]:
    result = match(needs, teams, **kwargs)
    ranked = {town: [c.team_id for c in items] for town, items in result.candidates.items()}
    assigned = {a.town_code: a.team_id for a in result.assignments}
    if misses:
        by_town = {a.town_code: a for a in result.assignments}
        for town, team in gold.items():
            if ranked.get(town, [])[:1] != [team] or assigned.get(town) != team:
                print("MISS %s gold %s top %s assigned %s" % (town, team, ranked.get(town, [])[:3], assigned.get(town)))
                for candidate in result.candidates.get(town, [])[:4]:
                    print("    %s %.3f %s" % (candidate.team_id, candidate.score,
                                              {k: round(v, 2) for k, v in candidate.components.items() if v}))
                if town in by_town:
                    for reason in by_town[town].reasons[:4]:
                        print("    -", reason)
    return evaluate(ranked, assigned, gold)


def bm25_baseline(needs: list[Need], teams: list[Team], gold: dict[str, str]) -> dict[str, float]:
    """Plain BM25: jieba's default dictionary, no taxonomy, all text fields concatenated, text only."""
    def tokens(text: str) -> list[str]:
        return [token for token in jieba.lcut(text) if len(token.strip()) > 1]

    documents = [tokens(" ".join(as_text(getattr(team, field)) for field, _l, _w in TEAM_FIELDS)) for team in teams]
    queries: dict[str, list[str]] = {}
    for need in needs:
        queries.setdefault(need.town_code, []).extend(
            tokens(" ".join(as_text(getattr(need, field)) for field, _l, _w in NEED_FIELDS)))
    n = len(documents)
    df = Counter(token for document in documents for token in set(document))
    average = sum(len(d) for d in documents) / max(n, 1)
    towns = list(queries)
    scores = np.zeros((len(towns), n))
    for j, document in enumerate(documents):
        tf = Counter(document)
        for i, town in enumerate(towns):
            for token in set(queries[town]):
                if token in tf:
                    idf = math.log(1 + (n - df[token] + 0.5) / (df[token] + 0.5))
                    scores[i, j] += idf * tf[token] * 2.2 / (tf[token] + 1.2 * (0.25 + 0.75 * len(document) / average))
    allowed = np.array([[eligible(team, town) for team in teams] for town in towns])
    return evaluate(*rank_and_assign(towns, teams, scores, allowed), gold)


def rank_and_assign(towns: list[str], teams: list[Team], scores: np.ndarray,
                    allowed: np.ndarray) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each town's eligible teams by score, and the one-to-one assignment of best total score."""
    ranked = {}
    for i, town in enumerate(towns):
        order = [j for j in np.argsort(-scores[i], kind="stable") if allowed[i, j]]
        ranked[town] = [teams[j].team_id for j in order]
    rows, cols = solve_dense(scores, allowed)
    assigned = {towns[i]: teams[j].team_id for i, j in zip(rows, cols)}
    return ranked, assigned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(Path(__file__).with_name("data")))
    parser.add_argument("--set", default="quality", help="file prefix: <set>_needs.csv, <set>_teams.csv, <set>_gold.csv")
    parser.add_argument("--misses", action="store_true", help="print the towns the engine gets wrong (tuning sets only)")
    parser.add_argument("--embeddings", action="store_true", help="also measure the optional embedding backend")
    options = parser.parse_args()
    data = Path(options.data)
    needs = read_needs(data / f"{options.set}_needs.csv")
    towns = {need.town_code for need in needs}
    teams, _warnings = read_teams(data / f"{options.set}_teams.csv", towns=towns)
    gold = read_gold(data / f"{options.set}_gold.csv")
    by_id = {team.team_id: team for team in teams}
    for town, team_id in gold.items():
        assert town in towns and team_id in by_id and eligible(by_id[team_id], town), (town, team_id)
    print("labelled set: %d towns, %d needs, %d teams (%d distractors)"
          % (len(towns), len(needs), len(teams), len(teams) - len(set(gold.values()))))
    rows = []
    started = time.perf_counter()
    rows.append(("engine (default weights)", run_engine(needs, teams, gold, misses=options.misses)))
    elapsed = time.perf_counter() - started
    taxonomy = load_taxonomy().to_dict()
    rows.append(("engine, familiarity always counts (no fit-first margin)",
                 run_engine(needs, teams, gold, weights=Weights(familiarity_margin=1.0))))
    rows.append(("engine without problem knowledge", run_engine(needs, teams, gold, taxonomy=without_problems(taxonomy))))
    rows.append(("engine without problems, familiarity always counts (the engine before this work)",
                 run_engine(needs, teams, gold, taxonomy=without_problems(taxonomy),
                            weights=Weights(familiarity_margin=1.0))))
    rows.append(("engine, text fit only (taxonomy, no prior/preference/service)",
                 run_engine(needs, teams, gold, weights=Weights(service=0, prior=0, preference=0))))
    rows.append(("engine without taxonomy (all signals)", run_engine(needs, teams, gold, taxonomy=EMPTY_TAXONOMY)))
    rows.append(("plain BM25 baseline (text only, jieba default)", bm25_baseline(needs, teams, gold)))
    if options.embeddings:
        from bench.embedding_fit import embedding_rows

        rows.extend(embedding_rows(needs, teams, gold, evaluate))
    print()
    print("| method | top-1 | top-3 | assignment | coverage |")
    print("| --- | --- | --- | --- | --- |")
    for name, scores in rows:
        print("| %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% |" % (
            name, 100 * scores["top1"], 100 * scores["top3"], 100 * scores["assignment"], 100 * scores["coverage"]))
    print()
    print("engine run time on this set: %.2f s (includes jieba dictionary load)" % elapsed)


if __name__ == "__main__":
    main()
