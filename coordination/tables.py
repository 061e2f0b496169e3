"""The follow-up table: overdue items marked 逾期 in red (a text badge, never colour alone)."""
import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from coordination.choices import FollowUpStatus
from coordination.models import FollowUp
from core.tables import DateColumn

NOWRAP = {"td": {"class": "text-nowrap"}}
STATUS_BADGES = {FollowUpStatus.OPEN: "text-bg-primary", FollowUpStatus.DONE: "text-bg-success",
                 FollowUpStatus.CANCELLED: "text-bg-secondary"}


def status_chip(item):
    return format_html('<span class="badge {}" data-testid="status-{}">{}</span>',
                       STATUS_BADGES.get(item.status, "text-bg-secondary"), item.status, item.get_status_display())


def overdue_chip(item, today=None):
    if item.is_overdue(today):
        return format_html('<span class="badge text-bg-danger" data-testid="overdue">{}</span>', "逾期")
    return ""


class FollowUpTable(tables.Table):
    always_visible = ("title",)
    title = tables.Column(verbose_name="督办事项", linkify=True)
    group = tables.Column(verbose_name="小组", accessor="group__name", order_by=("group__level", "group__county__code"))
    owner = tables.Column(verbose_name="责任人", accessor="owner_text", orderable=False, empty_values=())
    owner_organization = tables.Column(verbose_name="责任单位")
    due_date = DateColumn(verbose_name="完成期限", attrs=NOWRAP)
    overdue = tables.Column(verbose_name="是否逾期", accessor="pk", orderable=False, empty_values=(), attrs=NOWRAP)
    status = tables.Column(verbose_name="状态", attrs=NOWRAP)
    meeting = tables.Column(verbose_name="来源会议", accessor="meeting__title", empty_values=())

    class Meta:
        model = FollowUp
        fields = ["title", "group", "owner", "owner_organization", "due_date", "overdue", "status", "meeting"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_owner(self, record):
        return record.owner_name or "—"

    def render_overdue(self, record):
        return overdue_chip(record, self.today) or "—"

    def render_status(self, record):
        return status_chip(record)

    def render_meeting(self, record):
        return record.meeting.title if record.meeting_id else "会外交办"
