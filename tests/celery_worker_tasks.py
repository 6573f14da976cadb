"""A task for the real-worker test (tests/test_celery_redis.py), loaded into the worker process with
`celery worker --include tests.celery_worker_tasks`; not part of the application.

`tests.interrupted` appends "start" to its file; on its first run it then waits (the test kills the
worker meanwhile), on a later run (the message delivered again) it appends "done". The worker's broker
gives an unacknowledged message back after VISIBILITY_TIMEOUT seconds instead of an hour, so the test
does not wait long for the redelivery.
"""

import time
from pathlib import Path

from celery import shared_task

from yunfu_ipfund.celery import app

VISIBILITY_TIMEOUT = 5
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "visibility_timeout": VISIBILITY_TIMEOUT,
}


@shared_task(name="tests.interrupted")
def interrupted(path):
    marker = Path(path)
    with marker.open("a") as out:
        out.write("start\n")
    if marker.read_text().count("start") == 1:
        time.sleep(120)  # killed meanwhile
        return
    with marker.open("a") as out:
        out.write("done\n")
