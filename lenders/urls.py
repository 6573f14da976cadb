from django.urls import path

from . import token_views, views

app_name = "lenders"
urlpatterns = [
    path("banks/", views.public_banks, name="public_banks"),
    path("bureau/banks/", views.bank_list, name="bank_list"),
    path("bureau/banks/<int:pk>/", views.bank_detail, name="bank_detail"),
    path("bureau/queue/", views.review_queue, name="review_queue"),
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/<int:registration_pk>/file/", views.filing_create, name="filing_create"),
    path("filings/", views.filing_list, name="filing_list"),
    path("filings/<int:pk>/", views.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/edit/", views.filing_edit, name="filing_edit"),
    path("filings/<int:pk>/documents/", views.filing_document_upload, name="filing_document_upload"),
    path("filings/<int:pk>/<str:action>/", views.filing_action, name="filing_action"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("loans/<int:pk>/report/<str:kind>/", views.loan_report, name="loan_report"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/template/<str:kind>.csv", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.<str:fmt>", views.import_errors, name="import_errors"),
    # The bank user's API keys (lenders.token_views); the list keeps the name the navigation uses.
    path("api-token/", token_views.key_list, name="api_token"),
    path("api-token/new/", token_views.key_create, name="api_key_create"),
    path("api-token/<int:pk>/revoke/", token_views.key_revoke, name="api_key_revoke"),
]
urlpatterns.append(path("filings/<int:pk>/archive.zip", views.filing_archive, name="filing_archive"))
urlpatterns += [
    path("loans/<int:pk>/exclude/", views.loan_exclude, name="loan_exclude"),
    path("loans/<int:pk>/review-flag/clear/", views.loan_review_flag_clear, name="loan_review_flag_clear"),
    path("loans/<int:pk>/exclusion-evidence/", views.loan_exclusion_evidence, name="loan_exclusion_evidence"),
]
