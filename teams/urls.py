from django.urls import path

from teams import views

app_name = "teams"
urlpatterns = [
    path("", views.TeamListView.as_view(), name="team_list"),
    path("import/", views.TeamImportView.as_view(), name="team_import"),
    path("<int:pk>/", views.TeamDetailView.as_view(), name="team_detail"),
    path("<int:pk>/edit/", views.TeamEditView.as_view(), name="team_edit"),
    path("<int:pk>/members/add/", views.MemberAddView.as_view(), name="member_add"),
    path("<int:pk>/members/<int:membership>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
    path("commissioners/", views.CommissionerListView.as_view(), name="commissioner_list"),
    path("commissioners/new/", views.CommissionerCreateView.as_view(), name="commissioner_create"),
    path("commissioners/import/", views.CommissionerImportView.as_view(), name="commissioner_import"),
    path("commissioners/<int:pk>/", views.CommissionerDetailView.as_view(), name="commissioner_detail"),
    path("commissioners/<int:pk>/edit/", views.CommissionerEditView.as_view(), name="commissioner_edit"),
    path("commissioners/<int:pk>/verify/", views.CommissionerVerifyView.as_view(), name="commissioner_verify"),
]
