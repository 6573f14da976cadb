from django.apps import AppConfig

BANK_PREFIX = "云市监知合"
FILING_PREFIX = "云市监知备"
TEMPLATE = "lenders/pdf/notice.html"


class LendersConfig(AppConfig):
    name = "lenders"
    verbose_name = "合作银行与贷款备案"

    def ready(self):
        from applications import hooks
        from yunfu_ipfund.notices.kinds import NoticeKind, register

        from .selectors import active_bank_orgs, asset_ids_pledged_under_live_loans

        # The enterprise side's questions to the bank side (applications stands below lenders).
        hooks.active_bank_orgs.register(active_bank_orgs)
        hooks.pledged_asset_ids.register(asset_ids_pledged_under_live_loans)

        # The pages under /fund/ that show the loans' figures beside the fund's (lenders.fund_pages).
        from fund import pages

        from .fund_pages import FUND_PAGES

        pages.compose(FUND_PAGES)

        for code, title, prefix in (
            ("lenders_bank_admission", "合作银行准入通知书", BANK_PREFIX),
            ("lenders_bank_suspension", "暂停备案通知书", BANK_PREFIX),
            ("lenders_bank_reinstatement", "恢复备案通知书", BANK_PREFIX),
            ("lenders_bank_termination", "终止合作通知书", BANK_PREFIX),
            ("lenders_filing_confirmation", "备案确认书", FILING_PREFIX),
            ("lenders_filing_return", "备案补正通知书", FILING_PREFIX),
            ("lenders_filing_refusal", "不予备案通知书", FILING_PREFIX),
        ):
            register(NoticeKind(code=code, title=title, prefix=prefix, template=TEMPLATE))
