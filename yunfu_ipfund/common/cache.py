"""The Redis cache backend of the deployment, which keeps the portal answering when Redis is away.

What the portal keeps in the cache can be recomputed (the public statistics, an import's progress):
a read that cannot reach Redis is a miss, a write or a deletion that cannot is skipped (an entry lives
at most its timeout), and the outage is logged once, not once per request. The counting operations
(`add`, `incr`, `decr`) still raise: a count that silently failed would be a wrong answer, so their one
user, the public rate limiter (common.ratelimit), falls back to counting in the process itself.
"""

import functools
import logging

import redis
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

_down = False


def _miss_when_down(default=None):
    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            global _down
            try:
                result = method(self, *args, **kwargs)
            except redis.exceptions.RedisError as exc:
                if not _down:
                    _down = True
                    log.error("cache: Redis is unreachable (%r); reads miss and writes are skipped", exc)
                return default() if callable(default) else default
            if _down:
                _down = False
                log.warning("cache: Redis is reachable again")
            return result

        return wrapper

    return decorator


class ResilientRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        return _miss_when_down(lambda: default)(RedisCache.get)(self, key, default, version)

    get_many = _miss_when_down(dict)(RedisCache.get_many)
    has_key = _miss_when_down(False)(RedisCache.has_key)
    set = _miss_when_down()(RedisCache.set)
    set_many = _miss_when_down(list)(RedisCache.set_many)
    touch = _miss_when_down(False)(RedisCache.touch)
    delete = _miss_when_down(False)(RedisCache.delete)
    delete_many = _miss_when_down()(RedisCache.delete_many)
    clear = _miss_when_down(False)(RedisCache.clear)
