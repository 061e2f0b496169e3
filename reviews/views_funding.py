"""Placeholder: replaced by the pages of this module."""
from django.views import View


class _Todo(View):
    pass

GrantListView = _Todo
LedgerView = _Todo
GrantCreateView = _Todo
GrantDetailView = _Todo
GrantEditView = _Todo
DisbursementCreateView = _Todo
VoucherView = _Todo
EnvelopeListView = _Todo
EnvelopeCreateView = _Todo
EnvelopeEditView = _Todo
