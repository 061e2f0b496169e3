from django.contrib import admin

from core.admin import ScopedAdmin
from matching.models import Pairing, SelectionRound


@admin.register(SelectionRound)
class SelectionRoundAdmin(ScopedAdmin):
    list_display = ["title", "call", "status", "finalized_at"]


@admin.register(Pairing)
class PairingAdmin(ScopedAdmin):
    list_display = ["town", "team", "cycle", "status", "organizer_level"]
    list_filter = ["status", "organizer_level", "cycle"]
    list_select_related = ["town", "team", "cycle"]
