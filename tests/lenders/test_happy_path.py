from decimal import Decimal

from lenders.models import CoveredLoan, LoanFiling


def test_a_confirmed_filing_becomes_a_covered_loan_with_only_the_ip_part_covered(loan, policy):
    assert loan.status == CoveredLoan.Status.ACTIVE
    assert loan.covered_amount == Decimal("800000.00")
    assert loan.covered_outstanding == Decimal("800000.00")
    assert loan.fund_share == policy.fund_share
    assert loan.filing.status == LoanFiling.Status.CONFIRMED
    policy.refresh_from_db()
    assert policy.first_used_at is not None


def test_two_bureau_people_are_on_every_confirmed_filing(loan, bureau_clerk, bureau_approver):
    """The clerk's first review, then the approver's confirmation: recorded, and never the same person."""
    filing = loan.filing
    assert filing.first_reviewed_by == bureau_clerk and filing.first_reviewed_at is not None
    assert filing.decided_by == bureau_approver and filing.first_reviewed_by != filing.decided_by
    assert filing.first_reviewed_at <= filing.decided_at
