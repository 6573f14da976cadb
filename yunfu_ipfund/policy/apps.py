from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "yunfu_ipfund.policy"
    label = "policy"
    verbose_name = "政策参数"
