from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "yunfu_ipfund.audit"
    label = "audit"
    verbose_name = "审计日志"
