"""The system administrator's admin for the expert review and funding.

Pools and envelopes are kept on the pages by the S&T offices; here an entry is edited through the same services
(``expert_save``, ``envelope_save``). Reviews, seats, grants and tranches move along their workflows and rules on the
pages (panels, scores, decisions, money checked against the approved amount, the envelope and what remains): read
only here. Vouchers are linked to the scoped download view, never to ``/media/``.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ScopedAdmin
from reviews import services
from reviews.models import Disbursement, Envelope, Expert, Grant, Relation, Review, ReviewRule, ReviewSeat


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Expert)
class ExpertAdmin(ScopedAdmin):
    """Edited through ``expert_save`` (the pool's keeper and the linked account are fixed here)."""

    list_display = ["name", "field", "title", "unit_name", "organizer_level", "city", "county", "available"]
    list_filter = ["organizer_level", "available", "title_rank"]
    search_fields = ["name", "field", "keywords", "unit_name"]
    list_select_related = ["city", "county"]
    fixed_fields = ("organizer_level", "city", "county", "user")

    def has_add_permission(self, request):
        return False

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.EXPERT_FIELDS}
        return services.expert_save(actor=request.user, expert=self.stored(obj), values=values)[0]


@admin.register(Envelope)
class EnvelopeAdmin(ScopedAdmin):
    """Edited through ``envelope_save`` (never below what the funder has committed that year)."""

    list_display = ["fiscal_year", "organizer_level", "city", "county", "budgeted", "note"]
    list_filter = ["organizer_level", "fiscal_year"]
    list_select_related = ["city", "county"]
    fixed_fields = ("organizer_level", "city", "county", "fiscal_year")

    def has_add_permission(self, request):
        return False

    def save_service(self, request, obj, form, change):
        return services.envelope_save(actor=request.user, envelope=self.stored(obj),
                                      values={"budgeted": obj.budgeted, "note": obj.note})


@admin.register(Relation)
class RelationAdmin(ReadOnlyAdmin):
    list_display = ["expert", "team", "unit", "reason"]
    list_select_related = ["expert", "team", "unit"]


@admin.register(ReviewRule)
class ReviewRuleAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "county", "mode"]
    list_select_related = ["cycle", "county"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["project", "town", "team", "mode", "status", "approved_amount", "decided_at"]
    list_filter = ["status", "mode", "organizer_level", "cycle"]
    search_fields = ["project__title", "team__name", "town__name"]
    list_select_related = ["project", "town", "team"]


@admin.register(ReviewSeat)
class ReviewSeatAdmin(ReadOnlyAdmin):
    list_display = ["review", "expert", "status", "total", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["review__project", "expert"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["project_number", "project", "fiscal_year", "budget_source", "amount", "granted_on"]
    list_filter = ["organizer_level", "fiscal_year", "budget_source"]
    search_fields = ["project_number", "project__title"]
    list_select_related = ["project"]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ["grant", "amount", "paid_on", "voucher_link"]
    list_select_related = ["grant"]
    exclude = ["voucher"]
    readonly_fields = ["voucher_link"]

    @admin.display(description="拨付凭证")
    def voucher_link(self, obj):
        if not obj or not obj.voucher:
            return "未上传"
        return format_html('<a href="{}">下载凭证</a>', reverse("reviews:voucher", args=[obj.pk]))
