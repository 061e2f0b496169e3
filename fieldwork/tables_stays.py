"""The stay list and the day-count table.

Every stay cell comes from the row and its select_related joins (no query per row); a town's work team gets a checkbox
on the rows it may confirm at once. The day-count table reads its figures from ``figures`` the view computes once for
the page's teams (``selectors.stationed_days`` is one query), never per row.
"""
from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.tables import DateColumn
from fieldwork.choices import RecordStatus
from fieldwork.models import Stay
from matching.models import Pairing

STATUS_CSS = {RecordStatus.SUBMITTED: "primary", RecordStatus.CONFIRMED: "success", RecordStatus.QUERIED: "warning",
              RecordStatus.WITHDRAWN: "secondary"}
NOWRAP = {"td": {"class": "text-nowrap"}}
NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


def status_badge(record) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_CSS.get(record.status, "secondary"),
                       record.get_status_display())


def team_days_url(team_id) -> str:
    return reverse("fieldwork:team_days", args=[team_id])


class StayTable(tables.Table):
    always_visible = ("select", "member")
    select = tables.CheckBoxColumn(accessor="pk", orderable=False, exclude_from_export=True,
                                   attrs={"th__input": {"data-select-all": "1", "aria-label": "全选本页待确认的驻镇记录"}})
    member = tables.Column(verbose_name="驻镇成员", accessor="commissioner__name", order_by=("commissioner__name", "-pk"),
                           linkify=lambda record: record.get_absolute_url())
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name", "-start_date"))
    town = tables.Column(verbose_name="所在镇", accessor="town__name", order_by=("town__code", "-start_date"))
    start_date = DateColumn(verbose_name="开始日期", format="Y-m-d", attrs=NOWRAP)
    end_date = DateColumn(verbose_name="结束日期", format="Y-m-d", attrs=NOWRAP)
    days = tables.Column(verbose_name="天数", accessor="pk", orderable=False, attrs=NUMBER)
    place = tables.Column(verbose_name="驻点地点")
    purpose = tables.Column(verbose_name="驻镇事由")
    status = tables.Column(verbose_name="状态", attrs=NOWRAP)

    class Meta:
        model = Stay
        fields = ["select", "member", "team", "town", "start_date", "end_date", "days", "place", "purpose", "status"]
        sequence = fields
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "stay-table"}

    def __init__(self, *args, confirm_town_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirm_town_id = confirm_town_id

    def may_tick(self, record) -> bool:
        return bool(self.confirm_town_id) and record.town_id == self.confirm_town_id and \
            record.status == RecordStatus.SUBMITTED

    def render_select(self, value, record):
        if not self.may_tick(record):
            return ""
        return format_html('<input type="checkbox" class="form-check-input" name="ids" value="{}" form="bulk-form" '
                           'aria-label="选择：{}" data-testid="tick-{}">', value, record, value)

    def render_team(self, value, record):
        return format_html('<a href="{}" title="查看团队驻镇天数">{}</a>', team_days_url(record.team_id), value)

    def value_team(self, value, record):
        return value

    def render_town(self, value, record):
        if record.cross_town:
            return format_html('{} <span class="badge text-bg-info" data-testid="cross-town">跨镇</span>', value)
        return value

    def value_town(self, value, record):
        return "%s%s" % (value, "（跨镇帮扶）" if record.cross_town else "")

    def render_days(self, record):
        return record.days

    def render_status(self, value, record):
        return status_badge(record)

    def value_status(self, value, record):
        return record.get_status_display()


class DaysTable(tables.Table):
    """One row per pairing (a team in its paired town) of the cycle: confirmed days against the requirement."""

    always_visible = ("team",)
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name", "pk"))
    town = tables.Column(verbose_name="结对镇", accessor="town__name", order_by=("town__code", "pk"))
    county = tables.Column(verbose_name="县（市、区）", accessor="town__county__name", order_by=("town__code", "pk"))
    members = tables.Column(verbose_name="成员数", attrs=NUMBER)
    own = tables.Column(verbose_name="本镇驻镇天数", accessor="pk", orderable=False, attrs=NUMBER)
    cross = tables.Column(verbose_name="跨镇天数", accessor="pk", orderable=False, attrs=NUMBER)
    counted = tables.Column(verbose_name="计入要求天数", accessor="pk", orderable=False, attrs=NUMBER)
    required = tables.Column(verbose_name="要求天数", accessor="pk", orderable=False, attrs=NUMBER)
    percent = tables.Column(verbose_name="完成比例", accessor="pk", orderable=False, attrs=NUMBER)
    behind = tables.Column(verbose_name="进度滞后", accessor="pk", orderable=False, attrs=NOWRAP)

    class Meta:
        model = Pairing
        fields = ["team", "town", "county", "members", "own", "cross", "counted", "required", "percent", "behind"]
        sequence = fields
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "days-table"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.figures: dict = {}  # pairing pk -> views_stays.RowFigures, set by the view for the rows it shows

    def fig(self, record):
        return self.figures[record.pk]

    def render_team(self, value, record):
        return format_html('<a href="{}" data-testid="team-days-{}">{}</a>', team_days_url(record.team_id),
                           record.team_id, value)

    def value_team(self, value, record):
        return value

    def render_members(self, value):
        return value or 0

    def render_own(self, record):
        return self.fig(record).own

    def render_cross(self, record):
        return self.fig(record).cross

    def render_counted(self, record):
        return self.fig(record).counted

    def render_required(self, record):
        return self.fig(record).required

    def render_percent(self, record):
        return "%d%%" % self.fig(record).percent

    def value_percent(self, record):
        return self.fig(record).percent / 100

    def render_behind(self, record):
        if self.fig(record).behind:
            return format_html('<span class="badge text-bg-warning" data-testid="behind">{}</span>', "是，滞后")
        return "否"

    def value_behind(self, record):
        return "是" if self.fig(record).behind else "否"
