from django.urls import path

from . import views

app_name = "compensation"
urlpatterns = [
    path("", views.claim_list, name="claim_list"),
    path("new/", views.claim_new, name="claim_new"),
    path("queue/", views.queue, name="queue"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/evidence/<int:item_pk>/", views.evidence_download, name="evidence_download"),
    path("claims/<int:pk>/<slug:action>/", views.claim_action, name="claim_action"),
    path("recoveries/<int:pk>/receipt/", views.recovery_receipt, name="recovery_receipt"),
    path("recoveries/<int:pk>/evidence/", views.recovery_evidence, name="recovery_evidence"),
    path("recoveries/<int:pk>/<slug:action>/", views.recovery_action, name="recovery_action"),
    path("clawbacks/<int:pk>/receipt/", views.clawback_receipt, name="clawback_receipt"),
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
]
urlpatterns.append(path("claims/<int:pk>/archive.zip", views.claim_archive, name="claim_archive"))
