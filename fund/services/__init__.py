"""Writes to the fund ledger, and the only way anything reaches it.

Every service: keyword-only, `by` (a user, or None for the system: migrations, demo, tasks),
@transaction.atomic, audited, idempotent by `key` (same key and same figures returns the existing
record; same key with other figures is a Conflict). Every posting first locks the cash account's
running-balance row (`fund.locks.lock_fund`), the single serialisation point, then checks its rules
on the balances it would leave: cash >= 0, committed >= 0, available = cash - committed >= 0, a
commitment's remaining between 0 and its amount. A posting that breaks a rule is refused whole.

Who does what (four-eyes between the two bureaus, ADR 0002):
- money out (payouts, fees, returns to the treasury) is instructed by the bureau approver
  (`commitment_create`, PERM_BUREAU_APPROVE) and paid by finance (`payout_post`, `fee_pay`,
  `treasury_return_post`, PERM_FINANCE) out of that commitment;
- money in (contributions, interest, recovery returns, clawbacks) is recorded by finance from the
  special account's statement, and reconciled against it.

By job: `ledger` (the one writer of postings and the shared helpers), `receipts` (money in),
`payments` (commitments, money out, reversals, the payout alert), `reconciliation` (the statement),
`cover` (the pause of new cover). The names other apps use are importable from here.
"""

from ..locks import ensure_accounts, lock_fund
from .cover import cover_can_decide, cover_pause, cover_resume
from .ledger import (
    OPENING_KEY,
    SYSTEM,
    check_period_open,
    opening_fingerprint,
    reference_of,
    require_unless_system,
)
from .payments import (
    BUREAU_KINDS,
    check_payout_pause,
    commitment_can_pay,
    commitment_can_release,
    commitment_create,
    commitment_release,
    fee_pay,
    payout_post,
    posting_can_reverse,
    posting_reverse,
    treasury_return_post,
)
from .receipts import (
    clawback_receive,
    contribution_post,
    interest_post,
    recovery_receive,
    recovery_return_expect,
)
from .reconciliation import (
    period_can_edit,
    period_create,
    period_sign_off,
    reconciliation_match,
    statement_import,
    statement_line_add,
    statement_line_match,
    statement_line_unmatch,
)

__all__ = [
    "BUREAU_KINDS",
    "OPENING_KEY",
    "SYSTEM",
    "check_payout_pause",
    "check_period_open",
    "clawback_receive",
    "commitment_can_pay",
    "commitment_can_release",
    "commitment_create",
    "commitment_release",
    "contribution_post",
    "cover_can_decide",
    "cover_pause",
    "cover_resume",
    "ensure_accounts",
    "fee_pay",
    "interest_post",
    "lock_fund",
    "opening_fingerprint",
    "payout_post",
    "period_can_edit",
    "period_create",
    "period_sign_off",
    "posting_can_reverse",
    "posting_reverse",
    "reconciliation_match",
    "recovery_receive",
    "recovery_return_expect",
    "reference_of",
    "require_unless_system",
    "statement_import",
    "statement_line_add",
    "statement_line_match",
    "statement_line_unmatch",
    "treasury_return_post",
]
