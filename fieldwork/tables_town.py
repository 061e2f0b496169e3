"""Tables of the work team's pages: tasks (overdue marked 逾期), flags, working conditions per pairing (provided,
partial, none as text badges, never colour alone) and the team's requests."""
import django_tables2 as tables
from django.utils import formats, timezone
from django.utils.html import format_html

from core.tables import DateColumn, DateTimeColumn
from fieldwork.choices import FlagStatus, Provision, RequestStatus, TaskStatus
from fieldwork.models import ConditionRequest, Flag, Task
from fieldwork.selectors import OPEN_TASK_STATES
from matching.models import Pairing

NOWRAP = {"td": {"class": "text-nowrap"}}
TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

TASK_BADGES = {TaskStatus.OPEN: "text-bg-primary", TaskStatus.REPORTED: "text-bg-info",
               TaskStatus.DONE: "text-bg-success", TaskStatus.CANCELLED: "text-bg-secondary"}
FLAG_BADGES = {FlagStatus.OPEN: "text-bg-danger", FlagStatus.CLOSED: "text-bg-secondary"}
REQUEST_BADGES = {RequestStatus.OPEN: "text-bg-warning", RequestStatus.ANSWERED: "text-bg-info",
                  RequestStatus.CLOSED: "text-bg-secondary"}
PROVISION_BADGES = {Provision.PROVIDED: "text-bg-success", Provision.PARTIAL: "text-bg-warning",
                    Provision.NONE: "text-bg-danger"}
PROVISION_LABELS = dict(Provision.choices)


def badge(text, css, testid=""):
    if testid:
        return format_html('<span class="badge {}" data-testid="{}">{}</span>', css, testid, text)
    return format_html('<span class="badge {}">{}</span>', css, text)


def status_badge(record, badges):
    return badge(record.get_status_display(), badges.get(record.status, "text-bg-secondary"))


def task_is_overdue(task, today=None) -> bool:
    """Still open (or reported, not yet accepted) past its due date (``selectors.overdue_tasks``)."""
    today = today or timezone.localdate()
    return task.status in OPEN_TASK_STATES and task.due_date is not None and task.due_date < today


def overdue_badge(task, today=None):
    if task_is_overdue(task, today):
        return badge("逾期", "text-bg-danger", "overdue")
    return ""


def provision_badge(value):
    if not value:
        return badge("未登记", "text-bg-light border", "provision-missing")
    return badge(PROVISION_LABELS.get(value, value), PROVISION_BADGES.get(value, "text-bg-secondary"),
                 "provision-%s" % value)


class TaskTable(tables.Table):
    always_visible = ("title",)
    title = tables.Column(verbose_name="任务", linkify=True)
    town = tables.Column(verbose_name="镇", accessor="home_town__name", order_by=("home_town__code",))
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    due_date = DateColumn(verbose_name="完成期限", attrs=NOWRAP)
    overdue = tables.Column(verbose_name="是否逾期", accessor="pk", orderable=False, empty_values=(), attrs=NOWRAP)
    status = tables.Column(verbose_name="状态", attrs=NOWRAP)
    activities = tables.Column(verbose_name="相关活动", accessor="activity_count", attrs=NOWRAP,
                               order_by=("activity_count",))
    reported_at = DateTimeColumn(verbose_name="报告时间", attrs=NOWRAP)

    class Meta:
        model = Task
        fields = ["title", "town", "team", "due_date", "overdue", "status", "activities", "reported_at"]
        attrs = TABLE_ATTRS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_town(self, value, record):
        return record.home_town.full_name

    def render_overdue(self, record):
        return overdue_badge(record, self.today) or "—"

    def value_overdue(self, record):
        return "逾期" if task_is_overdue(record, self.today) else ""

    def render_status(self, record):
        return status_badge(record, TASK_BADGES)

    def value_status(self, record):
        return record.get_status_display()


class FlagTable(tables.Table):
    always_visible = ("kind",)
    kind = tables.Column(verbose_name="预警类型", linkify=True)
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    town = tables.Column(verbose_name="结对镇", accessor="home_town__name", order_by=("home_town__code",))
    status = tables.Column(verbose_name="状态", attrs=NOWRAP)
    detail = tables.Column(verbose_name="情况说明", orderable=False)
    opened_at = DateTimeColumn(verbose_name="预警时间", attrs=NOWRAP)
    closed_at = DateTimeColumn(verbose_name="解除时间", attrs=NOWRAP)

    class Meta:
        model = Flag
        fields = ["kind", "team", "town", "status", "detail", "opened_at", "closed_at"]
        attrs = TABLE_ATTRS

    def render_kind(self, record):
        return record.get_kind_display()

    def render_town(self, value, record):
        return record.home_town.full_name

    def render_status(self, record):
        return status_badge(record, FLAG_BADGES)

    def value_status(self, record):
        return record.get_status_display()

    def render_closed_at(self, value, record):
        # A flag the monitor opened again keeps its last closing time: not shown while it is open.
        if record.status != FlagStatus.CLOSED:
            return "—"
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")

    def value_closed_at(self, value, record):
        return timezone.localtime(value).replace(tzinfo=None) if record.status == FlagStatus.CLOSED else None

    def render_detail(self, value):
        return value if len(value) <= 60 else value[:58] + "……"

    def value_detail(self, value):
        return value


class ConditionsTable(tables.Table):
    """One row per pairing the user reads: the conditions its town provides (or 未登记)."""

    always_visible = ("town",)
    town = tables.Column(verbose_name="镇", accessor="town__name", order_by=("town__code",))
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    office = tables.Column(verbose_name="办公场所", accessor="wc_office", empty_values=(), order_by=("wc_office",))
    lodging = tables.Column(verbose_name="住宿", accessor="wc_lodging", empty_values=(), order_by=("wc_lodging",))
    transport = tables.Column(verbose_name="交通", accessor="wc_transport", empty_values=(),
                              order_by=("wc_transport",))
    meals = tables.Column(verbose_name="就餐", accessor="wc_meals", empty_values=(), order_by=("wc_meals",))
    updated = DateTimeColumn(verbose_name="登记时间", accessor="wc_updated", attrs=NOWRAP, order_by=("wc_updated",))
    record = tables.Column(verbose_name="详情", accessor="wc_id", orderable=False, empty_values=(), attrs=NOWRAP,
                           exclude_from_export=True)

    class Meta:
        model = Pairing
        fields = ["town", "team", "office", "lodging", "transport", "meals", "updated", "record"]
        attrs = TABLE_ATTRS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def render_town(self, value, record):
        return record.town.full_name

    def _provision(self, value):
        return provision_badge(value)

    render_office = render_lodging = render_transport = render_meals = _provision

    def _provision_text(self, value):
        return PROVISION_LABELS.get(value, "未登记") if value else "未登记"

    value_office = value_lodging = value_transport = value_meals = _provision_text

    def render_record(self, value, record):
        from django.urls import reverse

        own = self.user is not None and self.user.role == "town" and self.user.town_id == record.town_id
        if value:
            link = format_html('<a href="{}" data-testid="conditions-{}">查看</a>',
                               reverse("fieldwork:conditions_detail", args=[value]), record.pk)
            if own:
                link = format_html('{} · <a href="{}" data-testid="edit-conditions">修改</a>', link,
                                   reverse("fieldwork:conditions_edit"))
            return link
        if own:
            return format_html('<a href="{}" data-testid="edit-conditions">登记</a>', reverse("fieldwork:conditions_edit"))
        return "—"


class RequestTable(tables.Table):
    always_visible = ("title",)
    title = tables.Column(verbose_name="问题", linkify=True)
    category = tables.Column(verbose_name="问题类别", attrs=NOWRAP)
    town = tables.Column(verbose_name="结对镇", accessor="home_town__name", order_by=("home_town__code",))
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    status = tables.Column(verbose_name="状态", attrs=NOWRAP)
    created_at = DateTimeColumn(verbose_name="反映时间", attrs=NOWRAP)
    answered_at = DateTimeColumn(verbose_name="答复时间", attrs=NOWRAP)

    class Meta:
        model = ConditionRequest
        fields = ["title", "category", "town", "team", "status", "created_at", "answered_at"]
        attrs = TABLE_ATTRS

    def render_town(self, value, record):
        return record.home_town.full_name

    def render_status(self, record):
        return status_badge(record, REQUEST_BADGES)

    def value_status(self, record):
        return record.get_status_display()
