from core.roles import Role
from core.menu import OFFICIALS, TEAMS, MenuItem, register

register(
    MenuItem("征集通知", "calls:call_list", OFFICIALS | TEAMS | {Role.UNIT, Role.TOWN}, group="征集申报",
             icon="megaphone", order=40),
    MenuItem("申报", "calls:application_list", OFFICIALS | TEAMS | {Role.UNIT}, group="征集申报",
             icon="file-earmark-text", order=41),
)
