from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "yunfu_ipfund.common"
    label = "common"
    verbose_name = "公共功能"
