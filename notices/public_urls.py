from django.urls import path

from notices import views

app_name = "public"
urlpatterns = [
    path("notices/", views.public_list, name="public_list"),
    path("notices/<int:pk>/", views.public_detail, name="public_detail"),
    path("notices/<int:pk>/notice.pdf", views.public_pdf, name="public_pdf"),
    path("objections/receipt/", views.public_receipt, name="public_receipt"),
    path("objections/receipt/evidence/", views.public_receipt_evidence, name="public_receipt_evidence"),
]
