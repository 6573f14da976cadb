"""The version in force on the day of each step judges that step (DOMAIN "Which version judges each
step"; docs/adr/0003): one test per row of the ADR's 2020/2025 boundary table, each both ways.

The 2020 Measures end on 2025-09-24, the 2025 Measures start on 2025-09-25. The seeded versions share
most numbers, so each test first gives the 2020 version a number of its own (straight into the table,
as test data), then shows which of the two a step follows."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.utils import timezone

from compensation import services
from compensation.models import Claim
from lenders.models import CoveredLoan
from lenders.rules import filing_checks
from tests.factories import decide_after_publicity
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.policy.models import PolicyVersion

from .conftest import make_loan

TZ = timezone.get_current_timezone()
LAST_2020 = dt.date(2025, 9, 24)  # Wednesday
FIRST_2025 = dt.date(2025, 9, 25)  # Thursday


def at(day, hour=9):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=TZ), tick=False)


def decided(flow, claim):
    """Past the public notice: the sweep runs; where the approver decides (not the sweep), they decide."""
    claim = decide_after_publicity(Claim.objects.get(pk=claim.pk))
    if claim.status == Claim.Status.PUBLIC_NOTICE:
        with at(claim.batch.ends_on + dt.timedelta(days=1)):
            claim = services.claim_decide(by=flow.approver, claim=claim)
    return Claim.objects.get(pk=claim.pk)


def set_2020(**numbers):
    PolicyVersion.objects.filter(code="2020").update(**numbers)


# --- filing rules by the disbursement date; the fund's share by the filing confirmation -------------


@pytest.mark.parametrize("disbursed_on, outcome", [(LAST_2020, "fail"), (FIRST_2025, "pass")])
def test_a_loan_disbursed_on_24_september_2025_is_filed_under_2020_and_on_the_25th_under_2025(
    bank_a, enterprise_a, bank_officer, bureau, disbursed_on, outcome
):
    set_2020(single_loan_cap=D("800000.00"))  # the 2025 cap stays 5,000,000
    loan = make_loan(bank_a, enterprise_a, bank_officer)  # a 1,000,000 loan
    filing = loan.filing
    filing.disbursed_on = disbursed_on
    check = next(c for c in filing_checks(filing, on=dt.date(2025, 9, 26)) if c.rule == "single_loan_cap")
    assert check.outcome == outcome


def test_the_fund_share_is_the_one_the_filing_confirmation_fixed_not_the_reviews_version(
    flow, bank_a, enterprise_a, bank_officer
):
    with at(dt.date(2025, 10, 13)):
        loan = make_loan(bank_a, enterprise_a, bank_officer)
        CoveredLoan.objects.filter(pk=loan.pk).update(fund_share=D("0.5000"))  # confirmed at 50 %
        claim = flow.reviewed(loan)
        claim = services.claim_approve(by=flow.approver, claim=claim, reason="同意")
    # 600,000 x 800,000 / 1,000,000 = 480,000 x 50 % (not the 2025 version's 40 %)
    assert claim.approved_amount == D("240000.00")


# --- procedure by the day each step is taken: a 2020 claim reviewed before and after the switch -------


def reviewed_2020_claim(flow, bank_a, enterprise_a, bank_officer):
    """Submitted on Mon 22 Sep 2025 (2020 Measures), accepted and first-reviewed on Wed 24 Sep."""
    with at(dt.date(2025, 9, 22)):
        loan = make_loan(bank_a, enterprise_a, bank_officer)
        claim = flow.submitted(loan)
    with at(LAST_2020):
        claim = services.claim_accept(by=flow.clerk, claim=claim)
        claim = services.claim_first_review(by=flow.clerk, claim=claim, opinion="同意")
    assert claim.policy_version.code == "2020"  # the version at first submission, for the record
    return claim


def test_a_2020_claim_reviewed_on_24_september_2025_needs_the_joint_meeting(
    flow, bank_a, enterprise_a, bank_officer
):
    claim = reviewed_2020_claim(flow, bank_a, enterprise_a, bank_officer)
    with at(LAST_2020, 16):
        with pytest.raises(DomainError, match="联席会议") as exc:
            services.claim_approve(by=flow.approver, claim=claim, reason="同意")
        assert exc.value.code == "joint_meeting_required"
        claim = services.claim_joint_meeting(
            by=flow.approver,
            claim=claim,
            meeting_on=LAST_2020,
            minutes_reference="云联席〔2025〕9号",
            opinion="同意",
        )
        claim = services.claim_approve(by=flow.approver, claim=claim, reason="同意")
    assert claim.status == Claim.Status.APPROVED and claim.joint_meeting_on == LAST_2020


def test_a_2020_claim_still_in_review_on_25_september_2025_needs_no_joint_meeting(
    flow, bank_a, enterprise_a, bank_officer
):
    claim = reviewed_2020_claim(flow, bank_a, enterprise_a, bank_officer)
    with at(FIRST_2025):
        with pytest.raises(DomainError, match="不设联席会议") as exc:
            services.claim_joint_meeting(
                by=flow.approver, claim=claim, meeting_on=FIRST_2025, minutes_reference="x", opinion="同意"
            )
        assert exc.value.code == "no_joint_meeting"
        claim = services.claim_approve(by=flow.approver, claim=claim, reason="同意")
    assert claim.status == Claim.Status.APPROVED and claim.joint_meeting_on is None


@pytest.mark.parametrize("accepted_on, workdays", [(LAST_2020, 30), (FIRST_2025, 15)])
def test_the_review_deadline_is_set_by_the_version_in_force_on_the_day_of_acceptance(
    flow, bank_a, enterprise_a, bank_officer, accepted_on, workdays
):
    set_2020(substantive_review_workdays=30)  # 2025: 15
    with at(dt.date(2025, 9, 22)):
        claim = flow.submitted(make_loan(bank_a, enterprise_a, bank_officer))
    with at(accepted_on):
        claim = services.claim_accept(by=flow.clerk, claim=claim)
    assert claim.review_due_on == add_workdays(accepted_on, workdays)


# --- compensation caps by the day of the second review ----------------------------------------------


@pytest.mark.parametrize("reviewed_on, amount", [(LAST_2020, D("100000.00")), (FIRST_2025, D("192000.00"))])
def test_the_caps_are_those_in_force_on_the_day_of_the_second_review(
    flow, bank_a, enterprise_a, bank_officer, reviewed_on, amount
):
    set_2020(per_loan_compensation_cap=D("100000.00"))  # 2025: 1,000,000
    claim = reviewed_2020_claim(flow, bank_a, enterprise_a, bank_officer)
    with at(reviewed_on, 16):
        if services.policy_of(claim).requires_joint_meeting:
            claim = services.claim_joint_meeting(
                by=flow.approver,
                claim=claim,
                meeting_on=reviewed_on,
                minutes_reference="云联席〔2025〕9号",
                opinion="同意",
            )
        claim = services.claim_approve(by=flow.approver, claim=claim, reason="同意")
    # 480,000 x 40 % = 192,000: capped at 100,000 under the 2020 cap, not under the 2025 one
    assert claim.approved_amount == amount
    assert ("per_loan_cap" in claim.computation["capped_by"]) == (amount == D("100000.00"))


# --- recovery deadlines by the day the recovery was received --------------------------------------------


def test_a_recovery_received_after_the_switch_has_the_deadlines_of_the_new_version(
    flow, bank_a, enterprise_a, bank_officer
):
    set_2020(recovery_report_workdays=20, recovery_return_workdays=30)  # 2025: 5 and 10
    with at(dt.date(2025, 7, 1)):
        claim = flow.approved(make_loan(bank_a, enterprise_a, bank_officer))
        services.notice_batch_publish(by=flow.clerk, claims=[claim])
    claim = decided(flow, claim)
    with at(dt.date(2025, 7, 15)):
        claim = services.claim_instruct_payment(by=flow.approver, claim=claim)
        claim = services.claim_confirm_payment(by=flow.finance, claim=claim, voucher="ZF-2025-7")
    assert claim.policy_version.code == "2020"
    received = dt.date(2025, 10, 13)  # Monday after the National Day week
    with at(received):
        recovery = flow.recovery(claim, amount="100000.00", received_on=received)
    assert recovery.report_due_on == add_workdays(received, 5)
    assert recovery.return_due_on == add_workdays(received, 10)
