"""Placeholder: replaced by the pages of this module."""
from django.views import View


class _Todo(View):
    pass

ReviewListView = _Todo
ReviewStartView = _Todo
ReviewDetailView = _Todo
SeatAddView = _Todo
PanelFillView = _Todo
ReviewActionView = _Todo
ScoreSheetView = _Todo
SeatListView = _Todo
SeatDetailView = _Todo
SeatActionView = _Todo
