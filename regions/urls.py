from django.urls import path

from regions import views

app_name = "regions"
urlpatterns = [
    path("counties/", views.CountyListView.as_view(), name="county_list"),
    path("counties/<int:county>/towns/", views.TownListView.as_view(), name="town_list_county"),
    path("towns/", views.TownListView.as_view(), name="town_list"),
    path("towns/import/", views.ClassificationImportView.as_view(), name="classification_import"),
    path("towns/<int:pk>/", views.TownDetailView.as_view(), name="town_detail"),
    path("towns/<int:pk>/classification/<int:cycle>/", views.TownClassificationEditView.as_view(), name="classification_edit"),
    path("towns/<int:pk>/work-team/", views.WorkTeamEditView.as_view(), name="work_team_edit"),
    path("towns/<int:pk>/work-team/members/add/", views.WorkTeamMemberAddView.as_view(), name="work_team_member_add"),
    path("towns/<int:pk>/work-team/members/<int:member>/remove/", views.WorkTeamMemberRemoveView.as_view(),
         name="work_team_member_remove"),
    path("towns/<int:pk>/villages/add/", views.VillageCreateView.as_view(), name="village_create"),
    path("villages/", views.VillageListView.as_view(), name="village_list"),
]
