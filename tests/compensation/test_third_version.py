"""A third version of the Measures, made purely as data the way the system administrator makes it
(`policy_version_create` after ending the 2025 version early), is followed by what comes after it
without a line of code: a filing disbursed under it, a claim's review caps, a recovery's deadlines.
Loans confirmed before it keep the share their filing confirmation fixed."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.utils import timezone

from compensation import services
from compensation.models import Claim
from lenders.rules import filing_checks, filing_deadline
from tests.factories import decide_after_publicity
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.policy import services as policy_services
from yunfu_ipfund.policy.models import PolicyVersion

from .conftest import make_loan

TZ = timezone.get_current_timezone()
FIRST_2027 = dt.date(2027, 1, 1)


def at(day, hour=9):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=TZ), tick=False)


def decided(flow, claim):
    """Past the public notice: the sweep runs; where the approver decides (not the sweep), they decide."""
    claim = decide_after_publicity(Claim.objects.get(pk=claim.pk))
    if claim.status == Claim.Status.PUBLIC_NOTICE:
        with at(claim.batch.ends_on + dt.timedelta(days=1)):
            claim = services.claim_decide(by=flow.approver, claim=claim)
    return Claim.objects.get(pk=claim.pk)


@pytest.fixture
def version_2027(administrator):
    """The 2025 version ends on 31 Dec 2026; the 2027 version has other caps, share and days."""
    with at(dt.date(2026, 12, 1)):
        v2025 = PolicyVersion.objects.get(code="2025")
        policy_services.policy_mark_used(v2025)  # it has judged records: only its end may move
        policy_services.policy_version_update(
            by=administrator,
            version=v2025,
            reason="新办法自2027年1月1日起施行",
            effective_to=dt.date(2026, 12, 31),
        )
        return policy_services.policy_version_create(
            by=administrator,
            reason="发布2027年办法",
            **{
                **model_to_dict(v2025, exclude=["id", "first_used_at"]),
                "code": "2027",
                "title": "云浮市中小微企业知识产权质押融资风险补偿资金管理办法（2027年修订）",
                "effective_from": FIRST_2027,
                "effective_to": dt.date(2031, 12, 31),
                "single_loan_cap": D("900000.00"),
                "filing_deadline_workdays": 7,
                "fund_share": D("0.3000"),
                "per_loan_compensation_cap": D("150000.00"),
                "substantive_review_workdays": 12,
                "recovery_report_workdays": 3,
                "recovery_return_workdays": 7,
            },
        )


def test_a_filing_disbursed_under_the_third_version_follows_its_rules(
    version_2027, bank_a, enterprise_a, bank_officer, bureau
):
    loan = make_loan(bank_a, enterprise_a, bank_officer)  # a 1,000,000 loan
    filing = loan.filing
    for disbursed, outcome, workdays in [
        (dt.date(2026, 12, 31), "pass", 10),
        (dt.date(2027, 1, 4), "fail", 7),
    ]:
        filing.disbursed_on = disbursed
        check = next(c for c in filing_checks(filing, on=disbursed) if c.rule == "single_loan_cap")
        assert check.outcome == outcome
        assert filing_deadline(filing, policy_services.policy_in_force(disbursed)) == add_workdays(
            disbursed, workdays
        )
    assert policy_services.policy_in_force(dt.date(2027, 1, 4)).fund_share == D("0.3000")


def test_a_claim_submitted_before_and_reviewed_and_recovered_under_the_third_version_follows_it(
    version_2027, flow, bank_a, enterprise_a, bank_officer
):
    with at(dt.date(2026, 12, 28)):
        loan = make_loan(bank_a, enterprise_a, bank_officer)  # confirmed under 2025 at 40 %
        claim = flow.submitted(loan)  # submitted under the 2025 version
    with at(dt.date(2027, 1, 11)):
        claim = services.claim_accept(by=flow.clerk, claim=claim)
        assert claim.review_due_on == add_workdays(dt.date(2027, 1, 11), 12)
        claim = services.claim_first_review(by=flow.clerk, claim=claim, opinion="同意")
        claim = services.claim_approve(by=flow.approver, claim=claim, reason="同意")
    # 480,000 x 40 % (the loan's confirmed share, not 2027's 30 %) = 192,000, capped at 2027's 150,000
    assert claim.approved_amount == D("150000.00") and claim.computation["capped_by"] == ["per_loan_cap"]
    assert claim.policy_version.code == "2025"  # the version at first submission, for the record only
    with at(dt.date(2027, 1, 11), 15):
        services.notice_batch_publish(by=flow.clerk, claims=[claim])
    claim = decided(flow, claim)
    payday = claim.batch.ends_on + dt.timedelta(days=3)
    with at(payday):
        claim = services.claim_instruct_payment(by=flow.approver, claim=claim)
        claim = services.claim_confirm_payment(by=flow.finance, claim=claim, voucher="ZF-2027-1")
    received = payday + dt.timedelta(days=7)
    with at(received):
        recovery = flow.recovery(claim, amount="50000.00", received_on=received)
    assert recovery.report_due_on == add_workdays(received, 3)
    assert recovery.return_due_on == add_workdays(received, 7)
