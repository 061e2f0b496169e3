"""Tables for the registry and teams (the ID number is never a column)."""
import django_tables2 as tables

from teams.models import Commissioner, Team


class YesNoColumn(tables.BooleanColumn):
    """是/否 on the page and in the exported workbook alike (BooleanColumn exports True/False)."""

    def value(self, record, value, bound_column):
        return self.yesno[0] if self._get_bool_value(record, value, bound_column) else self.yesno[1]


class CommissionerTable(tables.Table):
    always_visible = ("name",)
    name = tables.Column(verbose_name="姓名", linkify=True)
    unit = tables.Column(verbose_name="派出单位", accessor="unit__name", order_by="unit__name")
    verified = YesNoColumn(verbose_name="账号已核验", accessor="verified_at", orderable=False,
                                    yesno="是,否")

    class Meta:
        model = Commissioner
        fields = ["name", "gender", "unit", "title", "education", "specialty", "expertise_keywords"]
        attrs = {"class": "table table-sm table-hover align-middle"}


class TeamTable(tables.Table):
    always_visible = ("name",)
    name = tables.Column(verbose_name="团队名称", linkify=True)
    lead_unit = tables.Column(verbose_name="牵头派出单位", accessor="lead_unit__name", order_by="lead_unit__name")
    member_count = tables.Column(verbose_name="人数")
    service_types = tables.Column(verbose_name="服务类型", accessor="service_types_display", orderable=False)

    class Meta:
        model = Team
        fields = ["name", "cycle", "lead_unit", "leader_name", "member_count", "service_types"]
        attrs = {"class": "table table-sm table-hover align-middle"}
