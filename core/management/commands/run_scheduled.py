"""Run the scheduled jobs (closing due notices, failing stuck task runs, …); safe at any time.

Production runs ``manage.py run_scheduled`` once from a timer (a systemd timer or cron, e.g. every 5 minutes).
``make run`` starts ``manage.py run_scheduled --every 120`` beside the task worker, so a demo needs no cron.
Pages never do this work on a read: they show the effective state until a job records it.
A job registered with a period (``@scheduled_job(name, every=...)``) runs once per period whatever the number of
machines whose timers call this command (see ``core.scheduled``).
"""
import logging
import time
import traceback

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core.scheduled import JOBS, PERIODS, claim_period, finish_period

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("运行定时任务（关闭到期公示等；可随时重复运行）。生产环境由定时器（systemd timer 或 cron，如每5分钟）"
            "调用一次 `manage.py run_scheduled`；开发环境 `make run` 以 `--every 120` 循环运行，无需 cron。")

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", help="只运行指定任务（可重复）")
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="每隔 SECONDS 秒再运行一次，直到被中断（开发用；生产环境请用定时器调用一次）")

    def handle(self, *args, only=None, every=0, **options):
        autodiscover_modules("scheduled")
        unknown = sorted(set(only or ()) - set(JOBS))
        if unknown:
            raise CommandError("未知的任务：%s（可用：%s）" % ("、".join(unknown), "、".join(sorted(JOBS))))
        if every < 0:
            raise CommandError("--every 须为正整数（秒）。")
        while True:
            self.run_once(only, keep_going=bool(every))
            if not every:
                return
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return

    def run_once(self, only, *, keep_going=False, now=None):
        """Run each job once (a job with a period: if no other call has run it in this period). Run once (from a
        timer) a failing job raises, so the timer records the failure; in the ``--every`` loop it is logged and the
        loop goes on."""
        for name, job in sorted(JOBS.items()):
            if only and name not in only:
                continue
            claim = None
            try:
                if name in PERIODS:
                    claim = claim_period(name, PERIODS[name], now=now or timezone.now())
                    if claim is None:
                        self.stdout.write(f"{name}: 本周期已运行，跳过")
                        continue
                try:
                    result = job()
                except Exception:
                    if claim is not None:
                        finish_period(claim, error=traceback.format_exc())
                    raise
                if claim is not None:
                    finish_period(claim, result=result)
            except Exception:
                if not keep_going:
                    raise
                logger.exception("scheduled job %s failed", name)
                self.stderr.write(f"{name}: 失败（见日志）")
                continue
            finally:
                if keep_going:
                    close_old_connections()
            self.stdout.write(f"{name}: {result}")
        self.stdout.flush()  # the loop's output goes to a log file: show each run as it ends
