from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="list"),
    path("new/", views.UnitCreateView.as_view(), name="create"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.UnitEditView.as_view(), name="edit"),
    path("<int:pk>/act/<str:action>/", views.UnitActionView.as_view(), name="action"),
]
