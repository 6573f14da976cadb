"""Articles 15-16 as they bear on the banks: the figures of each cooperating bank, the grounds for
proposing its suspension, and new cover judged against the fund's leverage ceiling.

The bank side knows both sides: the loans are its own (selectors), the ledger it reads from
fund.selectors, and the fund's own rules (the ceiling, the pause of new cover) it calls in fund.risk
with the covered outstanding it has read. The fund never reads the loans.
"""

from decimal import Decimal

from django.db import connection

from fund.locks import lock_fund
from fund.risk import assert_leverage_allows
from fund.selectors import bank_ledger_figures, bank_ledger_zero, fund_figures
from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.money import ZERO, format_money

from .selectors import bank_portfolio_figures, covered_outstanding

# After the approver dismissed a proposal, the same bank is not proposed again for this many days
# (an operating choice of the portal, not a number of the Measures).
QUIET_DAYS_AFTER_DECISION = 30

# The label the proposals' audit events were written with while they were the fund's (the log is
# append-only: its old events keep it).
FORMER_PROPOSAL_LABEL = "fund.suspensionproposal"


def npl_over_threshold(row, policy):
    """A bank's covered non-performing share is above the policy's suspension ratio."""
    return (
        row["covered_outstanding"] > 0
        and row["non_performing"] > policy.suspension_npl_ratio * row["covered_outstanding"]
    )


def return_overdue_too_long(row, policy):
    """A bank has a recovery return overdue longer than the policy allows."""
    return row["overdue_days"] > policy.suspension_return_overdue_days


def suspension_grounds(row, policy):
    """The reasons (Chinese sentences) a bank's figures give for proposing its suspension, if any."""
    grounds = []
    if npl_over_threshold(row, policy):
        grounds.append(
            f"在保不良率 {row['npl_ratio']:.2%}（不良 {format_money(row['non_performing'])} 元 ÷ 在保 "
            f"{format_money(row['covered_outstanding'])} 元）超过 {policy.suspension_npl_ratio:.2%}"
        )
    if return_overdue_too_long(row, policy):
        grounds.append(
            f"追偿款逾期返还 {row['overdue_days']} 天（{row['overdue_returns']} 笔，"
            f"{format_money(row['overdue_returns_amount'])} 元），"
            f"超过 {policy.suspension_return_overdue_days} 天"
        )
    return grounds


def _ratio(part, whole):
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def bank_risk_table(*, as_of=None, today=None):
    """One row per bank organisation: covered outstanding, overdue and non-performing covered amounts and
    ratios (the loans), claims, compensation received, recoveries returned, clawbacks and overdue returns
    (the ledger). A constant number of queries whatever the number of banks."""
    portfolio = bank_portfolio_figures(as_of=as_of)
    ledger = bank_ledger_figures(as_of=as_of, today=today)
    rows = []
    for bank in Organisation.objects.filter(kind=Organisation.Kind.BANK).order_by("name"):
        loans = portfolio.get(bank.pk, {})
        covered = loans.get("covered_outstanding", ZERO)
        overdue = loans.get("overdue_covered", ZERO)
        npl = loans.get("non_performing_covered", ZERO)
        rows.append(
            {
                "bank": bank,
                "covered_outstanding": covered,
                "overdue": overdue,
                "non_performing": npl,
                "overdue_ratio": _ratio(overdue, covered),
                "npl_ratio": _ratio(npl, covered),
                **ledger.get(bank.pk, bank_ledger_zero()),
            }
        )
    return rows


def fund_figures_with_cover(*, as_of=None):
    """The fund's figures with the covered outstanding of the same day, and so the leverage."""
    return fund_figures(as_of=as_of, covered_outstanding=covered_outstanding(as_of=as_of))


def assert_new_cover_allowed(*, additional_covered, on, policy):
    """Refuse new cover of `additional_covered` on day `on` while the fund pauses new cover or above its
    leverage ceiling (fund.risk.assert_leverage_allows, with the figures in the refusal).

    Takes the fund's lock before reading the covered outstanding: two confirmations, or a confirmation
    and a commitment, are judged one after the other on figures the other has already changed.
    """
    if connection.in_atomic_block:
        lock_fund()
    return assert_leverage_allows(
        covered_outstanding=covered_outstanding(as_of=on),
        additional_covered=additional_covered,
        on=on,
        policy=policy,
    )


def proposal_trail(proposal):
    """The audit trail of a suspension proposal, with the events written while it was the fund's."""
    return AuditEvent.objects.filter(
        object_type__in=[f"{proposal._meta.app_label}.{proposal._meta.model_name}", FORMER_PROPOSAL_LABEL],
        object_id=str(proposal.pk),
    ).order_by("id")
