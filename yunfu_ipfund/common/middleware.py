"""Request context for the audit log, and one HTML path for domain errors."""

import contextvars

from django.contrib import messages
from django.dispatch import Signal
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from .client import client_ip  # noqa: F401  (the one client address; audit.services reads it here)
from .errors import DomainError

current_request = contextvars.ContextVar("current_request", default=None)

# A signed-in user's write (any method but GET/HEAD) refused with 403 or 404 (`request`, `error`): the
# audit log records the attempt (audit.security); common imports no app, so it only tells.
write_refused = Signal()


MSG_NUL = "请求中含有无效字符，请检查输入后重试。"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_nul_byte(request):
    """A NUL character in a query or form value (no database stores it; PostgreSQL refuses it)."""
    sources = [request.GET]
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        sources.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in v for v in values) for data in sources for key, values in data.lists()
    )


class RequestContextMiddleware:
    """Remembers the request for the audit log; refuses a NUL character in form input with a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and has_nul_byte(request):
            return render(request, "error.html", {"error": {"message": MSG_NUL}}, status=400)
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class DomainErrorMiddleware:
    """A DomainError escaping a page view: on a POST, back to the page with the message; otherwise an
    error page.

    Views that want to keep a half-filled form on screen catch the error themselves; this is the net
    below them, so that no refusal ever becomes a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        user = getattr(request, "user", None)
        if (
            exception.status in (403, 404)
            and request.method not in ("GET", "HEAD")
            and user
            and user.is_authenticated
        ):
            write_refused.send(sender=type(exception), request=request, error=exception)
        if request.method == "POST" and exception.status != 404:
            messages.error(request, exception.message)
            for item in exception.details:
                messages.error(request, item.get("message", str(item)))
            back = request.META.get("HTTP_REFERER", "")
            if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
                return redirect(back)
        return render(
            request, "error.html", {"error": exception, "details": exception.details}, status=exception.status
        )
