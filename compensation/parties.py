"""The enterprise is told when the bank reports money recovered on its compensated loan (issue 14).

The loan's own moves (claimed, compensated, closed) are told by `lenders.parties`; a recovery is the
claim's record, so it is told here, from the same `audit.workflow.moved` signal.
"""

from django.dispatch import receiver

from lenders.parties import loan_phrase, tell_enterprise
from yunfu_ipfund.audit.workflow import moved
from yunfu_ipfund.common.money import format_money

from .models import Recovery

# The countersigned report: with a share to return (REPORTED) or nothing to return (SETTLED).
REPORTED_MOVES = ("countersign", "countersign_nothing_due")


@receiver(moved, sender=Recovery, dispatch_uid="compensation.parties.recovery")
def recovery_moved(sender, obj, move, **kwargs):
    if move.name not in REPORTED_MOVES:
        return
    loan = obj.claim.covered_loan
    tell_enterprise(
        loan,
        title="合作银行已报告追回您的贷款款项",
        body=(
            f"{loan.bank.name}报告已就{loan_phrase(loan)}追回 {format_money(obj.amount)} 元；"
            "追回款项按比例返还风险补偿资金，贵企业尚未偿还的部分仍应偿还。"
        ),
    )
