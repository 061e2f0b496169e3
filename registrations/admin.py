from django.contrib import admin

from core.admin import ScopedAdmin, ScopedTabularInline
from matching.models import Pairing
from registrations import services
from registrations.models import RegistrationSubmission, SubmissionItem


class SubmissionItemInline(ScopedTabularInline):
    """A submission's pairings are chosen on the pages (``submission_create``/``submission_update`` check them)."""

    model = SubmissionItem
    extra = 0
    readonly_fields = ["pairing", "recipient"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RegistrationSubmission)
class RegistrationSubmissionAdmin(ScopedAdmin):
    """Prepared on the pages by its organizer; edited through ``submission_update`` (only while unsent or returned);
    sent, returned and confirmed on the pages, each step recording its Transition."""

    list_display = ["doc_number", "organizer_level", "county", "recipient", "status", "sent_on", "confirmed_on",
                    "reference_number"]
    list_filter = ["status", "recipient", "organizer_level", "cycle"]
    list_select_related = ["county"]
    inlines = [SubmissionItemInline]
    # What sending, returning and confirming record.
    workflow_fields = ("sent_on", "confirmed_on", "reference_number", "confirmed_by", "return_comment")
    fixed_fields = ("cycle", "organizer_level", "city", "county", "recipient", "created_by")

    def has_add_permission(self, request):
        return False

    def save_service(self, request, obj, form, change):
        pairings = list(Pairing.objects.filter(registration_items__submission=obj).order_by("pk"))
        return services.submission_update(actor=request.user, submission=obj, pairings=pairings,
                                          doc_number=obj.doc_number, contact=obj.contact)
