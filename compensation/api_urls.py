"""The bank API for compensation claims, under /api/claims/."""

from rest_framework.routers import DefaultRouter

from .api import ClaimViewSet

router = DefaultRouter(trailing_slash=True, use_regex_path=False)
router.include_root_view = False
router.include_format_suffixes = False  # JSON only: no /api/claims.json routes
router.register("claims", ClaimViewSet, basename="api-claims")

urlpatterns = router.urls
