"""`python manage.py match --needs FILE --teams FILE`: file-mode matching, no database records needed."""
from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from matching.engine import cli


class Command(BaseCommand):
    """Thin wrapper around the engine's command line (JSON on stdout, Chinese errors on stderr)."""

    help = "按需求文件和团队文件匹配团队与镇，输出 JSON"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--needs", required=True, help="需求文件（.xlsx 或 .csv）")
        parser.add_argument("--teams", required=True, help="团队文件（.xlsx 或 .csv）")
        parser.add_argument("--top-k", type=int, default=None, help="每个镇保留的候选团队数")
        parser.add_argument("--weights", default=None, help="权重 JSON")
        parser.add_argument("--taxonomy", default=None, help="行业分类 JSON 文件")

    def handle(self, *args, **options) -> None:
        argv = ["--needs", options["needs"], "--teams", options["teams"]]
        if options.get("top_k") is not None:
            argv += ["--top-k", str(options["top_k"])]
        if options.get("weights"):
            argv += ["--weights", options["weights"]]
        if options.get("taxonomy"):
            argv += ["--taxonomy", options["taxonomy"]]
        code = cli.main(argv, sys.stdout, sys.stderr)
        if code != 0:
            raise SystemExit(code)
