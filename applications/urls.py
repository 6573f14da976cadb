from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("profile/", views.profile_view, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/credit-declaration/", views.credit_declare, name="credit_declare"),
    path("enterprises/<int:pk>/", views.profile_view, name="enterprise_detail"),
    path("enterprises/<int:pk>/credit-check/", views.credit_check, name="credit_check"),
    path(
        "enterprises/<int:pk>/credit-check/<int:check_pk>/extract/",
        views.credit_check_extract,
        name="credit_check_extract",
    ),
    path("enterprises/<int:pk>/region-override/", views.region_override, name="region_override"),
    path("enterprises/<int:pk>/blacklist/", views.blacklist, name="blacklist"),
    path("assets/", views.asset_list, name="asset_list"),
    path("assets/new/", views.asset_new, name="asset_new"),
    path("assets/<int:pk>/", views.asset_detail, name="asset_detail"),
    path("assets/<int:pk>/edit/", views.asset_edit, name="asset_edit"),
    path("assets/<int:pk>/holder-override/", views.asset_override, name="asset_override"),
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/new/", views.registration_new, name="registration_new"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("registrations/<int:pk>/edit/", views.registration_edit, name="registration_edit"),
    path("registrations/<int:pk>/check/", views.registration_check, name="registration_check"),
    path("registrations/<int:pk>/withdraw/", views.registration_withdraw, name="registration_withdraw"),
    path("registrations/<int:pk>/redraft/", views.registration_redraft, name="registration_redraft"),
    path("registrations/<int:pk>/decide/", views.registration_decide, name="registration_decide"),
    path("incoming/", views.registration_list, {"incoming": True}, name="incoming"),
]
