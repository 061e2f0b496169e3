"""The dispatching unit's pages: its people and their evaluations (考评), rewards (奖励), training and exchange
(培训交流)."""
from django.urls import path

from evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("", views.UnitHomeView.as_view(), name="home"),
    path("generate/", views.EvaluationGenerateView.as_view(), name="evaluation_generate"),
    path("table.xlsx", views.EvaluationTableView.as_view(), name="evaluation_table"),
    path("evaluations/", views.EvaluationListView.as_view(), name="evaluation_list"),
    path("evaluations/new/", views.EvaluationCreateView.as_view(), name="evaluation_create"),
    path("evaluations/<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation_detail"),
    path("evaluations/<int:pk>/edit/", views.EvaluationEditView.as_view(), name="evaluation_edit"),
    path("evaluations/<int:pk>/act/<str:action>/", views.EvaluationActionView.as_view(), name="evaluation_action"),
    path("rewards/", views.RewardListView.as_view(), name="reward_list"),
    path("rewards/new/", views.RewardCreateView.as_view(), name="reward_create"),
    path("rewards/<int:pk>/", views.RewardDetailView.as_view(), name="reward_detail"),
    path("rewards/<int:pk>/edit/", views.RewardEditView.as_view(), name="reward_edit"),
    path("rewards/<int:pk>/document/", views.RewardDocumentView.as_view(), name="reward_document"),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/new/", views.TrainingCreateView.as_view(), name="training_create"),
    path("trainings/<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("trainings/<int:pk>/edit/", views.TrainingEditView.as_view(), name="training_edit"),
    path("trainings/<int:pk>/materials/", views.MaterialAddView.as_view(), name="material_add"),
    path("materials/<int:pk>/", views.MaterialView.as_view(), name="material"),
    path("materials/<int:pk>/delete/", views.MaterialDeleteView.as_view(), name="material_delete"),
]
