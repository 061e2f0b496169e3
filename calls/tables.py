"""Tables for calls and applications."""
import django_tables2 as tables

from calls.models import Application, Call


class CallTable(tables.Table):
    always_visible = ("title",)
    title = tables.Column(verbose_name="标题", linkify=True)
    organizer = tables.Column(verbose_name="组织单位", accessor="organizer_name", orderable=False)
    application_count = tables.Column(verbose_name="申报数")

    class Meta:
        model = Call
        fields = ["title", "doc_number", "organizer", "cycle", "open_date", "close_date", "status",
                  "application_count"]
        attrs = {"class": "table table-sm table-hover align-middle"}


class ApplicationTable(tables.Table):
    always_visible = ("team",)
    team = tables.Column(verbose_name="申报团队", linkify=lambda record: record.get_absolute_url(),
                         accessor="team__name", order_by="team__name")

    def render_team(self, value, record):
        from django.utils.html import format_html

        if getattr(record, "applied_elsewhere", False):
            return format_html('{} <span class="badge text-bg-warning" title="该团队本周期还有其他征集的申报" '
                               'data-testid="applied-elsewhere">另有申报</span>', value)
        return value
    call = tables.Column(verbose_name="征集通知", accessor="call__title", order_by="call__title")
    lead_unit = tables.Column(verbose_name="牵头派出单位", accessor="team__lead_unit__name")

    class Meta:
        model = Application
        fields = ["team", "call", "lead_unit", "status", "submitted_at", "updated_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}
