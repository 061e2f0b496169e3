"""Exports read as officials write: local dates and times (not UTC ISO strings), labels of choices (not their codes),
numbers as numbers, 是/否."""
import datetime as dt
import io
import re

import openpyxl
import pytest

from notices.services import objection_file

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


@pytest.fixture
def with_objection(published):
    from core.china import SHANGHAI

    first = published.first_day
    objection_file(notice=published, entry=published.entries.get(), name="张三", phone="13800138000", grounds="理由",
                   now=dt.datetime(first.year, first.month, first.day, 10, tzinfo=SHANGHAI))
    return published


def test_the_notice_and_objection_exports_use_labels_local_dates_and_numbers(world, login, with_objection):
    client = login("renhua_st")
    notices = _rows(client.get("/notices/?export=xlsx"))
    objections = _rows(client.get("/notices/objections/?export=xlsx"))
    for rows in (notices, objections):
        cells = [value for row in rows[1:] for value in row]
        assert not any(isinstance(value, str) and ISO.search(value) for value in cells), rows
        assert not {"published", "closed", "received", "upheld", "draft"} & {v for v in cells if isinstance(v, str)}
    header, row = notices[0], notices[1]
    assert isinstance(row[header.index("团队数")], int) and isinstance(row[header.index("异议")], int)
    assert row[header.index("公示期第一天")] == dt.datetime(2024, 9, 27)  # a real date cell
    header, row = objections[0], objections[1]
    assert row[header.index("状态")] == "已受理"
    filed = row[header.index("创建时间")]
    from django.utils import timezone

    from notices.models import Objection

    local = timezone.localtime(Objection.objects.get().created_at)
    assert filed == local.replace(tzinfo=None, microsecond=0)  # 北京时间, not UTC


def test_a_linked_cell_exports_its_text_and_an_empty_mark_exports_empty(world, login, published):
    rows = _rows(login("renhua_st").get("/matching/pairings/?export=xlsx"))
    header, row = rows[0], rows[1]
    assert row[header.index("镇")] == "董塘镇"
    assert not any(isinstance(value, str) and ("<" in value or value == "—") for r in rows[1:] for value in r)
