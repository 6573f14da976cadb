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

        # Deadlines kept on the records follow their reminders when the holiday table changes.
        from yunfu_ipfund.policy.holiday_services import follow_due_fields

        from .models import Claim, Clawback, Recovery, SupplementRequest

        follow_due_fields(Claim, "intake_due_on", "review_due_on", "payment_due_on")
        follow_due_fields(SupplementRequest, "due_on")
        follow_due_fields(Recovery, "report_due_on", "return_due_on")
        follow_due_fields(Clawback, "due_on")

        # The enterprise told of recoveries on its loan (compensation.parties, audit.workflow.moved).
        from . import parties  # noqa: F401
