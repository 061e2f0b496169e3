"""Tables of adjustment and replacement: cases (an answer overdue marked 逾期, as text), member changes and the
figures pairings closed with. Statuses are text badges, never colour alone."""
import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from core.tables import DateColumn, DateTimeColumn
from replacements.choices import CaseStatus, ChangeStatus
from replacements.models import Case, MemberChange, PairingFigures

NOWRAP = {"td": {"class": "text-nowrap"}}
TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
OPEN_CASE = (CaseStatus.OPEN, CaseStatus.ANSWERED)

CASE_BADGES = {CaseStatus.OPEN: "text-bg-warning", CaseStatus.ANSWERED: "text-bg-info",
               CaseStatus.DECIDED: "text-bg-success", CaseStatus.WITHDRAWN: "text-bg-secondary"}
CHANGE_BADGES = {ChangeStatus.PENDING: "text-bg-warning", ChangeStatus.CITY_CONFIRMED: "text-bg-info",
                 ChangeStatus.REGISTERED: "text-bg-success", ChangeStatus.NOT_REQUIRED: "text-bg-secondary"}


def badge(text, css, testid=""):
    if testid:
        return format_html('<span class="badge {}" data-testid="{}">{}</span>', css, testid, text)
    return format_html('<span class="badge {}">{}</span>', css, text)


def status_badge(record, badges):
    return badge(record.get_status_display(), badges.get(record.status, "text-bg-secondary"))


def answer_overdue(case, today=None) -> bool:
    """Still waiting for the team's answer past its deadline."""
    today = today or timezone.localdate()
    return case.status == CaseStatus.OPEN and case.answer_due is not None and case.answer_due < today


class CaseTable(tables.Table):
    always_visible = ("town",)
    town = tables.Column(verbose_name="结对镇", accessor="home_town__name", order_by=("home_town__code",),
                         linkify=lambda record: record.get_absolute_url())
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    cause = tables.Column(verbose_name="事由")
    status = tables.Column(verbose_name="状态", attrs=NOWRAP)
    answer_due = DateColumn(verbose_name="答复期限", attrs=NOWRAP)
    decision = tables.Column(verbose_name="处理决定")
    opened_at = DateTimeColumn(verbose_name="立案时间", attrs=NOWRAP)

    class Meta:
        model = Case
        fields = ["town", "team", "cause", "status", "answer_due", "decision", "opened_at"]
        attrs = TABLE_ATTRS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_town(self, value, record):
        return record.home_town.full_name

    def render_cause(self, record):
        return record.get_cause_display()

    def render_status(self, record):
        return status_badge(record, CASE_BADGES)

    def value_status(self, record):
        return record.get_status_display()

    def render_answer_due(self, value, record):
        if answer_overdue(record, self.today):
            return format_html('<span class="text-danger">{}</span> {}', value.isoformat(),
                               badge("逾期未答复", "text-bg-danger", "overdue"))
        return value.isoformat()

    def value_answer_due(self, value):
        return value

    def render_decision(self, record):
        return record.get_decision_display() or "—"

    def value_decision(self, record):
        return record.get_decision_display()


class ChangeTable(tables.Table):
    always_visible = ("team",)
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",),
                         linkify=lambda record: record.get_absolute_url())
    town = tables.Column(verbose_name="结对镇", accessor="home_town__name", order_by=("home_town__code",))
    leaving = tables.Column(verbose_name="退出成员", accessor="leaving__name", default="—")
    joining = tables.Column(verbose_name="新增成员", accessor="joining__name", default="—")
    sizes = tables.Column(verbose_name="人数变化", accessor="size_after", orderable=False)
    effective_date = DateColumn(verbose_name="生效日期", attrs=NOWRAP)
    status = tables.Column(verbose_name="备案状态", attrs=NOWRAP)

    class Meta:
        model = MemberChange
        fields = ["team", "town", "leaving", "joining", "sizes", "effective_date", "status"]
        attrs = TABLE_ATTRS

    def render_town(self, value, record):
        return record.home_town.full_name

    def render_sizes(self, record):
        return "%d → %d" % (record.size_before, record.size_after)

    def render_status(self, record):
        return status_badge(record, CHANGE_BADGES)

    def value_status(self, record):
        return record.get_status_display()


class FiguresTable(tables.Table):
    always_visible = ("town",)
    town = tables.Column(verbose_name="镇", accessor="town__name", order_by=("town__code",),
                         linkify=lambda record: record.get_absolute_url())
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    outcome = tables.Column(verbose_name="结束方式")
    ended_on = DateColumn(verbose_name="截止日期", attrs=NOWRAP)
    stationed_days = tables.Column(verbose_name="驻镇天数")
    required_days = tables.Column(verbose_name="应驻镇天数")
    activities = tables.Column(verbose_name="服务活动")
    people_served = tables.Column(verbose_name="服务群众（人次）")
    projects = tables.Column(verbose_name="帮扶项目")
    projects_approved = tables.Column(verbose_name="立项项目")
    granted = tables.Column(verbose_name="资助金额（元）")
    disbursed = tables.Column(verbose_name="已拨付（元）")
    open_flags = tables.Column(verbose_name="未解除预警")

    class Meta:
        model = PairingFigures
        fields = ["town", "team", "outcome", "ended_on", "stationed_days", "required_days", "activities",
                  "people_served", "projects", "projects_approved", "granted", "disbursed", "open_flags"]
        attrs = TABLE_ATTRS

    def render_town(self, value, record):
        return record.town.full_name

    def render_outcome(self, record):
        return record.get_outcome_display()

    def render_granted(self, value):
        return "{:,.2f}".format(value)

    def render_disbursed(self, value):
        return "{:,.2f}".format(value)

    def value_granted(self, value):
        return value

    def value_disbursed(self, value):
        return value
