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
            result = sweep_reminders.apply_async()
            assert result.get(timeout=30) == 1
    finally:
        app.conf.task_always_eager = True
    assert Message.objects.filter(recipient=bureau_clerk, title__contains="测试提醒").count() == 1
