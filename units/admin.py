from django.contrib import admin

from core.roles import Role
from core.admin import ScopedAdmin
from units.models import DispatchingUnit


@admin.register(DispatchingUnit)
class DispatchingUnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "credit_code", "contact_name", "status"]
    list_filter = ["kind", "status"]
    readonly_fields = ["status"]  # 停用/恢复 go through units.services.unit_transition (recorded)
    search_fields = ["name", "credit_code"]
    create_roles = frozenset({Role.CITY_ST, Role.COUNTY_ST})
