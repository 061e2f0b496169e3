from core.menu import OFFICIALS, TOWN, MenuItem, register

register(
    MenuItem("全市概览", "portal:overview", OFFICIALS, group="工作台", icon="grid-3x3", order=5),
    MenuItem("县（市、区）", "regions:county_list", OFFICIALS, icon="map", order=20),
    MenuItem("镇（乡、街道）", "regions:town_list", OFFICIALS | TOWN, icon="geo-alt", order=21),
    MenuItem("行政村", "regions:village_list", OFFICIALS | TOWN, icon="house", order=22),
)
