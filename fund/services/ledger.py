"""The ledger's one writer: a balanced posting under the fund's lock, checked against every balance rule,
idempotent by its key, with its running balances and its audit event (see the package docstring).
The helpers every service of the fund shares (who may act, references, dates, amounts, keys) are here."""

import hashlib
import json

from django.db.models import F
from django.utils import timezone

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record, object_label
from yunfu_ipfund.common.articles import ARTICLE_4, implements
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    Conflict,
    DomainError,
    ValidationFailed,
)
from yunfu_ipfund.common.money import ZERO, format_money, to_money
from yunfu_ipfund.common.parsing import parse_date
from yunfu_ipfund.policy.services import policy_in_force

from ..locks import lock_fund
from ..models import (
    Account,
    BankBalance,
    DailyMovement,
    Entry,
    LedgerAccount,
    Posting,
    PostingKind,
    StatementPeriod,
)
from ..selectors import (
    commitment_remaining,
)

MSG_KEY_REQUIRED = "缺少业务幂等键。"
MSG_POSTING_TOO_LARGE = (
    "金额过大：{amount} 元超过《{title}》参数“单笔记账金额上限”{limit} 元（防录入错误），请核对；"
    "确需登记更大金额的，请管理员在政策版本中调整该上限。"
)
MSG_KEY_CONFLICT = "幂等键“{key}”已用于另一笔不同的业务（{existing}），本次登记不予受理。"
MSG_UNBALANCED = "借贷不平衡：分录合计为 {total}。"
MSG_CASH_NEGATIVE = "专户资金余额不足：当前余额 {cash} 元，本笔支出 {amount} 元。"
MSG_AVAILABLE_NEGATIVE = (
    "可用余额不足：专户资金 {cash} 元，已承诺 {committed} 元，可用 {available} 元，本笔需 {amount} 元。"
)
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
MSG_DATE_REQUIRED = "请填写{field}。"

SYSTEM = None
OPENING_KEY = "fund-opening-allocation"


# --- helpers --------------------------------------------------------------------------------------


def require_unless_system(by, *perms):
    """The system (None: migrations, demo, tasks) may; a person needs one of `perms` (require_perm)."""
    if by is not None:
        require_perm(by, *perms)


def reference_of(reference):
    """(content-type label, id string) of a model instance or of a (label, id) pair; ('', '') for None."""
    if reference is None:
        return "", ""
    if hasattr(reference, "_meta") and getattr(reference, "pk", None) is not None:
        return object_label(reference), str(reference.pk)
    if (
        isinstance(reference, (tuple, list))
        and len(reference) == 2
        and all(str(x).strip() for x in reference)
    ):
        label, ident = (str(x).strip() for x in reference)
        if len(label) <= 100 and len(ident) <= 64:
            return label, ident
    raise ValidationFailed(MSG_BAD_REFERENCE, code="bad_reference")


def _bank(bank, *, required=False):
    if bank is None:
        if required:
            raise ValidationFailed(MSG_BANK_REQUIRED, code="bank_required")
        return None
    if getattr(bank, "kind", None) != Organisation.Kind.BANK:
        raise ValidationFailed(MSG_NOT_A_BANK.format(org=bank), code="not_a_bank")
    return bank


def _day(value, *, default_today=True, field="日期"):
    """A value date (common.parsing.parse_date: an aware datetime gives its day in Shanghai); nothing given:
    today, or refused where the date is required."""
    day = parse_date(value, field=field)
    if day is None:
        if default_today:
            return local_today()
        raise ValidationFailed(MSG_DATE_REQUIRED.format(field=field), code="bad_date")
    return day


def _amount(value, day):
    """A positive amount to the fen, never above the largest posting of the version in force on `day`
    (`max_posting_amount`: a guard against typing errors, not the fund's capital, which a later
    contribution may exceed)."""
    policy = policy_in_force(day)
    amount = to_money(value, allow_zero=False)
    if amount > policy.max_posting_amount:
        raise ValidationFailed(
            MSG_POSTING_TOO_LARGE.format(
                amount=format_money(amount), title=policy.title, limit=format_money(policy.max_posting_amount)
            ),
            code="posting_too_large",
        )
    return amount


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
        ref=["policy.policyversion", str(policy_pk)],
        bank=None,
        commitment=None,
        reversal_of=None,
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
        raise DomainError(
            MSG_CASH_NEGATIVE.format(cash=format_money(before[Account.CASH]), amount=format_money(amount)),
            code="cash_short",
        )
    if available < 0:
        b_committed = -before[Account.COMMITTED]
        raise DomainError(
            MSG_AVAILABLE_NEGATIVE.format(
                cash=format_money(before[Account.CASH]),
                committed=format_money(b_committed),
                available=format_money(before[Account.CASH] - b_committed),
                amount=format_money(amount),
            ),
            code="available_short",
        )


@implements(ARTICLE_4)
def _post(
    *,
    by,
    kind,
    lines,
    key,
    value_date,
    reference=("", ""),
    bank=None,
    commitment=None,
    reversal_of=None,
    action,
    reason="",
    instructed_by=None,
    amount=None,
):
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
        kind=str(kind),
        lines=sorted((str(a), str(v)) for a, v in lines),
        ref=[ref_type, ref_id],
        bank=getattr(bank, "pk", None),
        commitment=getattr(commitment, "pk", None),
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
        kind=kind,
        value_date=value_date,
        booked_at=timezone.now(),
        reference_type=ref_type,
        reference_id=ref_id,
        bank=bank,
        commitment=commitment,
        reversal_of=reversal_of,
        actor=by,
        actor_name=(by.display_name if by is not None else "系统"),
        instructed_by=instructed_by,
        reason=reason or "",
        key=key,
        fingerprint=fingerprint,
        amount=amount,
    )
    Entry.objects.bulk_create(Entry(posting=posting, account=a, amount=v) for a, v in lines)
    changed = {}
    for account, value in lines:
        changed[account] = changed.get(account, ZERO) + value
    for account, value in changed.items():
        LedgerAccount.objects.filter(code=account).update(
            balance=F("balance") + value, updated_at=timezone.now()
        )
        for who in [None, bank] if bank is not None else [None]:
            _add_daily(account, who, value_date, value)
        if bank is not None:
            if not BankBalance.objects.filter(bank=bank, account=account).update(
                balance=F("balance") + value
            ):
                BankBalance.objects.create(bank=bank, account=account, balance=value)
    audit_record(
        by=by,
        action=action,
        obj=posting,
        reason=reason,
        data={
            "key": key,
            "value_date": value_date,
            "entries": [[a, str(v)] for a, v in lines],
            "reference": f"{ref_type}:{ref_id}" if ref_type else "",
            "bank": getattr(bank, "pk", None),
        },
    )
    return posting


def _add_daily(account, bank, value_date, value):
    """Add to the day's total (the caller holds the fund's lock, so there is no race on the row)."""
    updated = DailyMovement.objects.filter(account=account, bank=bank, value_date=value_date).update(
        amount=F("amount") + value, entries=F("entries") + 1
    )
    if not updated:
        DailyMovement.objects.create(
            account=account, bank=bank, value_date=value_date, amount=value, entries=1
        )


def _check_commitment(commitment, lines, amount):
    remaining = commitment_remaining(commitment)
    delta = -sum((v for a, v in lines if a == Account.COMMITTED), ZERO)
    new_remaining = remaining + delta
    if new_remaining < 0:
        raise DomainError(
            MSG_OVER_COMMITMENT.format(remaining=format_money(remaining), amount=format_money(-delta)),
            code="over_commitment",
        )
    if new_remaining > commitment.amount:
        raise DomainError(
            MSG_OVER_COMMITMENT.format(remaining=format_money(remaining), amount=format_money(amount)),
            code="over_commitment",
        )
