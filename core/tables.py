"""Table columns shared by every list (django-tables2).

django-tables2's ``DateColumn`` and ``DateTimeColumn`` are template columns: each cell compiles the template
``{{ value|date:"…"|default:default }}`` anew (about a third of a millisecond, so 8 ms on a page of 25 rows with one
date column shown twice, as the table and as the phone cards). These give the same text from Python: Django's
``date`` filter is ``formats.date_format`` of the value in the current time zone. Registered with django-tables2's
column library, they are the columns every model ``DateField``/``DateTimeField`` of a table gets (imported by
``core.apps.CoreConfig.ready``, before any table class exists).
"""
import inspect

import django_tables2 as tables
import django_tables2.utils
from django_tables2.columns import library
from django.utils import formats
from django.utils.timezone import template_localtime


_signature = django_tables2.utils.signature


_METHOD_SIGNATURES: dict = {}  # function → its signature as a bound method (one entry per render method in the code)


def signature(fn):
    """django-tables2 asks ``inspect.signature`` of a column's ``render`` for every cell (a third of a list page's
    time). A bound method's signature is its function's, less ``self``: it is worked out once per function.
    Anything else (a partial, a plain function) is asked each time, as before."""
    if inspect.ismethod(fn):
        found = _METHOD_SIGNATURES.get(fn.__func__)
        if found is None:
            found = _METHOD_SIGNATURES[fn.__func__] = _signature(fn)
        return found
    return _signature(fn)


django_tables2.utils.signature = signature  # call_with_appropriate looks the name up in its module at each call


def _formatted(value, date_format):
    return formats.date_format(template_localtime(value), date_format)


@library.register
class DateColumn(tables.DateColumn):
    empty_values = (None, "")  # an empty cell shows the column's default ("—"), as the template's |default did
    def __init__(self, format=None, short=True, *args, **kwargs):
        super().__init__(format, short, *args, **kwargs)
        self.date_format = format or ("SHORT_DATE_FORMAT" if short else "DATE_FORMAT")

    def render(self, value, **kwargs):
        return _formatted(value, self.date_format)


@library.register
class DateTimeColumn(tables.DateTimeColumn):
    empty_values = (None, "")
    def __init__(self, format=None, short=True, *args, **kwargs):
        super().__init__(format, short, *args, **kwargs)
        self.date_format = format or ("SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")

    def render(self, value, **kwargs):
        return _formatted(value, self.date_format)
