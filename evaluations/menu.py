"""The menu of the dispatching unit's work (考评培训): the unit's own page, evaluations, rewards and trainings; the
officials read the units' evaluations, rewards and trainings; a commissioner their own evaluations and rewards."""
from core.menu import OFFICIALS, TEAMS, MenuItem, register
from core.roles import Role

GROUP = "考评培训"
UNIT = frozenset({Role.UNIT})

register(
    MenuItem("本单位特派员", "evaluations:home", UNIT, group=GROUP, icon="person-vcard", order=130),
    MenuItem("年度考评", "evaluations:evaluation_list", UNIT | TEAMS, group=GROUP, icon="patch-check", order=131),
    MenuItem("派出单位考评", "evaluations:evaluation_list", OFFICIALS, group=GROUP, icon="patch-check", order=131),
    MenuItem("奖励", "evaluations:reward_list", UNIT | TEAMS | OFFICIALS, group=GROUP, icon="tags", order=132),
    MenuItem("培训交流", "evaluations:training_list", UNIT | OFFICIALS, group=GROUP, icon="people", order=133),
)
