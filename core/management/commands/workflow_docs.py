"""Write docs/workflows.md: the state tables of every declared workflow (core.workflow.WORKFLOWS)."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from core.workflow import render_workflow_docs


class Command(BaseCommand):
    help = "生成 docs/workflows.md（由各应用 choices.py 中声明的流程生成的状态表）；--check 只比对不写入。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="文件与声明不一致时以非零状态退出")

    def handle(self, *args, check=False, **options):
        path = Path(settings.BASE_DIR) / "docs" / "workflows.md"
        text = render_workflow_docs()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise SystemExit("docs/workflows.md 与流程声明不一致，请运行 manage.py workflow_docs")
            self.stdout.write("docs/workflows.md 与流程声明一致。")
            return
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write("已写入 %s" % path)
