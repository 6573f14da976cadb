"""The rate limit of the public forms (notice verification, objections to a public notice).

One allowance an hour per client address (common.client: never a forged X-Forwarded-For) and form
(`bucket`), counted in the cache; the allowance is
`settings.PUBLIC_FORM_RATE_PER_HOUR`.
"""

from django.conf import settings
from django.core.cache import cache

from .client import client_ip

WINDOW_SECONDS = 3600


def rate_limited(request, bucket):
    """Count this request; True when this address has used up its hourly allowance for `bucket`."""
    key = f"rate:{bucket}:{client_ip(request)}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > settings.PUBLIC_FORM_RATE_PER_HOUR
