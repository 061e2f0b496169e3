"""The grant list (amount, disbursed, undisbursed summed by the database) and the envelopes per funder and year."""
from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.tables import DateColumn
from reviews.models import Envelope, Grant

MONEY = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
NOWRAP = {"td": {"class": "text-nowrap"}}


def yuan(value) -> str:
    """Money as officials read it: "12,000.00 元" (Decimal, never a float)."""
    if value in (None, ""):
        return "—"
    return "%s 元" % f"{Decimal(str(value)):,.2f}"


class MoneyColumn(tables.Column):
    """A sum in yuan: "12,000.00 元" on the page, the number in the spreadsheet."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", MONEY)
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value):
        return yuan(value)

    def value(self, value):
        return value


class GrantTable(tables.Table):
    always_visible = ("project_number",)
    project_number = tables.Column(verbose_name="立项编号", linkify=True, attrs=NOWRAP)
    title = tables.Column(verbose_name="项目名称", accessor="project__title", order_by=("project__title",))
    town = tables.Column(verbose_name="所在镇", accessor="town__name", order_by=("town__code",))
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    funder = tables.Column(verbose_name="资助单位", accessor="pk", order_by=("organizer_level", "county__code"))
    fiscal_year = tables.Column(verbose_name="资金年度", attrs=NOWRAP)
    budget_source = tables.Column(verbose_name="资金来源")
    amount = MoneyColumn(verbose_name="资助金额")
    disbursed = MoneyColumn(verbose_name="已拨付")
    undisbursed = MoneyColumn(verbose_name="未拨付")
    granted_on = DateColumn(verbose_name="立项日期", attrs=NOWRAP)

    class Meta:
        model = Grant
        fields = ["project_number", "title", "town", "team", "funder", "fiscal_year", "budget_source", "amount",
                  "disbursed", "undisbursed", "granted_on"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_town(self, value, record):
        return "%s%s" % (record.town.county.name, value)

    def render_funder(self, record):
        return record.keeper_name


class EnvelopeTable(tables.Table):
    always_visible = ("funder",)
    funder = tables.Column(verbose_name="资助单位", accessor="pk", order_by=("organizer_level", "county__code"))
    fiscal_year = tables.Column(verbose_name="预算年度", attrs=NOWRAP)
    budgeted = MoneyColumn(verbose_name="年度预算")
    committed = MoneyColumn(verbose_name="已立项资助")
    disbursed = MoneyColumn(verbose_name="已拨付")
    remaining = MoneyColumn(verbose_name="预算余额")
    note = tables.Column(verbose_name="资金文号或说明")
    edit = tables.Column(verbose_name="操作", accessor="pk", orderable=False, empty_values=(), attrs=NOWRAP,
                         exclude_from_export=True)

    class Meta:
        model = Envelope
        fields = ["funder", "fiscal_year", "budgeted", "committed", "disbursed", "remaining", "note", "edit"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def render_funder(self, record):
        return record.keeper_name

    def render_remaining(self, value):
        if value is not None and value < 0:
            return format_html('<span class="text-danger" data-testid="overdrawn">{}（超出预算）</span>', yuan(value))
        return yuan(value)

    def render_edit(self, record):
        from reviews.tables_pool import keeps_pool

        if self.user is not None and keeps_pool(self.user, record):
            return format_html('<a href="{}" data-testid="edit-envelope-{}">修改</a>',
                               reverse("reviews:envelope_edit", args=[record.pk]), record.pk)
        return "—"
