"""Placeholder: replaced by the pages."""
from django.http import Http404
from django.views import View


class _Placeholder(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


StayListView = _Placeholder
StayCreateView = _Placeholder
StayBulkConfirmView = _Placeholder
StayDetailView = _Placeholder
StayEditView = _Placeholder
StayActionView = _Placeholder
DaysListView = _Placeholder
TeamDaysView = _Placeholder
