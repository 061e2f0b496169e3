"""`make bench`: run every benchmark in turn (each prints its ratios and writes its RESULTS file).

Benchmarks measure ratios in one run on a noisy machine; none is a pass/fail test. Run one alone with
`.venv/bin/python bench/<name>.py --help` for its options.
"""
import subprocess
import sys
from pathlib import Path

BENCHES = ["needs_import.py", "match_quality.py", "match_speed.py", "weak_network.py"]


def main() -> int:
    here = Path(__file__).resolve().parent
    failed = []
    for name in BENCHES:
        print("\n=== %s ===" % name, flush=True)
        if subprocess.run([sys.executable, str(here / name)], cwd=here.parent).returncode:
            failed.append(name)
    if failed:
        print("\n未完成的基准：%s" % "、".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
