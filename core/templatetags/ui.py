"""Small page helpers: ``{% load ui %}{% icon "pencil" %}``.

Icons are inline SVG that point into one small sprite of only the icons the pages use
(``static/vendor/bootstrap-icons/sprite.svg``, built by ``bench/tools/build_icon_sprite.py``) instead of the
whole Bootstrap Icons font and its stylesheet: one cached file of a few KB rather than ~220 KB.
"""
from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

SPRITE = "vendor/bootstrap-icons/sprite.svg"


def icon_svg(name, classes=""):
    """The ``<svg>`` of one sprite icon, decorative (the text beside it says what it means); ``classes`` are
    added to ``bi`` (``"me-1"``). Also for HTML built in Python with ``format_html``."""
    css = ("bi " + classes).strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false" width="1em" height="1em" fill="currentColor">'
        '<use href="{}#{}"></use></svg>', css, static(SPRITE), name)


@register.simple_tag
def icon(name, classes=""):
    """``{% icon "pencil" %}`` or ``{% icon item.icon "me-1" %}``."""
    return icon_svg(name, classes)


@register.filter
def money(value):
    """An amount in yuan as officials write it: ``100,000.00`` (the Chinese locale has no thousands separator)."""
    if value in (None, ""):
        return "—"
    try:
        return "{:,.2f}".format(value)
    except (TypeError, ValueError):
        return str(value)


@register.filter
def card_rows(table, title_name):
    """The page's rows as phone cards, ``(title cell, select cell, [(header, cell), …])``: each cell rendered once
    (django-tables2 renders a cell on every ``row.items`` pass, and a card needs three)."""
    cards = []
    for row in table.paginated_rows:
        title = select = None
        fields = []
        for column, cell in row.items():
            if column.name == title_name:
                title = cell
            elif column.name == "select":
                select = cell
            else:
                fields.append((column.header, cell))
        cards.append((title, select, fields))
    return cards
