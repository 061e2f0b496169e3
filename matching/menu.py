from core.menu import EVERYONE, OFFICIALS, MenuItem, register

register(
    MenuItem("遴选", "matching:round_list", OFFICIALS, group="遴选结对", icon="diagram-3", order=60),
    MenuItem("结对", "matching:pairing_list", EVERYONE - {"expert"}, group="遴选结对", icon="link-45deg", order=61),
)
