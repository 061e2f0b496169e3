"""Tables for needs, campaigns and the taxonomy."""
import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.tables import DateColumn
from needs.choices import service_labels
from needs.models import IndustryProblem, IndustryProduct, Need, SurveyCampaign

STATUS_CSS = {"submitted": "primary", "confirmed": "success", "returned": "warning", "matched": "info",
              "in_assistance": "info", "resolved": "secondary", "closed": "secondary"}


class NeedTable(tables.Table):
    always_visible = ("select", "title")
    select = tables.CheckBoxColumn(accessor="pk", attrs={"th__input": {"data-select-all": "1", "aria-label": "全选本页"},
                                                         "td__input": {"name": "ids", "form": "bulk-form",
                                                                       "aria-label": lambda record: "选择：%s" % record.title}},
                                   exclude_from_export=True)
    title = tables.Column(verbose_name="需求标题", linkify=True)
    town = tables.Column(verbose_name="镇", accessor="town__name", order_by="town__code")
    county = tables.Column(verbose_name="县（市、区）", accessor="town__county__name", order_by="town__code")
    category = tables.Column(verbose_name="产业类别", accessor="category__name")
    service_types = tables.Column(verbose_name="服务类型", orderable=False)
    priority = tables.Column(verbose_name="优先级")
    status = tables.Column(verbose_name="状态")
    created_at = DateColumn(verbose_name="填报日期", format="Y-m-d")

    class Meta:
        model = Need
        fields = ["select", "title", "town", "county", "category", "service_types", "priority", "status", "created_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_service_types(self, value):
        return service_labels(value)

    def value_service_types(self, value):
        return service_labels(value)

    def render_status(self, value, record):
        return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_CSS.get(record.status, "secondary"), value)

    def value_status(self, value, record):
        return record.get_status_display()


class CampaignTable(tables.Table):
    title = tables.Column(linkify=True)
    organizer = tables.Column(verbose_name="组织单位", accessor="county", default="市科技局", orderable=False)
    town_count = tables.Column(verbose_name="调研镇数")
    submitted_count = tables.Column(verbose_name="已提交")

    class Meta:
        model = SurveyCampaign
        fields = ["title", "cycle", "organizer", "due_date", "town_count", "submitted_count", "status"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_organizer(self, value):
        return "%s科技部门" % value


class TaxonomyEntryTable(tables.Table):
    """A taxonomy list (products, problems): the name links to its edit page for those who edit the taxonomy (the
    city); the export has the plain name."""

    edit_url_name = ""

    def __init__(self, *args, editable=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editable = editable

    def render_name(self, value, record):
        if not self.editable:
            return value
        return format_html('<a href="{}">{}</a>', reverse(self.edit_url_name, args=[record.pk]), value)

    def value_name(self, value):
        return value


class ProductTable(TaxonomyEntryTable):
    name = tables.Column(verbose_name="产品")
    edit_url_name = "needs:product_edit"
    category = tables.Column(verbose_name="产业类别", accessor="category__name", order_by="category__order")
    synonyms = tables.Column(verbose_name="别名", orderable=False)
    parent_names = tables.Column(verbose_name="上级产品", orderable=False, accessor="pk")

    class Meta:
        model = IndustryProduct
        fields = ["name", "category", "synonyms", "parent_names"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_synonyms(self, value):
        return "、".join(value or [])

    def value_synonyms(self, value):
        return "、".join(value or [])

    def render_parent_names(self, record):
        return "、".join(parent.name for parent in record.parents.all()) or "—"

    def value_parent_names(self, record):
        return "、".join(parent.name for parent in record.parents.all())


class ProblemTable(TaxonomyEntryTable):
    name = tables.Column(verbose_name="问题")
    edit_url_name = "needs:problem_edit"
    category = tables.Column(verbose_name="产业类别", accessor="category__name", order_by="category__order")
    phrases = tables.Column(verbose_name="群众说法", orderable=False)
    terms = tables.Column(verbose_name="专业术语", orderable=False)
    product_names = tables.Column(verbose_name="涉及产品", orderable=False, accessor="pk")

    class Meta:
        model = IndustryProblem
        fields = ["name", "category", "phrases", "terms", "product_names"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_phrases(self, value):
        return "；".join(value or [])

    def value_phrases(self, value):
        return "；".join(value or [])

    def render_terms(self, value):
        return "、".join(value or [])

    def value_terms(self, value):
        return "、".join(value or [])

    def render_product_names(self, record):
        return "、".join(product.name for product in record.products.all()) or "—"

    def value_product_names(self, record):
        return "、".join(product.name for product in record.products.all())
