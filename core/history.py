"""Readable change history (who, when, before, after) from django-simple-history."""
from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

# Short reasons services record in code, as the history tab and API show them.
REASON_LABELS = {"create": "新建", "update": "修改", "score": "保存评分草稿"}


def _display(record, field_name, value):
    # Personal fields a model lists in ``history_masked_fields`` ({name: mask function}) never show in full in a
    # history: the history tab and API are open to everyone who may read the record, the unmasked value is not.
    masks = getattr(record.instance_type, "history_masked_fields", {})
    if field_name in masks:
        return masks[field_name](value) if value else ""
    field = record.instance_type._meta.get_field(field_name)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.FileField):  # the storage name is random and says nothing: whether a file is there
        return "已上传文件" if value else ""
    if isinstance(value, dt.datetime):  # local time to the minute, as the pages show it
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def history_rows(obj, limit: int = 200) -> list[dict]:
    """Newest first: each change with its author, kind and field-by-field before/after."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                verbose = str(record.instance_type._meta.get_field(change.field).verbose_name)
                changes.append({
                    "field": change.field,
                    "label": verbose,
                    "old": _display(record, change.field, change.old),
                    "new": _display(record, change.field, change.new),
                })
        rows.append({
            "when": record.history_date,
            "who": str(record.history_user) if record.history_user else None,
            "kind": {"+": "创建", "~": "修改", "-": "删除"}.get(record.history_type, record.history_type),
            "reason": REASON_LABELS.get(record.history_change_reason, record.history_change_reason),
            "changes": changes,
        })
    return rows
