from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = "风险补偿资金账户"

    def ready(self):
        from . import documents  # noqa: F401  (registers the fund's notice kinds)
