"""Reads of the fund: figures now and as of a date, the journal, per-bank risk, reconciliation.

Every figure comes from the running balances (`LedgerAccount`) or the per-day totals
(`DailyMovement`), never from a scan of the entries, so they stay fast at province scale.
"""

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_FINANCE, PERM_READ_ALL
from yunfu_ipfund.accounts.selectors import access
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import NotFound
from yunfu_ipfund.common.money import ZERO, round_fen

from .models import (
    Account,
    BankBalance,
    Commitment,
    DailyMovement,
    Entry,
    LedgerAccount,
    Posting,
    ReturnDue,
    StatementLine,
    StatementPeriod,
    SuspensionProposal,
)

# --- who may see the fund -------------------------------------------------------------------------


def can_see_fund(user):
    """Finance and the bureau (read_all); banks, enterprises and the public never see the fund's pages."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.organisation_id
        and user.organisation.is_government
        and user.has_perm(PERM_READ_ALL)
    )


def require_fund_reader(user):
    if not can_see_fund(user):
        raise NotFound()


def postings_visible_to(user):
    return Posting.objects.all() if can_see_fund(user) else Posting.objects.none()


def access_posting(user, pk):
    return access(postings_visible_to(user).select_related("bank", "actor", "instructed_by", "commitment", "reversal_of"), pk)


def commitments_visible_to(user):
    return Commitment.objects.all() if can_see_fund(user) else Commitment.objects.none()


def access_commitment(user, pk):
    return access(commitments_visible_to(user).select_related("bank", "created_by"), pk)


def periods_visible_to(user):
    return StatementPeriod.objects.all() if can_see_fund(user) else StatementPeriod.objects.none()


def access_period(user, pk):
    return access(periods_visible_to(user), pk)


def proposals_visible_to(user):
    return SuspensionProposal.objects.all() if can_see_fund(user) else SuspensionProposal.objects.none()


def access_proposal(user, pk):
    return access(proposals_visible_to(user).select_related("bank", "decided_by"), pk)


# --- balances and figures -------------------------------------------------------------------------


def balances(as_of=None):
    """{account code: signed balance (debit positive)} now, or at the end of `as_of` (a value date)."""
    if as_of is None or as_of >= local_today():
        found = dict(LedgerAccount.objects.values_list("code", "balance"))
    else:
        found = dict(
            DailyMovement.objects.filter(bank__isnull=True, value_date__lte=as_of)
            .values("account")
            .annotate(total=Sum("amount"))
            .values_list("account", "total")
        )
    # round_fen: SQLite (the zero-setup fallback) sums decimals as floats; PostgreSQL is exact already
    return {code: round_fen(found.get(code) or ZERO) for code in Account.values}


@dataclass
class FundFigures:
    as_of: dt.date | None
    cash: Decimal
    committed: Decimal
    available: Decimal
    contributions: Decimal
    interest: Decimal
    payouts: Decimal
    recoveries: Decimal
    clawbacks: Decimal
    fees: Decimal
    treasury: Decimal
    net_payouts: Decimal
    covered_outstanding: Decimal | None = None
    leverage: Decimal | None = None

    def as_dict(self):
        return {k: (str(v) if v is not None else None) for k, v in asdict(self).items()}


def fund_figures(*, as_of=None, with_covered=False):
    """The fund's figures now or at the end of `as_of`. With `with_covered`, covered outstanding and
    leverage (covered ÷ available; None while nothing is available) from the lenders app."""
    b = balances(as_of)
    cash = b[Account.CASH]
    committed = -b[Account.COMMITTED]
    figures = FundFigures(
        as_of=as_of,
        cash=cash,
        committed=committed,
        available=cash - committed,
        contributions=-b[Account.CONTRIBUTIONS],
        interest=-b[Account.INTEREST],
        payouts=b[Account.COMPENSATION],
        recoveries=-b[Account.RECOVERIES],
        clawbacks=-b[Account.CLAWBACKS],
        fees=b[Account.FEES],
        treasury=b[Account.TREASURY],
        net_payouts=b[Account.COMPENSATION] + b[Account.RECOVERIES] + b[Account.CLAWBACKS],
    )
    if with_covered:
        from .risk import covered_outstanding

        figures.covered_outstanding = covered_outstanding(as_of=as_of)
        if figures.available > 0:
            figures.leverage = (figures.covered_outstanding / figures.available).quantize(Decimal("0.01"))
    return figures


def balance_series(*, start, end, points=12):
    """[(day, cash, committed, available)] at `points` evenly spaced days from start to end (for the chart).

    One query: the daily totals of cash and committed up to `end`, accumulated in Python.
    """
    if end < start:
        start, end = end, start
    span = (end - start).days
    days = sorted({start + dt.timedelta(days=round(span * i / max(points - 1, 1))) for i in range(points)})
    rows = (
        DailyMovement.objects.filter(bank__isnull=True, account__in=[Account.CASH, Account.COMMITTED], value_date__lte=end)
        .values("account", "value_date")
        .annotate(total=Sum("amount"))
        .order_by("value_date")
    )
    series, cash, committed = [], ZERO, ZERO
    rows = list(rows)
    i = 0
    for day in days:
        while i < len(rows) and rows[i]["value_date"] <= day:
            if rows[i]["account"] == Account.CASH:
                cash += round_fen(rows[i]["total"])
            else:
                committed -= round_fen(rows[i]["total"])
            i += 1
        series.append((day, cash, committed, cash - committed))
    return series


def commitment_remaining(commitment):
    """What is still committed (instructed, not yet paid or released), from the ledger."""
    total = Entry.objects.filter(posting__commitment=commitment, account=Account.COMMITTED).aggregate(s=Sum("amount"))["s"]
    return -round_fen(total or ZERO)


def commitment_paid(commitment):
    total = Entry.objects.filter(
        posting__commitment=commitment, account__in=[Account.COMPENSATION, Account.FEES, Account.TREASURY]
    ).aggregate(s=Sum("amount"))["s"]
    return round_fen(total or ZERO)


# --- the journal ----------------------------------------------------------------------------------


def journal(user, *, date_from=None, date_to=None, kind="", bank=None, reference=""):
    qs = postings_visible_to(user).select_related("bank", "actor")
    if date_from:
        qs = qs.filter(value_date__gte=date_from)
    if date_to:
        qs = qs.filter(value_date__lte=date_to)
    if kind:
        qs = qs.filter(kind=kind)
    if bank:
        qs = qs.filter(bank=bank)
    if reference:
        reference = reference.strip()
        qs = qs.filter(Q(reference_id=reference) | Q(key=reference) | Q(reference_type=reference))
    return qs.order_by("-value_date", "-id")


def cash_postings_between(start, end):
    """Postings that moved the special account's cash in [start, end], with their cash amount."""
    return (
        Posting.objects.filter(value_date__gte=start, value_date__lte=end, entries__account=Account.CASH)
        .annotate(cash_amount=Sum("entries__amount", filter=Q(entries__account=Account.CASH)))
        .order_by("value_date", "id")
    )


# --- banks and risk -------------------------------------------------------------------------------


def banks():
    return Organisation.objects.filter(kind=Organisation.Kind.BANK).order_by("name")


def _ratio(part, whole):
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def bank_risk_table(*, as_of=None, today=None):
    """One row per bank: covered outstanding, overdue and non-performing ratios (from the lenders app),
    claims, compensation received and recoveries returned (from the ledger), overdue returns.

    A constant number of queries whatever the number of banks.
    """
    from .risk import bank_portfolio

    today = today or local_today()
    day = as_of or today
    portfolio = bank_portfolio(as_of=as_of)
    accounts = [Account.COMPENSATION, Account.RECOVERIES, Account.CLAWBACKS]
    if as_of is None:  # the running per-bank balances: a few hundred rows
        rows = BankBalance.objects.filter(account__in=accounts).values_list("bank", "account", "balance")
    else:  # the per-bank daily totals up to that day
        rows = (
            DailyMovement.objects.filter(bank__isnull=False, account__in=accounts, value_date__lte=as_of)
            .values("bank", "account").annotate(total=Sum("amount")).values_list("bank", "account", "total")
        )
    ledger = {(bank_id, account): round_fen(total) for bank_id, account, total in rows}
    claims_qs = Commitment.objects.filter(purpose=Commitment.Purpose.CLAIM, bank__isnull=False)
    if as_of is not None:
        claims_qs = claims_qs.filter(created_at__date__lte=as_of)
    claims = dict(claims_qs.values("bank").annotate(n=Count("id")).values_list("bank", "n"))
    overdue = {
        row["bank"]: row
        for row in ReturnDue.objects.filter(Q(settled_at__isnull=True) | Q(settled_at__date__gt=day), due_on__lt=day)
        .values("bank")
        .annotate(n=Count("id"), amount=Sum("amount"), first_due=Min("due_on"))
    }
    rows = []
    for bank in banks():
        p = portfolio.get(bank.pk, {})
        covered = Decimal(p.get("covered_outstanding") or ZERO)
        overdue_amt = Decimal(p.get("overdue") or ZERO)
        npl = Decimal(p.get("non_performing") or ZERO)
        o = overdue.get(bank.pk)
        first_due = o["first_due"] if o else None
        rows.append(
            {
                "bank": bank,
                "covered_outstanding": covered,
                "overdue": overdue_amt,
                "non_performing": npl,
                "overdue_ratio": _ratio(overdue_amt, covered),
                "npl_ratio": _ratio(npl, covered),
                "claims": claims.get(bank.pk, 0),
                "compensation": ledger.get((bank.pk, Account.COMPENSATION), ZERO),
                "recoveries": -ledger.get((bank.pk, Account.RECOVERIES), ZERO),
                "clawbacks": -ledger.get((bank.pk, Account.CLAWBACKS), ZERO),
                "overdue_returns": o["n"] if o else 0,
                "overdue_returns_amount": o["amount"] if o else ZERO,
                "overdue_days": (day - first_due).days if first_due else 0,
            }
        )
    return rows


# --- reconciliation -------------------------------------------------------------------------------


def reconciliation(period):
    """Matched pairs, unmatched statement lines, unmatched cash postings, and the closing difference."""
    lines = list(period.lines.select_related("matched_posting").order_by("line_date", "id"))
    postings = list(cash_postings_between(period.start, period.end))
    matched_ids = {line.matched_posting_id for line in lines if line.matched_posting_id}
    ledger_opening = balances(period.start - dt.timedelta(days=1))[Account.CASH]
    ledger_closing = balances(period.end)[Account.CASH]
    return {
        "matched": [line for line in lines if line.matched_posting_id],
        "unmatched_lines": [line for line in lines if not line.matched_posting_id],
        "unmatched_postings": [p for p in postings if p.pk not in matched_ids],
        "ledger_opening": ledger_opening,
        "ledger_closing": ledger_closing,
        "statement_closing": period.closing_balance,
        "statement_lines_total": sum((line.amount for line in lines), ZERO),
        "difference": period.closing_balance - ledger_closing,
    }


def unmatched_lines_count():
    return StatementLine.objects.filter(period__status=StatementPeriod.Status.OPEN, matched_posting__isnull=True).count()


def signed_off_period_covering(day):
    return StatementPeriod.objects.filter(status=StatementPeriod.Status.SIGNED_OFF, start__lte=day, end__gte=day).first()


def open_proposals():
    return SuspensionProposal.objects.filter(status=SuspensionProposal.Status.PROPOSED).select_related("bank")


def can_instruct(user):
    return user.has_perm(PERM_BUREAU_APPROVE)


def can_confirm(user):
    return user.has_perm(PERM_FINANCE)
