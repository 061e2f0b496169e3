from django.urls import path

from cycles import views

app_name = "cycles"
urlpatterns = [
    path("", views.CycleListView.as_view(), name="list"),
    path("new/", views.CycleCreateView.as_view(), name="create"),
    path("<int:pk>/", views.CycleDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CycleEditView.as_view(), name="edit"),
    path("<int:pk>/copy/", views.CycleCopyView.as_view(), name="copy"),
    path("<int:pk>/act/<str:action>/", views.CycleActionView.as_view(), name="action"),
]
