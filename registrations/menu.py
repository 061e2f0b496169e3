from core.menu import OFFICIALS, MenuItem, register

register(
    MenuItem("备案报送", "registrations:submission_list", OFFICIALS, group="公示备案", icon="send-check", order=72),
    MenuItem("选派备案进度", "registrations:dashboard", OFFICIALS, group="公示备案", icon="calendar-check", order=73),
)
