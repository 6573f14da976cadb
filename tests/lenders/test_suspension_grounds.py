"""The grounds for proposing a bank's suspension (Art 15, Rulings of December 2026), on real records.

Policy 2025 as seeded: suspension_window_months 12, suspension_npl_ratio 5 % (a ground above it, not at
it), bank_claims_share 20 % of fund_capital 5,000,000.00 = 1,000,000.00 (a ground at it),
suspension_return_overdue_days 30. TODAY 2026-11-26: the window runs 2025-11-27 to 2026-11-26.

A loan's history older than the services will file (a year back) is written as its dated LoanEvents, the
append-only record every figure is read from; its current row agrees with its last event."""

import datetime as dt
from decimal import Decimal

import pytest

from fund import services as fund_services
from lenders import services
from lenders.models import CoveredLoan, LoanEvent, SuspensionProposal
from lenders.risk import bank_risk_table, suspension_window
from lenders.services.proposals import PROPOSAL_DUE, propose_suspensions, suspension_review
from tests.factories import make_non_performing_loan
from yunfu_ipfund.policy.models import PolicyVersion

from .conftest import make_loan, make_registration

pytestmark = [pytest.mark.django_db, pytest.mark.article(15)]
D = Decimal
S = CoveredLoan.Status
TODAY = dt.date(2026, 11, 26)
FIRST_DAY = dt.date(2025, 11, 27)  # the window's first day
DAY_BEFORE = dt.date(2025, 11, 26)  # the last day outside it


@pytest.fixture(autouse=True)
def _on_today(time_machine):
    from zoneinfo import ZoneInfo

    time_machine.move_to(
        dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    )


@pytest.fixture
def lend(
    enterprise_a,
    enterprise_a_profile,
    bank_a,
    bank_a_profile,
    enterprise_user,
    bank_officer,
    bank_supervisor,
    bureau_approver,
):
    """lend(covered) -> a covered loan of bank A, wholly pledged with IP, confirmed today."""

    def make(covered):
        covered = D(covered)
        registration = make_registration(enterprise_a, bank_a, enterprise_user, amount=covered)
        return make_loan(
            bank_officer, bank_supervisor, bureau_approver, registration, amount=covered, ip_amount=covered
        )

    return make


@pytest.fixture
def history(bank_a, enterprise_a, bank_officer):
    """history(*steps) -> a covered loan of bank A whose dated history is `steps` (day, status, covered
    outstanding), the confirmation first; its row agrees with the last step. Written straight into the
    tables (no service files a loan a year back today), as tests.factories.make_non_performing_loan does."""

    def make(*steps):
        K = LoanEvent.Kind
        first, last = steps[0], steps[-1]
        loan = make_non_performing_loan(
            bank_a, enterprise_a, bank_officer, amount=first[2], covered=first[2], status=last[1]
        )
        later = {S.ACTIVE: K.REPAYMENT, S.REPAID: K.REPAYMENT, S.NON_PERFORMING: K.CLASSIFICATION}
        for i, (day, status, covered) in enumerate(steps):
            LoanEvent.objects.create(
                loan=loan,
                kind=K.CONFIRMED if i == 0 else later.get(status, K.STATUS),
                occurred_on=day,
                outstanding_after=D(covered),
                covered_outstanding_after=D(covered),
                status_after=status,
            )
        CoveredLoan.objects.filter(pk=loan.pk).update(
            covered_outstanding=D(last[2]),
            outstanding_principal=D(last[2]),
            disbursed_on=first[0] - dt.timedelta(days=3),
        )
        loan.refresh_from_db()
        return loan

    return make


@pytest.fixture
def compensated_on(history):
    """compensated_on(day, covered): a loan bad since 2025-06-01, claimed 2025-08-01, compensated on `day`."""
    return lambda day, covered: history(
        (dt.date(2025, 1, 10), S.ACTIVE, covered),
        (dt.date(2025, 6, 1), S.NON_PERFORMING, covered),
        (dt.date(2025, 8, 1), S.IN_CLAIM, covered),
        (day, S.COMPENSATED, covered),
    )


def row_of(bank, **kw):
    return next(r for r in bank_risk_table(**kw) if r["bank"] == bank)


def test_the_window_is_the_trailing_twelve_months_both_ends_included(policy):
    assert suspension_window(TODAY, policy) == (FIRST_DAY, TODAY)
    assert suspension_window(dt.date(2027, 2, 28), policy) == (dt.date(2026, 3, 1), dt.date(2027, 2, 28))


# --- what was wrong: a compensated bad loan left the ratio -------------------------------------------


def test_a_bad_loan_compensated_promptly_still_counts_and_the_bank_is_proposed(compensated_on, lend, bank_a):
    lend("1000000.00")
    compensated_on(dt.date(2026, 9, 1), "100000.00")
    row = row_of(bank_a)
    # today: nothing live is bad; in the window: 100,000.00 of 1,100,000.00 was
    assert (row["covered_outstanding"], row["non_performing"]) == (D("1000000.00"), D("0.00"))
    assert (row["window_npl"], row["window_covered"], row["npl_ratio"]) == (
        D("100000.00"),
        D("1100000.00"),
        D("0.0909"),
    )
    assert (row["window_loans"], row["window_npl_loans"]) == (2, 1)
    assert row["flag_npl"]
    propose_suspensions(TODAY)
    proposal = SuspensionProposal.objects.get(bank=bank_a)
    assert proposal.grounds == (
        "近12个月在保不良率 9.09%（不良 100,000.00 元 ÷ 在保 1,100,000.00 元）"
        "超过 5.00%（《管理办法》第十五条）。"
    )
    assert proposal.figures["window_npl"] == "100000.00" and proposal.figures["window_start"] == "2025-11-27"


@pytest.mark.parametrize("state", [S.IN_CLAIM, S.COMPENSATED, S.CLOSED])
def test_every_later_state_of_a_loan_bad_in_the_window_counts(history, lend, bank_a, state):
    lend("1000000.00")
    steps = [
        (dt.date(2026, 1, 10), S.ACTIVE, "100000.00"),
        (dt.date(2026, 6, 1), S.NON_PERFORMING, "100000.00"),
        (dt.date(2026, 8, 1), S.IN_CLAIM, "100000.00"),
    ]
    if state != S.IN_CLAIM:
        steps.append((dt.date(2026, 10, 1), S.COMPENSATED, "100000.00"))
    if state == S.CLOSED:
        steps.append((dt.date(2026, 11, 1), S.CLOSED, "100000.00"))
    history(*steps)
    assert row_of(bank_a)["window_npl"] == D("100000.00")


# --- one day inside, one day outside the window ------------------------------------------------------


@pytest.mark.parametrize(
    "compensated, counted",
    [
        (DAY_BEFORE, False),  # compensated the day before the window: it was never bad in the window
        (FIRST_DAY, True),  # compensated on the window's first day: it entered the window in claim
    ],
)
def test_a_loan_compensated_one_day_outside_or_inside_the_window(
    compensated_on, lend, bank_a, compensated, counted
):
    lend("1000000.00")
    compensated_on(compensated, "100000.00")
    row = row_of(bank_a)
    if counted:
        assert (row["window_npl"], row["window_covered"], row["flag_npl"]) == (
            D("100000.00"),
            D("1100000.00"),
            True,
        )
        assert row["grounds"]
    else:
        assert (row["window_npl"], row["window_covered"], row["flag_npl"]) == (
            D("0.00"),
            D("1000000.00"),
            False,
        )
        assert row["grounds"] == []


@pytest.mark.parametrize("repaid, counted", [(DAY_BEFORE, False), (FIRST_DAY, True)])
def test_a_loan_repaid_one_day_outside_or_inside_the_window_in_the_covered_principal(
    history, lend, bank_a, repaid, counted
):
    lend("1000000.00")
    history((dt.date(2025, 1, 10), S.ACTIVE, "500000.00"), (repaid, S.REPAID, "0.00"))
    assert row_of(bank_a)["window_covered"] == (D("1500000.00") if counted else D("1000000.00"))


def test_a_loan_repaid_in_part_counts_with_its_highest_covered_outstanding_in_the_window(
    history, lend, bank_a
):
    history(
        (dt.date(2025, 1, 10), S.ACTIVE, "800000.00"),
        (dt.date(2025, 6, 1), S.ACTIVE, "600000.00"),  # before the window
        (dt.date(2026, 3, 1), S.ACTIVE, "200000.00"),  # in the window
    )
    row = row_of(bank_a)
    assert (row["covered_outstanding"], row["window_covered"]) == (D("200000.00"), D("600000.00"))


def test_a_past_day_reads_the_history_up_to_that_day(compensated_on, lend, bank_a):
    lend("1000000.00")  # confirmed today: not covered on 2026-09-15
    compensated_on(dt.date(2026, 9, 1), "100000.00")
    row = row_of(bank_a, as_of=dt.date(2026, 9, 15))
    assert (row["window_start"], row["window_npl"], row["window_covered"], row["npl_ratio"]) == (
        dt.date(2025, 9, 16),
        D("100000.00"),
        D("100000.00"),
        D("1.0000"),
    )
    assert row["covered_outstanding"] == 0


# --- the ratio at the threshold: "> 5 %" ---------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, ground",
    [
        ("50000.00", False),  # 50,000.00 / 1,000,000.00 = 5.00 %: not above
        ("50000.01", True),  # 50,000.01 / 1,000,000.01 > 5 %
    ],
)
def test_the_ratio_is_a_ground_only_above_five_percent(compensated_on, lend, bank_a, bad, ground):
    lend("950000.00")
    compensated_on(dt.date(2026, 9, 1), bad)
    row = row_of(bank_a)
    assert row["flag_npl"] is ground
    propose_suspensions(TODAY)
    assert SuspensionProposal.objects.filter(bank=bank_a).exists() is ground


# --- the claim volume: "≥ 20 % of the fund's capital" ---------------------------------------------------


def pay(bank, amount, value_date, approver, finance):
    commitment = fund_services.commitment_create(
        by=approver,
        amount=amount,
        reference=("compensation.claim", f"c-{amount}-{value_date}"),
        key=f"commit-{amount}-{value_date}",
        bank=bank,
        value_date=value_date,
        reason="补偿决定",
    )
    return fund_services.payout_post(
        by=finance,
        commitment=commitment,
        amount=amount,
        key=f"pay-{amount}-{value_date}",
        value_date=value_date,
    )


@pytest.mark.parametrize("paid, ground", [("999999.99", False), ("1000000.00", True)])
def test_compensation_of_twenty_percent_of_the_capital_in_the_window_is_a_ground(
    bank_a, bureau_approver, finance_user, paid, ground
):
    pay(bank_a, paid, dt.date(2026, 3, 2), bureau_approver, finance_user)
    row = row_of(bank_a)
    assert row["window_compensation"] == D(paid) and row["flag_claims"] is ground
    propose_suspensions(TODAY)
    proposals = SuspensionProposal.objects.filter(bank=bank_a)
    assert proposals.exists() is ground
    if ground:
        assert proposals.get().grounds == (
            "近12个月获得风险补偿 1,000,000.00 元，达到资金规模 5,000,000.00 元的 20.00%，不低于 20.00%"
            "（1,000,000.00 元，《管理办法》第十五条）。"
        )


@pytest.mark.parametrize("value_date, counted", [(DAY_BEFORE, False), (FIRST_DAY, True)])
def test_a_payment_one_day_outside_or_inside_the_window(
    bank_a, bureau_approver, finance_user, value_date, counted
):
    pay(bank_a, "1000000.00", value_date, bureau_approver, finance_user)
    row = row_of(bank_a)
    assert row["window_compensation"] == (D("1000000.00") if counted else D("0.00"))
    assert row["flag_claims"] is counted
    assert row["compensation"] == D("1000000.00")  # the ledger's total, whatever the window


def test_the_grounds_read_the_version_in_force_on_the_day(
    compensated_on, lend, bank_a, bureau_approver, finance_user
):
    compensated_on(dt.date(2026, 4, 1), "100000.00")
    lend("1000000.00")
    pay(bank_a, "600000.00", dt.date(2026, 4, 1), bureau_approver, finance_user)
    row = row_of(bank_a)
    assert (row["flag_npl"], row["flag_claims"]) == (True, False)
    # the bureau edits the version in force: a 6-month window, claims from 10 % of the capital
    PolicyVersion.objects.filter(code="2025").update(suspension_window_months=6, bank_claims_share=D("0.1"))
    row = row_of(bank_a)
    assert row["window_start"] == dt.date(2026, 5, 27)
    assert (row["window_npl"], row["flag_npl"]) == (D("0.00"), False)  # compensated before 2026-05-27
    assert row["window_compensation"] == 0 and row["flag_claims"] is False  # paid before it too
    PolicyVersion.objects.filter(code="2025").update(suspension_window_months=12)
    row = row_of(bank_a)
    assert (row["flag_npl"], row["flag_claims"], row["claims_share"]) == (True, True, D("0.1200"))


# --- the overdue figure counts the loans reported overdue ---------------------------------------------


def test_a_non_performing_loan_reported_overdue_is_in_the_overdue_figure(lend, bank_a, bank_officer):
    lend("900000.00")
    loan = lend("100000.00")
    loan = services.loan_report_classification(
        by=bank_officer, loan=loan, classification="substandard", classified_on=TODAY
    )
    services.loan_report_overdue(by=bank_officer, loan=loan, overdue_since=TODAY, overdue_amount="5000.00")
    row = row_of(bank_a)
    assert (row["overdue"], row["overdue_ratio"]) == (D("100000.00"), D("0.1000"))
    assert row_of(bank_a, as_of=TODAY)["overdue"] == D("100000.00")  # the history says the same


def test_an_overdue_loan_classified_non_performing_stays_in_the_overdue_figure(lend, bank_a, bank_officer):
    loan = lend("100000.00")
    loan = services.loan_report_overdue(
        by=bank_officer, loan=loan, overdue_since=TODAY, overdue_amount="5000.00"
    )
    assert row_of(bank_a)["overdue"] == D("100000.00")
    services.loan_report_classification(
        by=bank_officer, loan=loan, classification="doubtful", classified_on=TODAY
    )
    assert row_of(bank_a)["overdue"] == D("100000.00")
    assert row_of(bank_a, as_of=TODAY)["overdue"] == D("100000.00")


def test_a_cured_overdue_is_no_longer_in_the_overdue_figure(lend, bank_a, bank_officer):
    loan = lend("100000.00")
    loan = services.loan_report_overdue(
        by=bank_officer, loan=loan, overdue_since=TODAY, overdue_amount="5000.00"
    )
    loan = services.loan_report_repayment(
        by=bank_officer, loan=loan, amount="5000.00", paid_on=TODAY, cures_overdue=True
    )
    services.loan_report_classification(
        by=bank_officer, loan=loan, classification="substandard", classified_on=TODAY
    )
    assert row_of(bank_a)["overdue"] == 0
    assert row_of(bank_a, as_of=TODAY)["overdue"] == 0


# --- where the proposal stands: one computation ---------------------------------------------------------


def test_a_bank_with_grounds_has_a_proposal_or_says_why_not(
    compensated_on, lend, bank_a, bank_a_profile, bureau_approver
):
    lend("1000000.00")
    compensated_on(dt.date(2026, 9, 1), "100000.00")
    rows, _ = suspension_review(today=TODAY)
    row = next(r for r in rows if r["bank"] == bank_a)
    assert row["proposal_state"] == PROPOSAL_DUE and row["proposal_text"].startswith(
        "有暂停备案理由，尚未提出建议"
    )
    [proposal] = propose_suspensions(TODAY)
    rows, _ = suspension_review(today=TODAY)
    row = next(r for r in rows if r["bank"] == bank_a)
    assert (row["proposal_state"], row["proposal"]) == ("open", proposal)
    assert row["proposal_text"] == "已于2026-11-26提出暂停备案建议，待审核人决定"
    services.proposal_dismiss(by=bureau_approver, proposal=proposal, reason="已约谈，限期整改")
    rows, _ = suspension_review(today=TODAY + dt.timedelta(days=29))
    row = next(r for r in rows if r["bank"] == bank_a)
    assert row["proposal_state"] == "quiet"
    assert row["proposal_text"] == "建议已于2026-11-26不予采纳（已约谈，限期整改），2026-12-26起方可再次提出"
    assert propose_suspensions(TODAY + dt.timedelta(days=29)) == []


def test_a_suspended_bank_is_not_proposed_again_and_the_row_says_so(
    compensated_on, lend, bank_a, bank_a_profile, bureau_approver
):
    lend("1000000.00")
    compensated_on(dt.date(2026, 9, 1), "100000.00")
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="不良率超标", effective_on=TODAY)
    assert propose_suspensions(TODAY) == []
    rows, _ = suspension_review(today=TODAY)
    row = next(r for r in rows if r["bank"] == bank_a)
    assert row["grounds"] and row["proposal_state"] == "not_active"
    assert row["proposal_text"] == "该行自2026-11-26起暂停备案，无需再提出建议"
