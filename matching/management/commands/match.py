"""`python manage.py match --needs FILE --teams FILE`: file-mode matching, no database records needed.

Town codes in both files are checked against the division list the platform uses: the towns in the
database, or, before any are loaded, the towns of the division files the project ships
(``regions/data/streets_*.csv``, read as ``manage.py load_divisions`` reads them). An unknown code is
refused with its file, row and column.
"""
from __future__ import annotations

import csv
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from matching.engine import cli
from matching.engine import io as engine_io


def known_town_codes() -> frozenset[str]:
    """The platform's town codes: the database's towns, else the shipped division files' real towns."""
    from regions.models import Town
    from regions.services import DATA_DIR, town_kind_for

    try:
        codes = frozenset(Town.objects.values_list("code", flat=True))
    except DatabaseError:  # a database not migrated yet
        codes = frozenset()
    if codes:
        return codes
    shipped = set()
    for path in sorted(DATA_DIR.glob("streets*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
                if town_kind_for(code, name) is not None:
                    shipped.add(code)
    return frozenset(shipped)


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
        with engine_io.known_towns(known_town_codes() or None):
            code = cli.main(argv, sys.stdout, sys.stderr)
        if code != 0:
            raise SystemExit(code)
