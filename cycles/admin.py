from django.contrib import admin

from core.roles import Role
from core.admin import ScopedAdmin
from cycles.models import Cycle


@admin.register(Cycle)
class CycleAdmin(ScopedAdmin):
    list_display = ["name", "status", "start_date", "end_date", "dispatch_deadline"]
    create_roles = frozenset({Role.CITY_ST})
