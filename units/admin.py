from django.contrib import admin

from accounts.choices import Role
from core.admin import ScopedAdmin
from units.models import DispatchingUnit


@admin.register(DispatchingUnit)
class DispatchingUnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "credit_code", "contact_name"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code"]
    create_roles = frozenset({Role.CITY_ST, Role.COUNTY_ST})
