"""Each move from every source state: allowed where the diagram says, refused (never a 500) elsewhere."""

from decimal import Decimal

import pytest

from compensation import services
from compensation.models import Claim
from yunfu_ipfund.common.errors import DomainError

S = Claim.Status

MOVES = {
    "accept": (lambda f, c: services.claim_accept(by=f.clerk, claim=c), {S.SUBMITTED}),
    "supplement": (lambda f, c: services.claim_request_supplement(by=f.clerk, claim=c, items=[{"code": "D01"}]), {S.SUBMITTED}),
    "first_review": (lambda f, c: services.claim_first_review(by=f.clerk, claim=c, opinion="同意"), {S.ACCEPTED}),
    "reject": (lambda f, c: services.claim_reject(by=f.approver, claim=c, reason="不符合"), {S.FIRST_REVIEWED, S.JOINT_MEETING}),
    "close": (lambda f, c: services.claim_close(by=f.approver, claim=c, close_reason="write_off", reason="核销"), {S.PAID, S.RECOVERY}),
}


@pytest.mark.parametrize("move", sorted(MOVES))
@pytest.mark.parametrize("source", S.values)
def test_each_move_is_allowed_only_from_its_source_states(flow, loan, policy, move, source):
    call, allowed = MOVES[move]
    claim = Claim.objects.create(
        covered_loan=loan, bank=loan.bank, classified_on=loan.non_performing_on, classification="substandard",
        unrecovered_principal=Decimal("600000.00"), enforcement_actions="催收", prepared_by=flow.officer, status=source,
        policy_version=policy, first_submitted_on=loan.non_performing_on,
    )
    if source in allowed:
        assert call(flow, claim).status != source
    else:
        with pytest.raises(DomainError):
            call(flow, claim)
        assert Claim.objects.get(pk=claim.pk).status == source


def test_every_state_is_in_the_diagram():
    reachable = {S.DRAFT} | {move.target for move in Claim.WORKFLOW.moves.values()}
    assert reachable == set(S.values)
    from compensation import models

    for state in S.values:
        assert state.upper() in models.__doc__
