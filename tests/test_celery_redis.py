"""With REDIS_URL set (CI), a task goes through the real Redis broker to a real worker thread."""

import datetime as dt

import pytest
from django.conf import settings

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.notices.models import Message
from yunfu_ipfund.notices.reminders import reminder_kind
from yunfu_ipfund.notices.services import reminder_schedule

REDIS_TEST = reminder_kind("tests.redis", "测试提醒")

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL); skipped without it"),
    pytest.mark.django_db(transaction=True),
]


def test_the_reminder_sweep_runs_on_a_worker_through_redis(bureau_clerk, bureau, time_machine):
    from celery.contrib.testing.worker import start_worker

    from yunfu_ipfund.celery import app
    from yunfu_ipfund.notices.tasks import sweep_reminders

    time_machine.move_to(dt.datetime(2026, 11, 26, 9, 0), tick=True)
    reminder_schedule(
        kind=REDIS_TEST,
        title="测试提醒",
        about=bureau,
        due_date=dt.date(2026, 11, 26),
        recipient_role=Role.BUREAU_CLERK,
        recipient_org=bureau,
        notify_workdays_before=(),
    )
    app.loader.import_module("celery.contrib.testing.tasks")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = sweep_reminders.apply_async(ignore_result=False)  # results are not kept by default
            assert result.get(timeout=30) == 1
    finally:
        app.conf.task_always_eager = True
    assert Message.objects.filter(recipient=bureau_clerk, title__contains="测试提醒").count() == 1


# --- a worker killed in the middle of a task (issue 12, item 4) -----------------------------------------


def _start_worker(name, log_path):
    """A real `celery -A yunfu_ipfund worker` process (prefork, one child) in its own process group."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "DEBUG": "1"}  # DEBUG: the development settings, no secrets
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "yunfu_ipfund",
        "worker",
        "--include",
        "tests.celery_worker_tasks",
    ]
    command += [
        "--concurrency",
        "1",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{name}@%h",
        "-l",
        "info",
    ]
    return subprocess.Popen(
        command,
        cwd=root,
        env=env,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for(predicate, timeout):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _stop(process):
    import os
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_a_task_whose_worker_is_killed_is_delivered_again_and_completes(tmp_path):
    import os
    import signal
    import time

    from celery import Celery

    from tests.celery_worker_tasks import VISIBILITY_TIMEOUT

    sender = Celery("yunfu_ipfund_sender", set_as_current=False)
    sender.config_from_object("django.conf:settings", namespace="CELERY")
    sender.conf.task_always_eager = False
    sender.connection_for_write().default_channel.client.delete("celery")  # nothing left from earlier runs

    marker, log = tmp_path / "runs.txt", tmp_path / "worker.log"
    first = _start_worker("killed", log)
    try:
        sender.send_task("tests.interrupted", args=[str(marker)])
        assert _wait_for(lambda: marker.exists() and "start" in marker.read_text(), 60), log.read_text()
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool child, in the middle of the task
        first.wait(timeout=10)
        assert marker.read_text() == "start\n"
    finally:
        _stop(first)

    # The broker gives an unacknowledged message back once it is older than the visibility timeout, when
    # a worker scans for such messages: at its start, then only every tenth timer tick (~100 s, kombu's
    # restore throttle). Start the second worker after the timeout has passed, so its first scan finds it.
    time.sleep(VISIBILITY_TIMEOUT + 2)
    second = _start_worker("restarted", log)
    try:
        # Acknowledged only after it ran (acks_late), the message is given back and runs to the end.
        assert _wait_for(lambda: "done" in marker.read_text(), 90), log.read_text()
    finally:
        _stop(second)
    assert marker.read_text() == "start\nstart\ndone\n"


def test_a_task_whose_pool_process_dies_is_requeued_at_once(tmp_path):
    """The worker survives, its pool child is killed: reject_on_worker_lost gives the message back."""
    import os
    import signal

    from celery import Celery

    sender = Celery("yunfu_ipfund_sender", set_as_current=False)
    sender.config_from_object("django.conf:settings", namespace="CELERY")
    sender.conf.task_always_eager = False

    marker, log = tmp_path / "runs.txt", tmp_path / "worker.log"
    worker = _start_worker("childkilled", log)
    try:
        sender.send_task("tests.interrupted", args=[str(marker)])
        assert _wait_for(lambda: marker.exists() and "start" in marker.read_text(), 60), log.read_text()
        children = _children(worker.pid)
        assert children, log.read_text()
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        assert _wait_for(lambda: "done" in marker.read_text(), 60), log.read_text()
    finally:
        _stop(worker)
    assert marker.read_text() == "start\nstart\ndone\n"


def _children(pid):
    from pathlib import Path

    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
