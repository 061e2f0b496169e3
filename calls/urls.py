from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("", views.CallListView.as_view(), name="call_list"),
    path("new/", views.CallCreateView.as_view(), name="call_create"),
    path("<int:pk>/", views.CallDetailView.as_view(), name="call_detail"),
    path("<int:pk>/edit/", views.CallEditView.as_view(), name="call_edit"),
    path("<int:pk>/amend/", views.CallAmendView.as_view(), name="call_amend"),
    path("<int:pk>/attachments/add/", views.CallAttachmentAddView.as_view(), name="call_attachment_add"),
    path("<int:pk>/summary.xlsx", views.CallSummaryView.as_view(), name="call_summary"),
    path("<int:pk>/apply/", views.ApplicationStartView.as_view(), name="application_start"),
    path("<int:pk>/act/<str:action>/", views.CallActionView.as_view(), name="call_action"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("public/", views.public_call_list, name="public_list"),
    path("public/<int:pk>/", views.public_call_detail, name="public_call"),
    path("public/<int:pk>/signup/", views.LeaderSignupView.as_view(), name="signup"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/edit/", views.ApplicationEditView.as_view(), name="application_edit"),
    path("applications/<int:pk>/towns/add/", views.ApplicationTownAddView.as_view(), name="application_town_add"),
    path("applications/<int:pk>/towns/<int:row>/remove/", views.ApplicationTownRemoveView.as_view(),
         name="application_town_remove"),
    path("applications/<int:pk>/act/<str:action>/", views.ApplicationActionView.as_view(), name="application_action"),
    path("applications/<int:pk>/files/<str:field>/", views.ApplicationFileView.as_view(), name="application_file"),
    path("applications/<int:pk>/print.<str:fmt>", views.ApplicationPrintView.as_view(), name="application_print"),
]
