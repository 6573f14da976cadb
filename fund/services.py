"""Writes to the fund ledger, and the only way anything reaches it.

Every service: keyword-only, `by` (a user, or None for the system: migrations, demo, tasks),
@transaction.atomic, audited, idempotent by `key` (same key and same figures returns the existing
record; same key with other figures is a Conflict). Every posting first locks the cash account's
running-balance row (`lock_fund`), the single serialisation point, then checks its rules on the
balances it would leave: cash >= 0, committed >= 0, available = cash - committed >= 0, a commitment's
remaining between 0 and its amount. A posting that breaks a rule is refused whole.

Who does what (four-eyes between the two bureaus, ADR 0002):
- money out (payouts, fees, returns to the treasury) is instructed by the bureau approver
  (`commitment_create`, PERM_BUREAU_APPROVE) and paid by finance (`payout_post`, `fee_pay`,
  `treasury_return_post`, PERM_FINANCE) out of that commitment;
- money in (contributions, interest, recovery returns, clawbacks) is recorded by finance from the
  special account's statement, and reconciled against it.
"""

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_FINANCE, Role
from yunfu_ipfund.audit.services import audit_record, object_label
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    MSG_NO_ROLE,
    MSG_SAME_PERSON,
    Conflict,
    DomainError,
    Forbidden,
    ValidationFailed,
)
from yunfu_ipfund.common.money import ZERO, format_money, round_fen, to_money
from yunfu_ipfund.policy.services import policy_in_force

from .locks import ensure_accounts, lock_fund  # noqa: F401  (ensure_accounts re-exported)
from .models import (
    Account,
    BankBalance,
    Commitment,
    DailyMovement,
    Entry,
    FundCoverPause,
    LedgerAccount,
    Posting,
    PostingKind,
    ReturnDue,
    StatementPeriod,
)
from .risk import payout_alert_threshold
from .selectors import fund_figures, open_cover_pause

MSG_KEY_REQUIRED = "缺少业务幂等键。"
MSG_KEY_CONFLICT = "幂等键“{key}”已用于另一笔不同的业务（{existing}），本次登记不予受理。"
MSG_UNBALANCED = "借贷不平衡：分录合计为 {total}。"
MSG_CASH_NEGATIVE = "专户资金余额不足：当前余额 {cash} 元，本笔支出 {amount} 元。"
MSG_AVAILABLE_NEGATIVE = "可用余额不足：专户资金 {cash} 元，已承诺 {committed} 元，可用 {available} 元，本笔需 {amount} 元。"
MSG_COMMITTED_NEGATIVE = "已承诺金额不能为负数。"
MSG_OVER_COMMITMENT = "超出承诺金额：该承诺尚余 {remaining} 元，本笔 {amount} 元。"
MSG_FUTURE_DATE = "记账日期 {day} 晚于今天，不予登记。"
MSG_SIGNED_OFF = "记账日期 {day} 属于已签核的对账期间（{period}），不能补记；如需更正，请以今后日期冲正。"
MSG_FEES_NOT_ALLOWED = "现行《管理办法》不允许从风险补偿资金中列支费用。"
MSG_WRONG_PURPOSE = "该承诺的用途为“{purpose}”，不能用于“{action}”。"
MSG_ALREADY_REVERSED = "该凭证已于凭证 #{other} 冲正，不能重复冲正。"
MSG_REVERSE_REVERSAL = "冲正凭证不能再冲正；如需恢复，请重新登记原业务。"
MSG_REVERSAL_EARLIER = "冲正日期不能早于原凭证的记账日期 {day}。"
MSG_REASON_REQUIRED = "请填写事由。"
MSG_BANK_REQUIRED = "请指明银行。"
MSG_NOT_A_BANK = "“{org}”不是合作银行。"
MSG_BAD_REFERENCE = "业务对象无效。"
MSG_BAD_DATE = "日期“{value}”无效。"

SYSTEM = None
OPENING_KEY = "fund-opening-allocation"


# --- helpers --------------------------------------------------------------------------------------


def _require(by, *perms):
    """The system (None) may do anything; a person needs one of `perms`."""
    if by is None:
        return
    if not (by.is_authenticated and by.is_active and any(by.has_perm(p) for p in perms)):
        raise Forbidden(MSG_NO_ROLE, code="no_role")


def reference_of(reference):
    """(content-type label, id string) of a model instance or of a (label, id) pair; ('', '') for None."""
    if reference is None:
        return "", ""
    if hasattr(reference, "_meta") and getattr(reference, "pk", None) is not None:
        return object_label(reference), str(reference.pk)
    if isinstance(reference, (tuple, list)) and len(reference) == 2 and all(str(x).strip() for x in reference):
        label, ident = (str(x).strip() for x in reference)
        if len(label) <= 100 and len(ident) <= 64:
            return label, ident
    raise ValidationFailed(MSG_BAD_REFERENCE, code="bad_reference")


def _bank(bank, *, required=False):
    if bank is None:
        if required:
            raise ValidationFailed(MSG_BANK_REQUIRED, code="bank_required")
        return None
    if getattr(bank, "kind", None) != "bank":
        raise ValidationFailed(MSG_NOT_A_BANK.format(org=bank), code="not_a_bank")
    return bank


def _day(value, *, default_today=True):
    if value is None or value == "":
        if default_today:
            return local_today()
        raise ValidationFailed(MSG_BAD_DATE.format(value=value))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(MSG_BAD_DATE.format(value=value), code="bad_date") from None


def _amount(value, day):
    """A positive amount to the fen, never above the fund's capital (absurd figures are refused)."""
    policy = policy_in_force(day)
    return to_money(value, allow_zero=False, limit=policy.fund_capital)


def _key(key):
    key = (key or "").strip() if isinstance(key, str) else key
    if not key or not isinstance(key, str) or len(key) > 200:
        raise ValidationFailed(MSG_KEY_REQUIRED, code="key_required")
    return key


def _fingerprint(**parts):
    data = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def opening_fingerprint(amount, policy_pk):
    """The fingerprint of the opening allocation (used by migration 0003 and by contribution_post)."""
    return _fingerprint(
        kind=PostingKind.CONTRIBUTION.value,
        lines=sorted([(Account.CASH.value, str(amount)), (Account.CONTRIBUTIONS.value, str(-amount))]),
        ref=["policy.policyversion", str(policy_pk)], bank=None, commitment=None, reversal_of=None,
    )


def check_period_open(day):
    period = StatementPeriod.objects.filter(
        status=StatementPeriod.Status.SIGNED_OFF, start__lte=day, end__gte=day
    ).first()
    if period is not None:
        raise DomainError(MSG_SIGNED_OFF.format(day=day, period=period), code="period_signed_off")


def _same_posting(key, fingerprint):
    """The posting already made under `key` (a retry), or None; a different posting under it: Conflict."""
    found = Posting.objects.filter(key=key).first()
    if found is not None and found.fingerprint != fingerprint:
        raise Conflict(MSG_KEY_CONFLICT.format(key=key, existing=found), code="key_conflict")
    return found


def _check_rules(after, *, amount, before):
    cash = after[Account.CASH]
    committed = -after[Account.COMMITTED]
    available = cash - committed
    if committed < 0:
        raise DomainError(MSG_COMMITTED_NEGATIVE, code="committed_negative")
    if cash < 0:
        raise DomainError(MSG_CASH_NEGATIVE.format(cash=format_money(before[Account.CASH]), amount=format_money(amount)),
                          code="cash_short")
    if available < 0:
        b_committed = -before[Account.COMMITTED]
        raise DomainError(
            MSG_AVAILABLE_NEGATIVE.format(
                cash=format_money(before[Account.CASH]), committed=format_money(b_committed),
                available=format_money(before[Account.CASH] - b_committed), amount=format_money(amount),
            ),
            code="available_short",
        )


def _post(*, by, kind, lines, key, value_date, reference=("", ""), bank=None, commitment=None, reversal_of=None,
          reason="", instructed_by=None, action=None, amount=None):
    """Write one balanced posting under the fund's lock. `lines` = [(account, signed amount)].

    `amount` is the business amount the posting is shown with (journal, reports): the money that moved.
    A two-line posting's is its debit; a payout moves the money once but has four lines (the payout
    itself and the release of its commitment), so its caller names the amount.

    The caller has validated its inputs; this checks idempotency, the period, the balance rules,
    then writes the posting, its entries and the running balances, and audits, all or nothing.
    """
    key = _key(key)
    ref_type, ref_id = reference
    fingerprint = _fingerprint(
        kind=str(kind), lines=sorted((str(a), str(v)) for a, v in lines), ref=[ref_type, ref_id],
        bank=getattr(bank, "pk", None), commitment=getattr(commitment, "pk", None),
        reversal_of=getattr(reversal_of, "pk", None),
    )
    found = _same_posting(key, fingerprint)
    if found is not None:
        return found
    lock_fund()
    found = _same_posting(key, fingerprint)  # a concurrent retry may have committed while we waited
    if found is not None:
        return found

    total = sum((v for _, v in lines), ZERO)
    if total != 0 or len(lines) < 2:
        raise DomainError(MSG_UNBALANCED.format(total=total), code="unbalanced")
    if value_date > local_today():
        raise ValidationFailed(MSG_FUTURE_DATE.format(day=value_date), code="future_date")
    check_period_open(value_date)

    rows = {row.code: row for row in LedgerAccount.objects.filter(code__in=Account.values)}
    before = {code: rows[code].balance for code in Account.values}
    after = dict(before)
    for account, value in lines:
        after[account] += value
    if amount is None:
        amount = sum((v for _, v in lines if v > 0), ZERO)
    if commitment is not None:
        _check_commitment(commitment, lines, amount)
    _check_rules(after, amount=amount, before=before)

    posting = Posting.objects.create(
        kind=kind, value_date=value_date, booked_at=timezone.now(), reference_type=ref_type, reference_id=ref_id,
        bank=bank, commitment=commitment, reversal_of=reversal_of,
        actor=by, actor_name=(by.display_name if by is not None else "系统"), instructed_by=instructed_by,
        reason=reason or "", key=key, fingerprint=fingerprint, amount=amount,
    )
    Entry.objects.bulk_create(Entry(posting=posting, account=a, amount=v) for a, v in lines)
    changed = {}
    for account, value in lines:
        changed[account] = changed.get(account, ZERO) + value
    for account, value in changed.items():
        LedgerAccount.objects.filter(code=account).update(balance=F("balance") + value, updated_at=timezone.now())
        for who in ([None, bank] if bank is not None else [None]):
            _add_daily(account, who, value_date, value)
        if bank is not None:
            if not BankBalance.objects.filter(bank=bank, account=account).update(balance=F("balance") + value):
                BankBalance.objects.create(bank=bank, account=account, balance=value)
    audit_record(
        by=by, action=action or f"记账：{PostingKind(kind).label}", obj=posting, reason=reason,
        data={"key": key, "value_date": value_date, "entries": [[a, str(v)] for a, v in lines],
              "reference": f"{ref_type}:{ref_id}" if ref_type else "", "bank": getattr(bank, "pk", None)},
    )
    return posting


def _add_daily(account, bank, value_date, value):
    """Add to the day's total (the caller holds the fund's lock, so there is no race on the row)."""
    updated = DailyMovement.objects.filter(account=account, bank=bank, value_date=value_date).update(
        amount=F("amount") + value, entries=F("entries") + 1)
    if not updated:
        DailyMovement.objects.create(account=account, bank=bank, value_date=value_date, amount=value, entries=1)


def _check_commitment(commitment, lines, amount):
    remaining = _remaining(commitment)
    delta = -sum((v for a, v in lines if a == Account.COMMITTED), ZERO)
    new_remaining = remaining + delta
    if new_remaining < 0:
        raise DomainError(
            MSG_OVER_COMMITMENT.format(remaining=format_money(remaining), amount=format_money(-delta)),
            code="over_commitment",
        )
    if new_remaining > commitment.amount:
        raise DomainError(MSG_OVER_COMMITMENT.format(remaining=format_money(remaining), amount=format_money(amount)),
                          code="over_commitment")


def _remaining(commitment):
    from .selectors import commitment_remaining

    return commitment_remaining(commitment)


# --- money in -------------------------------------------------------------------------------------


def _receipt(*, by, kind, account, amount, key, value_date, reference, bank, reason, action):
    _require(by, PERM_FINANCE)
    day = _day(value_date)
    amount = _amount(amount, day)
    posting = _post(
        by=by, kind=kind, lines=[(Account.CASH, amount), (account, -amount)], key=key, value_date=day,
        reference=reference_of(reference), bank=bank, reason=reason, action=action,
    )
    from .signals import money_arrived

    transaction.on_commit(lambda: money_arrived.send(sender=type(posting), posting=posting))
    return posting


@transaction.atomic
def contribution_post(*, by, amount, key, value_date=None, reference=None, reason="出资拨入"):
    """A contribution arrived in the special account (the provincial allocation, other contributors)."""
    return _receipt(by=by, kind=PostingKind.CONTRIBUTION, account=Account.CONTRIBUTIONS, amount=amount, key=key,
                    value_date=value_date, reference=reference, bank=None, reason=reason, action="登记出资拨入")


@transaction.atomic
def interest_post(*, by, amount, key, value_date=None, reference=None, reason="专户利息"):
    """Interest credited by the bank on the special account (rolls into the fund, Art 4)."""
    return _receipt(by=by, kind=PostingKind.INTEREST, account=Account.INTEREST, amount=amount, key=key,
                    value_date=value_date, reference=reference, bank=None, reason=reason, action="登记利息收入")


@transaction.atomic
def recovery_receive(*, by, amount, reference, key, bank, value_date=None, reason="追偿款返还"):
    """A bank returned the fund's share of a net recovery. Settles the matching `ReturnDue` when paid in full."""
    bank = _bank(bank, required=True)
    ref = reference_of(reference)
    posting = _receipt(by=by, kind=PostingKind.RECOVERY, account=Account.RECOVERIES, amount=amount, key=key,
                       value_date=value_date, reference=ref, bank=bank, reason=reason, action="确认追偿款返还")
    received = Entry.objects.filter(
        posting__reference_type=ref[0], posting__reference_id=ref[1], posting__bank=bank, account=Account.RECOVERIES
    ).aggregate(s=Sum("amount"))["s"] or ZERO
    received = -round_fen(received)
    for due in ReturnDue.objects.select_for_update().filter(
        bank=bank, reference_type=ref[0], reference_id=ref[1], settled_at__isnull=True
    ).order_by("due_on", "id"):
        owed = ReturnDue.objects.filter(
            bank=bank, reference_type=ref[0], reference_id=ref[1], due_on__lte=due.due_on
        ).aggregate(s=Sum("amount"))["s"]
        if received >= round_fen(owed):
            due.settled_at = timezone.now()
            due.save(update_fields=["settled_at"])
            audit_record(by=by, action="追偿款已返还", obj=due, data={"posting": posting.pk})
    return posting


@transaction.atomic
def clawback_receive(*, by, amount, reference, key, bank=None, value_date=None, reason="追回资金"):
    """Money clawed back (fraud, ineligibility: Art 17-22) arrived in the special account."""
    return _receipt(by=by, kind=PostingKind.CLAWBACK, account=Account.CLAWBACKS, amount=amount, key=key,
                    value_date=value_date, reference=reference_of(reference), bank=_bank(bank), reason=reason,
                    action="确认追回资金入账")


@transaction.atomic
def recovery_return_expect(*, by, bank, reference, amount, due_on, key):
    """Record that `bank` owes the fund `amount` for `reference` by `due_on` (the risk checks watch it).

    Called by the compensation app when a bank reports a recovery. Idempotent by `key`.
    """
    bank = _bank(bank, required=True)
    ref = reference_of(reference)
    due_on = _day(due_on, default_today=False)
    amount = _amount(amount, due_on if due_on <= local_today() else local_today())
    key = _key(key)
    found = ReturnDue.objects.filter(key=key).first()
    if found is not None:
        if (found.bank_id, found.reference_type, found.reference_id, found.amount, found.due_on) != (
            bank.pk, *ref, amount, due_on
        ):
            raise Conflict(MSG_KEY_CONFLICT.format(key=key, existing=found), code="key_conflict")
        return found
    due = ReturnDue.objects.create(
        bank=bank, reference_type=ref[0], reference_id=ref[1], amount=amount, due_on=due_on, key=key
    )
    audit_record(by=by, action="登记应返还追偿款", obj=due, data={"amount": amount, "due_on": due_on})
    return due


# --- commitments and money out --------------------------------------------------------------------


@transaction.atomic
def commitment_create(*, by, amount, reference, key, bank=None, purpose=Commitment.Purpose.CLAIM,
                      value_date=None, reason=""):
    """The bureau instructs that `amount` will leave the fund (an approved claim, a fee, a return to the
    treasury): it is set aside at once, so available = cash - committed never goes below zero."""
    _require(by, PERM_BUREAU_APPROVE)
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
    found = Commitment.objects.filter(key=key).first()
    if found is not None:
        same = (found.purpose, found.amount, found.reference_type, found.reference_id, found.bank_id) == (
            purpose, amount, *ref, getattr(bank, "pk", None)
        )
        if not same:
            raise Conflict(MSG_KEY_CONFLICT.format(key=key, existing=found), code="key_conflict")
        return found
    commitment = Commitment.objects.create(
        purpose=purpose, amount=amount, reference_type=ref[0], reference_id=ref[1], bank=bank, key=key,
        reason=reason, created_by=by,
    )
    audit_record(by=by, action=f"下达资金承诺（{commitment.get_purpose_display()}）", obj=commitment, reason=reason,
                 data={"amount": amount, "reference": f"{ref[0]}:{ref[1]}", "key": key})
    _post(
        by=by, kind=PostingKind.COMMITMENT, lines=[(Account.RESERVED, amount), (Account.COMMITTED, -amount)],
        key=f"commitment:{key}", value_date=day, reference=ref, bank=bank, commitment=commitment, reason=reason,
        instructed_by=by, action=f"下达资金承诺（{commitment.get_purpose_display()}）",
    )
    return commitment


@transaction.atomic
def commitment_release(*, by, commitment, key, amount=None, value_date=None, reason):
    """The bureau releases what is left of a commitment (claim withdrawn, decision revoked)."""
    _require(by, PERM_BUREAU_APPROVE)
    if not (reason or "").strip():
        raise ValidationFailed(MSG_REASON_REQUIRED, code="reason_required")
    day = _day(value_date)
    lock_fund()
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    remaining = _remaining(commitment)
    amount = remaining if amount is None else _amount(amount, day)
    if amount <= 0:
        raise DomainError(MSG_OVER_COMMITMENT.format(remaining=format_money(remaining), amount=format_money(amount)),
                          code="over_commitment")
    return _post(
        by=by, kind=PostingKind.RELEASE, lines=[(Account.COMMITTED, amount), (Account.RESERVED, -amount)],
        key=key, value_date=day, reference=(commitment.reference_type, commitment.reference_id), bank=commitment.bank,
        commitment=commitment, reason=reason, action="释放资金承诺",
    )


def _pay(*, by, commitment, purpose, kind, account, amount, key, value_date, reason, action):
    _require(by, PERM_FINANCE)
    day = _day(value_date)
    amount = _amount(amount, day)
    lock_fund()
    commitment = Commitment.objects.select_related("bank", "created_by").get(pk=commitment.pk)
    if commitment.purpose != purpose:
        raise DomainError(
            MSG_WRONG_PURPOSE.format(purpose=commitment.get_purpose_display(), action=PostingKind(kind).label),
            code="wrong_purpose",
        )
    if by is not None and commitment.created_by_id == by.pk:
        raise Forbidden(MSG_SAME_PERSON, code="same_person")
    return _post(
        by=by, kind=kind,
        lines=[(account, amount), (Account.CASH, -amount), (Account.COMMITTED, amount), (Account.RESERVED, -amount)],
        key=key, value_date=day, reference=(commitment.reference_type, commitment.reference_id),
        bank=commitment.bank, commitment=commitment, reason=reason, instructed_by=commitment.created_by, action=action,
        amount=amount,
    )


@transaction.atomic
def payout_post(*, by, commitment, amount, key, value_date=None, reason="代偿拨付"):
    """Finance confirms a compensation payment from the special account, out of the bureau's commitment."""
    posting = _pay(by=by, commitment=commitment, purpose=Commitment.Purpose.CLAIM, kind=PostingKind.PAYOUT,
                   account=Account.COMPENSATION, amount=amount, key=key, value_date=value_date, reason=reason,
                   action="确认代偿拨付")
    check_payout_pause()
    return posting


@transaction.atomic
def fee_pay(*, by, commitment, amount, key, value_date=None, reason="费用支出"):
    """Finance pays a fee the bureau instructed (refused unless the policy in force allows fees)."""
    if not policy_in_force(_day(value_date)).fees_allowed:
        raise DomainError(MSG_FEES_NOT_ALLOWED, code="fees_not_allowed")
    return _pay(by=by, commitment=commitment, purpose=Commitment.Purpose.FEE, kind=PostingKind.FEE,
                account=Account.FEES, amount=amount, key=key, value_date=value_date, reason=reason,
                action="确认费用支出")


@transaction.atomic
def treasury_return_post(*, by, commitment, amount, key, value_date=None, reason="上缴国库"):
    """Finance returns money to the treasury as the bureau instructed."""
    return _pay(by=by, commitment=commitment, purpose=Commitment.Purpose.TREASURY, kind=PostingKind.TREASURY_RETURN,
                account=Account.TREASURY, amount=amount, key=key, value_date=value_date, reason=reason,
                action="确认上缴国库")


# --- corrections ----------------------------------------------------------------------------------

BUREAU_KINDS = {PostingKind.COMMITMENT, PostingKind.RELEASE}


@transaction.atomic
def posting_reverse(*, by, posting, reason, key, value_date=None):
    """Correct a mistake: a posting with every entry negated, naming the original. The original stays.

    Commitments and releases are reversed by the bureau approver; everything else by finance. The
    reversal is dated today (or later than the original) and obeys every balance rule.
    """
    original = Posting.objects.select_related("bank", "commitment").get(pk=posting.pk)
    _require(by, PERM_BUREAU_APPROVE if original.kind in BUREAU_KINDS else PERM_FINANCE)
    if not (reason or "").strip():
        raise ValidationFailed(MSG_REASON_REQUIRED, code="reason_required")
    if original.kind == PostingKind.REVERSAL:
        raise DomainError(MSG_REVERSE_REVERSAL, code="reverse_reversal")
    day = _day(value_date)
    if day < original.value_date:
        raise ValidationFailed(MSG_REVERSAL_EARLIER.format(day=original.value_date), code="reversal_earlier")
    lock_fund()
    existing = Posting.objects.filter(reversal_of=original).first()
    if existing is not None and existing.key != _key(key):
        raise DomainError(MSG_ALREADY_REVERSED.format(other=existing.pk), code="already_reversed")
    lines = [(e.account, -e.amount) for e in original.entries.order_by("id")]
    return _post(
        by=by, kind=PostingKind.REVERSAL, lines=lines, key=key, value_date=day,
        reference=(original.reference_type, original.reference_id), bank=original.bank,
        commitment=original.commitment, reversal_of=original, reason=reason,
        action=f"冲正凭证 #{original.pk}", amount=original.amount,
    )


# --- alerts ---------------------------------------------------------------------------------------


def check_payout_pause(today=None):
    """Alert the bureau and finance, once per policy version, when cumulative net payouts reach
    policy.fund_pause_payout_ratio x capital. Returns the alert key when raised (or already raised)."""
    from yunfu_ipfund.notices.models import Reminder
    from yunfu_ipfund.notices.services import reminder_schedule

    today = today or local_today()
    policy = policy_in_force(today)
    threshold = payout_alert_threshold(policy)
    net = fund_figures().net_payouts
    if net < threshold:
        return None
    base = f"fund-pause-{policy.code}"
    for role in (Role.BUREAU_APPROVER, Role.FINANCE):
        key = f"{base}-{role}"
        if Reminder.objects.filter(key=key).exists():
            continue
        reminder_schedule(
            key=key, about=policy, due_date=today, recipient_role=role, notify_workdays_before=(), escalate_role="",
            title=f"累计净代偿 {format_money(net)} 元已达资金规模的 {policy.fund_pause_payout_ratio:.0%}"
                  f"（{format_money(threshold)} 元）",
            body="依《管理办法》风险控制条款，请研究是否暂停新增备案。", url="/fund/",
        )
    return base


# --- reconciliation with the special account's statement ------------------------------------------

MSG_PERIOD_OVERLAP = "对账期间与已有期间（{other}）重叠。"
MSG_PERIOD_ORDER = "截止日不能早于起始日。"
MSG_PERIOD_CLOSED = "该对账期间已签核，不能再修改。"
MSG_LINE_OUTSIDE = "交易日期 {day} 不在对账期间（{start} 至 {end}）内。"
MSG_NOT_CASH = "凭证 #{pk} 不涉及专户资金，不能与对账单明细匹配。"
MSG_MATCH_MISMATCH = "金额或日期不符：对账单 {line_date} {line_amount} 元，凭证 {posting_date} {posting_amount} 元。"
MSG_ALREADY_MATCHED = "该凭证已与另一条对账单明细匹配。"
MSG_NOT_RECONCILED = "尚有 {lines} 条对账单明细、{postings} 笔凭证未匹配，期末余额差额 {difference} 元，不能签核。"


def _open_period(period):
    period = StatementPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != StatementPeriod.Status.OPEN:
        raise DomainError(MSG_PERIOD_CLOSED, code="period_signed_off")
    return period


@transaction.atomic
def period_create(*, by, start, end, opening_balance, closing_balance):
    """Finance opens a reconciliation period with the statement's opening and closing balances."""
    _require(by, PERM_FINANCE)
    start, end = _day(start, default_today=False), _day(end, default_today=False)
    if end < start:
        raise ValidationFailed(MSG_PERIOD_ORDER, code="period_order")
    opening = to_money(opening_balance)
    closing = to_money(closing_balance)
    StatementPeriod.objects.select_for_update().all().exists()  # serialise period edits
    other = StatementPeriod.objects.filter(start__lte=end, end__gte=start).first()
    if other is not None:
        raise ValidationFailed(MSG_PERIOD_OVERLAP.format(other=other), code="period_overlap")
    period = StatementPeriod.objects.create(start=start, end=end, opening_balance=opening, closing_balance=closing,
                                            created_by=by)
    audit_record(by=by, action="新建对账期间", obj=period, data={"opening": opening, "closing": closing})
    return period


def _add_line(period, by, *, line_date, amount, reference="", counterparty=""):
    from .models import StatementLine

    line_date = _day(line_date, default_today=False)
    if not period.start <= line_date <= period.end:
        raise ValidationFailed(MSG_LINE_OUTSIDE.format(day=line_date, start=period.start, end=period.end),
                               code="line_outside")
    amount = to_money(amount, allow_negative=True, allow_zero=False)
    return StatementLine.objects.create(period=period, line_date=line_date, amount=amount,
                                        reference=(reference or "").strip()[:200],
                                        counterparty=(counterparty or "").strip()[:200])


@transaction.atomic
def statement_line_add(*, by, period, line_date, amount, reference="", counterparty=""):
    _require(by, PERM_FINANCE)
    period = _open_period(period)
    line = _add_line(period, by, line_date=line_date, amount=amount, reference=reference, counterparty=counterparty)
    audit_record(by=by, action="录入对账单明细", obj=period, data={"line": line.pk, "amount": line.amount})
    return line


@transaction.atomic
def statement_import(*, by, period, file):
    """Import a CSV/XLSX statement into an open period: every line or none."""
    from .statements import read_statement

    _require(by, PERM_FINANCE)
    period = _open_period(period)
    rows = read_statement(file)
    lines = [_add_line(period, by, **row) for row in rows]
    audit_record(by=by, action="导入对账单", obj=period, data={"lines": len(lines), "file": getattr(file, "name", "")})
    return lines


def _reference_matches(line, posting):
    text = (line.reference or "").lower()
    if not text:
        return False
    tokens = {posting.key.lower(), f"#{posting.pk}", f"凭证{posting.pk}"}
    if posting.reference_id:
        tokens.add(f"{posting.reference_type}:{posting.reference_id}".lower())
    return any(t and t in text for t in tokens)


@transaction.atomic
def reconciliation_match(*, by, period):
    """Match unmatched statement lines to unmatched cash postings of the period: first by date, amount and
    reference; then by date and amount where exactly one candidate exists on each side. Returns the count."""
    from .selectors import cash_postings_between

    _require(by, PERM_FINANCE)
    period = _open_period(period)
    lines = list(period.lines.select_for_update().filter(matched_posting__isnull=True).order_by("line_date", "id"))
    taken = set(period.lines.exclude(matched_posting__isnull=True).values_list("matched_posting_id", flat=True))
    from .models import StatementLine

    taken |= set(StatementLine.objects.exclude(matched_posting__isnull=True).values_list("matched_posting_id", flat=True))
    postings = [p for p in cash_postings_between(period.start, period.end) if p.pk not in taken]
    matched = 0
    for strict in (True, False):
        for line in lines:
            if line.matched_posting_id:
                continue
            candidates = [p for p in postings if p.pk not in taken and p.value_date == line.line_date
                          and p.cash_amount == line.amount and (not strict or _reference_matches(line, p))]
            if not strict:
                twins = [other for other in lines if not other.matched_posting_id and other.line_date == line.line_date
                         and other.amount == line.amount]
                if len(candidates) != 1 or len(twins) != 1:
                    continue
            if candidates:
                line.matched_posting = candidates[0]
                line.save(update_fields=["matched_posting"])
                taken.add(candidates[0].pk)
                matched += 1
    audit_record(by=by, action="自动对账", obj=period, data={"matched": matched})
    return matched


@transaction.atomic
def statement_line_match(*, by, line, posting):
    """Finance matches one line to one cash posting by hand (same date and amount)."""
    from .models import StatementLine
    from .selectors import cash_postings_between

    _require(by, PERM_FINANCE)
    line = StatementLine.objects.select_for_update().get(pk=line.pk)
    period = _open_period(line.period)
    found = cash_postings_between(period.start, period.end).filter(pk=posting.pk).first()
    if found is None:
        raise DomainError(MSG_NOT_CASH.format(pk=posting.pk), code="not_cash")
    if found.value_date != line.line_date or found.cash_amount != line.amount:
        raise DomainError(MSG_MATCH_MISMATCH.format(
            line_date=line.line_date, line_amount=format_money(line.amount), posting_date=found.value_date,
            posting_amount=format_money(found.cash_amount)), code="match_mismatch")
    if StatementLine.objects.filter(matched_posting=found).exclude(pk=line.pk).exists():
        raise Conflict(MSG_ALREADY_MATCHED, code="already_matched")
    line.matched_posting = found
    line.save(update_fields=["matched_posting"])
    audit_record(by=by, action="手工对账", obj=period, data={"line": line.pk, "posting": found.pk})
    return line


@transaction.atomic
def statement_line_unmatch(*, by, line):
    from .models import StatementLine

    _require(by, PERM_FINANCE)
    line = StatementLine.objects.select_for_update().get(pk=line.pk)
    period = _open_period(line.period)
    previous = line.matched_posting_id
    line.matched_posting = None
    line.save(update_fields=["matched_posting"])
    audit_record(by=by, action="取消对账匹配", obj=period, data={"line": line.pk, "posting": previous})
    return line


@transaction.atomic
def period_sign_off(*, by, period, reason=""):
    """Finance signs the period off once every line and posting is matched and the closing balances agree.
    From then on no posting may be dated inside it (check_period_open)."""
    from yunfu_ipfund.common.statemachine import transition

    from .selectors import reconciliation

    _require(by, PERM_FINANCE)
    if by is None:
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    lock_fund()  # no posting may slip into the period while it is being signed off
    period = _open_period(period)
    r = reconciliation(period)

    def check(locked):
        if r["unmatched_lines"] or r["unmatched_postings"] or r["difference"] != 0:
            raise DomainError(MSG_NOT_RECONCILED.format(
                lines=len(r["unmatched_lines"]), postings=len(r["unmatched_postings"]),
                difference=format_money(r["difference"])), code="not_reconciled")

    period, _ = transition(period, StatementPeriod.Status.SIGNED_OFF, by=by, action="对账签核", reason=reason,
                           check=check, signed_off_by=by, signed_off_at=timezone.now(),
                           data={"ledger_closing": r["ledger_closing"], "statement_closing": r["statement_closing"]})
    from yunfu_ipfund.notices.services import reminder_resolve

    reminder_resolve(key=f"fund-period-signoff-{period.pk}")
    return period


# --- optional stop of new cover (the bureau approver decides; fund.risk refuses confirmations meanwhile) --

MSG_COVER_ALREADY_PAUSED = "新增纳入风险补偿已于 {day} 暂停（理由：{reason}），无需重复暂停。"
MSG_COVER_NOT_PAUSED = "当前未暂停新增纳入风险补偿，无需恢复。"


def _approver_reason(by, reason):
    if by is None:
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    _require(by, PERM_BUREAU_APPROVE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON_REQUIRED, code="reason_required")
    return reason


@transaction.atomic
def cover_pause(*, by, reason):
    """Stop new cover: until cover_resume, fund.risk.assert_leverage_allows refuses every confirmation."""
    reason = _approver_reason(by, reason)
    lock_fund()
    current = open_cover_pause()
    if current is not None:
        raise Conflict(MSG_COVER_ALREADY_PAUSED.format(day=f"{timezone.localdate(current.started_at):%Y-%m-%d}",
                                                       reason=current.reason), code="already_paused")
    pause = FundCoverPause.objects.create(started_at=timezone.now(), started_by=by, reason=reason)
    audit_record(by=by, action="暂停新增纳入风险补偿", obj=pause, to_state="paused", reason=reason,
                 data={"net_payouts": str(_net_payouts())})
    return pause


@transaction.atomic
def cover_resume(*, by, reason):
    """End the open pause; confirmations are judged by the leverage ceiling alone again."""
    reason = _approver_reason(by, reason)
    lock_fund()
    pause = FundCoverPause.objects.select_for_update().filter(ended_at__isnull=True).first()
    if pause is None:
        raise DomainError(MSG_COVER_NOT_PAUSED, code="not_paused")
    pause.ended_at, pause.ended_by, pause.end_reason = timezone.now(), by, reason
    pause.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit_record(by=by, action="恢复新增纳入风险补偿", obj=pause, from_state="paused", to_state="resumed", reason=reason)
    return pause


def _net_payouts():
    return fund_figures().net_payouts
