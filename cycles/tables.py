import django_tables2 as tables

from cycles.models import Cycle


class CycleTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = Cycle
        fields = ["name", "status", "start_date", "end_date", "dispatch_deadline", "notice_working_days",
                  "team_size_min", "team_size_max"]
        attrs = {"class": "table table-sm table-hover align-middle"}
