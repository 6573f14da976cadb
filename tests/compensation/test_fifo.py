"""Strictly first come, first served (issue 12 item 7): twenty approvers' decisions at once, money for
six. The decision time is taken under the fund's lock, so exactly the first six by decision time are
committed, the other fourteen queue, and money is committed in decision order.

Real parallel transactions on PostgreSQL (each thread its own connection)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from compensation import services
from compensation.models import Claim
from fund.models import Commitment
from fund.selectors import fund_figures
from fund.services import commitment_create
from tests.conftest import make_user, postgres_only, run_in_parallel
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.dates import today

from .conftest import PDF, Flow, ensure_policies, make_loan

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

CLAIMS = 20
FUNDED = 6
EACH = D("32000.00")  # 100,000.00 unrecovered x 80% covered x 40% fund share


@pytest.fixture(autouse=True)
def _no_typesetting(monkeypatch):
    """The notices' PDFs are not what is tested here: a constant file instead of 20 parallel typesettings."""
    monkeypatch.setattr("yunfu_ipfund.notices.pdf.render_pdf_bytes", lambda html: PDF)


def approved_claims(flow, bank, enterprise, count):
    claims = []
    for _ in range(count):
        claim = flow.approved(make_loan(bank, enterprise, flow.officer), unrecovered="100000.00")
        assert claim.approved_amount == EACH
        claims.append(claim)
    return claims


def test_twenty_decisions_at_once_commit_the_first_six_in_decision_order(
    bank_a, enterprise_a, bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user, bureau
):
    ensure_policies()
    flow = Flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user)
    claims = approved_claims(flow, bank_a, enterprise_a, CLAIMS)
    # Published long enough ago that the notice period has ended: every claim is ripe for decision.
    services.notice_batch_publish(by=bureau_clerk, claims=claims, on=today() - dt.timedelta(days=40))
    # Money for six and a half: the seventh does not fit.
    left = fund_figures().available - (EACH * FUNDED + D("10000.00"))
    commitment_create(
        by=bureau_approver,
        amount=left,
        reference=("test.reserve", "1"),
        key="test-reserve",
        purpose="treasury",
        reason="测试：预留",
    )
    approvers = [bureau_approver] + [
        make_user(f"approver{i}", bureau, Role.BUREAU_APPROVER) for i in range(1, CLAIMS)
    ]

    results = run_in_parallel(
        *[
            (lambda a=a, c=c: services.claim_decide(by=a, claim=c))
            for a, c in zip(approvers, claims, strict=True)
        ]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    decided = list(Claim.objects.filter(pk__in=[c.pk for c in claims]).order_by("decided_at", "id"))
    assert len({c.decided_at for c in decided}) == CLAIMS  # one place in the order for each decision
    statuses = [c.status for c in decided]
    assert statuses == [Claim.Status.DECIDED] * FUNDED + [Claim.Status.QUEUED] * (CLAIMS - FUNDED)
    assert all(c.commitment_id for c in decided[:FUNDED])
    assert not any(c.commitment_id for c in decided[FUNDED:])
    # Money was committed in decision order.
    committed = Commitment.objects.filter(key__in=[f"claim-{c.pk}-commitment" for c in claims]).order_by("pk")
    assert [k.key for k in committed] == [f"claim-{c.pk}-commitment" for c in decided[:FUNDED]]
    # The queue pays in the same order when money arrives.
    assert list(
        Claim.objects.filter(status=Claim.Status.QUEUED)
        .order_by("decided_at", "id")
        .values_list("pk", flat=True)
    ) == [c.pk for c in decided[FUNDED:]]
    assert fund_figures().available == D("10000.00")
