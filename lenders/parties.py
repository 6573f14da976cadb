"""The enterprise is told what happens to its loan (issue 14: quiet parties).

The bank and the bureau see every step of a covered loan on their pages; the borrowing enterprise
heard of none of them but the filing confirmation (the 备案确认书 is copied to it, which tells it).
Each move below sends the enterprise an inbox message (and an e-mail to its users who gave one,
through `notify_organisation`), from the one place moves are announced (`audit.workflow.moved`), in
the move's transaction.
"""

from django.dispatch import receiver

from yunfu_ipfund.audit.workflow import moved
from yunfu_ipfund.notices.services import notify_organisation

from .models import CoveredLoan, LoanFiling

# move name -> (title, what it means for the enterprise). {loan} is "<bank>借款合同<number>的贷款".
LOAN_MOVES = {
    "report_overdue": ("您的贷款已被报告逾期", "{loan}已被合作银行报告逾期，请尽快与银行联系还款。"),
    "classify_non_performing": (
        "您的贷款已被认定为不良贷款",
        "{loan}已被合作银行认定为不良贷款（风险分类：{classification}）；银行可据此申请风险补偿，"
        "补偿不免除贵企业的还款责任。",
    ),
    "claim": (
        "合作银行已就您的贷款申请风险补偿",
        "{bank}已就{loan}向市市场监督管理局申请风险补偿；补偿不免除贵企业的还款责任，银行将继续追偿。",
    ),
    "compensate": (
        "风险补偿资金已就您的贷款向合作银行拨付补偿",
        "风险补偿资金已就{loan}向{bank}拨付补偿；贵企业仍应偿还贷款，银行追回的款项按比例返还资金。",
    ),
    "close": ("您的贷款已结清", "{loan}的补偿和追偿已办结。"),
    "repay": ("您的贷款已还清", "{loan}已由合作银行报告还清，风险补偿备案随之结束。"),
}


def loan_phrase(loan):
    return f"{loan.bank.name}借款合同 {loan.contract_number} 的贷款"


def tell_enterprise(record, *, title, body):
    """`record` a filing or its covered loan; the message links to the enterprise's own application."""
    registration = record.registration if isinstance(record, LoanFiling) else record.filing.registration
    notify_organisation(record.enterprise, title=title, body=body, url=registration.get_absolute_url())


@receiver(moved, sender=CoveredLoan, dispatch_uid="lenders.parties.loan")
def loan_moved(sender, obj, move, **kwargs):
    if move.name not in LOAN_MOVES:
        return
    title, body = LOAN_MOVES[move.name]
    tell_enterprise(
        obj,
        title=title,
        body=body.format(
            loan=loan_phrase(obj), bank=obj.bank.name, classification=obj.get_classification_display()
        ),
    )
