"""Chinese 404 and 500 pages even when DEBUG is on (the demo runs with DEBUG).

With DEBUG, Django answers an unknown URL with its English technical page that lists every URL
pattern, and an uncaught exception with a traceback. The demo is shown to newcomers, so those pages
are replaced by the portal's own (the project's `handler404` / `handler500`) unless a developer asks
for Django's with `DEBUG_TECHNICAL_PAGES=true`. The exception is still logged as before.
"""

from django.conf import settings
from django.urls import get_resolver

# Django's technical 404 and 500 pages carry this robots tag; the portal's own pages never do.
_TECHNICAL_MARK = b'content="NONE,NOARCHIVE"'


def is_technical_page(response):
    return (
        response.status_code in (404, 500)
        and not getattr(response, "streaming", False)
        and response.get("Content-Type", "").startswith("text/html")
        and _TECHNICAL_MARK in response.content
    )


class FriendlyErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and not settings.DEBUG_TECHNICAL_PAGES and is_technical_page(response):
            handler = get_resolver().resolve_error_handler(response.status_code)
            response = handler(request) if response.status_code == 500 else handler(request, None)
        return response
