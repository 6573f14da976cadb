from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "yunfu_ipfund.notices"
    label = "notices"
    verbose_name = "文书、消息与提醒"

    def ready(self):
        from yunfu_ipfund.common import workdays

        from . import kinds  # noqa: F401  (registers the platform's notice kinds)
        from .services import alert_unknown_holiday_year

        if alert_unknown_holiday_year not in workdays.unknown_year_listeners:
            workdays.unknown_year_listeners.append(alert_unknown_holiday_year)
