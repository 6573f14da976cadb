"""Fixtures of the fund tests.

The database starts with the real fund's opening (migration 0003): the provincial allocation of
5,000,000.00 in cash, nothing committed. Figures in the tests are stated from there. Nothing of the
lenders app is replaced: the fund never reads the loans (a covered-outstanding figure is an argument
of fund.risk), and the pages that show loans beside the ledger are tested on real loans.
"""

import itertools
from decimal import Decimal

import pytest

from fund import services
from fund.selectors import fund_figures
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.policy.services import policy_in_force

OPENING = Decimal("5000000.00")
_keys = itertools.count(1)


def new_key(prefix="k"):
    return f"{prefix}-{next(_keys)}"


@pytest.fixture
def policy(db):
    return policy_in_force(today())


@pytest.fixture
def figures(db):
    return lambda **kw: fund_figures(**kw)


@pytest.fixture
def commit(bureau_approver, bank_a):
    """commit(amount, ref=...) -> a claim commitment instructed by the bureau approver for bank A."""

    def make(amount, *, ref=None, bank=None, key=None, by=None):
        return services.commitment_create(
            by=by or bureau_approver,
            amount=amount,
            reference=ref or ("compensation.claim", new_key("claim")),
            key=key or new_key("commit"),
            bank=bank or bank_a,
            reason="补偿决定",
        )

    return make
