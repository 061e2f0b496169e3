"""Placeholder: replaced by the pages."""
from django.http import Http404
from django.views import View


class _Placeholder(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


TaskListView = _Placeholder
TaskCreateView = _Placeholder
TaskDetailView = _Placeholder
TaskEditView = _Placeholder
TaskActionView = _Placeholder
FlagListView = _Placeholder
FlagReportView = _Placeholder
FlagDetailView = _Placeholder
FlagActionView = _Placeholder
ConditionsListView = _Placeholder
ConditionsEditView = _Placeholder
ConditionsDetailView = _Placeholder
RequestListView = _Placeholder
RequestCreateView = _Placeholder
RequestDetailView = _Placeholder
RequestActionView = _Placeholder
