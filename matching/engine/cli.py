"""Command line: `match --needs FILE --teams FILE [--top-k N] [--weights JSON]`.

Only JSON goes to stdout; logs and Chinese error messages go to stderr; bad input exits with 2, an
unexpected failure with 1, and never with a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from .errors import EngineInputError
from .io import DEFAULT_ROW_LIMIT, read_needs, read_teams
from .models import Weights

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of printing English usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise EngineInputError("命令行参数错误：%s" % message)


def build_parser() -> argparse.ArgumentParser:
    """The command line options."""
    parser = _Parser(prog="match", description="按需求匹配农村科技特派员团队与镇（一对一）", add_help=False)
    parser.add_argument("--needs", required=True, help="需求文件（.xlsx 或 .csv）")
    parser.add_argument("--teams", required=True, help="团队文件（.xlsx 或 .csv）")
    parser.add_argument("--top-k", type=int, default=None, help="每个镇保留的候选团队数（大规模时剪枝）")
    parser.add_argument("--weights", default=None, help='权重 JSON，如 {"fit": 1, "prior": 0.5}')
    parser.add_argument("--taxonomy", default=None, help="行业分类 JSON 文件（默认使用内置分类）")
    parser.add_argument("--row-limit", type=int, default=DEFAULT_ROW_LIMIT, help="每个文件的最大行数")
    return parser


def parse_weights(text: str | None) -> Weights:
    """Weights from a JSON object string."""
    if not text:
        return Weights()
    try:
        values = json.loads(text)
    except json.JSONDecodeError as error:
        raise EngineInputError("权重不是有效的 JSON：%s" % error.msg) from None
    if not isinstance(values, dict):
        raise EngineInputError("权重必须是 JSON 对象，如 {\"fit\": 1, \"prior\": 0.5}")
    return Weights.from_mapping(values)


def run(argv: list[str], stderr: TextIO) -> dict:
    """Parse arguments, read both files, match, and return the JSON-ready result."""
    from .api import match

    options = build_parser().parse_args(argv)
    if options.top_k is not None and options.top_k < 1:
        raise EngineInputError("--top-k 必须是正整数")
    if options.row_limit < 1:
        raise EngineInputError("--row-limit 必须是正整数")
    weights = parse_weights(options.weights)
    needs = read_needs(options.needs, row_limit=options.row_limit)
    towns = {need.town_code for need in needs}
    teams, warnings = read_teams(options.teams, towns=towns, row_limit=options.row_limit)
    for warning in warnings:
        print(warning, file=stderr)
    print("读取需求 %d 条（%d 个镇），团队 %d 个" % (len(needs), len(towns), len(teams)), file=stderr)
    result = match(needs, teams, weights, taxonomy=options.taxonomy, top_k=options.top_k)
    print("已分配 %d 个镇，未覆盖 %d 个镇" % (len(result.assignments), len(result.unassigned_towns)), file=stderr)
    return result.to_dict()


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        payload = run(argv, stderr)
    except EngineInputError as error:
        print("错误：%s" % error, file=stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # never show a traceback to the user
        print("内部错误：%s（%s）" % (error, type(error).__name__), file=stderr)
        return EXIT_INTERNAL
    stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
    stdout.write("\n")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
