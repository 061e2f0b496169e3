from core.roles import Role
from core.menu import OFFICIALS, TEAMS, MenuItem, register

register(
    MenuItem("特派员团队", "teams:team_list", OFFICIALS | TEAMS | {Role.UNIT}, group="征集申报", icon="people", order=43),
    MenuItem("特派员库", "teams:commissioner_list", OFFICIALS | TEAMS | {Role.UNIT}, group="征集申报",
             icon="person-vcard", order=44),
)
