"""Matching speed at province and nation scale (a benchmark: it reports numbers and ratios, never fails).

    python bench/match_speed.py                # both scales, writes nothing
    python bench/match_speed.py --scale province
    python bench/match_speed.py --scale nation
    python bench/match_speed.py --scale province --farmer-words   # texts as towns and teams really write them

Seeded generator:
- province: every Guangdong township-level row of shared/data/divisions/streets.csv (provinceCode 44),
  3-5 needs per town, 5,000 teams;
- nation: every real town, township and subdistrict in the file (statistical-only rows dropped: codes
  whose last three digits are 400-599, or names not ending in 镇/乡/街道/苏木/地区), 3-5 needs per town,
  100,000 teams.
Teams: 1-3 products from the default taxonomy (named by random synonyms), 60% with a preference list of
1-3 towns, 30% with prior engagement, random service types.

With --farmer-words every need's description also carries a farmer's account (a description from
bench/data/farmer1_needs.csv) and every team's summary a team's disciplinary text (farmer1_teams.csv), chosen by a
second seeded generator, so that the problem knowledge has sentences to read; the rest is the same data.

Each measured run happens in its own subprocess so that its peak resident memory (ru_maxrss) is its own.
At province scale it runs the dense path (score every pair + linear_sum_assignment) and the pruned path
(top-K candidates + sparse min_weight_full_bipartite_matching) on the same data, and evaluates both
assignments with the same exact scores.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.engine import Need, Team, Weights, load_taxonomy  # noqa: E402
from matching.engine.api import _result  # noqa: E402
from matching.engine.assign import DEFAULT_TOP_K, dense_plan, pruned_plan  # noqa: E402
from matching.engine.models import SERVICE_TYPES  # noqa: E402
from matching.engine.scoring import ScoringModel  # noqa: E402
from matching.engine.tokens import analyzer_for  # noqa: E402

STREETS = ROOT.parent / "shared" / "data" / "divisions" / "streets.csv"
REAL_SUFFIXES = ("镇", "乡", "街道", "苏木", "地区")
SCALES = {"province": {"teams": 5_000}, "nation": {"teams": 100_000}}
ISSUES = ["品质下降", "病虫害严重", "品种退化", "产量偏低", "加工滞后", "销售困难", "标准化程度低", "技术人员缺乏"]
ASKS = ["技术指导", "品种改良", "绿色防控", "深加工", "品牌打造", "标准化种植", "人才培训", "冷链保鲜"]
TECHNIQUES = ["高效栽培", "病虫害绿色防控", "良种繁育", "精深加工", "采后贮藏保鲜", "标准化生产", "品质提升",
              "生态种植", "土壤改良", "水肥一体化", "品牌营销", "机械化生产"]
UNITS = ["华南农业大学", "广东省农业科学院", "仲恺农业工程学院", "韶关学院", "广东海洋大学", "嘉应学院",
         "华南理工大学", "广东药科大学", "中山大学", "省林业科学研究院", "市农业科学研究所", "县农技推广中心"]


def read_towns(scale: str) -> list[tuple[str, str]]:
    with open(STREETS, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if scale == "province":
        return [(row["code"], row["name"]) for row in rows if row["provinceCode"] == "44"]
    return [(row["code"], row["name"]) for row in rows
            if not 400 <= int(row["code"][-3:]) <= 599 and row["name"].endswith(REAL_SUFFIXES)]


def product_names() -> list[tuple[str, list[str]]]:
    taxonomy = load_taxonomy()
    return [(name, [name] + info["synonyms"]) for name, info in taxonomy.products.items()]


def generate(scale: str, seed: int = 20211029) -> tuple[list[Need], list[Team]]:
    """Seeded needs and teams for a scale."""
    rng = random.Random(seed)
    towns = read_towns(scale)
    products = product_names()
    by_product: dict[int, list[str]] = {}
    needs: list[Need] = []
    for code, name in towns:
        profile = rng.sample(range(len(products)), 3)
        for index in profile:
            by_product.setdefault(index, []).append(code)
        for number in range(rng.randint(3, 5)):
            product, surfaces = products[profile[number % 3]]
            word = rng.choice(surfaces)
            needs.append(Need(
                code, name,
                "%s%s" % (word, rng.choice(ISSUES)),
                "%s%s种植面积约%d亩，%s，希望开展%s。" % (name, word, rng.randint(100, 20000), rng.choice(ISSUES),
                                                 rng.choice(ASKS)),
                product, rng.sample(SERVICE_TYPES, rng.randint(1, 3))))
    if os.environ.get("MATCH_SPEED_FARMER_WORDS"):
        needs, farmer_teams = with_farmer_words(needs), farmer_team_texts()
    else:
        farmer_teams = None
    codes = [code for code, _name in towns]
    teams: list[Team] = []
    for number in range(SCALES[scale]["teams"]):
        chosen = rng.sample(range(len(products)), rng.randint(1, 3))
        words = [rng.choice(products[index][1]) for index in chosen]
        specialties = "；".join("%s%s" % (word, rng.choice(TECHNIQUES)) for word in words)
        targets = [code for index in chosen for code in by_product.get(index, [])] or codes
        preferred = rng.sample(targets, min(len(targets), rng.randint(1, 3))) if rng.random() < 0.6 else []
        prior = [rng.choice(preferred or targets)] if rng.random() < 0.3 else []
        teams.append(Team(
            "T%06d" % number, "%s团队%d" % (products[chosen[0]][0], number), rng.choice(UNITS), specialties,
            "团队长期从事%s研究，在%s方面有成果。" % ("、".join(words), rng.choice(TECHNIQUES))
            + (farmer_teams[number % len(farmer_teams)] if farmer_teams else ""),
            service_types=rng.sample(SERVICE_TYPES, rng.randint(2, 4)),
            preferred_towns=preferred, prior_towns=prior))
    return needs, teams


FARMER_DATA = ROOT / "bench" / "data"


def with_farmer_words(needs: list[Need], seed: int = 7) -> list[Need]:
    """The same needs, each description followed by a farmer's account of a trouble."""
    with open(FARMER_DATA / "farmer1_needs.csv", encoding="utf-8-sig", newline="") as handle:
        accounts = [row["需求描述"] for row in csv.DictReader(handle)]
    rng = random.Random(seed)
    return [Need(n.town_code, n.town_name, n.title, n.description + rng.choice(accounts), n.industry, n.service_types)
            for n in needs]


def farmer_team_texts() -> list[str]:
    """Teams' disciplinary texts (specialties and summary) from the farmer1 set."""
    with open(FARMER_DATA / "farmer1_teams.csv", encoding="utf-8-sig", newline="") as handle:
        return ["%s。%s" % (row["专业领域"], row["团队简介"]) for row in csv.DictReader(handle)]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def exact_objective(model: ScoringModel, rows: np.ndarray, cols: np.ndarray) -> float:
    """Sum of exact totals of pairs, with each town's best raw fit over all teams."""
    fit_max = np.zeros(model.n_towns)
    step = max(1, 5_000_000 // max(model.n_teams, 1))
    for start in range(0, model.n_towns, step):
        block = np.arange(start, min(model.n_towns, start + step))
        fit_max[block] = model.raw_fit_block(block).max(axis=1, initial=0.0)
    total, _fit = model.totals(model.pair_components(rows, cols), fit_max, rows)
    return float(total.sum())


def child(scale: str, mode: str, top_k: int) -> dict:
    """One measured run (in its own process)."""
    started = time.perf_counter()
    needs, teams = generate(scale)
    generated = time.perf_counter()
    model = ScoringModel(needs, teams, analyzer=analyzer_for(load_taxonomy()), weights=Weights())
    built = time.perf_counter()
    empty = np.zeros(0, dtype=np.int64)
    plan = dense_plan(model, empty, empty) if mode == "dense" else pruned_plan(model, top_k, empty, empty)
    solved = time.perf_counter()
    result = _result(model, plan, empty, empty)
    explained = time.perf_counter()
    peak = peak_mib()
    objective = exact_objective(model, plan.rows, plan.cols)
    return {
        "scale": scale, "mode": mode, "towns": model.n_towns, "needs": len(needs), "teams": model.n_teams,
        "features": len(model.features), "generate_s": generated - started, "build_s": built - generated,
        "solve_s": solved - built, "explain_s": explained - solved, "match_s": explained - generated,
        "peak_mib": peak, "assigned": len(result.assignments), "unassigned": len(result.unassigned_towns),
        "objective": objective, "edges": plan.stats.get("edges", 0.0),
        "dense_filled_towns": plan.stats.get("dense_filled_towns", 0.0),
    }


def spawn(scale: str, mode: str, top_k: int) -> dict:
    command = [sys.executable, __file__, "--child", scale, mode, "--top-k", str(top_k)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d cores, %.1f GiB RAM, Python %s" % (cpu, os.cpu_count() or 0, memory, platform.python_version())


def report(runs: list[dict]) -> None:
    print("machine: %s" % machine())
    print()
    print("| scale | mode | towns | needs | teams | build (tokenize) s | solve s | explain s | match total s | peak MiB "
          "| assigned | unassigned | exact total score |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for run in runs:
        print("| %(scale)s | %(mode)s | %(towns)d | %(needs)d | %(teams)d | %(build_s).1f | %(solve_s).2f | %(explain_s).1f "
              "| %(match_s).1f | %(peak_mib).0f | %(assigned)d | %(unassigned)d | %(objective).3f |" % run)
    dense = next((run for run in runs if run["mode"] == "dense"), None)
    pruned = next((run for run in runs if run["mode"] == "pruned" and run["scale"] == "province"), None)
    if dense and pruned:
        print()
        print("province, dense / pruned: solve phase %.1fx faster, whole match %.1fx faster; pruned total score "
              "is %.4f%% below the dense optimum (%.3f vs %.3f)" % (
                  dense["solve_s"] / pruned["solve_s"], dense["match_s"] / pruned["match_s"],
                  100 * (dense["objective"] - pruned["objective"]) / dense["objective"],
                  pruned["objective"], dense["objective"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["province", "nation", "both"], default="both")
    parser.add_argument("--top-k", type=int, default=DEFAULT_TOP_K)
    parser.add_argument("--child", nargs=2, metavar=("SCALE", "MODE"))
    parser.add_argument("--farmer-words", action="store_true", help="needs and teams also carry farmer1's texts")
    options = parser.parse_args()
    if options.farmer_words:
        os.environ["MATCH_SPEED_FARMER_WORDS"] = "1"  # the child processes inherit it
    if options.child:
        print(json.dumps(child(options.child[0], options.child[1], options.top_k)))
        return
    runs = []
    if options.scale in ("province", "both"):
        runs.append(spawn("province", "dense", options.top_k))
        runs.append(spawn("province", "pruned", options.top_k))
    if options.scale in ("nation", "both"):
        runs.append(spawn("nation", "pruned", options.top_k))
    print("top_k = %d%s" % (options.top_k, ", farmer words" if options.farmer_words else ""))
    report(runs)


if __name__ == "__main__":
    main()
