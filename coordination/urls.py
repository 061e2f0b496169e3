"""Coordination (协调指导): groups, members, meetings and their documents, follow-up items."""
from django.urls import path

from coordination import views

app_name = "coordination"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("groups/new/", views.GroupCreateView.as_view(), name="group_create"),
    path("groups/<int:pk>/", views.GroupDetailView.as_view(), name="group_detail"),
    path("groups/<int:pk>/edit/", views.GroupEditView.as_view(), name="group_edit"),
    path("groups/<int:group_pk>/members/new/", views.MemberCreateView.as_view(), name="member_create"),
    path("members/<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("groups/<int:group_pk>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("documents/<int:pk>/", views.DocumentView.as_view(), name="document"),
    path("documents/<int:pk>/delete/", views.DocumentDeleteView.as_view(), name="document_delete"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="followup_list"),
    path("groups/<int:group_pk>/follow-ups/new/", views.FollowUpCreateView.as_view(), name="followup_create"),
    path("follow-ups/<int:pk>/", views.FollowUpDetailView.as_view(), name="followup_detail"),
    path("follow-ups/<int:pk>/edit/", views.FollowUpEditView.as_view(), name="followup_edit"),
    path("follow-ups/<int:pk>/act/<str:action>/", views.FollowUpActionView.as_view(), name="followup_action"),
]
