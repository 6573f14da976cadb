"""Covered loans after filing: repayments, overdue, classification, extension; the compensation moves;
the dated history behind covered_outstanding(as_of=...) and the per-bank figures."""

import datetime as dt
from decimal import Decimal

import pytest

from lenders import services
from lenders.models import CoveredLoan, LoanEvent
from lenders.selectors import bank_portfolio_figures, covered_outstanding
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.audit.workflow import transition
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError, Forbidden, NotFound, ValidationFailed

S = CoveredLoan.Status


def set_status(loan, status):
    CoveredLoan.objects.filter(pk=loan.pk).update(status=status)
    loan.refresh_from_db()
    return loan


def test_a_partial_repayment_reduces_the_covered_part_in_proportion(loan, bank_officer):
    loan = services.loan_report_repayment(by=bank_officer, loan=loan, amount="333333.33", paid_on=today())
    assert loan.outstanding_principal == Decimal("666666.67")
    # 666,666.67 x 800,000 / 1,000,000 = 533,333.336 -> 533,333.34
    assert loan.covered_outstanding == Decimal("533333.34")
    assert loan.status == S.ACTIVE


def test_a_full_repayment_ends_the_cover(loan, bank_officer):
    loan = services.loan_report_repayment(by=bank_officer, loan=loan, amount=loan.amount, paid_on=today())
    assert loan.status == S.REPAID
    assert loan.covered_outstanding == 0
    assert covered_outstanding() == 0


def test_a_repayment_larger_than_the_outstanding_is_refused(loan, bank_officer):
    with pytest.raises(ValidationFailed, match="超过贷款余额"):
        services.loan_report_repayment(by=bank_officer, loan=loan, amount="1000000.01", paid_on=today())


def test_a_report_dated_in_the_future_is_refused(loan, bank_officer):
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        services.loan_report_repayment(
            by=bank_officer, loan=loan, amount="1.00", paid_on=today() + dt.timedelta(days=1)
        )


def test_another_bank_cannot_report_on_the_loan(loan, bank_b_officer):
    with pytest.raises(NotFound):
        services.loan_report_overdue(
            by=bank_b_officer, loan=loan, overdue_since=today(), overdue_amount="100.00"
        )


def test_a_supervisor_does_not_report(loan, bank_supervisor):
    with pytest.raises(Forbidden):
        services.loan_report_overdue(
            by=bank_supervisor, loan=loan, overdue_since=today(), overdue_amount="100.00"
        )


def test_overdue_then_cured_then_non_performing(loan, bank_officer, time_machine):
    loan = services.loan_report_overdue(
        by=bank_officer, loan=loan, overdue_since=today(), overdue_amount="50000.00"
    )
    assert loan.status == S.OVERDUE and loan.overdue_amount == Decimal("50000.00")
    loan = services.loan_report_repayment(
        by=bank_officer, loan=loan, amount="50000.00", paid_on=today(), cures_overdue=True
    )
    assert loan.status == S.ACTIVE and loan.overdue_since is None
    loan = services.loan_report_overdue(
        by=bank_officer, loan=loan, overdue_since=today(), overdue_amount="80000.00"
    )
    loan = services.loan_report_classification(
        by=bank_officer, loan=loan, classification="substandard", classified_on=today()
    )
    assert loan.status == S.NON_PERFORMING
    assert loan.non_performing_on == today()


def test_curing_needs_an_overdue_loan(loan, bank_officer):
    with pytest.raises(DomainError, match="未处于逾期"):
        services.loan_report_repayment(
            by=bank_officer, loan=loan, amount="1.00", paid_on=today(), cures_overdue=True
        )


def test_an_upgrade_before_any_claim_makes_the_loan_active_again(loan, bank_officer):
    loan = services.loan_report_classification(
        by=bank_officer, loan=loan, classification="doubtful", classified_on=today()
    )
    loan = services.loan_report_classification(
        by=bank_officer, loan=loan, classification="special_mention", classified_on=today()
    )
    assert loan.status == S.ACTIVE and loan.non_performing_on is None


def test_a_special_mention_keeps_the_loan_active(loan, bank_officer):
    loan = services.loan_report_classification(
        by=bank_officer, loan=loan, classification="special_mention", classified_on=today()
    )
    assert loan.status == S.ACTIVE and loan.classification == "special_mention"


def test_an_unknown_classification_is_refused(loan, bank_officer):
    with pytest.raises(ValidationFailed):
        services.loan_report_classification(
            by=bank_officer, loan=loan, classification="bad", classified_on=today()
        )


def test_an_extension_moves_the_maturity_and_must_be_later(loan, bank_officer):
    new = loan.maturity_on + dt.timedelta(days=90)
    loan = services.loan_report_extension(by=bank_officer, loan=loan, new_maturity_on=new, agreed_on=today())
    assert loan.maturity_on == new
    with pytest.raises(ValidationFailed, match="须晚于"):
        services.loan_report_extension(by=bank_officer, loan=loan, new_maturity_on=new, agreed_on=today())


@pytest.mark.parametrize("status", [S.IN_CLAIM, S.COMPENSATED, S.RECOVERY, S.CLOSED, S.REPAID, S.EXCLUDED])
def test_bank_reports_are_refused_once_the_loan_left_the_reportable_states(loan, bank_officer, status):
    set_status(loan, status)
    with pytest.raises(DomainError, match="不能报告"):
        services.loan_report_repayment(by=bank_officer, loan=loan, amount="1.00", paid_on=today())


# --- the compensation engineer's moves ----------------------------------------------------------------

ALLOWED = [
    (S.NON_PERFORMING, S.IN_CLAIM),
    (S.IN_CLAIM, S.NON_PERFORMING),
    (S.IN_CLAIM, S.COMPENSATED),
    (S.COMPENSATED, S.RECOVERY),
    (S.COMPENSATED, S.CLOSED),
    (S.RECOVERY, S.CLOSED),
    (S.ACTIVE, S.EXCLUDED),
    (S.OVERDUE, S.EXCLUDED),
    (S.NON_PERFORMING, S.EXCLUDED),
    (S.IN_CLAIM, S.EXCLUDED),
    (S.COMPENSATED, S.EXCLUDED),
    (S.RECOVERY, S.EXCLUDED),
]
REFUSED = [
    (S.ACTIVE, S.IN_CLAIM),
    (S.OVERDUE, S.IN_CLAIM),
    (S.ACTIVE, S.COMPENSATED),
    (S.NON_PERFORMING, S.COMPENSATED),
    (S.IN_CLAIM, S.RECOVERY),
    (S.REPAID, S.EXCLUDED),
    (S.CLOSED, S.RECOVERY),
    (S.EXCLUDED, S.IN_CLAIM),
    (S.ACTIVE, S.NON_PERFORMING),
    (S.COMPENSATED, S.NON_PERFORMING),
    (S.NON_PERFORMING, S.ACTIVE),
    (S.NON_PERFORMING, S.REPAID),
]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_compensation_moves_allowed(loan, bureau_approver, source, target):
    set_status(loan, source)
    moved = services.covered_loan_transition(
        by=bureau_approver, loan=loan, to_state=target, reason="补偿流程"
    )
    assert moved.status == target
    assert loan.events.order_by("-id").first().status_after == target


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_compensation_moves_refused(loan, bureau_approver, source, target):
    set_status(loan, source)
    with pytest.raises(DomainError):
        services.covered_loan_transition(by=bureau_approver, loan=loan, to_state=target)
    loan.refresh_from_db()
    assert loan.status == source


def test_a_loan_move_that_follows_a_claim_names_the_person_not_the_system(loan, bureau_approver):
    set_status(loan, S.NON_PERFORMING)
    services.covered_loan_transition(by=bureau_approver, loan=loan, to_state=S.IN_CLAIM, reason="补偿流程")
    event = AuditEvent.objects.filter(object_type="lenders.coveredloan", object_id=str(loan.pk)).last()
    assert (event.code, event.actor, event.to_state) == (
        "lenders.coveredloan.claim",
        bureau_approver,
        S.IN_CLAIM,
    )


def test_a_person_cannot_make_a_system_move_of_the_loan_directly(loan, bureau_approver):
    set_status(loan, S.NON_PERFORMING)
    with pytest.raises(Forbidden):
        transition(loan, "claim", by=bureau_approver)
    loan.refresh_from_db()
    assert loan.status == S.NON_PERFORMING


def test_a_move_to_the_current_state_is_a_no_op(loan, bureau_approver):
    set_status(loan, S.IN_CLAIM)
    services.covered_loan_transition(by=bureau_approver, loan=loan, to_state=S.IN_CLAIM)
    assert not loan.events.filter(kind=LoanEvent.Kind.STATUS).exists()


# --- figures ----------------------------------------------------------------------------------------


def test_covered_outstanding_as_of_a_past_day_comes_from_the_history(loan, bank_officer, time_machine):
    confirmed_on = today()
    time_machine.move_to(confirmed_on + dt.timedelta(days=10), tick=False)
    services.loan_report_repayment(by=bank_officer, loan=loan, amount="500000.00", paid_on=today())
    time_machine.move_to(confirmed_on + dt.timedelta(days=20), tick=False)
    services.loan_report_repayment(by=bank_officer, loan=loan, amount="500000.00", paid_on=today())
    assert covered_outstanding(as_of=confirmed_on - dt.timedelta(days=1)) == 0
    assert covered_outstanding(as_of=confirmed_on) == Decimal("800000.00")
    assert covered_outstanding(as_of=confirmed_on + dt.timedelta(days=15)) == Decimal("400000.00")
    assert covered_outstanding(as_of=confirmed_on + dt.timedelta(days=20)) == 0
    assert covered_outstanding() == 0


def test_bank_figures_split_by_bank_and_status(
    loan, bank_b_loan, bank_officer, bank_a, bank_b, django_assert_max_num_queries
):
    services.loan_report_overdue(by=bank_officer, loan=loan, overdue_since=today(), overdue_amount="1000.00")
    with django_assert_max_num_queries(1):
        figures = bank_portfolio_figures()
    assert figures[bank_a.pk] == {
        "covered_outstanding": Decimal("800000.00"),
        "overdue_covered": Decimal("800000.00"),
        "non_performing_covered": 0,
        "loans_count": 1,
    }
    assert figures[bank_b.pk]["covered_outstanding"] == Decimal("800000.00")
    assert figures[bank_b.pk]["overdue_covered"] == 0
    with django_assert_max_num_queries(1):
        past = bank_portfolio_figures(as_of=today())
    assert past[bank_a.pk]["overdue_covered"] == Decimal("800000.00")
    assert covered_outstanding(bank=bank_b) == Decimal("800000.00")


def test_a_suspended_bank_keeps_its_covered_loans(loan, bank_a_profile, bureau_approver):
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="不良率超标")
    loan.refresh_from_db()
    assert loan.status == S.ACTIVE
    assert covered_outstanding() == Decimal("800000.00")


def test_the_history_is_append_only(loan):
    from django.db import DatabaseError, transaction

    event = loan.events.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        LoanEvent.objects.filter(pk=event.pk).update(amount=Decimal("1.00"))
