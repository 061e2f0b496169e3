"""Does the optional embedding backend (matching/engine/embeddings.py) help matching, and what does it cost?

    python bench/match_quality.py --set farmer1 --embeddings   # quality rows (calls embedding_rows below)
    python bench/embedding_fit.py --cost                        # time and memory at province scale

Needs the optional packages (``pip install '.[embeddings]'``). Quality rows, on the same labelled set and under
the same hard constraints as bench/match_quality.py:

- embeddings only: cosine of a town's need text (title + industry + description of its needs) against each
  team's text (name + specialties + research directions + summary + member fields), ranked and assigned among
  eligible teams exactly like the script's BM25 baseline;
- engine + lambda x cosine: the engine's dense total score plus lambda times the cosine, for a few lambdas.

Cost: the model load and the embedding of 7,000 need texts and 5,000 team texts made by bench/match_speed.py's
seeded province generator, with seconds and peak resident memory (ru_maxrss).
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from matching.engine import Need, Team, Weights, load_taxonomy  # noqa: E402
from matching.engine import embeddings  # noqa: E402
from matching.engine.scoring import ScoringModel, as_text  # noqa: E402
from matching.engine.tokens import analyzer_for  # noqa: E402

LAMBDAS = (0.1, 0.25, 0.5)
NEED_TEXT_FIELDS = ("title", "industry", "description")
TEAM_TEXT_FIELDS = ("name", "specialties", "research_directions", "summary", "member_fields")
COST_NEEDS = 7_000
COST_TEAMS = 5_000


def need_text(need: Need) -> str:
    return " ".join(text for text in (as_text(getattr(need, field)).strip() for field in NEED_TEXT_FIELDS) if text)


def team_text(team: Team) -> str:
    return " ".join(text for text in (as_text(getattr(team, field)).strip() for field in TEAM_TEXT_FIELDS) if text)


def town_texts(needs: list[Need]) -> tuple[list[str], list[str]]:
    """Towns in order of first appearance (as the engine and the BM25 baseline order them) and their need text."""
    by_town: dict[str, list[str]] = {}
    for need in needs:
        by_town.setdefault(need.town_code, []).append(need_text(need))
    return list(by_town), [" ".join(parts) for parts in by_town.values()]


def _embedder() -> embeddings.Embedder:
    if not embeddings.available():
        raise RuntimeError("the embedding backend is not installed: pip install '.[embeddings]'")
    return embeddings.Embedder()


def cosine_matrix(embedder: embeddings.Embedder, needs: list[Need], teams: list[Team]) -> tuple[list[str], np.ndarray]:
    towns, texts = town_texts(needs)
    town_vectors = embedder.embed(texts)
    team_vectors = embedder.embed([team_text(team) for team in teams])
    return towns, (town_vectors @ team_vectors.T).astype(np.float64)


def embedding_rows(needs: list[Need], teams: list[Team], gold: dict[str, str],
                   evaluate: Callable[[dict[str, list[str]], dict[str, str], dict[str, str]], dict[str, float]]
                   ) -> list[tuple[str, dict[str, float]]]:
    """Rows for bench/match_quality.py's table: embeddings alone, and the engine plus lambda x cosine."""
    from bench.match_quality import rank_and_assign

    embedder = _embedder()
    towns, cosine = cosine_matrix(embedder, needs, teams)
    rows: list[tuple[str, dict[str, float]]] = []

    # (a) Embeddings alone, eligibility exactly as the BM25 baseline: a preference list is a hard limit.
    allowed = np.array([[not team.preferred_towns or town in team.preferred_towns for team in teams]
                        for town in towns], dtype=bool).reshape(len(towns), len(teams))
    ranked, assigned = rank_and_assign(towns, teams, cosine, allowed)
    rows.append(("embeddings only (cosine of need text vs team text)", evaluate(ranked, assigned, gold)))

    # (b) The engine's dense total score plus lambda x cosine.
    model = ScoringModel(needs, teams, analyzer=analyzer_for(load_taxonomy()), weights=Weights())
    total, eligible, _raw = model.block(np.arange(model.n_towns))
    town_row = {town: i for i, town in enumerate(towns)}
    team_col = {team.team_id: j for j, team in enumerate(teams)}
    aligned = cosine[np.ix_([town_row[code] for code in model.town_codes],
                            [team_col[team_id] for team_id in model.team_ids])]
    for weight in LAMBDAS:
        ranked, assigned = rank_and_assign(model.town_codes, model.teams, total + weight * aligned, eligible)
        rows.append(("engine + %g·embedding cosine" % weight, evaluate(ranked, assigned, gold)))
    return rows


# ----- cost at province scale ---------------------------------------------------------------------
def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cost() -> None:
    from bench.match_speed import generate, machine

    started = time.perf_counter()
    needs, teams = generate("province")
    need_texts = [need_text(need) for need in needs[:COST_NEEDS]]
    team_texts = [team_text(team) for team in teams[:COST_TEAMS]]
    generated_s = time.perf_counter() - started
    base_mib = _peak_mib()

    started = time.perf_counter()
    embedder = _embedder()
    load_s = time.perf_counter() - started
    load_mib = _peak_mib()

    started = time.perf_counter()
    need_vectors = embedder.embed(need_texts)
    needs_s = time.perf_counter() - started
    needs_mib = _peak_mib()
    started = time.perf_counter()
    team_vectors = embedder.embed(team_texts)
    teams_s = time.perf_counter() - started
    teams_mib = _peak_mib()
    started = time.perf_counter()
    embedder.embed(need_texts + team_texts)
    cached_s = time.perf_counter() - started

    need_tokens = [len(encoding.ids) for encoding in embedder.tokenizer.encode_batch(need_texts)]
    team_tokens = [len(encoding.ids) for encoding in embedder.tokenizer.encode_batch(team_texts)]
    print("machine: %s" % machine())
    print("province generator (bench/match_speed.py, seed 20211029): %d needs, %d teams; embedded the first %d need "
          "texts (%d distinct) and %d team texts (%d distinct); generation took %.1f s"
          % (len(needs), len(teams), len(need_texts), len(set(need_texts)), len(team_texts), len(set(team_texts)),
             generated_s))
    print("tokens per text (with [CLS]/[SEP]): needs mean %.1f max %d, teams mean %.1f max %d; batch size %d"
          % (np.mean(need_tokens), max(need_tokens), np.mean(team_tokens), max(team_tokens), embedder.batch_size))
    print()
    print("| step | seconds | peak RSS after (MiB) | peak RSS added (MiB) |")
    print("| --- | --- | --- | --- |")
    print("| baseline (interpreter, engine, generated data) | - | %.0f | - |" % base_mib)
    print("| load model (safetensors + tokenizer.json) | %.2f | %.0f | %.0f |" % (load_s, load_mib, load_mib - base_mib))
    print("| embed %d need texts | %.1f | %.0f | %.0f |" % (len(need_texts), needs_s, needs_mib, needs_mib - load_mib))
    print("| embed %d team texts | %.1f | %.0f | %.0f |" % (len(team_texts), teams_s, teams_mib, teams_mib - needs_mib))
    print("| embed all %d again (cache hits) | %.3f | %.0f | - |" % (len(need_texts) + len(team_texts), cached_s,
                                                                   _peak_mib()))
    print("| total: load + embed | %.1f | %.0f | %.0f |" % (load_s + needs_s + teams_s, teams_mib, teams_mib - base_mib))
    print()
    print("vectors: %s + %s float32 = %.1f MiB" % (need_vectors.shape, team_vectors.shape,
                                                   (need_vectors.nbytes + team_vectors.nbytes) / 2 ** 20))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cost", action="store_true", help="time and memory of embedding at province scale")
    options = parser.parse_args()
    if options.cost:
        cost()
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
