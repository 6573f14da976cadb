from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "yunfu_ipfund.notices"
    label = "notices"
    verbose_name = "文书、消息与提醒"

    def ready(self):
        # Imported for what they register: the platform's notice kinds, and the Celery tasks that the
        # services queue by name (a web process has no worker to discover them).
        from . import kinds, tasks  # noqa: F401
