from accounts.choices import Role
from core.menu import OFFICIALS, MenuItem, register

register(MenuItem("用户", "accounts:user_list", OFFICIALS | {Role.UNIT}, group="系统", icon="people", order=90))
