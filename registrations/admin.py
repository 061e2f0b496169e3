from django.contrib import admin

from core.admin import ScopedAdmin
from registrations.models import RegistrationSubmission, SubmissionItem


class SubmissionItemInline(admin.TabularInline):
    model = SubmissionItem
    extra = 0
    readonly_fields = ["pairing", "recipient"]
    can_delete = False


@admin.register(RegistrationSubmission)
class RegistrationSubmissionAdmin(ScopedAdmin):
    list_display = ["doc_number", "organizer_level", "county", "recipient", "status", "sent_on", "confirmed_on",
                    "reference_number"]
    list_filter = ["status", "recipient", "organizer_level", "cycle"]
    list_select_related = ["county"]
    readonly_fields = ["status"]
    inlines = [SubmissionItemInline]
