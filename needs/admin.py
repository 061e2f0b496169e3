from django.contrib import admin

from core.roles import Role
from core.admin import ScopedAdmin
from needs import services
from needs.models import IndustryCategory, IndustryProblem, IndustryProduct, Need, SurveyCampaign, TownProfile


@admin.register(Need)
class NeedAdmin(ScopedAdmin):
    """Entered through ``need_create``, edited through ``need_update`` (which keeps its cycle and town and its search
    index); confirmed, returned, resolved and closed on the pages."""

    list_display = ["title", "town", "category", "status", "created_at"]
    list_filter = ["status", "category", "cycle"]
    search_fields = ["title"]
    list_select_related = ["town", "category"]
    workflow_fields = ("status_reason",)  # the reason a return or a close records
    fixed_fields = ("cycle", "town", "created_by")
    readonly_fields = ["created_by"]
    service_saves_m2m = True

    def save_service(self, request, obj, form, change):
        data = {name: value for name, value in form.cleaned_data.items() if name not in ("created_by",)}
        villages = data.pop("villages", None)
        if change:
            return services.need_update(actor=request.user, need=self.stored(obj), villages=villages, **data)
        return services.need_create(actor=request.user, villages=villages or (), **data)


@admin.register(TownProfile)
class TownProfileAdmin(ScopedAdmin):
    """Through ``profile_save``: one profile per town and cycle."""

    list_display = ["town", "cycle", "population", "updated_at"]
    list_select_related = ["town", "cycle"]
    fixed_fields = ("cycle", "town")

    def save_service(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in services.PROFILE_FIELDS}
        return services.profile_save(actor=request.user, cycle=obj.cycle, town=obj.town, **fields)


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(ScopedAdmin):
    """Opened on the pages (``campaign_open``: its towns, the towns' notices); here its text and due date only."""

    list_display = ["title", "cycle", "organizer_level", "due_date", "status"]
    fixed_fields = ("cycle", "organizer_level", "city", "county", "created_by")

    def has_add_permission(self, request):
        return False


@admin.register(IndustryCategory)
class IndustryCategoryAdmin(ScopedAdmin):
    list_display = ["name", "order"]
    create_roles = frozenset({Role.CITY_ST})

    def save_service(self, request, obj, form, change):
        return services.category_save(actor=request.user, category=obj)


@admin.register(IndustryProduct)
class IndustryProductAdmin(ScopedAdmin):
    """Through ``product_save``: a name or other name belongs to one product only."""

    list_display = ["name", "category", "synonyms"]
    list_filter = ["category"]
    search_fields = ["name"]
    create_roles = frozenset({Role.CITY_ST})
    service_saves_m2m = True

    def save_service(self, request, obj, form, change):
        return services.product_save(actor=request.user, product=obj, synonyms=obj.synonyms,
                                     parents=form.cleaned_data.get("parents") or ())


@admin.register(IndustryProblem)
class IndustryProblemAdmin(ScopedAdmin):
    """Through ``problem_save``: phrasings and terms checked (none so short it matches every text)."""

    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name"]
    create_roles = frozenset({Role.CITY_ST})
    service_saves_m2m = True

    def save_service(self, request, obj, form, change):
        return services.problem_save(actor=request.user, problem=obj, phrases=obj.phrases, terms=obj.terms,
                                     products=form.cleaned_data.get("products") or ())
