"""The menu of annual reports (信息报送): the reports for the officials, the dashboard for every signed-in role."""
from core.menu import MenuItem, register
from core.roles import OFFICIAL_ROLES, Role

GROUP = "信息报送"
DASHBOARD_ROLES = OFFICIAL_ROLES | {Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT}

register(
    MenuItem("年度报告", "reports:report_list", OFFICIAL_ROLES, group=GROUP, icon="journal-text", order=140),
    MenuItem("数据看板", "reports:dashboard", DASHBOARD_ROLES, group=GROUP, icon="bar-chart", order=141),
)
