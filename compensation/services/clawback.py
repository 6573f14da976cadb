"""Clawback (Articles 16, 21): the approver rescinds a compensation that rested on false information;
what is still committed is released, what was paid is demanded back, the loan leaves cover and the
enterprise is blacklisted; finance confirms the money back."""

from decimal import Decimal

from django.db import transaction

from applications.models import Blacklisting
from applications.services import blacklist_enterprise
from fund.selectors import commitment_remaining
from fund.services import clawback_receive, commitment_release
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.common.parsing import parse_text
from yunfu_ipfund.common.uploads import validate_upload
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.reminders import reminder_resolve

from .. import documents, reminders
from ..models import Claim, Clawback
from .common import finance, issue, loan_move, move, now, policy_of, remind, require_move
from .payment import pay_queue, value_date_of, voucher_of

MSG_REASON_REQUIRED = "请填写理由。"


@transaction.atomic
def claim_rescind(*, by, claim, reason, evidence=None):
    """The approver rescinds a compensation found to rest on false information (Articles 16, 21):
    releases what is still committed, demands back what was paid, excludes the loan and blacklists
    the enterprise for the policy's years. The deadline to pay back (`clawback_return_workdays`) and the
    blacklist years are those of the version in force on the day of the rescission, not the claim's."""
    require_move(Claim, "rescind", by)
    reason = parse_text(reason, field="撤销理由", message=MSG_REASON_REQUIRED)
    today = local_today()
    policy = policy_of(claim, on=today)
    content_type = sha256 = ""
    if evidence is not None:
        content_type, sha256 = validate_upload(evidence)
    claim = move(claim, "rescind", by=by, reason=reason, rescinded_by=by, rescinded_at=now())
    claim = Claim.objects.select_related("covered_loan__enterprise", "bank", "commitment").get(pk=claim.pk)
    if claim.commitment is not None and commitment_remaining(claim.commitment) > 0:
        commitment_release(
            by=by,
            commitment=claim.commitment,
            key=f"claim-{claim.pk}-release",
            reason=f"撤销补偿决定 {claim.reference}：{reason}",
        )
    owed = max((claim.paid_amount or Decimal("0")) - claim.returned_total, Decimal("0"))
    listing = blacklist_enterprise(
        claim.covered_loan.enterprise,
        by=by,
        reason=f"补偿申请 {claim.reference} 存在虚假情形：{reason}",
        source=Blacklisting.Source.CLAWBACK,
        on=today,
    )
    until = listing.listed_until
    clawback = Clawback(
        claim=claim,
        reason=reason,
        content_type=content_type,
        sha256=sha256,
        amount=owed,
        decided_by=by,
        blacklisted_until=until,
        status=Clawback.Status.DEMANDED if owed > 0 else Clawback.Status.NOTHING_DUE,
        due_on=add_workdays(today, policy.clawback_return_workdays) if owed > 0 else None,
    )
    if evidence is not None:
        clawback.evidence.save("upload", evidence, save=False)
    clawback.save()
    loan_move(
        claim, claim.covered_loan.Status.EXCLUDED, by=by, reason=f"撤销补偿决定 {claim.reference}：{reason}"
    )
    for kind in (reminders.INSTRUCT, reminders.PAY):
        reminder_resolve(kind=kind, about=claim)
    context = documents.clawback(
        claim, policy=policy, reason=reason, owed=owed, due=clawback.due_on, blacklisted_until=until
    )
    issue(
        documents.CLAWBACK,
        claim,
        context,
        by=by,
        addressee=claim.bank,
        copied_to=[finance(), claim.covered_loan.enterprise],
    )
    if owed > 0:
        remind(
            reminders.CLAWBACK,
            claim,
            title=f"补偿申请 {claim.reference} 应退回资金 {format_money(owed)} 元",
            due_date=clawback.due_on,
            recipient_role=Role.BANK_OFFICER,
            recipient_org=claim.bank,
        )
    return clawback


@transaction.atomic
def clawback_confirm_receipt(*, by, clawback, voucher, value_date=None):
    """Finance confirms the clawed-back money arrived; posts the clawback inflow once, then pays the queue."""
    require_move(Clawback, "confirm_receipt", by)
    voucher = voucher_of(voucher)
    value_date = value_date_of(value_date)
    locked = move(
        clawback,
        "confirm_receipt",
        by=by,
        reason=f"凭证号 {voucher}",
        received_by=by,
        received_at=now(),
        receipt_voucher=voucher,
        receipt_value_date=value_date,
    )
    claim = Claim.objects.select_for_update(of=("self",)).select_related("bank").get(pk=locked.claim_id)
    clawback_receive(
        by=by,
        amount=locked.amount,
        reference=claim,
        key=f"claim-{claim.pk}-clawback",
        bank=claim.bank,
        value_date=value_date,
        reason=f"追回风险补偿资金 {claim.reference}（凭证 {voucher}）",
    )
    claim.returned_total += locked.amount
    claim.save(update_fields=["returned_total", "updated_at"])
    reminder_resolve(kind=reminders.CLAWBACK, about=claim)
    pay_queue(by=None)
    return locked
