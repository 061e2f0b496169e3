"""Write the industry taxonomy from the database to the file the matching engine loads."""
from django.core.management.base import BaseCommand

from matching.engine.taxonomy import DEFAULT_TAXONOMY_PATH
from needs.taxonomy import export


class Command(BaseCommand):
    help = "把产业分类（含别名、上级产品）导出为匹配引擎加载的文件"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_TAXONOMY_PATH))

    def handle(self, *args, output, **options):
        path = export(output)
        self.stdout.write("已写入 %s" % path)
