"""Reads of the bank side, scoped to the user: a bank sees its own filings and loans, the bureau and
finance (read_all) see everything, anyone else nothing. A record outside that is NotFound (404).

Figures for other apps: active_bank_orgs, asset_ids_pledged_under_live_loans, covered_outstanding,
bank_portfolio_figures, enterprise_covered_outstanding.
"""

from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.signals import post_delete, post_save

from fund import selectors as fund_selectors
from fund.models import Posting
from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.selectors import access, scope_to_org, sees_everything
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import NotFound
from yunfu_ipfund.common.money import ZERO, round_fen

from .models import (
    CooperatingBank,
    CoveredLoan,
    FilingAsset,
    FilingDocument,
    ImportJob,
    LoanEvent,
    LoanFiling,
    SuspensionProposal,
)

# --- cooperating banks -----------------------------------------------------------------------------


def active_bank_orgs(on=None):
    """Organisations whose CooperatingBank is active with a cooperation agreement valid on `on` (today)."""
    on = on or local_today()
    return Organisation.objects.filter(
        kind=Organisation.Kind.BANK,
        is_active=True,
        cooperating_bank__status=CooperatingBank.Status.ACTIVE,
        cooperating_bank__agreement_valid_from__lte=on,
        cooperating_bank__agreement_valid_to__gte=on,
    )


def public_bank_list():
    return CooperatingBank.objects.select_related("organisation").exclude(
        status=CooperatingBank.Status.TERMINATED
    )


def banks_for_bureau():
    return CooperatingBank.objects.select_related("organisation")


def access_bank(user, pk):
    """A bank profile for government staff (read_all); anyone else: NotFound."""
    qs = banks_for_bureau() if sees_everything(user) else CooperatingBank.objects.none()
    return access(qs, pk)


def bank_profile_of(org_id):
    return CooperatingBank.objects.filter(organisation_id=org_id).first()


def active_bank_count():
    """Cooperating banks in the active state (the public statistics page)."""
    return CooperatingBank.objects.filter(status=CooperatingBank.Status.ACTIVE).count()


# --- suspension proposals (Art 15-16) ---------------------------------------------------------------


def proposals_visible_to(user):
    """Government staff (read_all) see the proposals; nobody else (NotFound)."""
    return SuspensionProposal.objects.all() if sees_everything(user) else SuspensionProposal.objects.none()


def access_proposal(user, pk):
    return access(proposals_visible_to(user).select_related("bank", "decided_by"), pk)


def open_proposals():
    return SuspensionProposal.objects.filter(status=SuspensionProposal.Status.PROPOSED).select_related("bank")


# --- pledged assets --------------------------------------------------------------------------------


def asset_ids_pledged_under_live_loans(asset_ids, *, excluding_filing_id=None):
    """Ids among `asset_ids` pledged under a filing that is filed (submitted/returned) or covered and live,
    not counting the filing `excluding_filing_id` (the one being judged does not pledge under *another*
    loan)."""
    live = Q(filing__status__in=LoanFiling.FILED) | Q(
        filing__status=LoanFiling.Status.CONFIRMED, filing__covered_loan__status__in=CoveredLoan.LIVE
    )
    qs = FilingAsset.objects.filter(live, asset_id__in=list(asset_ids))
    if excluding_filing_id is not None:
        qs = qs.exclude(filing_id=excluding_filing_id)
    return set(qs.values_list("asset_id", flat=True))


# --- filings ---------------------------------------------------------------------------------------


def _is_enterprise(user):
    return bool(
        getattr(user, "organisation_id", None) and user.organisation.kind == Organisation.Kind.ENTERPRISE
    )


def _scoped(qs, user, *, enterprise_path="enterprise"):
    """A bank sees its own bank's rows; an enterprise (read only) the rows it is the borrower of."""
    return scope_to_org(qs, user, enterprise_path if _is_enterprise(user) else "bank")


def filings_visible_to(user):
    """Bank: its filings; bureau/finance: all; enterprise: its own once the bank has submitted them (a draft
    is the bank's work in progress). Writing always needs the bank (access_filing(for_write=True))."""
    qs = _scoped(LoanFiling.objects.select_related("bank", "enterprise"), user)
    return qs.exclude(status=LoanFiling.Status.DRAFT) if _is_enterprise(user) else qs


def access_filing(user, pk, *, for_write=False):
    """One filing the user may see; with for_write, only its own bank's users."""
    filing = access(filings_visible_to(user), pk)
    if for_write and filing.bank_id != user.organisation_id:
        raise NotFound()
    return filing


def access_document(user, pk):
    """A document of a filing the user may see (all kinds are the loan's own contracts and vouchers)."""
    return access(
        FilingDocument.objects.select_related("filing").filter(filing__in=filings_visible_to(user)), pk
    )


# NEWEST_FIRST: the lists show filings and loans newest first by id, the order they were made in (a
# filing's created_at, a loan's confirmed_at: the models' default ordering), which the primary key's
# index serves: a page of the province's 100,000 loans is an index scan, not a sort of every row.


def search_filings(qs, *, status="", q="", bank=""):
    if status in LoanFiling.Status.values:
        qs = qs.filter(status=status)
    if str(bank).isdigit():
        qs = qs.filter(bank_id=int(bank))
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(contract_number__icontains=q) | Q(enterprise__name__icontains=q) | Q(bank__name__icontains=q)
        )
    return qs.order_by("-id")  # newest first (NEWEST_FIRST)


def review_queue(statuses=LoanFiling.UNDER_REVIEW):
    """Filings awaiting the bureau (the clerk's first review, then the approver's decision; `statuses`
    narrows to one of them), soonest review deadline first."""
    return (
        LoanFiling.objects.filter(status__in=statuses)
        .select_related("bank", "enterprise")
        .order_by("review_due_on", "submitted_at", "id")
    )


# --- covered loans ---------------------------------------------------------------------------------


def loans_visible_to(user):
    """Bank: its loans; bureau/finance: all; enterprise: the loans it borrowed (read only)."""
    return _scoped(CoveredLoan.objects.select_related("bank", "enterprise"), user)


def access_loan(user, pk, *, for_write=False):
    loan = access(loans_visible_to(user), pk)
    if for_write and loan.bank_id != user.organisation_id:
        raise NotFound()
    return loan


def search_loans(qs, *, status="", q="", bank="", classification=""):
    if status in CoveredLoan.Status.values:
        qs = qs.filter(status=status)
    if classification:
        qs = qs.filter(classification=classification)
    if str(bank).isdigit():
        qs = qs.filter(bank_id=int(bank))
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(contract_number__icontains=q) | Q(enterprise__name__icontains=q) | Q(bank__name__icontains=q)
        )
    return qs.order_by("-id")  # newest first (NEWEST_FIRST)


def loan_by_contract(bank_id, contract_number):
    return CoveredLoan.objects.filter(
        bank_id=bank_id, contract_number=(contract_number or "").strip()
    ).first()


def covered_loan_totals():
    """Every loan ever confirmed as covered: {count, amount, enterprises} (the public statistics page)."""
    return CoveredLoan.objects.aggregate(
        count=Count("id"), amount=Sum("amount"), enterprises=Count("enterprise", distinct=True)
    )


def enterprise_covered_outstanding(enterprise_id):
    total = CoveredLoan.objects.filter(enterprise_id=enterprise_id, status__in=CoveredLoan.LIVE).aggregate(
        s=Sum("covered_outstanding")
    )["s"]
    return total or ZERO


def _money(value):
    """A database sum as Decimal fen: PostgreSQL returns numeric (exact); SQLite a float or int."""
    return ZERO if value is None else round_fen(value if isinstance(value, Decimal) else Decimal(repr(value)))


def _live_figures(as_of=None, bank=None):
    """[(bank_id, status, sum of covered outstanding, loans)] over live covered loans, grouped in SQL.

    Now: from the loans' current figures. As of a past day: from each loan's latest event on or
    before the end of that day (LoanEvent is the append-only history; ties on the day go to the
    later id), for loans disbursed by then. One query either way; the as-of one walks the
    covering index lenders_loanevent_latest (loan_id, occurred_on DESC, id DESC) INCLUDE (status_after,
    covered_outstanding_after) in order, so PostgreSQL never touches the event rows themselves.
    """
    live = list(CoveredLoan.LIVE)
    bank_id = getattr(bank, "pk", bank)
    if as_of is None:
        qs = CoveredLoan.objects.filter(status__in=live)
        if bank_id is not None:
            qs = qs.filter(bank_id=bank_id)
        rows = (
            qs.order_by()
            .values_list("bank_id", "status")
            .annotate(s=Sum("covered_outstanding"), n=Count("id"))
        )
        return [(b, st, _money(total), n) for b, st, total, n in rows]
    events, loans = LoanEvent._meta.db_table, CoveredLoan._meta.db_table
    if connection.vendor == "postgresql":
        latest = (
            f"SELECT DISTINCT ON (loan_id) loan_id, status_after, covered_outstanding_after FROM {events} "
            "WHERE occurred_on <= %s ORDER BY loan_id, occurred_on DESC, id DESC"
        )
    else:
        latest = (
            "SELECT loan_id, status_after, covered_outstanding_after FROM (SELECT loan_id, status_after, "
            "covered_outstanding_after, "
            "ROW_NUMBER() OVER (PARTITION BY loan_id ORDER BY occurred_on DESC, id DESC) "
            f"AS rn FROM {events} WHERE occurred_on <= %s) ranked WHERE rn = 1"
        )
    sql = (
        f"SELECT l.bank_id, e.status_after, SUM(e.covered_outstanding_after), COUNT(*) FROM ({latest}) e "
        f"JOIN {loans} l ON l.id = e.loan_id WHERE l.disbursed_on <= %s "
        f"AND e.status_after IN ({', '.join(['%s'] * len(live))})"
    )
    params = [as_of, as_of, *live]
    if bank_id is not None:
        sql += " AND l.bank_id = %s"
        params.append(bank_id)
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY l.bank_id, e.status_after", params)
        return [(b, st, _money(total), n) for b, st, total, n in cursor.fetchall()]


def covered_outstanding(*, as_of=None, bank=None):
    """Sum of the covered outstanding of live covered loans, now or at the end of a past day (one query)."""
    if as_of is None:
        qs = CoveredLoan.objects.filter(status__in=CoveredLoan.LIVE)
        if bank is not None:
            qs = qs.filter(bank=bank)
        return qs.aggregate(s=Sum("covered_outstanding"))["s"] or ZERO
    return sum((total for _, _, total, _ in _live_figures(as_of, bank)), ZERO)


def bank_portfolio_figures(*, as_of=None):
    """{bank_org_id: {covered_outstanding, overdue_covered, non_performing_covered, loans_count}} in one
    query.

    Only banks with at least one live covered loan appear."""
    figures = defaultdict(
        lambda: {
            "covered_outstanding": ZERO,
            "overdue_covered": ZERO,
            "non_performing_covered": ZERO,
            "loans_count": 0,
        }
    )
    S = CoveredLoan.Status
    for bank_id, status, amount, count in _live_figures(as_of):
        entry = figures[bank_id]
        entry["covered_outstanding"] += amount
        entry["loans_count"] += count
        if status == S.OVERDUE:
            entry["overdue_covered"] += amount
        elif status in (S.NON_PERFORMING, S.IN_CLAIM):
            entry["non_performing_covered"] += amount
    return dict(figures)


def loans_due_for_unreported_overdue(today):
    return CoveredLoan.objects.filter(
        status=CoveredLoan.Status.ACTIVE, maturity_on__lt=today, outstanding_principal__gt=0
    )


# --- imports ---------------------------------------------------------------------------------------


def imports_visible_to(user):
    if not (user.is_authenticated and user.organisation_id):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(bank_id=user.organisation_id)


def access_import(user, pk):
    return access(imports_visible_to(user), pk)


# --- the public statistics page: its figures kept in the cache until a write changes them ------------

STATISTICS_CACHE_KEY = "lenders.public_statistics.v1"
STATISTICS_TTL = 600  # a safety net only: every write behind the figures drops them at once


def public_statistics():
    """The public statistics page's aggregate figures (DOMAIN.md, the public's role): counted over every
    loan and posting ever made, so computed once and kept in the cache until a covered loan, a
    cooperating bank or a posting is saved or deleted (`statistics_forget`), not on every visit."""
    figures = cache.get(STATISTICS_CACHE_KEY)
    if figures is None:
        figures = {
            "banks": active_bank_count(),
            "loans": covered_loan_totals(),
            "covered_outstanding": covered_outstanding(),
            "payout_count": fund_selectors.payout_count(),
            "figures": fund_selectors.fund_figures(),
        }
        cache.set(STATISTICS_CACHE_KEY, figures, STATISTICS_TTL)
    return figures


def statistics_forget(*args, **kwargs):
    """Drop the cached statistics now (this transaction's later reads) and again at commit (a reader
    that filled the cache from the rows before the commit)."""
    cache.delete(STATISTICS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(STATISTICS_CACHE_KEY))


# Every posting (its entries are written with it, the running balances in the same transaction), every
# covered loan's and every cooperating bank's save or deletion.
for _model in (CoveredLoan, CooperatingBank, Posting):
    for _signal in (post_save, post_delete):
        _signal.connect(statistics_forget, sender=_model, dispatch_uid=f"statistics_forget_{_model.__name__}")
