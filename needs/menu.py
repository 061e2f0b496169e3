from core.menu import OFFICIALS, TOWN, MenuItem, register

register(
    MenuItem("需求库", "needs:need_list", OFFICIALS | TOWN, group="需求摸底", icon="clipboard-check", order=40),
    MenuItem("需求调研", "needs:campaign_list", OFFICIALS | TOWN, group="需求摸底", icon="megaphone", order=41),
    MenuItem("需求统计", "needs:summary", OFFICIALS | TOWN, group="需求摸底", icon="bar-chart", order=42),
    MenuItem("产业分类", "needs:taxonomy", OFFICIALS | TOWN, group="需求摸底", icon="tags", order=43),
)
