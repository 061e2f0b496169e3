from django.contrib import admin

from core.admin import ScopedAdmin
from teams.models import Commissioner, Team, TeamMembership


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "cycle", "lead_unit", "leader_name"]
    list_filter = ["cycle"]
    search_fields = ["name"]


@admin.register(Commissioner)
class CommissionerAdmin(ScopedAdmin):
    """The ID number shows masked only; it is changed through the services, never here."""

    list_display = ["name", "gender", "unit", "title", "education", "verified_at"]
    search_fields = ["name", "specialty"]
    exclude = ["id_number_sealed", "id_number_digest"]
    readonly_fields = ["id_number_masked", "verified_at", "verified_by", "user"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(ScopedAdmin):
    list_display = ["team", "commissioner", "role", "cycle"]
    list_filter = ["cycle", "role"]
