"""Adjustment and replacement cases (调整更换), member changes (成员变更) and the end of a cycle (周期结束)."""
from django.urls import path, re_path

from replacements import views_cases as cases
from replacements import views_changes as changes
from replacements import views_cycle as cycle

app_name = "replacements"

urlpatterns = [
    # cases
    path("", cases.CaseListView.as_view(), name="case_list"),
    path("new/", cases.CaseCreateView.as_view(), name="case_create"),
    path("<int:pk>/", cases.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/answer/", cases.CaseAnswerView.as_view(), name="case_answer"),
    path("<int:pk>/decide/", cases.CaseDecideView.as_view(), name="case_decide"),
    path("<int:pk>/act/<str:action>/", cases.CaseActionView.as_view(), name="case_action"),
    re_path(r"^(?P<pk>\d+)/decision\.(?P<fmt>docx|pdf)$", cases.CaseDocumentView.as_view(), name="case_document"),
    path("files/<int:pk>/", cases.CaseFileView.as_view(), name="case_file"),
    # member changes
    path("changes/", changes.ChangeListView.as_view(), name="change_list"),
    path("changes/new/", changes.ChangeCreateView.as_view(), name="change_create"),
    path("changes/<int:pk>/", changes.ChangeDetailView.as_view(), name="change_detail"),
    path("changes/<int:pk>/act/<str:action>/", changes.ChangeActionView.as_view(), name="change_action"),
    re_path(r"^changes/(?P<pk>\d+)/letter\.(?P<fmt>docx|pdf)$", changes.ChangeLetterView.as_view(),
            name="change_letter"),
    # the end of a cycle
    path("cycle-end/", cycle.CycleEndView.as_view(), name="cycle_end"),
    path("cycle-end/<int:pk>/end/", cycle.CycleEndActionView.as_view(), name="cycle_end_action"),
    path("grants/<int:pk>/close/", cycle.GrantCloseView.as_view(), name="grant_close"),
    path("figures/", cycle.FiguresListView.as_view(), name="figures_list"),
]
