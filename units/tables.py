import django_tables2 as tables

from units.models import DispatchingUnit


class DispatchingUnitTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = DispatchingUnit
        fields = ["name", "kind", "credit_code", "contact_name", "contact_phone", "status"]
        attrs = {"class": "table table-sm table-hover align-middle"}
