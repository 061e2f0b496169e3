from core.menu import OFFICIALS, MenuItem, register

register(MenuItem("用户", "accounts:user_list", OFFICIALS, group="系统", icon="people", order=90))
