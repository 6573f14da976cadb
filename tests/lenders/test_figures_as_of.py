"""The covered-outstanding figures (now and as of any day) computed in one SQL query agree with a
straightforward recomputation from the loans and their append-only history, on generated histories:
several loans of two banks, events on different days, several events on one day (the later id
wins), events out of date order, events dated before disbursement, loans that leave and re-enter
the live states."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from lenders import services
from lenders.models import CoveredLoan, LoanEvent
from lenders.selectors import bank_portfolio_figures, covered_outstanding
from yunfu_ipfund.common.dates import today

from .conftest import first_review, make_filing, make_registration

S = CoveredLoan.Status
ALL_STATUSES = list(S.values)


def _reference_rows(as_of):
    """(bank_id, status, covered outstanding) of each live loan, the slow and obvious way."""
    if as_of is None:
        return [
            (loan.bank_id, loan.status, loan.covered_outstanding)
            for loan in CoveredLoan.objects.all()
            if loan.status in CoveredLoan.LIVE
        ]
    events = defaultdict(list)
    for event in LoanEvent.objects.all():
        events[event.loan_id].append(event)
    rows = []
    for loan in CoveredLoan.objects.all():
        if loan.disbursed_on > as_of:
            continue
        before = [e for e in events[loan.pk] if e.occurred_on <= as_of]
        if not before:
            continue
        last = max(before, key=lambda e: (e.occurred_on, e.id))
        if last.status_after in CoveredLoan.LIVE:
            rows.append((loan.bank_id, last.status_after, last.covered_outstanding_after))
    return rows


def reference_portfolio(as_of=None):
    figures = {}
    for bank_id, status, amount in _reference_rows(as_of):
        entry = figures.setdefault(
            bank_id,
            {
                "covered_outstanding": Decimal("0.00"),
                "overdue_covered": Decimal("0.00"),
                "non_performing_covered": Decimal("0.00"),
                "loans_count": 0,
            },
        )
        entry["covered_outstanding"] += amount
        entry["loans_count"] += 1
        if status == S.OVERDUE:
            entry["overdue_covered"] += amount
        elif status in (S.NON_PERFORMING, S.IN_CLAIM):
            entry["non_performing_covered"] += amount
    return figures


def reference_total(as_of=None, bank_id=None):
    return sum(
        (amount for b, _, amount in _reference_rows(as_of) if bank_id is None or b == bank_id),
        Decimal("0.00"),
    )


@pytest.fixture
def six_loans(
    loan, bank_b_loan, bank_officer, bank_supervisor, bureau_approver, enterprise_a, bank_a, enterprise_user
):
    loans = [loan, bank_b_loan]
    for _ in range(4):
        filing = make_filing(bank_officer, make_registration(enterprise_a, bank_a, enterprise_user))
        services.filing_submit(by=bank_supervisor, filing=filing)
        first_review(filing, bureau_approver)
        loans.append(services.filing_confirm(by=bureau_approver, filing=filing).covered_loan)
    return loans


def generate_history(loans, seed):
    """Random events appended to the history (as the services would, plus the awkward cases), and
    random current figures on the loans."""
    rnd = random.Random(seed)
    start = today() - dt.timedelta(days=10)
    for loan in loans:
        for _ in range(rnd.randrange(0, 7)):
            LoanEvent.objects.create(
                loan=loan,
                kind=LoanEvent.Kind.STATUS,
                occurred_on=start + dt.timedelta(days=rnd.randrange(0, 25)),
                outstanding_after=Decimal(rnd.randrange(0, 100_000_000)) / 100,
                covered_outstanding_after=Decimal(rnd.randrange(0, 80_000_000)) / 100,
                status_after=rnd.choice(ALL_STATUSES),
            )
        CoveredLoan.objects.filter(pk=loan.pk).update(
            status=rnd.choice(ALL_STATUSES), covered_outstanding=Decimal(rnd.randrange(0, 80_000_000)) / 100
        )
    return start - dt.timedelta(days=2), start + dt.timedelta(days=27)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_figures_as_of_every_day_match_a_recomputation_from_the_history(
    six_loans, seed, bank_a, bank_b, django_assert_num_queries
):
    first, last = generate_history(six_loans, seed)
    day = first
    while day <= last:
        with django_assert_num_queries(1):
            fast = bank_portfolio_figures(as_of=day)
        assert fast == reference_portfolio(day), day
        with django_assert_num_queries(1):
            total = covered_outstanding(as_of=day)
        assert total == reference_total(day), day
        assert covered_outstanding(as_of=day, bank=bank_a) == reference_total(day, bank_a.pk), day
        assert covered_outstanding(as_of=day, bank=bank_b.pk) == reference_total(day, bank_b.pk), day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("seed", [5, 6])
def test_figures_now_match_a_recomputation_from_the_loans(six_loans, seed, bank_a, django_assert_num_queries):
    generate_history(six_loans, seed)
    with django_assert_num_queries(1):
        fast = bank_portfolio_figures()
    assert fast == reference_portfolio()
    assert covered_outstanding() == reference_total()
    assert covered_outstanding(bank=bank_a) == reference_total(bank_id=bank_a.pk)


def test_a_day_with_several_events_counts_the_last_one_reported(loan, bank_officer):
    day = today()
    services.loan_report_overdue(by=bank_officer, loan=loan, overdue_since=day, overdue_amount="1000.00")
    services.loan_report_repayment(
        by=bank_officer, loan=loan, amount="500000.00", paid_on=day, cures_overdue=True
    )
    figures = bank_portfolio_figures(as_of=day)[loan.bank_id]
    assert figures == {
        "covered_outstanding": Decimal("400000.00"),
        "overdue_covered": Decimal("0.00"),
        "non_performing_covered": Decimal("0.00"),
        "loans_count": 1,
    }
    assert covered_outstanding(as_of=day) == Decimal("400000.00")


def test_no_live_loan_on_the_day_gives_zero_and_no_bank(loan):
    before = loan.disbursed_on - dt.timedelta(days=1)
    assert covered_outstanding(as_of=before) == Decimal("0.00")
    assert bank_portfolio_figures(as_of=before) == {}
