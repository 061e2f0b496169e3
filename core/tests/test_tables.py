"""The shared table columns: dates written from Python exactly as django-tables2's template columns wrote them."""
import datetime
from zoneinfo import ZoneInfo

import django_tables2 as tables
from django.template import Context, Template

import core.tables
from matching.tables import PairingTable
from needs.tables import NeedTable


def _as_template(value, date_format):
    return Template('{{ value|date:"%s" }}' % date_format).render(Context({"value": value}))


def test_date_cells_read_as_the_date_filter_wrote_them():
    moment = datetime.datetime(2026, 12, 31, 17, 30, tzinfo=ZoneInfo("UTC"))  # 2027-01-01 01:30 in Shanghai
    for column, date_format in ((core.tables.DateTimeColumn(), "SHORT_DATETIME_FORMAT"),
                                (core.tables.DateColumn(), "SHORT_DATE_FORMAT"),
                                (core.tables.DateColumn(format="Y-m-d"), "Y-m-d")):
        assert column.render(value=moment) == _as_template(moment, date_format)
    assert core.tables.DateColumn(format="Y-m-d").render(value=moment) == "2027-01-01"
    day = datetime.date(2026, 10, 1)
    assert core.tables.DateColumn().render(value=day) == _as_template(day, "SHORT_DATE_FORMAT")


def test_every_model_date_column_of_the_lists_is_the_fast_one():
    for table in (PairingTable, NeedTable):
        for name, column in table.base_columns.items():
            if isinstance(column, tables.DateTimeColumn):
                assert isinstance(column, core.tables.DateTimeColumn), (table, name)
            elif isinstance(column, tables.DateColumn):
                assert isinstance(column, core.tables.DateColumn), (table, name)
    assert isinstance(PairingTable.base_columns["proposed_at"], core.tables.DateTimeColumn)


def test_an_empty_date_cell_shows_the_default():
    from matching.models import Pairing

    table = PairingTable([Pairing(score=0.5, status="proposed", proposed_at=None)])
    assert table.rows[0].get_cell("proposed_at") == table.columns["proposed_at"].default == "—"


def test_a_method_signature_is_worked_out_once_and_reads_as_before():
    import django_tables2.utils

    class Column:
        def render(self, value, record):
            return value

        def render_all(self, value, **kwargs):
            return value

    first, second = Column(), Column()
    assert django_tables2.utils.signature is core.tables.signature
    assert core.tables.signature(first.render) == core.tables._signature(first.render) == (("value", "record"), None)
    assert core.tables.signature(second.render_all) == (("value",), "kwargs")
    assert core.tables._METHOD_SIGNATURES[Column.render] == (("value", "record"), None)
    core.tables._METHOD_SIGNATURES[Column.render] = "worked out once"
    assert core.tables.signature(second.render) == "worked out once"
    del core.tables._METHOD_SIGNATURES[Column.render]
    assert django_tables2.utils.call_with_appropriate(first.render, {"value": 1, "record": 2, "table": 3}) == 1

