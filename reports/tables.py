"""Tables of annual reports: the report list (status as a text badge, on time or late as text, never colour alone)
and the traced list of a figure, built from its source's columns."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.html import format_html

from core.tables import DateColumn, DateTimeColumn
from reports.choices import ReportStatus
from reports.models import AnnualReport

NOWRAP = {"td": {"class": "text-nowrap"}}
TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
STATUS_BADGES = {ReportStatus.DRAFT: "text-bg-secondary", ReportStatus.SUBMITTED: "text-bg-warning",
                 ReportStatus.RETURNED: "text-bg-danger", ReportStatus.ACCEPTED: "text-bg-success"}


def status_badge(report):
    return format_html('<span class="badge {}" data-testid="status-{}">{}</span>',
                       STATUS_BADGES.get(report.status, "text-bg-secondary"), report.status,
                       report.get_status_display())


def timeliness(report, today=None):
    """按时 / 逾期 (submitted after the due date) / 逾期未报 (not submitted, past the due date) / "" (not due yet)."""
    today = today or timezone.localdate()
    if report.submitted_at:
        if report.on_time:
            return format_html('<span class="badge text-bg-success" data-testid="on-time">{}</span>', "按时")
        return format_html('<span class="badge text-bg-danger" data-testid="late">{}</span>', "逾期")
    if report.due_date and today > report.due_date:
        return format_html('<span class="badge text-bg-danger" data-testid="late">{}</span>', "逾期未报")
    return ""


class ReportTable(tables.Table):
    always_visible = ("title",)
    title = tables.Column(verbose_name="标题", linkify=True, order_by=("title",))
    year = tables.Column(verbose_name="年度", attrs=NOWRAP)
    place = tables.Column(verbose_name="地区", accessor="county__name", empty_values=(),
                          order_by=("level", "county__code"))
    level = tables.Column(verbose_name="层级", attrs=NOWRAP)
    status = tables.Column(verbose_name="状态", attrs=NOWRAP)
    due_date = DateColumn(verbose_name="报送期限", attrs=NOWRAP)
    submitted_at = DateTimeColumn(verbose_name="报送时间", attrs=NOWRAP)
    timely = tables.Column(verbose_name="按时", accessor="pk", orderable=False, empty_values=(), attrs=NOWRAP)
    accepted_at = DateTimeColumn(verbose_name="接收时间", attrs=NOWRAP)

    class Meta:
        model = AnnualReport
        fields = ["title", "year", "place", "level", "status", "due_date", "submitted_at", "timely", "accepted_at"]
        attrs = TABLE_ATTRS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_title(self, record):
        return str(record)

    def render_place(self, record):
        return record.place_name

    def value_place(self, record):
        return record.place_name

    def render_level(self, record):
        return record.get_level_display()

    def render_status(self, record):
        return status_badge(record)

    def value_status(self, record):
        return record.get_status_display()

    def render_timely(self, record):
        return timeliness(record, self.today) or "—"

    def value_timely(self, record):
        from django.utils.html import strip_tags

        return strip_tags(str(timeliness(record, self.today))) or ""


# ------------------------------------------------------------------------------------------------ traced lists
def cell_text(value):
    """A traced cell as officials read it: local date-times, dates, amounts as written, 是/否."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


class ValueColumn(tables.Column):
    empty_values = ()

    def render(self, value):
        return cell_text(value)

    def value(self, value):
        return value


def related_paths(model, paths) -> list[str]:
    """The forward foreign-key chains the columns cross (``grant__town__name`` → ``grant__town``), for one joined
    query instead of one per row."""
    out = set()
    for path in paths:
        parts = path.split("__")
        current, chain = model, []
        for part in parts[:-1]:
            try:
                field = current._meta.get_field(part)
            except FieldDoesNotExist:
                break
            if not (field.is_relation and (field.many_to_one or field.one_to_one) and field.concrete):
                break
            chain.append(part)
            current = field.related_model
        if chain:
            out.add("__".join(chain))
    return sorted(out)


def order_path(model, path: str) -> str | None:
    """What a column sorts by: the field itself, the field behind ``get_x_display``, or nothing (not sortable)."""
    if path.startswith("get_") and path.endswith("_display"):
        path = path[4:-8]
    current = model
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        current = field.related_model if field.is_relation else current
    return path


def trace_table_class(source):
    """A django-tables2 table of a source's columns (path, label); the first links to the record when the model has
    a page."""
    model = source.get_model()
    linked = hasattr(model, "get_absolute_url")
    attrs = {}
    for index, (path, label) in enumerate(source.columns):
        ordering = order_path(model, path)
        kwargs = {"verbose_name": str(label), "accessor": tables.A(path), "orderable": ordering is not None}
        if ordering:
            kwargs["order_by"] = (ordering,)
        if index == 0 and linked:
            kwargs["linkify"] = lambda record: record.get_absolute_url()
        attrs["c%d" % index] = ValueColumn(**kwargs)
    meta = type("Meta", (), {"attrs": {**TABLE_ATTRS, "data-testid": "trace-table"}, "empty_text": "没有记录。"})
    attrs["Meta"] = meta
    return type("TraceTable", (tables.Table,), attrs)
