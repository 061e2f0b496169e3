"""Print (or write to a file) the industry taxonomy as officials edited it, in the matching engine's file format.

The shipped file (matching/engine/data) is the seed and the CLI's default; it is replaced only when asked by name
(``--output matching/engine/data/taxonomy.json``), never by default. Selection runs read the taxonomy from the
database and keep a snapshot with its version, so they do not need the file.
"""
import json

from django.core.management.base import BaseCommand

from needs.taxonomy import export, taxonomy_dict


class Command(BaseCommand):
    help = "把产业分类（含别名、上级产品）按匹配引擎的文件格式输出；默认打印到标准输出，--output 写入指定文件"

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-", help="目标文件；默认“-”为标准输出（不覆盖随附的种子文件）")

    def handle(self, *args, output, **options):
        if output == "-":
            self.stdout.write(json.dumps(taxonomy_dict(), ensure_ascii=False, indent=1))
            return
        path = export(output)
        self.stderr.write("已写入 %s" % path)
