"""The menu of coordination (协调指导): for the officials (the province reads, the city and the counties keep theirs)."""
from coordination.choices import READERS
from core.menu import MenuItem, register

GROUP = "协调指导"

register(
    MenuItem("协调指导小组", "coordination:home", READERS, group=GROUP, icon="diagram-3", order=130),
    MenuItem("督办事项", "coordination:followup_list", READERS, group=GROUP, icon="send-check", order=131),
)
