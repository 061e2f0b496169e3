"""`manage.py match` in file mode: JSON on stdout, Chinese errors on stderr with a non-zero exit."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "manage.py", "match", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_the_command_matches_the_labelled_set_and_prints_only_json():
    result = run("--needs", "bench/data/quality_needs.csv", "--teams", "bench/data/quality_teams.csv")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["assignments"] and data["unassigned_towns"] == []
    first = data["assignments"][0]
    assert {"town_code", "team_id", "score", "reasons"} <= set(first)
    assert all(len(candidates) <= 5 for candidates in data["candidates"].values())


def test_a_missing_file_is_a_chinese_message_and_a_non_zero_exit(tmp_path):
    result = run("--needs", str(tmp_path / "none.csv"), "--teams", "bench/data/quality_teams.csv")
    assert result.returncode != 0
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr)
