"""Lists of evaluations, rewards and trainings: every cell from the row and its select_related joins (no query per
row). The evaluation table is also the unit's 考评汇总表 (``?export=xlsx``)."""
from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from core.tables import DateColumn
from evaluations.choices import EvaluationStatus
from evaluations.models import Evaluation, Reward, Training

NOWRAP = {"td": {"class": "text-nowrap"}}
NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
STATUS_CSS = {EvaluationStatus.DRAFT: "secondary", EvaluationStatus.SUBMITTED: "success"}


def status_badge(record) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_CSS.get(record.status, "secondary"),
                       record.get_status_display())


class FigureColumn(tables.Column):
    """One stored figure of the evaluation (``Evaluation.figures``)."""

    def __init__(self, name, **kwargs):
        self.figure_name = name
        super().__init__(accessor="figures", orderable=False, attrs=NUMBER, **kwargs)

    def render(self, value, record):
        return record.figure(self.figure_name)

    def value(self, value, record):
        return record.figure(self.figure_name)


class EvaluationTable(tables.Table):
    always_visible = ("person",)
    person = tables.Column(verbose_name="姓名", accessor="commissioner__name", order_by=("commissioner__name", "pk"),
                           linkify=lambda record: record.get_absolute_url())
    year = tables.Column(verbose_name="年度", attrs=NOWRAP)
    unit = tables.Column(verbose_name="派出单位", accessor="unit__name", order_by=("unit__name", "pk"))
    team = tables.Column(verbose_name="团队", accessor="team__name", default="—", order_by=("team__name", "pk"))
    town = tables.Column(verbose_name="结对镇", accessor="home_town__name", default="—",
                         order_by=("home_town__code", "pk"))
    activities = FigureColumn("activities", verbose_name="服务活动（次）")
    days = FigureColumn("days", verbose_name="驻镇天数")
    projects = FigureColumn("projects", verbose_name="帮扶项目（个）")
    grade = tables.Column(verbose_name="考评等次", default="—", attrs=NOWRAP)
    comments = tables.Column(verbose_name="考评意见", default="—", visible=False)
    status = tables.Column(verbose_name="状态", attrs=NOWRAP)

    class Meta:
        model = Evaluation
        fields = ["person", "year", "unit", "team", "town", "activities", "days", "projects", "grade", "comments",
                  "status"]
        sequence = fields
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "evaluation-table"}

    def render_status(self, value, record):
        return status_badge(record)

    def value_status(self, value, record):
        return record.get_status_display()


class RewardTable(tables.Table):
    always_visible = ("title",)
    title = tables.Column(verbose_name="奖励名称", linkify=lambda record: record.get_absolute_url())
    person = tables.Column(verbose_name="特派员", accessor="commissioner__name", order_by=("commissioner__name", "pk"))
    unit = tables.Column(verbose_name="派出单位", accessor="unit__name", order_by=("unit__name", "pk"))
    team = tables.Column(verbose_name="团队", accessor="team__name", default="—", order_by=("team__name", "pk"))
    level = tables.Column(verbose_name="级别", attrs=NOWRAP)
    date = DateColumn(verbose_name="获奖日期", format="Y-m-d", attrs=NOWRAP)

    class Meta:
        model = Reward
        fields = ["title", "person", "unit", "team", "level", "date"]
        sequence = fields
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "reward-table"}


class TrainingTable(tables.Table):
    always_visible = ("topic",)
    topic = tables.Column(verbose_name="主题", linkify=lambda record: record.get_absolute_url())
    kind = tables.Column(verbose_name="类型", attrs=NOWRAP)
    unit = tables.Column(verbose_name="派出单位", accessor="unit__name", order_by=("unit__name", "pk"))
    date = DateColumn(verbose_name="日期", format="Y-m-d", attrs=NOWRAP)
    place = tables.Column(verbose_name="地点")
    hours = tables.Column(verbose_name="学时", attrs=NUMBER)
    people = tables.Column(verbose_name="本单位参加（人）", accessor="attendee_count", attrs=NUMBER,
                           order_by=("attendee_count", "pk"))
    external_attendees = tables.Column(verbose_name="其他参加（人）", attrs=NUMBER)

    class Meta:
        model = Training
        fields = ["topic", "kind", "unit", "date", "place", "hours", "people", "external_attendees"]
        sequence = fields
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "training-table"}
