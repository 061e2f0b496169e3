from django.contrib import admin

from core.admin import ScopedAdmin
from matching import services
from matching.models import Pairing, SelectionRound

MEETING_FIELDS = ("meeting_date", "meeting_participants", "meeting_minutes")


@admin.register(SelectionRound)
class SelectionRoundAdmin(ScopedAdmin):
    """Opened through ``round_open``; the meeting through ``meeting_record``; finalized and cancelled on the pages."""

    list_display = ["title", "call", "status", "finalized_at"]
    workflow_fields = ("finalized_run", "finalized_at", "finalized_by")  # with the status and ROUND_WORKFLOW's stamps
    fixed_fields = ("call", "cycle", "created_by")
    file_download_urls = {"meeting_minutes": "matching:minutes"}

    def save_service(self, request, obj, form, change):
        if not change:
            return services.round_open(actor=request.user, call=obj.call, title=obj.title)
        if set(MEETING_FIELDS) & set(form.changed_data):
            minutes = form.cleaned_data.get("meeting_minutes") if "meeting_minutes" in form.changed_data else None
            return services.meeting_record(actor=request.user, selection_round=obj, meeting_date=obj.meeting_date,
                                           participants=obj.meeting_participants, minutes=minutes or None)
        return super().save_service(request, obj, form, change)


@admin.register(Pairing)
class PairingAdmin(ScopedAdmin):
    """Pairings are made by a selection's finalization, the province-team record and a replacement, and move along
    ``matching.choices.PAIRING_WORKFLOW`` through the services (each move records its Transition): none of it here."""

    list_display = ["town", "team", "cycle", "status", "organizer_level"]
    list_filter = ["status", "organizer_level", "cycle"]
    list_select_related = ["town", "team", "cycle"]
    # Besides the status and the dates PAIRING_WORKFLOW stamps (core.admin.workflow_fields): the proposal's date,
    # the reason an end or replacement records, the pairing a replacement replaces.
    workflow_fields = ("proposed_at", "end_reason", "replaces")
    fixed_fields = ("cycle", "town", "team", "organizer_level", "round")

    def has_add_permission(self, request):
        return False
