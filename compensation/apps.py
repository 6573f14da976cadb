from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "compensation"
    verbose_name = "风险补偿"

    def ready(self):
        from . import documents

        documents.register_kinds()
        from fund.signals import money_arrived

        from . import actions  # noqa: F401  (registers the reminder actions)
        from .services import pay_queue_when_money_arrives

        money_arrived.connect(pay_queue_when_money_arrives, dispatch_uid="compensation-pay-queue")
