"""`Cache-Control: no-store` on every authenticated response (issue 12).

A page, an API answer or a PDF a signed-in user received must not stay in a browser's or a proxy's
cache, where the next user of a shared office computer could read it. Public pages (the verification
form, the public notices) keep their ordinary caching.
"""

from django.utils.cache import add_never_cache_headers


def is_authenticated_request(request):
    """A session user who is signed in, or credentials sent with the request (the bank API's token:
    DRF puts the user it authenticated on the request, and a refused token is still a credential)."""
    if request.META.get("HTTP_AUTHORIZATION"):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreForAuthenticatedMiddleware:
    """After AuthenticationMiddleware: marks the responses of authenticated requests no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_authenticated_request(request):
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private, max-age=0
        return response
