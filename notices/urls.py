from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("", views.NoticeListView.as_view(), name="notice_list"),
    path("new/", views.NoticeCreateView.as_view(), name="notice_create"),
    path("<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("<int:pk>/act/<str:action>/", views.NoticeActionView.as_view(), name="notice_action"),
    path("objections/", views.ObjectionListView.as_view(), name="objection_list"),
    path("objections/<int:pk>/", views.ObjectionDetailView.as_view(), name="objection_detail"),
    path("objections/<int:pk>/evidence/", views.ObjectionEvidenceView.as_view(), name="objection_evidence"),
    path("objections/<int:pk>/act/<str:action>/", views.ObjectionActionView.as_view(), name="objection_action"),
    path("pairings/<int:pk>/replace/", views.ReplacementView.as_view(), name="replacement"),
]
