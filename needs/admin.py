from django.contrib import admin

from accounts.choices import Role
from core.admin import ScopedAdmin
from needs.models import IndustryCategory, IndustryProduct, Need, SurveyCampaign, TownProfile


@admin.register(Need)
class NeedAdmin(ScopedAdmin):
    list_display = ["title", "town", "category", "status", "created_at"]
    list_filter = ["status", "category", "cycle"]
    search_fields = ["title"]
    list_select_related = ["town", "category"]
    readonly_fields = ["status"]


@admin.register(TownProfile)
class TownProfileAdmin(ScopedAdmin):
    list_display = ["town", "cycle", "population", "updated_at"]
    list_select_related = ["town", "cycle"]


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(ScopedAdmin):
    list_display = ["title", "cycle", "organizer_level", "due_date", "status"]


@admin.register(IndustryCategory)
class IndustryCategoryAdmin(ScopedAdmin):
    list_display = ["name", "order"]
    create_roles = frozenset({Role.CITY_ST})


@admin.register(IndustryProduct)
class IndustryProductAdmin(ScopedAdmin):
    list_display = ["name", "category", "synonyms"]
    list_filter = ["category"]
    search_fields = ["name"]
    create_roles = frozenset({Role.CITY_ST})
