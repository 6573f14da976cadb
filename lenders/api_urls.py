"""The bank API under /api/: filings and covered loans, the OpenAPI schema and its docs page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from yunfu_ipfund.common.api import api_not_found

from .api import FilingViewSet, LoanViewSet

router = DefaultRouter(trailing_slash=True, use_regex_path=False)
router.include_root_view = False
router.include_format_suffixes = False  # JSON only: no /api/claims.json routes
router.register("filings", FilingViewSet, basename="api-filings")
router.register("loans", LoanViewSet, basename="api-loans")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs page loads Swagger UI from drf-spectacular-sidecar's static files and its init script
    # from this same URL (?script), so the strict Content-Security-Policy holds (no inline script, no CDN).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
    # Under these prefixes an unmatched path (an id that is not a number) answers in the API's shape.
    re_path(r"^(?:filings|loans)/", api_not_found),
]
