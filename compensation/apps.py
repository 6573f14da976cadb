from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "compensation"
    verbose_name = "风险补偿"

    def ready(self):
        from fund.signals import money_arrived

        # Importing the services registers the notice kinds (documents), the reminder kinds and the
        # handlers the reminder sweep runs (a supplement lapses, a public notice ends).
        from .services import pay_queue_when_money_arrives

        money_arrived.connect(pay_queue_when_money_arrives, dispatch_uid="compensation-pay-queue")
