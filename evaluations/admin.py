"""The system administrator's admin for evaluations, rewards and trainings: every save goes through the same
services as the pages (the evaluation's status moves only on the pages' steps); files are linked to the scoped
download views, never to ``/media/``."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ScopedAdmin
from evaluations import services
from evaluations.models import Evaluation, Reward, Training, TrainingMaterial

PERSON_COPIES = ("unit", "commissioner", "pairing", "organizer_level", "home_town", "created_by")


@admin.register(Evaluation)
class EvaluationAdmin(ScopedAdmin):
    """Edited through ``evaluation_save`` (a draft); created on the unit's page."""

    list_display = ["commissioner", "unit", "year", "team", "grade", "status", "evaluated_on"]
    list_filter = ["status", "grade", "year"]
    search_fields = ["commissioner__name", "unit__name", "team__name"]
    list_select_related = ["commissioner", "unit", "team"]
    fixed_fields = PERSON_COPIES + ("year", "cycle", "team")

    def has_add_permission(self, request):
        return False

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.EVALUATION_FIELDS}
        return services.evaluation_save(actor=request.user, values=values, evaluation=self.stored(obj))


@admin.register(Reward)
class RewardAdmin(ScopedAdmin):
    """Edited through ``reward_save``; the document is replaced on the page."""

    list_display = ["title", "commissioner", "unit", "level", "date"]
    list_filter = ["level"]
    search_fields = ["title", "commissioner__name", "unit__name"]
    list_select_related = ["commissioner", "unit"]
    fixed_fields = PERSON_COPIES
    exclude = ["document"]
    readonly_fields = ["document_link"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="奖励文件")
    def document_link(self, obj):
        if not obj or not obj.pk or not obj.document:
            return "无"
        return format_html('<a href="{}">{}</a>', reverse("evaluations:reward_document", args=[obj.pk]),
                           obj.document_name or "奖励文件")

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.REWARD_FIELDS}
        return services.reward_save(actor=request.user, values=values, reward=self.stored(obj))


@admin.register(Training)
class TrainingAdmin(ScopedAdmin):
    """Edited through ``training_save`` (attendees on the page)."""

    list_display = ["topic", "unit", "kind", "date", "hours", "external_attendees"]
    list_filter = ["kind"]
    search_fields = ["topic", "place", "unit__name"]
    list_select_related = ["unit"]
    fixed_fields = ("unit", "created_by")
    exclude = ["attendees"]

    def has_add_permission(self, request):
        return False

    def save_service(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.TRAINING_FIELDS}
        return services.training_save(actor=request.user, values=values, training=self.stored(obj))


@admin.register(TrainingMaterial)
class TrainingMaterialAdmin(ScopedAdmin):
    list_display = ["name", "training", "size"]
    search_fields = ["name", "training__topic"]
    list_select_related = ["training"]
    exclude = ["file"]
    readonly_fields = ["file_link"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="文件")
    def file_link(self, obj):
        if not obj or not obj.pk:
            return "无"
        return format_html('<a href="{}">{}</a>', reverse("evaluations:material", args=[obj.pk]), obj.name)
