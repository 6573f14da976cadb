"""A memo that lives for one request: values read many times while a page is built (the policy version
in force, a year of the holiday table) are read once.

`RequestMemoMiddleware` opens an empty memo at the start of each request and drops it at the end, so
nothing is kept across requests, workers or threads (a `contextvars.ContextVar`: each thread and each
request has its own). Outside a request (Celery tasks, management commands, the shell) there is no
memo and `memoized` simply computes: the same reads as without it.

Whoever memoizes a value clears the memo when the rows behind it change (`memo_clear` is a signal
receiver: the policy app connects it to its models' post_save and post_delete), so a write in the
same request is seen by the reads after it. This module knows no app.
"""

import contextvars
from contextlib import contextmanager

_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("request_memo", default=None)


def memoized(key, compute):
    """`compute()`, remembered under `key` for the rest of the request (not remembered outside one)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def memo_active():
    return _memo.get() is not None


def memo_clear(*args, **kwargs):
    """Forget everything remembered in this request (usable as a signal receiver)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


@contextmanager
def request_memo():
    """A fresh memo for the duration of the block (what the middleware does around a request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class RequestMemoMiddleware:
    """One memo per request, dropped when the response is made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_memo():
            return self.get_response(request)
