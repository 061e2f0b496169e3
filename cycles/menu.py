from core.menu import EVERYONE, MenuItem, register

register(MenuItem("帮扶周期", "cycles:list", EVERYONE - {"expert"}, icon="calendar3", order=10))
