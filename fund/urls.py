from django.urls import path

from . import public, views

app_name = "fund"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("statistics/", public.statistics, name="statistics"),
    path("journal/", views.journal, name="journal"),
    path("postings/<int:pk>/", views.posting_detail, name="posting_detail"),
    path("receipts/new/", views.receipt_new, name="receipt_new"),
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment_detail"),
    path("risk/", views.risk, name="risk"),
    path("risk/cover/<str:action>/", views.cover_action, name="cover_action"),
    path("risk/proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("reconciliation/", views.period_list, name="period_list"),
    path("reconciliation/<int:pk>/", views.period_detail, name="period_detail"),
    path("reports/", views.report_issue, name="report_issue"),
]
