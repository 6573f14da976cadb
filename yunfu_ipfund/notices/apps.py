from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "yunfu_ipfund.notices"
    label = "notices"
    verbose_name = "文书、消息与提醒"

    def ready(self):
        # Imported here, not at the top: they import models, which exist only once apps are ready.
        # kinds and tasks are imported for what they register: the platform's notice kinds, and the
        # Celery tasks that the services queue by name (a web process has no worker to discover them).
        from yunfu_ipfund.accounts import context_processors
        from yunfu_ipfund.accounts import services as accounts_services
        from yunfu_ipfund.accounts import signals as accounts_signals
        from yunfu_ipfund.common.articles import ARTICLE_5

        from . import kinds, tasks  # noqa: F401
        from .checks import register_daily_check
        from .selectors import inbox_context, reminder_tasks
        from .services import notify_users

        context_processors.register_task_source(reminder_tasks)
        context_processors.register_context_source(inbox_context)

        # accounts' messages about administrative requests, and its daily checks (docs/security.md)
        def deliver_accounts_message(sender, *, users, title, body="", url="", **kwargs):
            notify_users(users, title=title, body=body, url=url)

        accounts_signals.notify.connect(deliver_accounts_message, weak=False, dispatch_uid="notices.accounts")
        register_daily_check(accounts_services.lock_inactive_accounts, articles=(ARTICLE_5,))
        register_daily_check(accounts_services.admin_requests_expire, articles=(ARTICLE_5,))
