from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = "风险补偿资金账户"
