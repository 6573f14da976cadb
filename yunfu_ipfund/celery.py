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
    # Notices whose PDF failed to render are retried; the decision itself is already committed.
    "retry-notice-renders": {"task": "notices.retry_failed_renders", "schedule": crontab(minute="*/15")},
    # Daily checks that create reminders: holiday table running out, policy expiry, and so on.
    "daily-checks": {"task": "notices.daily_checks", "schedule": crontab(hour=7, minute=0)},
}
