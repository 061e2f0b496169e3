"""The agreement list: town (county and town), team, status, due date and lateness, signing and confirmation."""
import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.tables import DateColumn, DateTimeColumn
from projects.models import Agreement


def late_badge(agreement, today=None):
    """The lateness of an agreement as a text badge (never colour alone), or "" when on time."""
    today = today or timezone.localdate()
    if agreement.confirmed_at:
        if timezone.localtime(agreement.confirmed_at).date() > agreement.due_date:
            return mark_safe('<span class="badge text-bg-warning" data-testid="late-confirmed">逾期确认</span>')
        return ""
    if today > agreement.due_date:
        return mark_safe('<span class="badge text-bg-danger" data-testid="late">逾期</span>')
    return ""


NOWRAP = {"td": {"class": "text-nowrap"}}


class AgreementTable(tables.Table):
    always_visible = ("town",)
    town = tables.Column(verbose_name="镇", accessor="town__name", order_by=("town__code",))
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    status = tables.Column(verbose_name="状态", attrs=NOWRAP)
    due_date = DateColumn(verbose_name="签订期限", attrs=NOWRAP)
    late = tables.Column(verbose_name="是否逾期", accessor="pk", orderable=False, empty_values=(), attrs=NOWRAP)
    signed_on = DateColumn(verbose_name="签署日期", attrs=NOWRAP)
    confirmed_at = DateTimeColumn(verbose_name="镇确认时间", attrs=NOWRAP)

    class Meta:
        model = Agreement
        fields = ["town", "team", "cycle", "status", "due_date", "late", "signed_on", "confirmed_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_town(self, value, record):
        return format_html('<a href="{}">{}{}</a>', record.get_absolute_url(), record.town.county.name, value)

    def render_late(self, record):
        return late_badge(record, self.today) or "—"

    def value_late(self, record):
        return "逾期确认" if record.confirmed_at and record.is_late else ("逾期" if record.is_late else "")
