"""`make bench`: run every benchmark in turn (each prints its ratios and writes nothing unless asked).

    make bench                     # a few minutes: city vs province pages (quick), matching at province scale,
                                   # the 10,000-row needs import, match quality, field work and the city's
                                   # annual report at city and province scale (the pages' databases), the
                                   # weak-network pages
    make bench BENCH_ARGS=--full   # the full scales: pages at city, province and nation on PostgreSQL (the
                                   # nation database takes ~15 min to fill once), matching at nation scale too,
                                   # field work and the city's annual report at city and province scale on
                                   # SQLite and PostgreSQL

Benchmarks measure ratios in one run on a noisy machine; none is a pass/fail test. Run one alone with
`.venv/bin/python bench/<name>.py --help` for its options.
"""
import argparse
import subprocess
import sys
from pathlib import Path

QUICK = [
    ["needs_import.py"],
    ["match_quality.py"],
    ["match_speed.py", "--scale", "province"],
    ["pages.py", "--quick"],
    ["fieldwork.py", "--quick"],
    ["reports.py", "--quick"],
    ["weak_network.py", "--revisit-after", "0"],
]
FULL = [
    ["needs_import.py"],
    ["match_quality.py"],
    ["match_speed.py", "--scale", "both"],
    ["pages.py", "--engine", "postgres", "--scales", "city", "province", "nation"],
    ["fieldwork.py"],
    ["fieldwork.py", "--engine", "postgres"],
    ["reports.py"],
    ["reports.py", "--engine", "postgres"],
    ["weak_network.py"],
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full scales (PostgreSQL at 127.0.0.1:5432 for pages)")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    failed = []
    for command in FULL if args.full else QUICK:
        print("\n=== %s ===" % " ".join(command), flush=True)
        if subprocess.run([sys.executable, str(here / command[0]), *command[1:]], cwd=here.parent).returncode:
            failed.append(command[0])
    if failed:
        print("\n未完成的基准：%s" % "、".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
