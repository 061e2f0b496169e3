"""Placeholder: replaced by the pages."""
from django.http import Http404
from django.views import View


class _Placeholder(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


ActivityListView = _Placeholder
ActivityCreateView = _Placeholder
ActivityBulkConfirmView = _Placeholder
ActivityDetailView = _Placeholder
ActivityEditView = _Placeholder
PhotoAddView = _Placeholder
ActivityActionView = _Placeholder
PhotoView = _Placeholder
PhotoThumbView = _Placeholder
PhotoDeleteView = _Placeholder
GalleryView = _Placeholder
