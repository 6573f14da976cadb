from django.apps import AppConfig


class LendersConfig(AppConfig):
    name = "lenders"
    verbose_name = "合作银行与贷款备案"
