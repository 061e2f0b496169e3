"""Fill the database with seeded scale data for page benchmarks (all logic in ``portal.scale``)."""
from django.core.management.base import BaseCommand, CommandError

from portal import scale


class Command(BaseCommand):
    help = (
        "生成规模测试数据（批量写入，同一种子结果相同）：--scale city 为韶关市（4402），province 为广东省（44），"
        "nation 为全国。每镇：city/province 3个行政村、3-5条需求、每轮征集另加20%竞争团队，TOWN 账号 city 每镇一个、"
        "province 每5个镇一个；nation 密度较低：2个行政村、3条需求、10%竞争团队、每20个镇一个 TOWN 账号。"
        "团队均为3人（负责人+2名成员）。账号密码取环境变量 SCALE_PASSWORD，默认同演示数据。"
        "数据库已有镇时拒绝运行，除非加 --flush（先删除业务数据）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=scale.SCALES, required=True)
        parser.add_argument("--cycles", type=int, default=2, help="帮扶周期数（默认2：前一周期已结束，最后一个进行中）")
        parser.add_argument("--seed", type=int, default=20211029)
        parser.add_argument("--flush", action="store_true", help="先删除已有的业务数据（保留产业分类和系统管理员）")
        parser.add_argument("--no-history", action="store_true", help="不写变更历史（django-simple-history）行")

    def handle(self, *args, **options):
        from regions.models import Town

        if Town.objects.exists():
            if not options["flush"]:
                raise CommandError("数据库中已有镇的数据；如确需清空后重新生成，请加 --flush。")
            scale.flush()
        if options["cycles"] < 1:
            raise CommandError("--cycles 至少为1。")
        counts = scale.load_scale(options["scale"], cycles=options["cycles"], seed=options["seed"],
                                  history=not options["no_history"], out=self.stdout.write)
        seconds = counts.pop("seconds")
        for label, rows in counts.items():
            self.stdout.write("%s: %d" % (label, rows))
        self.stdout.write("elapsed: %.1f s" % seconds)
