"""Articles 15-16 as they bear on the banks: the figures of each cooperating bank, the grounds for
proposing its suspension, and new cover judged against the fund's leverage ceiling.

The bank side knows both sides: the loans are its own, the ledger it reads from fund.selectors (and the
compensation each bank received in the window from the fund's per-bank daily totals), and the fund's
own rules (the ceiling, the pause of new cover) it calls in fund.risk with the covered outstanding it
has read. The fund never reads the loans.

The suspension grounds (Rulings of December 2026), each figure from the policy version in force on the
day of the computation (`day`: the as-of day, or today):

- the window is the trailing `suspension_window_months` ending on `day`: from the day after `day` less
  that many months, to `day`, both included (2026-11-26, 12 months: 2025-11-27 to 2026-11-26);
- a loan is *covered in the window* if it was in a covered state (正常在保/逾期/不良/补偿申请中) on any day
  of the window: the state it entered the window in (its latest event before the window), or any state
  it took in the window; its *covered principal in the window* is the most of its principal the fund
  covered in the window: the largest covered outstanding it had in those covered states (the covered
  outstanding only falls while a loan is covered, so this is its figure on the window's first day, or
  on its confirmation if that came later);
- a loan is *non-performing in the window* if on any day of the window it was 不良 or 补偿申请中: it counts
  whatever it is today (已补偿, 追偿中, 已结清 after that, or even 已移出), so a bad loan does not leave
  the ratio when it is compensated;
- ground 1 (NPL ratio): Σ covered principal in the window of the loans non-performing in the window
  > `suspension_npl_ratio` × Σ covered principal in the window of the loans covered in the window
  (the Measures: "covered NPL ratio > 5 %"; exactly 5 % is not a ground);
- ground 2 (claim volume): compensation paid to the bank with a value date in the window (the fund's
  COMPENSATION postings naming the bank, net of their reversals) ≥ `bank_claims_share` × the
  `fund_capital` of the version in force on `day` (exactly 20 % is a ground);
- ground 3: a recovery return overdue > `suspension_return_overdue_days` days on `day`.

The overdue figure of the page counts the loans reported overdue and still covered: 逾期, and 不良 or
补偿申请中 reported overdue and not cured since.
"""

import datetime as dt
from decimal import Decimal

from django.db import connection

from fund.locks import lock_fund
from fund.models import Account, DailyMovement
from fund.risk import assert_leverage_allows
from fund.selectors import bank_ledger_figures, bank_ledger_zero, fund_figures
from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.articles import ARTICLE_15, implements
from yunfu_ipfund.common.dates import add_months
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.money import ZERO, format_money, round_fen
from yunfu_ipfund.policy.services import policy_in_force

from .models import CoveredLoan, LoanEvent
from .selectors import covered_outstanding

# After the approver dismissed a proposal, the same bank is not proposed again for this many days
# (an operating choice of the portal, not a number of the Measures).
QUIET_DAYS_AFTER_DECISION = 30

# The label the proposals' audit events were written with while they were the fund's (the log is
# append-only: its old events keep it).
FORMER_PROPOSAL_LABEL = "fund.suspensionproposal"

ARTICLE = "《管理办法》第十五条"

# The states in which a loan is non-performing for the suspension grounds (bad and still covered).
NON_PERFORMING_STATES = (CoveredLoan.Status.NON_PERFORMING, CoveredLoan.Status.IN_CLAIM)


def suspension_window(day, policy):
    """(first, last) day of the trailing window ending on `day`, both included."""
    return add_months(day, -policy.suspension_window_months) + dt.timedelta(days=1), day


def npl_over_threshold(row, policy):
    """The bank's non-performing share of the covered principal in the window is above the policy's
    suspension ratio (strictly: exactly at the ratio is not a ground)."""
    return (
        row["window_covered"] > 0 and row["window_npl"] > policy.suspension_npl_ratio * row["window_covered"]
    )


def claims_threshold(policy):
    """The compensation in the window at which a bank has the claim-volume ground."""
    return round_fen(policy.bank_claims_share * policy.fund_capital)


def claims_over_threshold(row, policy):
    """The compensation paid to the bank in the window reaches `bank_claims_share` of the fund's capital."""
    return row["window_compensation"] > 0 and row["window_compensation"] >= claims_threshold(policy)


def return_overdue_too_long(row, policy):
    """A bank has a recovery return overdue longer than the policy allows."""
    return row["overdue_days"] > policy.suspension_return_overdue_days


@implements(ARTICLE_15)
def suspension_grounds(row, policy):
    """The reasons (Chinese sentences, with the figures) a bank's row gives for proposing its suspension."""
    months = policy.suspension_window_months
    grounds = []
    if npl_over_threshold(row, policy):
        grounds.append(
            f"近{months}个月在保不良率 {row['npl_ratio']:.2%}"
            f"（不良 {format_money(row['window_npl'])} 元 ÷ 在保 {format_money(row['window_covered'])} 元）"
            f"超过 {policy.suspension_npl_ratio:.2%}（{ARTICLE}）"
        )
    if claims_over_threshold(row, policy):
        grounds.append(
            f"近{months}个月获得风险补偿 {format_money(row['window_compensation'])} 元，达到资金规模 "
            f"{format_money(policy.fund_capital)} 元的 {row['claims_share']:.2%}，不低于 "
            f"{policy.bank_claims_share:.2%}（{format_money(claims_threshold(policy))} 元，{ARTICLE}）"
        )
    if return_overdue_too_long(row, policy):
        grounds.append(
            f"追偿款逾期返还 {row['overdue_days']} 天（{row['overdue_returns']} 笔，"
            f"{format_money(row['overdue_returns_amount'])} 元），"
            f"超过 {policy.suspension_return_overdue_days} 天（{ARTICLE}）"
        )
    return grounds


def _ratio(part, whole):
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def _money(value):
    """A database sum as Decimal fen: PostgreSQL returns numeric (exact); SQLite a float or int."""
    if value is None:
        return ZERO
    return round_fen(value if isinstance(value, Decimal) else Decimal(repr(value)))


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"  # our own status codes, not user input


def _loan_figures(*, day, start, now):
    """{bank_id: figures} of the loans (and the compensation received in the window), in ONE query.

    Per loan, its history up to `day` (LoanEvent, the append-only record; now: with its current row as the
    latest state, so a loan without events is still counted), ranked latest first: the state on `day`
    (covered outstanding, reported overdue), and its covered principal in the window and whether it was
    non-performing in it (see the module docstring). Summed per bank, with the COMPENSATION per-bank
    daily totals of the window beside."""
    S = CoveredLoan.Status
    live, bad = _in(CoveredLoan.LIVE), _in(NON_PERFORMING_STATES)
    events, loans = LoanEvent._meta.db_table, CoveredLoan._meta.db_table
    daily = DailyMovement._meta.db_table
    overdue_kind = LoanEvent.Kind.OVERDUE
    params = [day]
    current = ""
    if now:
        current = (
            f"UNION ALL SELECT l.id, l.status, l.covered_outstanding, CASE WHEN l.overdue_since IS NULL "
            f"THEN '' ELSE '{overdue_kind}' END, %s, 0, 1 FROM {loans} l"
        )
        params.append(day)
    params += [start, start, start, day, Account.COMPENSATION, start, day]
    sql = f"""
    WITH ev AS (
        SELECT e.loan_id, e.status_after AS status, e.covered_outstanding_after AS covered, e.kind,
               e.occurred_on, e.id AS eid, 0 AS cur
        FROM {events} e WHERE e.occurred_on <= %s
        {current}
    ), ranked AS (
        SELECT ev.*,
               ROW_NUMBER() OVER (PARTITION BY loan_id ORDER BY cur DESC, occurred_on DESC, eid DESC) AS rn,
               ROW_NUMBER() OVER (
                   PARTITION BY loan_id, CASE WHEN occurred_on < %s THEN 1 ELSE 0 END
                   ORDER BY cur DESC, occurred_on DESC, eid DESC
               ) AS rn_part
        FROM ev
    ), per_loan AS (
        SELECT loan_id,
               MAX(CASE WHEN (occurred_on >= %s OR rn_part = 1) AND status IN {live} THEN covered END)
                   AS weight,
               MAX(CASE WHEN (occurred_on >= %s OR rn_part = 1) AND status IN {bad} THEN 1 ELSE 0 END)
                   AS bad,
               MAX(CASE WHEN rn = 1 THEN status END) AS status_now,
               MAX(CASE WHEN rn = 1 THEN covered END) AS covered_now,
               MIN(CASE WHEN kind = '{overdue_kind}' THEN rn END) AS last_overdue,
               MIN(CASE WHEN status = '{S.ACTIVE}' THEN rn END) AS last_active
        FROM ranked GROUP BY loan_id
    ), per_state AS (
        SELECT p.*,
               CASE WHEN p.status_now = '{S.OVERDUE}' OR (p.status_now IN {bad}
                    AND p.last_overdue IS NOT NULL AND p.last_overdue < COALESCE(p.last_active, 2147483647))
                    THEN 1 ELSE 0 END AS reported_overdue
        FROM per_loan p
    )
    SELECT l.bank_id,
           SUM(CASE WHEN s.status_now IN {live} THEN s.covered_now ELSE 0 END),
           SUM(CASE WHEN s.status_now IN {live} AND s.reported_overdue = 1 THEN s.covered_now ELSE 0 END),
           SUM(CASE WHEN s.status_now IN {bad} THEN s.covered_now ELSE 0 END),
           SUM(CASE WHEN s.status_now IN {live} THEN 1 ELSE 0 END),
           SUM(COALESCE(s.weight, 0)),
           SUM(CASE WHEN s.bad = 1 THEN s.weight ELSE 0 END),
           SUM(CASE WHEN s.weight IS NOT NULL THEN 1 ELSE 0 END),
           SUM(s.bad),
           0
    FROM per_state s JOIN {loans} l ON l.id = s.loan_id
    WHERE l.disbursed_on <= %s
    GROUP BY l.bank_id
    UNION ALL
    SELECT d.bank_id, 0, 0, 0, 0, 0, 0, 0, 0, SUM(d.amount)
    FROM {daily} d
    WHERE d.account = %s AND d.bank_id IS NOT NULL AND d.value_date >= %s AND d.value_date <= %s
    GROUP BY d.bank_id
    """
    keys = (
        "covered_outstanding",
        "overdue",
        "non_performing",
        "loans_count",
        "window_covered",
        "window_npl",
        "window_loans",
        "window_npl_loans",
        "window_compensation",
    )
    counts = {"loans_count", "window_loans", "window_npl_loans"}
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for bank_id, *values in cursor.fetchall():
            entry = out.setdefault(bank_id, _zero())
            for key, value in zip(keys, values, strict=True):
                entry[key] += int(value or 0) if key in counts else _money(value)
    return out


def _zero():
    return {
        "covered_outstanding": ZERO,
        "overdue": ZERO,
        "non_performing": ZERO,
        "loans_count": 0,
        "window_covered": ZERO,
        "window_npl": ZERO,
        "window_loans": 0,
        "window_npl_loans": 0,
        "window_compensation": ZERO,
    }


@implements(ARTICLE_15)
def bank_risk_table(*, as_of=None, today=None, policy=None):
    """One row per bank organisation, on `day` (the as-of day, or today), judged under the version in force
    on `day`: the covered outstanding, the overdue (reported overdue) and non-performing covered amounts
    and the overdue ratio (on `day`); the window's covered principal, non-performing principal and NPL
    ratio, and the compensation received in the window and its share of the fund's capital (the grounds
    of the module docstring); claims, compensation received, recoveries returned, clawbacks and overdue
    returns (the ledger); and the grounds for proposing the bank's suspension with a flag per ground.

    The ONE computation behind the risk page's figures, its 超阈值 marks and the suspension proposals
    (lenders.services.proposals). A constant number of queries whatever the number of banks."""
    day = as_of or today or local_today()
    policy = policy or policy_in_force(day)
    start, _ = suspension_window(day, policy)
    loans = _loan_figures(day=day, start=start, now=as_of is None)
    ledger = bank_ledger_figures(as_of=as_of, today=today)
    rows = []
    for bank in Organisation.objects.filter(kind=Organisation.Kind.BANK).order_by("name"):
        row = {"bank": bank, **loans.get(bank.pk, _zero()), **ledger.get(bank.pk, bank_ledger_zero())}
        row["overdue_ratio"] = _ratio(row["overdue"], row["covered_outstanding"])
        row["npl_ratio"] = _ratio(row["window_npl"], row["window_covered"])
        row["claims_share"] = _ratio(row["window_compensation"], policy.fund_capital)
        row["window_start"], row["window_end"] = start, day
        row["flag_npl"] = npl_over_threshold(row, policy)
        row["flag_claims"] = claims_over_threshold(row, policy)
        row["flag_return"] = return_overdue_too_long(row, policy)
        row["grounds"] = suspension_grounds(row, policy)
        rows.append(row)
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
