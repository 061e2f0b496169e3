from django.contrib import admin

from core.admin import ADMIN_REASON, ScopedAdmin
from teams import services
from teams.models import Commissioner, Team, TeamMembership


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    """A team is edited through ``team_update``; while its application is under review (locked) not at all."""

    list_display = ["name", "cycle", "lead_unit", "leader_name"]
    list_filter = ["cycle"]
    search_fields = ["name"]

    def save_service(self, request, obj, form, change):
        if not change:
            return super().save_service(request, obj, form, change)
        return services.team_update(actor=request.user, team=obj, respect_lock=True)


@admin.register(Commissioner)
class CommissionerAdmin(ScopedAdmin):
    """The ID number shows masked only; it is changed through the services, never here. People are registered on
    the pages (with their ID number) and edited through ``commissioner_update``."""

    list_display = ["name", "gender", "unit", "title", "education", "verified_at"]
    search_fields = ["name", "specialty"]
    exclude = ["id_number_sealed", "id_number_digest"]
    readonly_fields = ["id_number_masked", "verified_at", "verified_by", "user"]

    def has_add_permission(self, request):
        return False

    def save_service(self, request, obj, form, change):
        fields = {name: value for name, value in form.cleaned_data.items() if name in services.COMMISSIONER_FIELDS}
        return services.commissioner_update(actor=request.user, commissioner=self.stored(obj), **fields)


@admin.register(TeamMembership)
class TeamMembershipAdmin(ScopedAdmin):
    """Members join and leave with the team's rules: not while the team is locked, within its size and eligibility."""

    list_display = ["team", "commissioner", "role", "cycle"]
    list_filter = ["cycle", "role"]
    fixed_fields = ("team", "commissioner")

    def save_service(self, request, obj, form, change):
        return services.membership_save(actor=request.user, membership=obj, reason=ADMIN_REASON)
