"""Placeholder: replaced by the pages of this module."""
from django.views import View


class _Todo(View):
    pass

ExpertListView = _Todo
ExpertCreateView = _Todo
ExpertImportView = _Todo
ExpertDetailView = _Todo
ExpertEditView = _Todo
RelationCreateView = _Todo
RelationDeleteView = _Todo
ReviewRuleView = _Todo
