"""Run the scheduled jobs (closing due notices, reminders, …); safe at any time, e.g. from cron."""
from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from core.scheduled import JOBS


class Command(BaseCommand):
    help = "运行定时任务（可随时重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", help="只运行指定任务")

    def handle(self, *args, only=None, **options):
        autodiscover_modules("scheduled")
        for name, job in sorted(JOBS.items()):
            if only and name not in only:
                continue
            result = job()
            self.stdout.write(f"{name}: {result}")
