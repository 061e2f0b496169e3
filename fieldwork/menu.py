"""The menu of the field service (驻镇服务). A team member logs activities and stays most days, on a phone: for the team
those two come first of the whole menu (the phone menu is one list), before the home page."""
from core.menu import OFFICIALS, TEAMS, TOWN, MenuItem, register
from core.roles import Role

GROUP = "驻镇服务"
# Who reads the field service: the officials along the tree, the town's work team, the team and its dispatching unit.
READERS = frozenset(OFFICIALS | TOWN | TEAMS | {Role.UNIT})
NOT_TEAMS = READERS - TEAMS

register(
    # The team: what it does every day, first.
    MenuItem("服务活动", "fieldwork:activity_list", TEAMS, group="工作台", icon="clipboard-check", order=0),
    MenuItem("驻镇时间", "fieldwork:stay_list", TEAMS, group="工作台", icon="calendar-check", order=0),
    # Everyone else who reads them: in the group, in the programme's order.
    MenuItem("服务活动", "fieldwork:activity_list", NOT_TEAMS, group=GROUP, icon="clipboard-check", order=110),
    MenuItem("驻镇时间", "fieldwork:stay_list", NOT_TEAMS, group=GROUP, icon="calendar-check", order=111),
    MenuItem("驻镇天数", "fieldwork:days_list", READERS, group=GROUP, icon="bar-chart", order=112),
    MenuItem("工作任务", "fieldwork:task_list", READERS, group=GROUP, icon="send-check", order=113),
    MenuItem("履职预警", "fieldwork:flag_list", READERS, group=GROUP, icon="exclamation-diamond", order=114),
    MenuItem("工作条件", "fieldwork:conditions_list", READERS, group=GROUP, icon="building", order=115),
    MenuItem("问题反映", "fieldwork:request_list", READERS, group=GROUP, icon="megaphone", order=116),
    MenuItem("活动相册", "fieldwork:gallery", READERS, group=GROUP, icon="grid-3x3", order=117),
)
