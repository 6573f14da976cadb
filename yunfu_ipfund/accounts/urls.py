from django.contrib.auth import views as auth_views
from django.urls import path

from . import display, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("second-factor/", views.second_factor_verify, name="second_factor"),
    path("second-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path("second-factor/recovery-codes/", views.recovery_codes_reissue, name="recovery_codes"),
    path("display/large-type/", display.large_type, name="large_type"),
    path("home/", views.home, name="home"),
    path("tasks/", views.tasks, name="tasks"),
    path("admin-requests/", views.admin_requests, name="admin_requests"),
    path("admin-requests/<int:pk>/", views.admin_request, name="admin_request"),
    path("admin-requests/<int:pk>/<str:move>/", views.admin_request_decide, name="admin_request_decide"),
]
