"""Load a city's counties and towns from the national statistical division files."""
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from regions.services import DATA_DIR, divisions_load


class Command(BaseCommand):
    help = "从统计用区划代码文件载入地级市的县（市、区）和镇（乡、街道）"

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="地级市4位代码，如 4402")
        parser.add_argument("--source", default=str(DATA_DIR), help="区划数据目录（provinces/cities/areas/streets.csv）")

    def handle(self, *args, city, source, **options):
        try:
            result = divisions_load(city_code=city, source=Path(source))
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages))
        self.stdout.write(f"县（市、区）{result.counties} 个，镇（乡、街道）{result.towns} 个，跳过统计专用单位 {result.skipped} 个")
