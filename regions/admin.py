from django.contrib import admin

from accounts.choices import Role
from core.admin import ScopedAdmin
from regions.models import City, County, Town, TownClassification, Village, WorkTeam, WorkTeamMember


@admin.register(City)
class CityAdmin(ScopedAdmin):
    list_display = ["code", "name", "province_name"]


@admin.register(County)
class CountyAdmin(ScopedAdmin):
    list_display = ["code", "name", "city"]
    search_fields = ["name", "code"]


class ClassificationInline(admin.TabularInline):
    model = TownClassification
    extra = 0


@admin.register(Town)
class TownAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "county"]
    list_filter = ["kind", "county"]
    search_fields = ["name", "code"]
    list_select_related = ["county"]


@admin.register(TownClassification)
class TownClassificationAdmin(ScopedAdmin):
    list_display = ["town", "cycle", "town_class", "organizing_level"]
    list_filter = ["cycle", "town_class", "organizing_level", "town__county"]
    list_select_related = ["town", "cycle"]
    search_fields = ["town__name", "town__code"]
    create_roles = frozenset({Role.CITY_ST})


@admin.register(Village)
class VillageAdmin(ScopedAdmin):
    list_display = ["name", "town", "code"]
    list_select_related = ["town"]
    search_fields = ["name"]
    create_roles = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN})


class WorkTeamMemberInline(admin.TabularInline):
    model = WorkTeamMember
    extra = 1


@admin.register(WorkTeam)
class WorkTeamAdmin(ScopedAdmin):
    list_display = ["town", "leader_name", "contact_phone"]
    list_select_related = ["town"]
    inlines = [WorkTeamMemberInline]
    create_roles = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN})
