"""The bank API for compensation claims, under /api/claims/."""

from django.urls import re_path
from rest_framework.routers import DefaultRouter

from yunfu_ipfund.common.api import api_not_found

from .api import ClaimViewSet

router = DefaultRouter(trailing_slash=True, use_regex_path=False)
router.include_root_view = False
router.include_format_suffixes = False  # JSON only: no /api/claims.json routes
router.register("claims", ClaimViewSet, basename="api-claims")

urlpatterns = [
    *router.urls,
    # An unmatched path under /api/claims/ (an id that is not a number) answers in the API's shape.
    re_path(r"^claims/", api_not_found),
]
