"""The service-activity list: every cell from the row, its select_related joins and the photo count the view
annotates (no query per row). A town's work team gets a checkbox on the rows it may confirm at once."""
from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from core.tables import DateColumn
from fieldwork.choices import RecordStatus
from fieldwork.models import Activity

STATUS_CSS = {RecordStatus.SUBMITTED: "primary", RecordStatus.CONFIRMED: "success", RecordStatus.QUERIED: "warning",
              RecordStatus.WITHDRAWN: "secondary"}


def status_badge(record) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_CSS.get(record.status, "secondary"),
                       record.get_status_display())


def town_text(record) -> str:
    return "%s%s" % (record.town.name, "（跨镇帮扶）" if record.cross_town else "")


class ActivityTable(tables.Table):
    always_visible = ("select", "title")
    select = tables.CheckBoxColumn(accessor="pk", orderable=False, exclude_from_export=True,
                                   attrs={"th__input": {"data-select-all": "1", "aria-label": "全选本页待确认的活动"}})
    date = DateColumn(verbose_name="日期", format="Y-m-d", attrs={"td": {"class": "text-nowrap"}})
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name", "-date"))
    town = tables.Column(verbose_name="所在镇", accessor="town__name", order_by=("town__code", "-date"))
    village = tables.Column(verbose_name="村", accessor="pk", orderable=False)
    service_type = tables.Column(verbose_name="服务类型", attrs={"td": {"class": "text-nowrap"}})
    title = tables.Column(verbose_name="活动名称", linkify=lambda record: record.get_absolute_url())
    people_trained = tables.Column(verbose_name="培训人数", attrs={"td": {"class": "text-end"}})
    households_served = tables.Column(verbose_name="服务农户", attrs={"td": {"class": "text-end"}})
    photo_count = tables.Column(verbose_name="照片", attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name="状态", attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        model = Activity
        fields = ["select", "date", "team", "town", "village", "service_type", "title", "people_trained",
                  "households_served", "photo_count", "status"]
        sequence = fields
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "activity-table"}

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
                           'aria-label="选择：{}" data-testid="tick-{}">', value, record.title, value)

    def render_town(self, value, record):
        if record.cross_town:
            return format_html('{} <span class="badge text-bg-info" data-testid="cross-town">跨镇</span>', value)
        return value

    def value_town(self, value, record):
        return town_text(record)

    def render_village(self, record):
        return (record.village.name if record.village_id else record.village_name) or "—"

    def value_village(self, record):
        return (record.village.name if record.village_id else record.village_name) or ""

    def render_status(self, value, record):
        return status_badge(record)

    def value_status(self, value, record):
        return record.get_status_display()
