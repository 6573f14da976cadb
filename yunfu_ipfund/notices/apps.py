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

        from . import kinds, tasks  # noqa: F401
        from .selectors import inbox_context, reminder_tasks

        context_processors.register_task_source(reminder_tasks)
        context_processors.register_context_source(inbox_context)
