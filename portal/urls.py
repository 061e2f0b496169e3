from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox_mark_read"),
]
