from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PolicyConfig(AppConfig):
    name = "yunfu_ipfund.policy"
    label = "policy"
    verbose_name = "政策参数"

    def ready(self):
        # Imported here, not at the top: they import models, which exist only once apps are ready.
        from yunfu_ipfund.common import workdays
        from yunfu_ipfund.common.articles import ARTICLE_17, ARTICLE_23, ARTICLE_24
        from yunfu_ipfund.notices.checks import register_daily_check

        from . import holidays, services
        from .seed import seed_if_empty

        post_migrate.connect(seed_if_empty, sender=self)
        workdays.use_holiday_table(holidays.HOLIDAY_TABLE)
        if holidays.alert_unknown_holiday_year not in workdays.unknown_year_listeners:
            workdays.unknown_year_listeners.append(holidays.alert_unknown_holiday_year)
        register_daily_check(holidays.check_holiday_table, articles=(ARTICLE_17,))
        register_daily_check(services.check_policy_expiry, articles=(ARTICLE_23, ARTICLE_24))
