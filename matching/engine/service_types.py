"""The six "三农" science service types of the plan (一): the one list, as plain data.

Each entry is (stored value, Chinese label). The engine and its spreadsheets speak the labels (技术指导);
the platform stores the values (guidance) and builds its choices (``needs.choices.ServiceType``, also used
by teams) from this list. No Django here: the engine must stay importable on its own.
"""
from __future__ import annotations

SERVICE_TYPE_CHOICES: tuple[tuple[str, str], ...] = (
    ("guidance", "技术指导"),
    ("training", "技能培训"),
    ("transfer", "成果转化"),
    ("entrepreneurship", "创业辅导"),
    ("policy", "政策宣传"),
    ("planning", "规划设计"),
)
SERVICE_TYPES: tuple[str, ...] = tuple(label for _value, label in SERVICE_TYPE_CHOICES)
SERVICE_TYPE_VALUES: tuple[str, ...] = tuple(value for value, _label in SERVICE_TYPE_CHOICES)
SERVICE_LABEL_OF: dict[str, str] = dict(SERVICE_TYPE_CHOICES)
