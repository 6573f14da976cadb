"""Recovery after compensation (Article 14): the bank officer drafts a recovery report, a supervisor
(not the preparer) countersigns it, which reports it and demands the fund's share; finance confirms
the return; the approver closes the claim on write-off or full recovery."""

from decimal import Decimal

from django.db import transaction

from fund.services import recovery_receive, recovery_return_expect
from yunfu_ipfund.accounts.roles import PERM_BANK_PREPARE, Role
from yunfu_ipfund.accounts.selectors import is_bank_user, require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import lock
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import MSG_ALREADY_DONE, Conflict, DomainError, ValidationFailed
from yunfu_ipfund.common.money import format_money, to_money
from yunfu_ipfund.common.parsing import parse_text
from yunfu_ipfund.common.uploads import validate_upload
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.reminders import reminder_resolve, reminder_schedule

from .. import actions, documents, reminders
from ..amounts import net_of_costs, recovery_computation
from ..guards import MSG_RECOVERY_STATE
from ..models import Claim, Recovery
from .common import (
    finance,
    issue,
    loan_move,
    move,
    now,
    policy_of,
    quarter_name,
    remind,
    require_bank_member,
    require_move,
    required_date,
)
from .payment import pay_queue, value_date_of, voucher_of

MSG_RECOVERY_DATE = "收到追偿款的日期不能晚于今天，也不能早于补偿拨付日期。"
MSG_REASON_REQUIRED = "请填写理由。"
MSG_CLOSE_REASON = "请选择结案方式。"

S = Claim.Status
RS = Recovery.Status


# --- what a bank user may do besides the moves ------------------------------------------------------


def recovery_can_prepare(claim, user):
    """An officer of the claim's bank drafts recovery reports while the claim is paid and open."""
    return (
        claim.status in (S.PAID, S.RECOVERY)
        and is_bank_user(user)
        and user.organisation_id == claim.bank_id
        and user.has_perm(PERM_BANK_PREPARE)
    )


def recovery_can_edit(recovery, user):
    """An officer of the bank corrects a draft before it is countersigned."""
    return (
        recovery.status == RS.DRAFT
        and is_bank_user(user)
        and user.organisation_id == recovery.claim.bank_id
        and user.has_perm(PERM_BANK_PREPARE)
    )


# --- the bank's report -------------------------------------------------------------------------------


def covered_ratio(claim):
    loan = claim.covered_loan
    return loan.covered_amount / loan.amount


def _recovery_fields(claim, *, received_on, amount, costs, description):
    """Check what the bank reports about one recovery (the draft's fields)."""
    if claim.status not in (S.PAID, S.RECOVERY):
        raise DomainError(MSG_RECOVERY_STATE.format(status=claim.get_status_display()), code="wrong_state")
    received_on = required_date(received_on, field="收到追偿款日期")
    if received_on > local_today() or (claim.payment_value_date and received_on < claim.payment_value_date):
        raise ValidationFailed(MSG_RECOVERY_DATE, code="bad_date")
    amount = to_money(amount, allow_zero=False)
    costs = to_money(costs or "0")
    return {
        "received_on": received_on,
        "amount": amount,
        "costs": costs,
        "net_amount": net_of_costs(amount, costs),
        "description": (description or "").strip()[:4000],
        "report_due_on": add_workdays(received_on, policy_of(claim).recovery_report_workdays),
    }


def _attach_evidence(recovery, evidence):
    if evidence is not None:
        recovery.content_type, recovery.sha256 = validate_upload(evidence)
        recovery.evidence.save("upload", evidence, save=False)


def _locked_draft(recovery):
    """The report under lock; a report that is no longer a draft was already acted on (409)."""
    draft = lock(Recovery, recovery.pk)
    if draft.status != RS.DRAFT:
        raise Conflict(MSG_ALREADY_DONE.format(current=draft.get_status_display()), code="already_done")
    return draft


def _received(recovery):
    return f"收到 {format_money(recovery.amount)} 元，费用 {format_money(recovery.costs)} 元"


@transaction.atomic
def recovery_prepare(*, by, claim, received_on, amount, costs="0", description="", evidence=None):
    """The bank officer prepares a recovery report (DRAFT, 待复核) with its evidence.

    Nothing reaches the bureau or the fund yet: the supervisor's countersign does that
    (recovery_countersign)."""
    require_bank_member(by, claim.bank_id)
    require_perm(by, PERM_BANK_PREPARE)
    claim = Claim.objects.select_related("covered_loan", "bank").get(pk=claim.pk)
    fields = _recovery_fields(
        claim, received_on=received_on, amount=amount, costs=costs, description=description
    )
    recovery = Recovery(claim=claim, reported_by=by, status=RS.DRAFT, **fields)
    _attach_evidence(recovery, evidence)
    recovery.save()
    audit_record(
        by=by,
        action=actions.RECOVERY_PREPARE,
        obj=claim,
        to_state=recovery.status,
        reason=_received(recovery),
        data={"recovery": recovery.pk},
    )
    return recovery


@transaction.atomic
def recovery_update(*, by, recovery, received_on, amount, costs="0", description="", evidence=None):
    """The officer corrects a draft recovery report (a new file replaces the evidence; the old one is
    kept)."""
    recovery = lock(Recovery, recovery.pk)
    claim = Claim.objects.select_related("covered_loan", "bank").get(pk=recovery.claim_id)
    require_bank_member(by, claim.bank_id)
    require_perm(by, PERM_BANK_PREPARE)
    recovery = _locked_draft(recovery)
    fields = _recovery_fields(
        claim, received_on=received_on, amount=amount, costs=costs, description=description
    )
    before = {f: str(getattr(recovery, f)) for f in ("received_on", "amount", "costs", "description")}
    for field, value in fields.items():
        setattr(recovery, field, value)
    _attach_evidence(recovery, evidence)
    recovery.save()
    audit_record(by=by, action=actions.RECOVERY_UPDATE, obj=recovery, data={"before": before})
    return recovery


@transaction.atomic
def recovery_withdraw(*, by, recovery, reason=""):
    """The officer withdraws a draft recovery report before it is countersigned."""
    require_bank_member(by, Claim.objects.values_list("bank_id", flat=True).get(pk=recovery.claim_id))
    return move(recovery, "withdraw", by=by, reason=(reason or "").strip()[:1000])


@transaction.atomic
def recovery_countersign(*, by, recovery):
    """A bank supervisor (not the preparer) countersigns a draft recovery report, which reports it:
    the fund's share (same ratio, capped at what the fund paid) is computed and demanded with a
    notice, the fund expects it, and reminders are set. The report deadline is judged today."""
    require_bank_member(by, Claim.objects.values_list("bank_id", flat=True).get(pk=recovery.claim_id))
    require_move(Recovery, "countersign", by)
    # The claim's row serialises reports on one claim: each share is computed on what is already owed.
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("covered_loan", "bank")
        .get(pk=recovery.claim_id)
    )
    draft = _locked_draft(recovery)
    policy = policy_of(claim)
    today = local_today()
    already = claim.returned_total + sum(
        (r.return_amount for r in claim.recoveries.filter(status=RS.REPORTED)), Decimal("0")
    )
    comp = recovery_computation(
        net_recovery=draft.net_amount,
        fund_share=claim.covered_loan.fund_share,
        covered_ratio=covered_ratio(claim),
        paid=claim.paid_amount or 0,
        already_returned=already,
    )
    owed = comp.amount > 0
    report_due = add_workdays(draft.received_on, policy.recovery_report_workdays)
    late = today > report_due
    recovery = move(
        draft,
        "countersign" if owed else "countersign_nothing_due",
        by=by,
        reason=_received(draft),
        data={"return": comp.amount, "late": late},
        return_amount=comp.amount,
        computation=comp.as_dict(),
        report_due_on=report_due,
        reported_late=late,
        return_due_on=add_workdays(today, policy.recovery_return_workdays) if owed else None,
        countersigned_by=by,
        countersigned_at=now(),
    )
    audit_record(
        by=by,
        action=actions.RECOVERY_REPORT,
        obj=claim,
        reason=_received(recovery),
        data={"recovery": recovery.pk, "return": comp.amount, "late": recovery.reported_late},
    )
    if claim.status == S.PAID:
        claim = move(claim, "enter_recovery", by=by, reason="首次报告追偿款")
        loan_move(claim, claim.covered_loan.Status.RECOVERY, by=by, reason=f"报告追偿 {claim.reference}")
    reminder_resolve(kind=reminders.RECOVERY_REPORT, about=claim, discriminator=quarter_name(today))
    if owed:
        _demand_return(claim, recovery, comp, policy=policy, by=by)
    return recovery


def _demand_return(claim, recovery, comp, *, policy, by):
    """The fund expects the share, the bank gets the return notice, bank and finance are reminded."""
    recovery_return_expect(
        by=by,
        bank=claim.bank,
        reference=recovery,
        amount=comp.amount,
        due_on=recovery.return_due_on,
        key=f"claim-{claim.pk}-recovery-{recovery.pk}-due",
    )
    context = documents.recovery_return(claim, recovery, policy=policy, computation=comp)
    issue(documents.RECOVERY_RETURN, recovery, context, by=by, addressee=claim.bank, copied_to=[finance()])
    reminder_schedule(
        kind=reminders.RECOVERY_RETURN,
        about=recovery,
        url=claim.get_absolute_url(),
        title=f"补偿申请 {claim.reference} 追偿款 {format_money(comp.amount)} 元待返还",
        due_date=recovery.return_due_on,
        recipient_role=Role.BANK_OFFICER,
        recipient_org=claim.bank,
    )
    remind(
        reminders.RECOVERY_RECEIPT,
        claim,
        about=recovery,
        title=f"补偿申请 {claim.reference} 追偿返还款待确认到账",
        due_date=recovery.return_due_on,
        recipient_role=Role.FINANCE,
        notify_workdays_before=(),
    )


@transaction.atomic
def recovery_confirm_receipt(*, by, recovery, voucher, value_date=None):
    """Finance confirms the returned money arrived; posts the recovery inflow once, then pays the queue."""
    require_move(Recovery, "confirm_receipt", by)
    voucher = voucher_of(voucher)
    value_date = value_date_of(value_date)
    locked = move(
        recovery,
        "confirm_receipt",
        by=by,
        reason=f"凭证号 {voucher}",
        received_by=by,
        received_at=now(),
        receipt_voucher=voucher,
        receipt_value_date=value_date,
    )
    claim = Claim.objects.select_for_update(of=("self",)).select_related("bank").get(pk=locked.claim_id)
    recovery_receive(
        by=by,
        amount=locked.return_amount,
        reference=locked,
        key=f"claim-{claim.pk}-recovery-{locked.pk}-return",
        bank=claim.bank,
        value_date=value_date,
        reason=f"追偿款返还 {claim.reference}（凭证 {voucher}）",
    )
    claim.returned_total += locked.return_amount
    claim.save(update_fields=["returned_total", "updated_at"])
    reminder_resolve(kind=reminders.RECOVERY_RETURN, about=locked)
    reminder_resolve(kind=reminders.RECOVERY_RECEIPT, about=locked)
    pay_queue(by=None)
    return locked


@transaction.atomic
def claim_close(*, by, claim, close_reason, reason):
    """Close a paid claim on write-off or full recovery (approver); refused while a return is outstanding."""
    require_move(Claim, "close", by)
    if close_reason not in Claim.CloseReason.values:
        raise ValidationFailed(MSG_CLOSE_REASON, code="close_reason")
    reason = parse_text(reason, field="说明", message=MSG_REASON_REQUIRED)
    claim = move(
        claim,
        "close",
        by=by,
        action=actions.CLOSE_BY_REASON[close_reason],
        reason=reason,
        closed_by=by,
        closed_at=now(),
        close_reason=close_reason,
    )
    loan_move(claim, claim.covered_loan.Status.CLOSED, by=by, reason=f"补偿申请 {claim.reference} 结案")
    reminder_resolve(kind=reminders.RECOVERY_REPORT, about=claim, discriminator=None)
    return claim
