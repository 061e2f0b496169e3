"""Placeholder: a helper replaces this module with the real pages."""
from django.http import Http404
from django.views import View


class _Stub(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


ProjectListView = _Stub
ProjectSummaryView = _Stub
ProjectCreateView = _Stub
ProjectDetailView = _Stub
ProjectEditView = _Stub
ProjectActionView = _Stub
ProjectDocumentView = _Stub
ChangeCreateView = _Stub
ChangeListView = _Stub
ChangeDetailView = _Stub
ChangeActionView = _Stub
