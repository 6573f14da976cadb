from django.apps import AppConfig


class LendersConfig(AppConfig):
    name = "lenders"
    verbose_name = "合作银行与贷款备案"

    def ready(self):
        from applications import hooks

        from .selectors import active_bank_orgs, asset_ids_pledged_under_live_loans

        # The enterprise side's questions to the bank side (applications stands below lenders).
        hooks.active_bank_orgs.register(active_bank_orgs)
        hooks.pledged_asset_ids.register(asset_ids_pledged_under_live_loans)

        # A filing's deadlines follow their reminders when the holiday table changes.
        from yunfu_ipfund.policy.holiday_services import follow_due_fields

        from .models import LoanFiling

        follow_due_fields(LoanFiling, "review_due_on", "correction_due_on")

        # The pages under /fund/ that show the loans' figures beside the fund's (lenders.fund_pages).
        from fund import pages

        from .fund_pages import FUND_PAGES

        pages.compose(FUND_PAGES)

        # Imported for what they register: the notice kinds (lenders.documents), the Celery tasks the
        # services queue by name (a web process has no worker to discover them), and the receivers that
        # tell the enterprise of its loan's moves (lenders.parties, on audit.workflow.moved).
        from . import documents, parties, tasks  # noqa: F401
