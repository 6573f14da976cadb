"""A broker that is down, and one that is back, for the outbox tests (issue 12, item 4).

`broker_down()` makes the current Celery app a real (non-eager) one whose broker and result store are a
closed port, as a deployment whose Redis is away; `broker_back()` then swaps in an app that runs what
is published at once (eager), standing for a broker and a worker that are reachable again (the real
Redis and worker are exercised by tests/test_celery_redis.py).
"""

import contextlib

from celery import Celery, current_app

import lenders.tasks  # noqa: F401  (registers the shared tasks on every app)
import yunfu_ipfund.notices.tasks  # noqa: F401

DOWN_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def make_app(**conf):
    app = Celery("yunfu_ipfund_test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(**conf)
    return app


@contextlib.contextmanager
def current(app):
    previous = current_app._get_current_object()
    app.set_current()
    try:
        yield app
    finally:
        previous.set_current()


def broker_down():
    return current(make_app(task_always_eager=False, broker_url=DOWN_URL, result_backend=DOWN_URL))


def broker_back():
    return current(make_app(task_always_eager=True, task_eager_propagates=True))
