from django.contrib import admin

from core.roles import Role
from core.admin import ScopedAdmin, ScopedTabularInline
from regions import services
from regions.models import City, County, Town, TownClassification, Village, WorkTeam, WorkTeamMember


@admin.register(City)
class CityAdmin(ScopedAdmin):
    list_display = ["code", "name", "province_name"]


@admin.register(County)
class CountyAdmin(ScopedAdmin):
    list_display = ["code", "name", "city"]
    search_fields = ["name", "code"]


class ClassificationInline(ScopedTabularInline):
    model = TownClassification
    extra = 0

    def save_service(self, request, obj, parent):
        return services.town_classification_set(actor=request.user, cycle=obj.cycle, town=obj.town,
                                                town_class=obj.town_class, organizing_level=obj.organizing_level,
                                                note=obj.note)


@admin.register(Town)
class TownAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "county"]
    list_filter = ["kind", "county"]
    search_fields = ["name", "code"]
    list_select_related = ["county"]


@admin.register(TownClassification)
class TownClassificationAdmin(ScopedAdmin):
    """Through ``town_classification_set``: one class per town and cycle."""

    list_display = ["town", "cycle", "town_class", "organizing_level"]
    list_filter = ["cycle", "town_class", "organizing_level", "town__county"]
    list_select_related = ["town", "cycle"]
    search_fields = ["town__name", "town__code"]
    create_roles = frozenset({Role.CITY_ST})
    fixed_fields = ("cycle", "town")

    def save_service(self, request, obj, form, change):
        return services.town_classification_set(actor=request.user, cycle=obj.cycle, town=obj.town,
                                                town_class=obj.town_class, organizing_level=obj.organizing_level,
                                                note=obj.note)


@admin.register(Village)
class VillageAdmin(ScopedAdmin):
    """Added through ``village_create``."""

    list_display = ["name", "town", "code"]
    list_select_related = ["town"]
    search_fields = ["name"]
    create_roles = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN})

    def save_service(self, request, obj, form, change):
        if change:
            return super().save_service(request, obj, form, change)
        return services.village_create(actor=request.user, town=obj.town, name=obj.name, code=obj.code)


class WorkTeamMemberInline(ScopedTabularInline):
    """Members are added through ``work_team_member_add`` and removed through ``work_team_member_remove``."""

    model = WorkTeamMember
    extra = 1

    def save_service(self, request, obj, parent):
        if obj.pk is not None:
            return super().save_service(request, obj, parent)
        return services.work_team_member_add(actor=request.user, town=parent.town, name=obj.name,
                                             position=obj.position, unit=obj.unit, phone=obj.phone)

    def delete_service(self, request, obj, parent):
        services.work_team_member_remove(actor=request.user, member=obj)


@admin.register(WorkTeam)
class WorkTeamAdmin(ScopedAdmin):
    """Through ``work_team_save``: one work team per town."""

    list_display = ["town", "leader_name", "contact_phone"]
    list_select_related = ["town"]
    inlines = [WorkTeamMemberInline]
    create_roles = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN})
    fixed_fields = ("town",)

    def save_service(self, request, obj, form, change):
        fields = {name: value for name, value in form.cleaned_data.items() if name != "town"}
        return services.work_team_save(actor=request.user, town=obj.town, **fields)
