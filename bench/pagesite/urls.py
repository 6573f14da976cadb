"""The portal's URLs plus /__bench__/bare: HttpResponse("ok") through the same middleware."""

from django.http import HttpResponse
from django.urls import path

from yunfu_ipfund.urls import handler404, handler500  # noqa: F401
from yunfu_ipfund.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("__bench__/bare", bare), *portal_urlpatterns]
