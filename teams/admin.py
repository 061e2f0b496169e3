from django.contrib import admin

from core.admin import ScopedAdmin
from teams.models import Team


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "cycle", "lead_unit", "leader_name"]
    list_filter = ["cycle"]
    search_fields = ["name"]
