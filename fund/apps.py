from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = "风险补偿资金账户"

    def ready(self):
        from yunfu_ipfund.notices.kinds import register

        from .reports import ANNUAL, MONTHLY

        register(MONTHLY)
        register(ANNUAL)
