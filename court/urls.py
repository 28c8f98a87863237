"""The court stage of a case, under its Notices and court section; managers' approvals."""

from django.urls import path

from court import views

app_name = "court"

CASE = "cases/<int:case_id>/court/"

urlpatterns = [
    path(CASE + "claim/", views.claim_new, name="claim_new"),
    path(CASE + "claims/<int:claim_id>/", views.claim_detail, name="claim_detail"),
    path(CASE + "<int:court_case_id>/hearing/", views.hearing_new, name="hearing_new"),
    path(
        CASE + "<int:court_case_id>/eviction-report/",
        views.warrant_request_new,
        name="warrant_request_new",
    ),
    path(
        CASE + "eviction-reports/<int:request_id>/",
        views.warrant_request_detail,
        name="warrant_request_detail",
    ),
    path(CASE + "warrants/<int:warrant_id>/eviction/", views.eviction_new, name="eviction_new"),
    path(CASE + "warrants/<int:warrant_id>/<slug:step>/", views.warrant_step, name="warrant_step"),
    path(
        CASE + "suspensions/<int:application_id>/",
        views.suspension_decide,
        name="suspension_decide",
    ),
    path(CASE + "notices/<int:notice_id>/review/", views.review_new, name="review_new"),
    path(CASE + "reviews/<int:review_id>/", views.review_detail, name="review_detail"),
    path(
        CASE + "accounts/<int:account_id>/money-claim/",
        views.money_claim_new,
        name="money_claim_new",
    ),
    path(
        CASE + "money-claims/<int:claim_id>/", views.money_claim_detail, name="money_claim_detail"
    ),
    path("approvals/", views.approvals, name="approvals"),
]
