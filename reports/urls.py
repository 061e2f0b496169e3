"""Annual reports (信息报送): the reports up the tree, their figures traced to records, documents, and dashboards."""
from django.urls import path

from reports import views, views_dashboard, views_documents

app_name = "reports"

urlpatterns = [
    # the reports (views.py)
    path("", views.ReportListView.as_view(), name="report_list"),
    path("new/", views.ReportCreateView.as_view(), name="report_create"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("<int:pk>/edit/", views.ReportEditView.as_view(), name="report_edit"),
    path("<int:pk>/act/<str:action>/", views.ReportTransitionView.as_view(), name="report_transition"),
    path("<int:pk>/missing/<int:county_pk>/", views.MissingNoteView.as_view(), name="missing_note"),
    path("trace/<str:key>/", views.TraceView.as_view(), name="trace"),
    path("trace/<str:key>/xlsx/", views.TraceExportView.as_view(), name="trace_export"),
    path("days/<int:pairing_pk>/<int:year>/", views.PersonDaysView.as_view(), name="person_days"),
    # documents (views_documents.py): DOCX, PDF and the statistical tables as XLSX, built by a background task
    path("<int:pk>/export/<str:fmt>/", views_documents.ReportExportView.as_view(), name="report_export"),
    path("<int:pk>/download/<uuid:run>/", views_documents.ReportDownloadView.as_view(), name="report_download"),
    # dashboards (views_dashboard.py)
    path("dashboard/", views_dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/data.xlsx", views_dashboard.DashboardExportView.as_view(), name="dashboard_export"),
]
