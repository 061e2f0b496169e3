from core.menu import OFFICIALS, MenuItem, register

register(MenuItem("派出单位", "units:list", OFFICIALS | {"unit"}, icon="building", order=30))
