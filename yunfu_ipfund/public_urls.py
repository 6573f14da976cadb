from django.urls import path

from . import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.home, name="home"),
    path("measures/", public_views.measures, name="measures"),
    path("verify/", public_views.verify, name="verify"),
    path("healthz", public_views.healthz, name="healthz"),
]
