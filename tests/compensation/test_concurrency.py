"""Real parallel transactions on PostgreSQL: two people acting at once move the claim once and post once."""

import pytest

from compensation import services
from compensation.models import Claim, ClaimReview
from fund.models import Commitment, Posting
from tests.conftest import make_user, postgres_only, run_in_parallel
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.errors import DomainError

from .conftest import Flow, ensure_policies, make_loan

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls at the same moment (each its own transaction); ("ok", result) or ("refused", error)."""
    return [
        ("refused", r)
        if isinstance(r, DomainError)
        else ("error", r)
        if isinstance(r, Exception)
        else ("ok", r)
        for r in run_in_parallel(*calls)
    ]


@pytest.fixture
def setup(
    bank_a, enterprise_a, bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user, bureau
):
    ensure_policies()
    flow = Flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user)
    return flow, make_loan(bank_a, enterprise_a, bank_officer)


def test_two_approvers_deciding_at_once_decide_once(setup, bureau):
    flow, loan = setup
    other = make_user("approver2", bureau, Role.BUREAU_APPROVER)
    claim = flow.reviewed(loan)
    outcomes = race(
        lambda: services.claim_approve(by=flow.approver, claim=claim, reason="同意"),
        lambda: services.claim_reject(by=other, claim=claim, reason="不同意"),
    )
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    assert ClaimReview.objects.filter(claim=claim, stage="second").count() == 1


def test_two_approvers_instructing_payment_at_once_commit_once(setup, bureau):
    flow, loan = setup
    other = make_user("approver2", bureau, Role.BUREAU_APPROVER)
    claim = flow.decided(loan)
    outcomes = race(
        lambda: services.claim_instruct_payment(by=flow.approver, claim=claim),
        lambda: services.claim_instruct_payment(by=other, claim=claim),
    )
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    assert Commitment.objects.filter(key=f"claim-{claim.pk}-commitment").count() == 1


def test_two_finance_users_confirming_at_once_post_the_payout_once(setup, finance_bureau):
    flow, loan = setup
    other = make_user("finance2", finance_bureau, Role.FINANCE)
    claim = services.claim_instruct_payment(by=flow.approver, claim=flow.decided(loan))
    outcomes = race(
        lambda: services.claim_confirm_payment(by=flow.finance, claim=claim, voucher="ZF-A"),
        lambda: services.claim_confirm_payment(by=other, claim=claim, voucher="ZF-B"),
    )
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    assert Posting.objects.filter(kind="payout").count() == 1
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PAID


def test_two_supervisors_countersigning_a_recovery_report_at_once_report_it_once(setup, bank_a):
    from compensation.models import Recovery
    from fund.models import ReturnDue
    from yunfu_ipfund.common.errors import Conflict
    from yunfu_ipfund.notices.models import Notice

    flow, loan = setup
    other = make_user("supervisor2", bank_a, Role.BANK_SUPERVISOR)
    claim = flow.paid(loan)
    draft = services.recovery_prepare(
        by=flow.officer,
        claim=claim,
        received_on=claim.payment_value_date,
        amount="110000.00",
        costs="10000.00",
    )
    outcomes = race(
        lambda: services.recovery_countersign(by=flow.supervisor, recovery=draft),
        lambda: services.recovery_countersign(by=other, recovery=draft),
    )
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"]
    refusal = next(o[1] for o in outcomes if o[0] == "refused")
    assert isinstance(refusal, Conflict)
    assert Recovery.objects.get(pk=draft.pk).status == Recovery.Status.REPORTED
    assert ReturnDue.objects.filter(reference_id=str(draft.pk)).count() == 1
    assert Notice.objects.filter(kind="claim_recovery_return").count() == 1
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.RECOVERY
