from django.urls import path

from portal import views, views_story

app_name = "portal"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("story/town/<int:pk>/", views_story.town_story, name="town_story"),
    path("story/team/<int:pk>/", views_story.team_story, name="team_story"),
]
