"""Template helpers of annual reports: ``{% load reports_ui %}``.

``rich`` is the one way a narrative reaches a page: the stored HTML (sanitized when it was saved) goes through
``core.sanitize.clean_html`` again and only then is marked safe — never ``|safe`` on raw text.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.safestring import mark_safe

from core.sanitize import clean_html

register = template.Library()


@register.filter
def rich(value):
    """Sanitized rich text (nh3 allowlist: paragraphs, emphasis, two heading levels, lists, quotes)."""
    return mark_safe(clean_html(value or ""))  # noqa: S308 - the allowlist sanitizer's output


@register.filter
def figure(value, decimals=0):
    """A figure as officials write it: thousands separated, amounts with their decimals (``12,345.50``)."""
    if value in (None, ""):
        return "0"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = int(decimals or 0)
    if places == 0 and number == number.to_integral_value() and not isinstance(value, str):
        return "{:,}".format(int(number))
    if isinstance(value, str) and "." in value:
        places = max(places, len(value.split(".", 1)[1]))
    return "{:,.{p}f}".format(number, p=places)
