"""Service activities and photos, stays and the day count, tasks, flags, working conditions and requests."""
from django.urls import path

from fieldwork import views_activities as activities
from fieldwork import views_stays as stays
from fieldwork import views_town as town

app_name = "fieldwork"

urlpatterns = [
    # service activities (服务活动) and their photos
    path("activities/", activities.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", activities.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/confirm/", activities.ActivityBulkConfirmView.as_view(), name="activity_bulk_confirm"),
    path("activities/<int:pk>/", activities.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", activities.ActivityEditView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/photos/", activities.PhotoAddView.as_view(), name="photo_add"),
    path("activities/<int:pk>/act/<str:action>/", activities.ActivityActionView.as_view(), name="activity_action"),
    path("photos/<int:pk>/", activities.PhotoView.as_view(), name="photo"),
    path("photos/<int:pk>/thumb/", activities.PhotoThumbView.as_view(), name="photo_thumb"),
    path("photos/<int:pk>/delete/", activities.PhotoDeleteView.as_view(), name="photo_delete"),
    path("gallery/", activities.GalleryView.as_view(), name="gallery"),
    # stays (驻镇时间) and the day count
    path("stays/", stays.StayListView.as_view(), name="stay_list"),
    path("stays/new/", stays.StayCreateView.as_view(), name="stay_create"),
    path("stays/confirm/", stays.StayBulkConfirmView.as_view(), name="stay_bulk_confirm"),
    path("stays/<int:pk>/", stays.StayDetailView.as_view(), name="stay_detail"),
    path("stays/<int:pk>/edit/", stays.StayEditView.as_view(), name="stay_edit"),
    path("stays/<int:pk>/act/<str:action>/", stays.StayActionView.as_view(), name="stay_action"),
    path("days/", stays.DaysListView.as_view(), name="days_list"),
    path("days/<int:team_pk>/", stays.TeamDaysView.as_view(), name="team_days"),
    # the work team: tasks, flags (履职预警), working conditions and the team's requests (问题反映)
    path("tasks/", town.TaskListView.as_view(), name="task_list"),
    path("tasks/new/", town.TaskCreateView.as_view(), name="task_create"),
    path("tasks/<int:pk>/", town.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/edit/", town.TaskEditView.as_view(), name="task_edit"),
    path("tasks/<int:pk>/act/<str:action>/", town.TaskActionView.as_view(), name="task_action"),
    path("flags/", town.FlagListView.as_view(), name="flag_list"),
    path("flags/report/", town.FlagReportView.as_view(), name="flag_report"),
    path("flags/<int:pk>/", town.FlagDetailView.as_view(), name="flag_detail"),
    path("flags/<int:pk>/act/<str:action>/", town.FlagActionView.as_view(), name="flag_action"),
    path("conditions/", town.ConditionsListView.as_view(), name="conditions_list"),
    path("conditions/edit/", town.ConditionsEditView.as_view(), name="conditions_edit"),
    path("conditions/<int:pk>/", town.ConditionsDetailView.as_view(), name="conditions_detail"),
    path("requests/", town.RequestListView.as_view(), name="request_list"),
    path("requests/new/", town.RequestCreateView.as_view(), name="request_create"),
    path("requests/<int:pk>/", town.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/act/<str:action>/", town.RequestActionView.as_view(), name="request_action"),
]
