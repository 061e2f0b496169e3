from django.urls import path

from core.generic import TaskProgressView

app_name = "core"
urlpatterns = [
    path("tasks/<uuid:pk>/", TaskProgressView.as_view(), name="task_progress"),
]
