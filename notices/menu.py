from core.menu import OFFICIALS, MenuItem, register

register(
    MenuItem("公示", "notices:notice_list", OFFICIALS, group="公示备案", icon="megaphone-fill", order=70),
    MenuItem("异议", "notices:objection_list", OFFICIALS, group="公示备案", icon="exclamation-diamond", order=71),
)
