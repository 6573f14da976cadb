"""Thin, idempotent task wrappers around the notices services (queued by name: see services).

A task that fails for a passing reason (the mail server or the database briefly away) is retried by
Celery with exponential backoff, a bounded number of times; after the last retry an outbox row says
so (notices.outbox.record_task_failure). Messages are acknowledged after the task ran (acks_late) and
given back when the worker dies (reject_on_worker_lost, settings), so a killed worker loses nothing.
"""

import smtplib

from celery import Task, shared_task
from django.db import OperationalError

from . import checks, outbox, services


class OutboxTask(Task):
    """Retries with backoff (1/2 minute, doubling, at most 10 minutes, 5 times), then records the failure."""

    autoretry_for = (OperationalError,)
    retry_backoff = 30
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        outbox.record_task_failure(task_id, exc)


@shared_task(name=services.TASK_RENDER_NOTICE, base=OutboxTask)
def render_notice(notice_id):
    services.notice_render(notice_id)  # a rendered notice is left alone


@shared_task(name="notices.retry_failed_renders")
def retry_failed_renders():
    for pk in list(services.notices_to_retry()):
        services.notice_render(pk)


@shared_task(
    bind=True,
    name=services.TASK_SEND_EMAIL,
    base=OutboxTask,
    autoretry_for=(smtplib.SMTPException, OSError, OperationalError),
)
def send_email(self, addresses, subject, body):
    # Not idempotent by itself: a redelivered or re-published message of an e-mail already sent is skipped.
    with outbox.run_once(self.request.id) as first_time:
        if first_time:
            services.deliver_email(addresses, subject, body)


@shared_task(name="notices.dispatch_outbox")
def dispatch_outbox():
    """Publish the outbox rows whose next attempt is due (beat, every minute)."""
    return outbox.outbox_dispatch_due()


@shared_task(name="notices.sweep_reminders")
def sweep_reminders():
    return services.sweep_reminders()


@shared_task(name="notices.daily_checks")
def daily_checks():
    checks.run_daily_checks()
