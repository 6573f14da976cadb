"""Celery application. Beat schedule lives here, in code (ARCHITECTURE.md: background work)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yunfu_ipfund.settings")

app = Celery("yunfu_ipfund")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Reminders are rows; the sweep sends what is due, escalates what is overdue and runs
    # the moves the rules make by themselves. Idempotent, so running it often is harmless.
    "sweep-reminders": {"task": "notices.sweep_reminders", "schedule": crontab(minute="*/10")},
    # Outbox rows (e-mails, renders, import runs) whose publication failed are published again, with
    # backoff, until sent or given up (notices.outbox; issue 12 item 4).
    "dispatch-outbox": {"task": "notices.dispatch_outbox", "schedule": crontab(minute="*")},
    # Notices whose PDF failed to render are retried; the decision itself is already committed.
    "retry-notice-renders": {"task": "notices.retry_failed_renders", "schedule": crontab(minute="*/15")},
    # Imports whose worker died (lease expired) are queued again, or failed after MAX_ATTEMPTS runs
    # (lenders.imports.import_jobs_recover; issue 12 item 4).
    "recover-import-jobs": {"task": "lenders.recover_import_jobs", "schedule": crontab(minute="*/5")},
    # Daily checks that create reminders: holiday table running out, policy expiry, and so on.
    "daily-checks": {"task": "notices.daily_checks", "schedule": crontab(hour=7, minute=0)},
}
