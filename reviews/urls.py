"""Expert pools, review rules, reviews with their panels and scores, grants, tranches and the yearly envelopes."""
from django.urls import path

from reviews import views_funding as funding
from reviews import views_pool as pool
from reviews import views_reviews as reviews

app_name = "reviews"

urlpatterns = [
    # expert pools (专家库) and conflicts of interest (回避关系)
    path("experts/", pool.ExpertListView.as_view(), name="expert_list"),
    path("experts/new/", pool.ExpertCreateView.as_view(), name="expert_create"),
    path("experts/import/", pool.ExpertImportView.as_view(), name="expert_import"),
    path("experts/<int:pk>/", pool.ExpertDetailView.as_view(), name="expert_detail"),
    path("experts/<int:pk>/edit/", pool.ExpertEditView.as_view(), name="expert_edit"),
    path("experts/<int:pk>/relations/new/", pool.RelationCreateView.as_view(), name="relation_create"),
    path("relations/<int:pk>/delete/", pool.RelationDeleteView.as_view(), name="relation_delete"),
    path("rules/", pool.ReviewRuleView.as_view(), name="review_rules"),
    # reviews (专家论证), panels and scores
    path("reviews/", reviews.ReviewListView.as_view(), name="review_list"),
    path("reviews/start/<int:project_pk>/", reviews.ReviewStartView.as_view(), name="review_start"),
    path("reviews/<int:pk>/", reviews.ReviewDetailView.as_view(), name="review_detail"),
    path("reviews/<int:pk>/seat/", reviews.SeatAddView.as_view(), name="seat_add"),
    path("reviews/<int:pk>/fill/", reviews.PanelFillView.as_view(), name="panel_fill"),
    path("reviews/<int:pk>/act/<str:action>/", reviews.ReviewActionView.as_view(), name="review_action"),
    path("reviews/<int:pk>/sheet.pdf", reviews.ScoreSheetView.as_view(), name="score_sheet"),
    path("seats/", reviews.SeatListView.as_view(), name="seat_list"),
    path("seats/<int:pk>/", reviews.SeatDetailView.as_view(), name="seat_detail"),
    path("seats/<int:pk>/act/<str:action>/", reviews.SeatActionView.as_view(), name="seat_action"),
    # funding (立项资助), tranches (拨付) and the yearly envelopes (年度资助预算)
    path("grants/", funding.GrantListView.as_view(), name="grant_list"),
    path("grants/ledger.xlsx", funding.LedgerView.as_view(), name="grant_ledger"),
    path("grants/new/<int:review_pk>/", funding.GrantCreateView.as_view(), name="grant_create"),
    path("grants/<int:pk>/", funding.GrantDetailView.as_view(), name="grant_detail"),
    path("grants/<int:pk>/edit/", funding.GrantEditView.as_view(), name="grant_edit"),
    path("grants/<int:pk>/disburse/", funding.DisbursementCreateView.as_view(), name="disbursement_create"),
    path("disbursements/<int:pk>/voucher/", funding.VoucherView.as_view(), name="voucher"),
    path("envelopes/", funding.EnvelopeListView.as_view(), name="envelope_list"),
    path("envelopes/new/", funding.EnvelopeCreateView.as_view(), name="envelope_create"),
    path("envelopes/<int:pk>/edit/", funding.EnvelopeEditView.as_view(), name="envelope_edit"),
]
