"""Agreements (帮扶协议), projects (帮扶项目), change requests and the progress dashboard."""
from django.urls import path

from projects import views_agreements as agreements
from projects import views_projects as projects

app_name = "projects"

urlpatterns = [
    path("agreements/", agreements.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/new/<int:pairing_pk>/", agreements.AgreementCreateView.as_view(), name="agreement_create"),
    path("agreements/<int:pk>/", agreements.AgreementDetailView.as_view(), name="agreement_detail"),
    path("agreements/<int:pk>/edit/", agreements.AgreementEditView.as_view(), name="agreement_edit"),
    path("agreements/<int:pk>/sign/", agreements.AgreementSignView.as_view(), name="agreement_sign"),
    path("agreements/<int:pk>/act/<str:action>/", agreements.AgreementActionView.as_view(), name="agreement_action"),
    path("agreements/<int:pk>/scan/", agreements.AgreementScanView.as_view(), name="agreement_scan"),
    path("agreements/<int:pk>/print.<str:fmt>", agreements.AgreementDocumentView.as_view(), name="agreement_document"),
    path("progress/", agreements.ProgressView.as_view(), name="progress"),
    path("projects/", projects.ProjectListView.as_view(), name="project_list"),
    path("projects/summary.xlsx", projects.ProjectSummaryView.as_view(), name="project_summary"),
    path("projects/new/<int:pairing_pk>/", projects.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/", projects.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", projects.ProjectEditView.as_view(), name="project_edit"),
    path("projects/<int:pk>/act/<str:action>/", projects.ProjectActionView.as_view(), name="project_action"),
    path("projects/<int:pk>/form.<str:fmt>", projects.ProjectDocumentView.as_view(), name="project_document"),
    path("projects/<int:pk>/change/", projects.ChangeCreateView.as_view(), name="change_create"),
    path("changes/", projects.ChangeListView.as_view(), name="change_list"),
    path("changes/<int:pk>/", projects.ChangeDetailView.as_view(), name="change_detail"),
    path("changes/<int:pk>/act/<str:action>/", projects.ChangeActionView.as_view(), name="change_action"),
]
