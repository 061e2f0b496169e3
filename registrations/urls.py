from django.urls import path

from registrations import views

app_name = "registrations"
urlpatterns = [
    path("", views.SubmissionListView.as_view(), name="submission_list"),
    path("new/", views.SubmissionCreateView.as_view(), name="submission_create"),
    path("<int:pk>/", views.SubmissionDetailView.as_view(), name="submission_detail"),
    path("<int:pk>/edit/", views.SubmissionEditView.as_view(), name="submission_edit"),
    path("<int:pk>/act/<str:action>/", views.SubmissionActionView.as_view(), name="submission_act"),
    path("<int:pk>/package/<str:kind>", views.PackageView.as_view(), name="package"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("province-teams/new/", views.ProvinceTeamView.as_view(), name="province_team_record"),
]
