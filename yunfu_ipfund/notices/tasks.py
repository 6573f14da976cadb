"""Thin, idempotent task wrappers around the notices services (queued by name: see services)."""

from celery import shared_task

from . import checks, services


@shared_task(name=services.TASK_RENDER_NOTICE)
def render_notice(notice_id):
    services.notice_render(notice_id)


@shared_task(name="notices.retry_failed_renders")
def retry_failed_renders():
    for pk in list(services.notices_to_retry()):
        services.notice_render(pk)


@shared_task(name=services.TASK_SEND_EMAIL)
def send_email(addresses, subject, body):
    services.deliver_email(addresses, subject, body)


@shared_task(name="notices.sweep_reminders")
def sweep_reminders():
    return services.sweep_reminders()


@shared_task(name="notices.daily_checks")
def daily_checks():
    checks.run_daily_checks()
