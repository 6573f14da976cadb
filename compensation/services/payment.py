"""Payment and the queue: a decided amount is committed when the fund can carry it (else the claim
queues, first come first served), the approver instructs payment of committed money, finance confirms
it and the payout posts once."""

from django.db import transaction

from fund.locks import lock_fund
from fund.services import commitment_create, payout_post
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.common.parsing import parse_date, parse_text
from yunfu_ipfund.notices.reminders import reminder_resolve
from yunfu_ipfund.notices.services import notify_organisation

from .. import documents, reminders
from ..models import Claim
from .common import (
    finance,
    fund_available,
    issue,
    loan_move,
    logger,
    move,
    now,
    policy_of,
    remind,
    require_move,
    schedule_recovery_report,
)

MSG_VOUCHER_REQUIRED = "请填写凭证号。"

S = Claim.Status


def voucher_of(value):
    return parse_text(value, field="凭证号", message=MSG_VOUCHER_REQUIRED, max_length=60)


def value_date_of(value):
    """The value date finance gives, or today."""
    return parse_date(value, field="起息日") or local_today()


def _commit(claim, *, by=None):
    return commitment_create(
        by=by,  # the approver whose decision commits it; None when the queue drains as money arrives
        amount=claim.approved_amount,
        reference=claim,
        key=f"claim-{claim.pk}-commitment",
        bank=claim.bank,
        reason=f"补偿决定 {claim.reference}",
    )


def commit_or_queue(claim, *, by):
    """Commit the decided amount when the fund can carry it and nobody is queued ahead; else queue.
    `by` (the approver who decided) is the commitment's actor; a queue for want of money is the fund's
    consequence, recorded as the system's move."""
    lock_fund()
    ahead = Claim.objects.filter(status=S.QUEUED).exclude(pk=claim.pk).exists()
    if not ahead and fund_available() >= claim.approved_amount:
        commitment = _commit(claim, by=by)
        Claim.objects.filter(pk=claim.pk).update(commitment=commitment)
        remind(
            reminders.INSTRUCT,
            claim,
            title=f"补偿申请 {claim.reference} 待下达拨付通知",
            due_date=claim.payment_due_on,
            recipient_role=Role.BUREAU_APPROVER,
        )
        return False
    move(claim, "queue", by=None, reason="可用余额不足或前有排队项目", queued_at=now())
    notify_organisation(
        claim.bank,
        title=f"补偿申请 {claim.reference} 已决定补偿，因资金可用余额不足进入拨付排队",
        body="资金到位后将按决定先后顺序拨付。",
        url=claim.get_absolute_url(),
    )
    return True


def _instruct(claim, *, by):
    policy = policy_of(claim)
    claim = move(claim, "instruct_payment", by=by, instructed_by=by, instructed_at=now())
    issue(
        documents.PAYMENT_INSTRUCTION,
        claim,
        documents.payment_instruction(claim, policy=policy),
        by=by,
        addressee=finance(),
        copied_to=[claim.bank],
    )
    reminder_resolve(kind=reminders.INSTRUCT, about=claim)
    remind(
        reminders.PAY,
        claim,
        title=f"补偿申请 {claim.reference} 待确认拨付",
        due_date=claim.payment_due_on or local_today(),
        recipient_role=Role.FINANCE,
    )
    return claim


@transaction.atomic
def claim_instruct_payment(*, by, claim):
    """The bureau approver issues the payment instruction for a decided (committed) claim."""
    return _instruct(claim, by=by)


@transaction.atomic
def pay_queue(*, by=None):
    """Commit and instruct queued claims in decision order while the fund can carry the next one.

    Strictly first-come-first-served: a large claim at the head is never skipped for a smaller one.
    Called after money arrives (recovery returns and clawbacks here; contributions and interest through
    fund.signals.money_arrived). Returns the claims moved.
    """
    lock_fund()
    moved = []
    for claim in Claim.objects.select_for_update().filter(status=S.QUEUED).order_by("decided_at", "id"):
        if fund_available() < claim.approved_amount:
            break
        commitment = _commit(claim)
        Claim.objects.filter(pk=claim.pk).update(commitment=commitment)
        claim.refresh_from_db()
        moved.append(_instruct(claim, by=by))
    return moved


def pay_queue_when_money_arrives(sender, posting, **kwargs):
    """fund.signals.money_arrived receiver: money came in, so queued claims may now be paid in order."""
    try:
        pay_queue(by=None)
    except DomainError:
        logger.exception(
            "paying the queue after posting %s failed; the next arrival or the sweep retries", posting.pk
        )


@transaction.atomic
def claim_confirm_payment(*, by, claim, voucher, value_date=None):
    """Finance confirms the payment from the special account; posts the payout once."""
    require_move(Claim, "confirm_payment", by)
    voucher = voucher_of(voucher)
    value_date = value_date_of(value_date)
    claim = move(
        claim,
        "confirm_payment",
        by=by,
        reason=f"凭证号 {voucher}",
        paid_by=by,
        paid_at=now(),
        payment_voucher=voucher,
        payment_value_date=value_date,
    )
    payout_post(
        by=by,
        commitment=claim.commitment,
        amount=claim.approved_amount,
        key=f"claim-{claim.pk}-payout",
        value_date=value_date,
        reason=f"风险补偿拨付 {claim.reference}（凭证 {voucher}）",
    )
    Claim.objects.filter(pk=claim.pk).update(paid_amount=claim.approved_amount)
    claim.paid_amount = claim.approved_amount
    reminder_resolve(kind=reminders.PAY, about=claim)
    loan_move(claim, claim.covered_loan.Status.COMPENSATED, by=by, reason=f"风险补偿已拨付 {claim.reference}")
    notify_organisation(
        claim.bank,
        title=f"补偿申请 {claim.reference} 的补偿资金已拨付",
        body=f"金额 {format_money(claim.approved_amount)} 元，凭证号 {voucher}。",
        url=claim.get_absolute_url(),
    )
    schedule_recovery_report(claim, local_today())
    return claim
