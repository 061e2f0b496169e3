from core.menu import OFFICIALS, TEAMS, TOWN, MenuItem, register
from core.roles import Role

GROUP = "论证资助"
OFFICES = {Role.CITY_ST, Role.COUNTY_ST, Role.PROVINCE, Role.CITY_RURAL, Role.COUNTY_RURAL}

register(
    MenuItem("我的评审任务", "reviews:seat_list", {Role.EXPERT}, group=GROUP, icon="clipboard-check", order=90),
    MenuItem("我的专家信息", "reviews:expert_list", {Role.EXPERT}, group=GROUP, icon="person-vcard", order=90),
    MenuItem("专家论证", "reviews:review_list", OFFICIALS | TOWN | TEAMS | {Role.UNIT}, group=GROUP,
             icon="clipboard-check", order=91),
    MenuItem("专家库", "reviews:expert_list", OFFICES, group=GROUP, icon="people", order=92),
    MenuItem("立项资助", "reviews:grant_list", OFFICIALS | TOWN | TEAMS | {Role.UNIT}, group=GROUP, icon="files",
             order=93),
    MenuItem("年度资助预算", "reviews:envelope_list", OFFICES, group=GROUP, icon="bar-chart", order=94),
)
