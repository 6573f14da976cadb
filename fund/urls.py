from django.urls import path

from . import pages, views

app_name = "fund"

urlpatterns = [
    path("journal/", views.journal, name="journal"),
    path("postings/<int:pk>/", views.posting_detail, name="posting_detail"),
    path("receipts/new/", views.receipt_new, name="receipt_new"),
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment_detail"),
    path("risk/cover/<str:action>/", views.cover_action, name="cover_action"),
    path("reconciliation/", views.period_list, name="period_list"),
    path("reconciliation/<int:pk>/", views.period_detail, name="period_detail"),
]

# The overview, the reports, the risk page, a suspension proposal and the public statistics show the
# loans' figures too: the lenders app composes them and mounts them here (fund.pages).
urlpatterns += [path(route, view, name=name) for route, view, name in pages.composed]
