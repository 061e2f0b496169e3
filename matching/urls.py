from django.urls import path

from matching import views

app_name = "matching"
urlpatterns = [
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/new/", views.RoundCreateView.as_view(), name="round_create"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/runs/<int:run>/", views.RunDetailView.as_view(), name="run_detail"),
    path("rounds/<int:pk>/run/", views.RoundRunView.as_view(), name="round_run"),
    path("rounds/<int:pk>/constraints/", views.ConstraintView.as_view(), name="constraint_set"),
    path("rounds/<int:pk>/constraints/<int:constraint>/remove/", views.ConstraintRemoveView.as_view(), name="constraint_remove"),
    path("rounds/<int:pk>/panel/", views.PanelScoreView.as_view(), name="panel_score"),
    path("rounds/<int:pk>/meeting/", views.MeetingView.as_view(), name="meeting"),
    path("rounds/<int:pk>/minutes/", views.MinutesView.as_view(), name="minutes"),
    path("rounds/<int:pk>/finalize/<int:run>/", views.FinalizeView.as_view(), name="finalize"),
    path("rounds/<int:pk>/compare/", views.CompareView.as_view(), name="compare"),
    path("pairings/", views.PairingListView.as_view(), name="pairing_list"),
    path("pairings/<int:pk>/", views.PairingDetailView.as_view(), name="pairing_detail"),
]
