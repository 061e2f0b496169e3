"""Benchmark: importing 10,000 need rows, as a ratio to openpyxl's read-only parse of the same file.

Runs against a throwaway SQLite database, or the throwaway database DATABASE_URL names (SQLite or PostgreSQL; the
demo data is loaded into it and its needs are deleted). Reports, in one run: openpyxl read-only parse,
core.excel.read_table (parse + validation), the whole import (validation, insert with change history, village
links; the jieba search index too for imports up to needs.services.IMPORT_INDEX_INLINE_ROWS) as the best of three,
and the follow-up task that indexes a larger import. Usage: python bench/needs_import.py [--rows 10000]
[--profile N]; see bench/RESULTS-needs.md.
"""
import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["KJTPY_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-needs-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

TITLES = ["贡柑黄龙病防控", "白毛茶加工提质", "生猪粪污资源化", "香菇栽培技术", "马蹄种苗复壮", "乡村旅游规划", "油茶低产林改造"]
CATEGORIES = ["果树", "茶叶", "畜牧", "食用菌", "蔬菜", "乡村旅游", "林业/竹木"]


def build_file(rows: int, town_codes: list[str]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("需求")
    sheet.append(["镇代码", "镇名称", "涉及行政村", "需求标题", "需求描述", "产业类别", "服务类型", "优先级", "预期成效", "调研人", "调研日期"])
    for index in range(rows):
        kind = index % len(TITLES)
        sheet.append([int(town_codes[index % len(town_codes)]), None, None, "%s（%d）" % (TITLES[kind], index),
                      "全镇%s面临技术瓶颈，第%d户反映需要指导和培训。" % (TITLES[kind], index), CATEGORIES[kind],
                      "技术指导、技能培训", "中", "", "调研组", "2026-10-20"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(function, repeat=1):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--profile", metavar="N", type=int, default=0,
                        help="after the timings, import once more under cProfile and print the N costliest calls")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the demo's rate limits use the database cache
    from accounts.models import User
    from portal.demo import load_demo
    from core.excel import read_table
    from cycles.models import Cycle
    from django.db import connection

    from needs.models import Need, NeedToken
    from needs.search import id_ranges, reindex_needs, search_needs
    from needs.services import need_columns, needs_import

    load_demo()
    Need.objects.all().delete()
    user = User.objects.get(username="city_st")
    cycle = Cycle.objects.get(status="open")
    from needs.services import towns_user_may_enter

    codes = list(towns_user_may_enter(user, cycle).values_list("code", flat=True))
    content = build_file(args.rows, codes)

    def openpyxl_parse():
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        return sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))

    def read_only_validation():
        return read_table(io.BytesIO(content), filename="x.xlsx", columns=need_columns(), max_rows=20000)

    def clear():
        """Remove the imported needs outside the timings (raw deletes: the model's delete writes a history row each)."""
        with connection.cursor() as cursor:
            for model in (NeedToken, Need.villages.through, Need):
                cursor.execute("DELETE FROM %s" % connection.ops.quote_name(model._meta.db_table))

    def whole_import():
        return needs_import(actor=user, cycle=cycle, file=io.BytesIO(content), filename="x.xlsx")

    base, count = timed(openpyxl_parse, repeat=3)
    parse, table = timed(read_only_validation, repeat=3)
    whole = None
    for _ in range(3):
        clear()
        elapsed, report = timed(whole_import)
        whole = elapsed if whole is None else min(whole, elapsed)
    assert not table.errors and report.saved == args.rows, (table.errors[:3], report.errors[:3])
    # A large import leaves its search tokens to a follow-up task (report.index_run); this is what the worker runs.
    pks = list(Need.objects.values_list("pk", flat=True))
    index, tokens = timed(lambda: reindex_needs(id_ranges(pks)))
    found = search_needs(Need.objects.all(), "黄龙病").count()
    assert tokens and found == len([i for i in range(args.rows) if i % len(TITLES) == 0]), (tokens, found)

    print("rows: %d (%d towns), database: %s" % (args.rows, len(codes), connection.vendor))
    print("openpyxl read-only parse : %.2f s (%d rows)" % (base, count - 1))
    print("core.excel.read_table    : %.2f s  ratio %.2f×" % (parse, parse / base))
    print("whole import             : %.2f s  ratio %.2f×  (validate + insert with history%s)" % (
        whole, whole / base, "; search index in a follow-up task" if report.index_run else " + jieba index"))
    print("follow-up search index   : %.2f s  ratio %.2f×  (%d tokens; in the worker, after the import commits)" % (
        index, index / base, tokens))
    if args.profile:
        import cProfile
        import pstats

        clear()
        profiler = cProfile.Profile()
        profiler.runcall(whole_import)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
