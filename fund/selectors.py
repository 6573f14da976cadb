"""Reads of the fund: figures now and as of a date, the journal, per-bank ledger figures, reconciliation,
the pause of new cover.

Every figure comes from the running balances (`LedgerAccount`) or the per-day totals
(`DailyMovement`), never from a scan of the entries, so they stay fast at province scale.
"""

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Count, Min, OuterRef, Q, Subquery, Sum

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
    FundCoverPause,
    LedgerAccount,
    Posting,
    PostingKind,
    ReturnDue,
    StatementLine,
    StatementPeriod,
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
    return access(
        postings_visible_to(user).select_related(
            "bank", "actor", "instructed_by", "commitment", "reversal_of"
        ),
        pk,
    )


def commitments_visible_to(user):
    return Commitment.objects.all() if can_see_fund(user) else Commitment.objects.none()


def access_commitment(user, pk):
    return access(commitments_visible_to(user).select_related("bank", "created_by"), pk)


def periods_visible_to(user):
    return StatementPeriod.objects.all() if can_see_fund(user) else StatementPeriod.objects.none()


def access_period(user, pk):
    return access(periods_visible_to(user), pk)


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


def fund_figures(*, as_of=None, covered_outstanding=None):
    """The fund's figures now or at the end of `as_of`. Given the covered outstanding of that day (the
    loans are not the fund's: the lenders app reads it and passes it in), also the leverage (covered ÷
    available; None while nothing is available)."""
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
    if covered_outstanding is not None:
        figures.covered_outstanding = Decimal(covered_outstanding)
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
        DailyMovement.objects.filter(
            bank__isnull=True, account__in=[Account.CASH, Account.COMMITTED], value_date__lte=end
        )
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


def with_committed_total(commitments):
    """`commitments` with each one's COMMITTED entries summed in the same query (`committed_total`), so a
    list shows what remains of each without a query per row (commitment_remaining reads it)."""
    total = (
        Entry.objects.filter(posting__commitment=OuterRef("pk"), account=Account.COMMITTED)
        .values("posting__commitment")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return commitments.annotate(committed_total=Subquery(total))


def commitment_remaining(commitment):
    """What is still committed (instructed, not yet paid or released), from the ledger (from the
    annotation of with_committed_total when the commitment was read with it)."""
    if hasattr(commitment, "committed_total"):
        total = commitment.committed_total
    else:
        total = Entry.objects.filter(posting__commitment=commitment, account=Account.COMMITTED).aggregate(
            s=Sum("amount")
        )["s"]
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


def movements_between(start, end):
    """Postings by kind with value dates in [start, end]: [{kind, n, total}] (the reports' movements)."""
    return list(
        Posting.objects.filter(value_date__gte=start, value_date__lte=end)
        .values("kind")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("kind")
    )


def payout_count():
    """Payouts made and not reversed (the public statistics page)."""
    return Posting.objects.filter(kind=PostingKind.PAYOUT, reversed_by__isnull=True).count()


def cash_postings_between(start, end):
    """Postings that moved the special account's cash in [start, end], with their cash amount."""
    return (
        Posting.objects.filter(value_date__gte=start, value_date__lte=end, entries__account=Account.CASH)
        .annotate(cash_amount=Sum("entries__amount", filter=Q(entries__account=Account.CASH)))
        .order_by("value_date", "id")
    )


# --- per bank ---------------------------------------------------------------------------------------


def banks():
    return Organisation.objects.filter(kind=Organisation.Kind.BANK).order_by("name")


def bank_ledger_zero():
    """The ledger figures of a bank the fund has nothing about yet."""
    return {
        "claims": 0,
        "compensation": ZERO,
        "recoveries": ZERO,
        "clawbacks": ZERO,
        "overdue_returns": 0,
        "overdue_returns_amount": ZERO,
        "overdue_days": 0,
    }


def bank_ledger_figures(*, as_of=None, today=None):
    """{bank_id: figures} for every bank the ledger knows something about: claim commitments, compensation
    received, recoveries returned and clawbacks (from the per-bank balances, or the per-bank daily totals
    up to `as_of`), and the recovery returns overdue on that day (count, amount, days since the first was
    due). Banks it knows nothing about are absent (bank_ledger_zero()). A constant number of queries."""
    today = today or local_today()
    day = as_of or today
    accounts = [Account.COMPENSATION, Account.RECOVERIES, Account.CLAWBACKS]
    if as_of is None:  # the running per-bank balances: a few hundred rows
        rows = BankBalance.objects.filter(account__in=accounts).values_list("bank", "account", "balance")
    else:  # the per-bank daily totals up to that day
        rows = (
            DailyMovement.objects.filter(bank__isnull=False, account__in=accounts, value_date__lte=as_of)
            .values("bank", "account")
            .annotate(total=Sum("amount"))
            .values_list("bank", "account", "total")
        )
    ledger = {(bank_id, account): round_fen(total) for bank_id, account, total in rows}
    claims_qs = Commitment.objects.filter(purpose=Commitment.Purpose.CLAIM, bank__isnull=False)
    if as_of is not None:
        claims_qs = claims_qs.filter(created_at__date__lte=as_of)
    claims = dict(claims_qs.values("bank").annotate(n=Count("id")).values_list("bank", "n"))
    overdue = {
        row["bank"]: row
        for row in ReturnDue.objects.filter(
            Q(settled_at__isnull=True) | Q(settled_at__date__gt=day), due_on__lt=day
        )
        .values("bank")
        .annotate(n=Count("id"), amount=Sum("amount"), first_due=Min("due_on"))
    }
    out = {}
    for bank_id in {b for b, _ in ledger} | set(claims) | set(overdue):
        o = overdue.get(bank_id)
        out[bank_id] = {
            "claims": claims.get(bank_id, 0),
            "compensation": ledger.get((bank_id, Account.COMPENSATION), ZERO),
            "recoveries": -ledger.get((bank_id, Account.RECOVERIES), ZERO),
            "clawbacks": -ledger.get((bank_id, Account.CLAWBACKS), ZERO),
            "overdue_returns": o["n"] if o else 0,
            "overdue_returns_amount": o["amount"] if o else ZERO,
            "overdue_days": (day - o["first_due"]).days if o else 0,
        }
    return out


# --- the pause of new cover -----------------------------------------------------------------------


def open_cover_pause():
    """The open FundCoverPause, or None."""
    return FundCoverPause.objects.filter(ended_at__isnull=True).select_related("started_by").first()


def cover_pauses():
    """Every pause, newest first (the risk page's history)."""
    return FundCoverPause.objects.select_related("started_by", "ended_by")


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
    return StatementLine.objects.filter(
        period__status=StatementPeriod.Status.OPEN, matched_posting__isnull=True
    ).count()


def signed_off_period_covering(day):
    return StatementPeriod.objects.filter(
        status=StatementPeriod.Status.SIGNED_OFF, start__lte=day, end__gte=day
    ).first()


def can_instruct(user):
    return user.has_perm(PERM_BUREAU_APPROVE)


def can_confirm(user):
    return user.has_perm(PERM_FINANCE)
