"""Placeholder: a helper replaces this module with the real pages."""
from django.http import Http404
from django.views import View


class _Stub(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


AgreementListView = _Stub
AgreementCreateView = _Stub
AgreementDetailView = _Stub
AgreementEditView = _Stub
AgreementSignView = _Stub
AgreementActionView = _Stub
AgreementScanView = _Stub
AgreementDocumentView = _Stub
ProgressView = _Stub
