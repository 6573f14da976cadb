"""Real parallel transactions on PostgreSQL: two supervisors countersigning two recovery reports of one
capped claim at the same moment never demand back more than the fund paid (the claim's row lock
serialises the pari-passu shares)."""

from decimal import Decimal as D

import pytest

from compensation import services
from compensation.models import Recovery
from fund.models import ReturnDue
from tests.conftest import make_user, postgres_only, run_in_parallel
from yunfu_ipfund.accounts.roles import Role

from .conftest import Flow, ensure_policies, make_loan
from .test_recovery_pari_passu import paid_claim

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_countersigns_at_once_return_at_most_what_was_paid(
    bank_a, enterprise_a, bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user, bureau
):
    ensure_policies()
    flow = Flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user)
    loan = make_loan(bank_a, enterprise_a, bank_officer, amount="5000000.00", covered="5000000.00")
    claim = paid_claim(flow, loan, unrecovered="5000000.00", paid="1000000.00")
    type(claim).objects.filter(pk=claim.pk).update(returned_total=D("300000.00"))  # 700,000 still out
    other = make_user("supervisor2", bank_a, Role.BANK_SUPERVISOR)
    drafts = [
        services.recovery_prepare(
            by=flow.officer,
            claim=claim,
            received_on=claim.payment_value_date,
            amount="2500000.00",
        )
        for _ in range(2)
    ]
    # each alone: 2,500,000 x 1,000,000 / 5,000,000 = 500,000; together capped at 700,000 still out
    results = run_in_parallel(
        lambda: services.recovery_countersign(by=flow.supervisor, recovery=drafts[0]),
        lambda: services.recovery_countersign(by=other, recovery=drafts[1]),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    amounts = sorted(Recovery.objects.filter(claim=claim).values_list("return_amount", flat=True))
    assert amounts == [D("200000.00"), D("500000.00")]
    assert sum(ReturnDue.objects.values_list("amount", flat=True)) == D("700000.00")
