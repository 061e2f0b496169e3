from django.urls import path

from needs import views

app_name = "needs"
urlpatterns = [
    path("", views.NeedListView.as_view(), name="need_list"),
    path("new/", views.NeedCreateView.as_view(), name="need_create"),
    path("import/", views.NeedImportView.as_view(), name="need_import"),
    path("bulk/", views.NeedBulkView.as_view(), name="need_bulk"),
    path("summary/", views.NeedSummaryView.as_view(), name="summary"),
    path("<int:pk>/", views.NeedDetailView.as_view(), name="need_detail"),
    path("<int:pk>/edit/", views.NeedEditView.as_view(), name="need_edit"),
    path("<int:pk>/act/<str:action>/", views.NeedActionView.as_view(), name="need_action"),
    path("towns/<int:town>/profile/", views.ProfileView.as_view(), name="profile"),
    path("towns/<int:town>/profile/edit/", views.ProfileEditView.as_view(), name="profile_edit"),
    path("profiles/<int:pk>/", views.profile_detail_redirect, name="profile_detail"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/towns/<int:town>/submit/", views.CampaignSubmitView.as_view(), name="campaign_submit"),
    path("campaigns/<int:pk>/act/<str:action>/", views.CampaignActionView.as_view(), name="campaign_action"),
    path("taxonomy/", views.ProductListView.as_view(), name="taxonomy"),
    path("taxonomy/download/", views.taxonomy_download, name="taxonomy_download"),
    path("taxonomy/products/new/", views.ProductCreateView.as_view(), name="product_create"),
    path("taxonomy/products/<int:pk>/", views.ProductEditView.as_view(), name="product_edit"),
    path("taxonomy/problems/", views.ProblemListView.as_view(), name="problems"),
    path("taxonomy/problems/new/", views.ProblemCreateView.as_view(), name="problem_create"),
    path("taxonomy/problems/<int:pk>/", views.ProblemEditView.as_view(), name="problem_edit"),
    path("taxonomy/categories/new/", views.CategoryCreateView.as_view(), name="category_create"),
]
