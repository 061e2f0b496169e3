"""Load the Shaoguan demo data (idempotent) and print one login per role."""
from django.core.management.base import BaseCommand

from portal.demo import load_demo


class Command(BaseCommand):
    help = "载入韶关演示数据（可重复运行）并列出各角色演示账号"

    def handle(self, *args, **options):
        logins = load_demo()
        self.stdout.write("演示账号（密码相同）：")
        for label, username, password in logins:
            self.stdout.write(f"  {label:<12} {username:<14} {password}")
