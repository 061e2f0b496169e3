from django.urls import path

from core import views
from core.generic import TaskProgressView

app_name = "core"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("tasks/<uuid:pk>/", TaskProgressView.as_view(), name="task_progress"),
]
