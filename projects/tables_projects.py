"""Tables of the project list and the change-request list (every cell from the row and its select_related joins)."""
from decimal import Decimal

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from projects.models import Project, ProjectChange


def yuan(value) -> str:
    """Money as officials read it: "12,000.00 元" (Decimal, never a float)."""
    if value in (None, ""):
        return "—"
    return "%s 元" % f"{Decimal(str(value)):,.2f}"


def is_overdue(project, today=None) -> bool:
    """Flagged late: submitted after its due date, or not yet submitted and past it."""
    today = today or timezone.localdate()
    return bool(project.late or (project.submitted_at is None and today > project.due_date))


class ProjectTable(tables.Table):
    always_visible = ("title",)
    title = tables.Column(verbose_name="项目名称", linkify=True)
    town = tables.Column(verbose_name="所在镇", accessor="town", order_by=("town__code",))
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    total_budget = tables.Column(verbose_name="预算总额", attrs={"td": {"class": "text-end text-nowrap"}})
    status = tables.Column(verbose_name="状态", attrs={"td": {"class": "text-nowrap"}})
    due_date = tables.DateColumn(verbose_name="报送期限", format="Y-m-d", attrs={"td": {"class": "text-nowrap"}})
    late = tables.Column(verbose_name="逾期", accessor="pk", orderable=False, attrs={"td": {"class": "text-nowrap"}})
    version = tables.Column(verbose_name="版本", attrs={"td": {"class": "text-nowrap"}})
    submitted_at = tables.DateTimeColumn(verbose_name="首次报送时间", format="Y-m-d H:i",
                                         attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        model = Project
        fields = ["title", "town", "team", "status", "total_budget", "due_date", "late", "version", "submitted_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_town(self, value, record):
        return "%s%s" % (record.town.county.name, record.town.name)

    def render_total_budget(self, value):
        return yuan(value)

    def value_total_budget(self, value):
        return value  # a number in the spreadsheet

    def render_late(self, record):
        if is_overdue(record, self.today):
            text = "逾期报送" if record.late else "已逾期未报送"
            return format_html('<span class="kj-late" data-testid="late">{}</span>', text)
        return "—"

    def value_late(self, record):
        if is_overdue(record, self.today):
            return "逾期报送" if record.late else "已逾期未报送"
        return ""

    def render_version(self, value):
        return "第%d版" % value

    def value_version(self, value):
        return value


class ChangeTable(tables.Table):
    always_visible = ("project",)
    project = tables.Column(verbose_name="项目", accessor="project__title", order_by=("project__title",),
                            linkify=lambda record: record.get_absolute_url())
    town = tables.Column(verbose_name="所在镇", accessor="project__town", order_by=("project__town__code",))
    team = tables.Column(verbose_name="团队", accessor="project__team__name", order_by=("project__team__name",))
    from_version = tables.Column(verbose_name="变更前版本", attrs={"td": {"class": "text-nowrap"}})
    status = tables.Column(verbose_name="状态", attrs={"td": {"class": "text-nowrap"}})
    created_at = tables.DateTimeColumn(verbose_name="申请时间", format="Y-m-d H:i", attrs={"td": {"class": "text-nowrap"}})
    decided_at = tables.DateTimeColumn(verbose_name="处理时间", format="Y-m-d H:i", attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        model = ProjectChange
        fields = ["project", "town", "team", "from_version", "status", "created_at", "decided_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_town(self, value, record):
        town = record.project.town
        return "%s%s" % (town.county.name, town.name)

    def render_from_version(self, value):
        return "第%d版" % value

    def value_from_version(self, value):
        return value
