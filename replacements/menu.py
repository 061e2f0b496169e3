"""The menu of adjustment and replacement (调整更换): cases for the officials, the teams and their units; member
changes likewise; the end of a cycle for the officials; the figures the pairings closed with."""
from core.menu import OFFICIALS, TEAMS, MenuItem, register
from core.roles import Role

GROUP = "调整更换"
READERS = frozenset(OFFICIALS | TEAMS | {Role.UNIT})

register(
    MenuItem("调整更换案件", "replacements:case_list", READERS, group=GROUP, icon="signpost-split", order=120),
    MenuItem("成员变更", "replacements:change_list", READERS, group=GROUP, icon="person-plus", order=121),
    MenuItem("周期结束", "replacements:cycle_end", OFFICIALS, group=GROUP, icon="calendar-check", order=122),
    MenuItem("结对结束时数据", "replacements:figures_list", OFFICIALS, group=GROUP, icon="bar-chart", order=123),
)
