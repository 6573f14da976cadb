"""Money out: the bureau's commitments (instructions) and finance's payments out of them (payouts, fees,
returns to the treasury), their release, the reversal of a mistaken posting, and the alert when net
payouts reach the policy's share of the fund's capital."""

from django.db import transaction
from django.urls import reverse

from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_FINANCE, Role
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    MSG_SAME_PERSON,
    Conflict,
    DomainError,
    Forbidden,
    ValidationFailed,
)
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.notices.services import reminder_schedule
from yunfu_ipfund.policy.services import policy_in_force

from .. import actions, reminders
from ..integrity import assert_trusted_balances
from ..locks import lock_fund
from ..models import (
    Account,
    Commitment,
    Posting,
    PostingKind,
)
from ..risk import payout_alert_threshold
from ..selectors import commitment_remaining, fund_figures
from .ledger import (
    MSG_ALREADY_REVERSED,
    MSG_BAD_REFERENCE,
    MSG_FEES_NOT_ALLOWED,
    MSG_KEY_CONFLICT,
    MSG_OVER_COMMITMENT,
    MSG_REASON_REQUIRED,
    MSG_REVERSAL_EARLIER,
    MSG_REVERSE_REVERSAL,
    MSG_WRONG_PURPOSE,
    _amount,
    _bank,
    _day,
    _key,
    _post,
    reference_of,
    require_unless_system,
)

# --- commitments and money out --------------------------------------------------------------------


@transaction.atomic
def commitment_create(
    *, by, amount, reference, key, bank=None, purpose=Commitment.Purpose.CLAIM, value_date=None, reason=""
):
    """The bureau instructs that `amount` will leave the fund (an approved claim, a fee, a return to the
    treasury): it is set aside at once, so available = cash - committed never goes below zero."""
    require_unless_system(by, PERM_BUREAU_APPROVE)
    if purpose not in Commitment.Purpose.values:
        raise ValidationFailed(MSG_BAD_REFERENCE)
    day = _day(value_date)
    amount = _amount(amount, day)
    ref = reference_of(reference)
    bank = _bank(bank, required=(purpose == Commitment.Purpose.CLAIM))
    key = _key(key)
    if purpose == Commitment.Purpose.FEE and not policy_in_force(day).fees_allowed:
        raise DomainError(MSG_FEES_NOT_ALLOWED, code="fees_not_allowed")
    lock_fund()
    assert_trusted_balances()  # the decision reads the available balance: never an edited one
    found = Commitment.objects.filter(key=key).first()
    if found is not None:
        same = (found.purpose, found.amount, found.reference_type, found.reference_id, found.bank_id) == (
            purpose,
            amount,
            *ref,
            getattr(bank, "pk", None),
        )
        if not same:
            raise Conflict(MSG_KEY_CONFLICT.format(key=key, existing=found), code="key_conflict")
        return found
    commitment = Commitment.objects.create(
        purpose=purpose,
        amount=amount,
        reference_type=ref[0],
        reference_id=ref[1],
        bank=bank,
        key=key,
        reason=reason,
        created_by=by,
    )
    action = actions.COMMITMENT_CREATE[commitment.purpose]
    audit_record(
        by=by,
        action=action,
        obj=commitment,
        reason=reason,
        data={"amount": amount, "reference": f"{ref[0]}:{ref[1]}", "key": key},
    )
    _post(
        by=by,
        kind=PostingKind.COMMITMENT,
        lines=[(Account.RESERVED, amount), (Account.COMMITTED, -amount)],
        key=f"commitment:{key}",
        value_date=day,
        reference=ref,
        bank=bank,
        commitment=commitment,
        reason=reason,
        instructed_by=by,
        action=action,
    )
    return commitment


@transaction.atomic
def commitment_release(*, by, commitment, key, amount=None, value_date=None, reason):
    """The bureau releases what is left of a commitment (claim withdrawn, decision revoked)."""
    require_unless_system(by, PERM_BUREAU_APPROVE)
    if not (reason or "").strip():
        raise ValidationFailed(MSG_REASON_REQUIRED, code="reason_required")
    day = _day(value_date)
    lock_fund()
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    remaining = commitment_remaining(commitment)
    amount = remaining if amount is None else _amount(amount, day)
    if amount <= 0:
        raise DomainError(
            MSG_OVER_COMMITMENT.format(remaining=format_money(remaining), amount=format_money(amount)),
            code="over_commitment",
        )
    return _post(
        by=by,
        kind=PostingKind.RELEASE,
        lines=[(Account.COMMITTED, amount), (Account.RESERVED, -amount)],
        key=key,
        value_date=day,
        reference=(commitment.reference_type, commitment.reference_id),
        bank=commitment.bank,
        commitment=commitment,
        reason=reason,
        action=actions.COMMITMENT_RELEASE,
    )


def _pay(*, by, commitment, purpose, kind, account, amount, key, value_date, reason, action):
    require_unless_system(by, PERM_FINANCE)
    day = _day(value_date)
    amount = _amount(amount, day)
    lock_fund()
    assert_trusted_balances()
    commitment = Commitment.objects.select_related("bank", "created_by").get(pk=commitment.pk)
    if commitment.purpose != purpose:
        raise DomainError(
            MSG_WRONG_PURPOSE.format(
                purpose=commitment.get_purpose_display(), action=PostingKind(kind).label
            ),
            code="wrong_purpose",
        )
    if by is not None and commitment.created_by_id == by.pk:
        raise Forbidden(MSG_SAME_PERSON, code="same_person")
    return _post(
        by=by,
        kind=kind,
        lines=[
            (account, amount),
            (Account.CASH, -amount),
            (Account.COMMITTED, amount),
            (Account.RESERVED, -amount),
        ],
        key=key,
        value_date=day,
        reference=(commitment.reference_type, commitment.reference_id),
        bank=commitment.bank,
        commitment=commitment,
        reason=reason,
        instructed_by=commitment.created_by,
        action=action,
        amount=amount,
    )


@transaction.atomic
def payout_post(*, by, commitment, amount, key, value_date=None, reason="代偿拨付"):
    """Finance confirms a compensation payment from the special account, out of the bureau's commitment."""
    posting = _pay(
        by=by,
        commitment=commitment,
        purpose=Commitment.Purpose.CLAIM,
        kind=PostingKind.PAYOUT,
        account=Account.COMPENSATION,
        amount=amount,
        key=key,
        value_date=value_date,
        reason=reason,
        action=actions.PAYOUT_POST,
    )
    check_payout_pause()
    return posting


@transaction.atomic
def fee_pay(*, by, commitment, amount, key, value_date=None, reason="费用支出"):
    """Finance pays a fee the bureau instructed (refused unless the policy in force allows fees)."""
    if not policy_in_force(_day(value_date)).fees_allowed:
        raise DomainError(MSG_FEES_NOT_ALLOWED, code="fees_not_allowed")
    return _pay(
        by=by,
        commitment=commitment,
        purpose=Commitment.Purpose.FEE,
        kind=PostingKind.FEE,
        account=Account.FEES,
        amount=amount,
        key=key,
        value_date=value_date,
        reason=reason,
        action=actions.FEE_PAY,
    )


@transaction.atomic
def treasury_return_post(*, by, commitment, amount, key, value_date=None, reason="上缴国库"):
    """Finance returns money to the treasury as the bureau instructed."""
    return _pay(
        by=by,
        commitment=commitment,
        purpose=Commitment.Purpose.TREASURY,
        kind=PostingKind.TREASURY_RETURN,
        account=Account.TREASURY,
        amount=amount,
        key=key,
        value_date=value_date,
        reason=reason,
        action=actions.TREASURY_RETURN_POST,
    )


# --- corrections ----------------------------------------------------------------------------------

BUREAU_KINDS = {PostingKind.COMMITMENT, PostingKind.RELEASE}


def posting_can_reverse(posting, user):
    """Whether `user` may reverse `posting` (a correction is not a move: postings have no status)."""
    if posting.kind == PostingKind.REVERSAL or hasattr(posting, "reversed_by"):
        return False
    return user.has_perm(PERM_BUREAU_APPROVE if posting.kind in BUREAU_KINDS else PERM_FINANCE)


def commitment_can_pay(commitment, user, remaining):
    """Finance pays out of a fee or treasury commitment with money left. A claim's commitment is paid only
    through the claim's own workflow (compensation), so the claim's state and the ledger never part ways."""
    return commitment.purpose != Commitment.Purpose.CLAIM and remaining > 0 and user.has_perm(PERM_FINANCE)


def commitment_can_release(commitment, user, remaining):
    """The bureau approver releases what is left of a fee or treasury commitment (a claim's: its workflow)."""
    return (
        commitment.purpose != Commitment.Purpose.CLAIM
        and remaining > 0
        and user.has_perm(PERM_BUREAU_APPROVE)
    )


@transaction.atomic
def posting_reverse(*, by, posting, reason, key, value_date=None):
    """Correct a mistake: a posting with every entry negated, naming the original. The original stays.

    Commitments and releases are reversed by the bureau approver; everything else by finance. The
    reversal is dated today (or later than the original) and obeys every balance rule.
    """
    original = Posting.objects.select_related("bank", "commitment").get(pk=posting.pk)
    require_unless_system(by, PERM_BUREAU_APPROVE if original.kind in BUREAU_KINDS else PERM_FINANCE)
    if not (reason or "").strip():
        raise ValidationFailed(MSG_REASON_REQUIRED, code="reason_required")
    if original.kind == PostingKind.REVERSAL:
        raise DomainError(MSG_REVERSE_REVERSAL, code="reverse_reversal")
    day = _day(value_date)
    if day < original.value_date:
        raise ValidationFailed(MSG_REVERSAL_EARLIER.format(day=original.value_date), code="reversal_earlier")
    lock_fund()
    assert_trusted_balances()
    existing = Posting.objects.filter(reversal_of=original).first()
    if existing is not None and existing.key != _key(key):
        raise DomainError(MSG_ALREADY_REVERSED.format(other=existing.pk), code="already_reversed")
    lines = [(e.account, -e.amount) for e in original.entries.order_by("id")]
    return _post(
        by=by,
        kind=PostingKind.REVERSAL,
        lines=lines,
        key=key,
        value_date=day,
        reference=(original.reference_type, original.reference_id),
        bank=original.bank,
        commitment=original.commitment,
        reversal_of=original,
        reason=reason,
        action=actions.POSTING_REVERSE,
        amount=original.amount,
    )


# --- alerts ---------------------------------------------------------------------------------------


def check_payout_pause(today=None):
    """Alert the bureau and finance, once per policy version, when cumulative net payouts reach
    policy.fund_pause_payout_ratio x capital (PAYOUT_ALERT about the policy version, one per role).
    Returns the alerts when the threshold is reached (raised now or before), else None."""
    today = today or local_today()
    policy = policy_in_force(today)
    threshold = payout_alert_threshold(policy)
    net = fund_figures().net_payouts
    if net < threshold:
        return None
    return [
        reminder_schedule(
            kind=reminders.PAYOUT_ALERT,
            about=policy,
            discriminator=role,
            once=True,
            due_date=today,
            recipient_role=role,
            notify_workdays_before=(),
            escalate_role="",
            title=f"累计净代偿 {format_money(net)} 元已达资金规模的 {policy.fund_pause_payout_ratio:.0%}"
            f"（{format_money(threshold)} 元）",
            body="依《管理办法》风险控制条款，请研究是否暂停新增备案。",
            url=reverse("fund:overview"),
        )
        for role in (Role.BUREAU_APPROVER, Role.FINANCE)
    ]
