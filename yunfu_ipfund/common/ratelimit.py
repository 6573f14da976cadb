"""The rate limit of the public forms (notice verification, objections to a public notice).

One allowance an hour per client address (common.client: never a forged X-Forwarded-For) and form
(`bucket`), counted in the cache; the allowance is
`settings.PUBLIC_FORM_RATE_PER_HOUR`.

When the cache (Redis) cannot be reached the count is kept in this process instead (each worker
process then allows the hourly allowance on its own): the public forms keep answering, still limited,
instead of failing with a 500. The outage is logged once, and again once after the cache came back.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

from .client import client_ip

log = logging.getLogger(__name__)

WINDOW_SECONDS = 3600
LOCAL_MAX_KEYS = 10_000  # the fallback's memory is bounded: the oldest windows go first

_local: dict[str, list[float]] = {}  # key -> [count, window start (monotonic)]
_local_lock = threading.Lock()
_cache_down = False


def rate_limited(request, bucket):
    """Count this request; True when this address has used up its hourly allowance for `bucket`."""
    key = f"rate:{bucket}:{client_ip(request)}"
    try:
        count = _count_in_cache(key)
    except Exception as exc:  # the cache backend's connection errors (redis, memcached …) vary by backend
        _note_cache_down(exc)
        count = _count_locally(key)
    else:
        _note_cache_up()
    return count > settings.PUBLIC_FORM_RATE_PER_HOUR


def _count_in_cache(key):
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def _count_locally(key):
    now = time.monotonic()
    with _local_lock:
        entry = _local.get(key)
        if entry is None or now - entry[1] >= WINDOW_SECONDS:
            if entry is None and len(_local) >= LOCAL_MAX_KEYS:
                for old in sorted(_local, key=lambda k: _local[k][1])[: LOCAL_MAX_KEYS // 10]:
                    del _local[old]
            entry = _local[key] = [0, now]
        entry[0] += 1
        return entry[0]


def _note_cache_down(exc):
    global _cache_down
    if not _cache_down:
        _cache_down = True
        log.error("rate limit: the cache is unreachable (%r); counting in this process meanwhile", exc)


def _note_cache_up():
    global _cache_down
    if _cache_down:
        _cache_down = False
        log.warning("rate limit: the cache is reachable again; counting in the cache")
