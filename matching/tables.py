import django_tables2 as tables

from matching.choices import PairingStatus
from matching.models import Pairing, SelectionRound


class RoundTable(tables.Table):
    title = tables.Column(linkify=True)
    call = tables.Column(verbose_name="征集通知", accessor="call__title")
    runs = tables.Column(verbose_name="运行次数", accessor="run_count")

    class Meta:
        model = SelectionRound
        fields = ["title", "call", "cycle", "status", "runs", "meeting_date", "finalized_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}


class PairingTable(tables.Table):
    town = tables.Column(verbose_name="镇", accessor="town__name", order_by="town__code")  # render_town links it
    county = tables.Column(verbose_name="县（市、区）", accessor="town__county__name")
    team = tables.Column(verbose_name="团队", accessor="team__name")
    unit = tables.Column(verbose_name="牵头派出单位", accessor="team__lead_unit__name")
    # The effective state (matching.selectors.with_effective_status): on a notice whose period ended it reads 公示无异议.
    status = tables.Column(verbose_name="状态", accessor="current_status", order_by="status")

    class Meta:
        model = Pairing
        fields = ["town", "county", "team", "unit", "organizer_level", "status", "score", "proposed_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_status(self, value):
        return PairingStatus(value).label

    def value_status(self, value):
        return PairingStatus(value).label

    def render_score(self, value):
        return "%.3f" % value

    def render_town(self, value, record):
        from django.utils.html import format_html

        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
