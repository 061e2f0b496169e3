"""Tables for counties, towns and villages."""
import django_tables2 as tables
from django.utils.html import format_html

from regions.choices import OrganizingLevel, TownClass
from regions.models import County, Town, Village

CLASS_LABELS = dict(TownClass.choices)
LEVEL_LABELS = dict(OrganizingLevel.choices)


class CountyTable(tables.Table):
    name = tables.Column(verbose_name="县（市、区）", linkify=("regions:town_list_county", {"county": tables.A("pk")}))
    code = tables.Column(verbose_name="区划代码")
    town_count = tables.Column(verbose_name="镇（乡、街道）数", orderable=True)

    class Meta:
        model = County
        fields = ["name", "code", "town_count"]
        attrs = {"class": "table table-sm table-hover align-middle"}


class TownTable(tables.Table):
    always_visible = ("name",)
    name = tables.Column(verbose_name="镇（乡、街道）", linkify=True)
    code = tables.Column(verbose_name="区划代码")
    county = tables.Column(verbose_name="县（市、区）", accessor="county__name", order_by="county__code")
    kind = tables.Column(verbose_name="类型")
    cycle_town_class = tables.Column(verbose_name="镇类别", default="未设置")
    cycle_organizing_level = tables.Column(verbose_name="组织层级", default="未设置")
    work_team = tables.Column(verbose_name="驻镇工作队队长", accessor="work_team__leader_name", default="未登记",
                              order_by="work_team__leader_name")

    class Meta:
        model = Town
        fields = ["name", "code", "county", "kind", "cycle_town_class", "cycle_organizing_level", "work_team"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_cycle_town_class(self, value):
        return CLASS_LABELS.get(value, value)

    def value_cycle_town_class(self, value):
        return CLASS_LABELS.get(value, value)

    def render_cycle_organizing_level(self, value):
        label = LEVEL_LABELS.get(value, value)
        css = {"city": "danger", "county": "primary", "province": "success"}.get(value, "secondary")
        return format_html('<span class="badge text-bg-{}">{}</span>', css, label)

    def value_cycle_organizing_level(self, value):
        return LEVEL_LABELS.get(value, value)


class VillageTable(tables.Table):
    name = tables.Column(verbose_name="行政村")
    town = tables.Column(verbose_name="镇", linkify=True, accessor="town")
    county = tables.Column(verbose_name="县（市、区）", accessor="town__county__name")
    code = tables.Column(verbose_name="区划代码")

    class Meta:
        model = Village
        fields = ["name", "town", "county", "code"]
        attrs = {"class": "table table-sm table-hover align-middle"}
