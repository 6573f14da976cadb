"""The database briefly away: a clear Chinese "系统繁忙，请稍后重试" answer (503), never a 500 (issue 12).

PostgreSQL restarting, a failover or a dropped connection raises `OperationalError`/`InterfaceError`.
The connection that saw it is closed at the end of the request (Django marks it `errors_occurred`) and
the next request reconnects (CONN_HEALTH_CHECKS checks a reused connection first). Meanwhile the user
sees a page, or for the API a JSON error body, that says to try again, with `Retry-After`.

The page is rendered without the request's context processors: they read the database too.

Two ways an error arrives here: raised by a view (`process_exception`), or raised in a middleware
further in (the session or the user loaded by an inner middleware), which Django has already turned
into a 500 response by then: `got_request_exception` marks the request and the 500 becomes the 503.
"""

import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

MSG_DB_UNAVAILABLE = "系统繁忙，请稍后重试。"
RETRY_AFTER_SECONDS = 30
_MARK = "_yunfu_db_unavailable"


def is_database_unavailable(exception):
    return isinstance(exception, (OperationalError, InterfaceError))


def db_unavailable_response(request):
    if request.path.startswith("/api/"):
        body = {"error": {"code": "database_unavailable", "message": MSG_DB_UNAVAILABLE, "details": []}}
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        html = render_to_string("common/db_unavailable.html", {"message": MSG_DB_UNAVAILABLE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _mark(sender, request=None, **kwargs):
    exception = sys.exc_info()[1]
    if request is not None and is_database_unavailable(exception):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark, dispatch_uid="yunfu_db_unavailable_mark")


class DatabaseUnavailableMiddleware:
    """Early in MIDDLEWARE (outside the session and authentication middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            return db_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return db_unavailable_response(request)
        return None
