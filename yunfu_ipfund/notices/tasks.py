"""Thin, idempotent task wrappers around the notices services."""

from celery import shared_task

from . import services


@shared_task(name="notices.render_notice")
def render_notice(notice_id):
    services.notice_render(notice_id)


@shared_task(name="notices.retry_failed_renders")
def retry_failed_renders():
    for pk in list(services.notices_to_retry()):
        services.notice_render(pk)


@shared_task(name="notices.send_email")
def send_email(addresses, subject, body):
    services.deliver_email(addresses, subject, body)


@shared_task(name="notices.sweep_reminders")
def sweep_reminders():
    return services.sweep_reminders()


@shared_task(name="notices.daily_checks")
def daily_checks():
    from .checks import run_daily_checks

    run_daily_checks()
