from core.menu import OFFICIALS, TEAMS, TOWN, MenuItem, register
from core.roles import Role

GROUP = "协议项目"

register(
    MenuItem("帮扶协议", "projects:agreement_list", OFFICIALS | TOWN | TEAMS | {Role.UNIT}, group=GROUP,
             icon="patch-check", order=80),
    MenuItem("帮扶项目", "projects:project_list", OFFICIALS | TOWN | TEAMS | {Role.UNIT}, group=GROUP,
             icon="clipboard-check", order=81),
    MenuItem("项目变更", "projects:change_list", OFFICIALS | {Role.TEAM_LEADER}, group=GROUP, icon="files", order=82),
    MenuItem("协议与项目进度", "projects:progress", OFFICIALS, group=GROUP, icon="bar-chart", order=83),
)
