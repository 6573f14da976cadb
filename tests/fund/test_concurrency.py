"""Real parallel transactions on PostgreSQL: threads, each with its own connection, racing for money."""

import functools
from decimal import Decimal

import pytest

from fund import services
from fund.models import Posting
from fund.selectors import fund_figures
from tests.conftest import postgres_only
from tests.conftest import run_in_parallel as run_together
from yunfu_ipfund.common.errors import DomainError

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def run_in_parallel(n, work):
    """work(i) in n concurrent transactions; [result or exception] in order."""
    return run_together(*[functools.partial(work, i) for i in range(n)])


def leave_available(amount, finance_user, bureau_approver, bank):
    """Bring the fund to exactly `amount` available, whatever the database started with."""
    services.contribution_post(by=finance_user, amount=amount, key="race-seed")
    surplus = fund_figures().available - Decimal(amount)
    if surplus > 0:
        services.commitment_create(
            by=bureau_approver, amount=surplus, reference=("test.setup", "1"), key="race-surplus", bank=bank
        )
    assert fund_figures().available == Decimal(amount)


def test_twenty_commitments_racing_for_money_that_covers_ten(finance_user, bureau_approver, bank_a):
    leave_available("10000.00", finance_user, bureau_approver, bank_a)
    committed_before = fund_figures().committed

    def commit(i):
        return services.commitment_create(
            by=bureau_approver,
            amount="1000.00",
            reference=("compensation.claim", str(i)),
            key=f"race-claim-{i}",
            bank=bank_a,
        )

    results = run_in_parallel(20, commit)
    succeeded = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(succeeded) == 10
    assert len(refused) == 10 and all(
        isinstance(r, DomainError) and r.code == "available_short" for r in refused
    )
    f = fund_figures()
    assert f.available == Decimal("0.00")
    assert f.committed == committed_before + Decimal("10000.00")


def test_the_same_payout_from_two_workers_is_posted_once(finance_user, bureau_approver, bank_a):
    leave_available("5000.00", finance_user, bureau_approver, bank_a)
    commitment = services.commitment_create(
        by=bureau_approver,
        amount="5000.00",
        reference=("compensation.claim", "9"),
        key="claim-9",
        bank=bank_a,
    )
    payouts_before = fund_figures().payouts

    results = run_in_parallel(
        2,
        lambda i: (
            services.payout_post(
                by=finance_user, commitment=commitment, amount="5000.00", key="claim-9-payout"
            ).pk
        ),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    assert results[0] == results[1]
    assert Posting.objects.filter(key="claim-9-payout").count() == 1
    assert fund_figures().payouts == payouts_before + Decimal("5000.00")


def test_two_different_payouts_cannot_both_spend_one_commitment(finance_user, bureau_approver, bank_a):
    leave_available("5000.00", finance_user, bureau_approver, bank_a)
    commitment = services.commitment_create(
        by=bureau_approver,
        amount="5000.00",
        reference=("compensation.claim", "10"),
        key="claim-10",
        bank=bank_a,
    )
    results = run_in_parallel(
        4,
        lambda i: services.payout_post(
            by=finance_user, commitment=commitment, amount="5000.00", key=f"claim-10-payout-{i}"
        ),
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(r.code == "over_commitment" for r in results if isinstance(r, Exception))
