"""The move tables of the bank side (`WORKFLOW` of CooperatingBank, LoanFiling, CoveredLoan and
SuspensionProposal), pinned: each move's sources, target, permission and what a repeat does; each move
made through its service from every state (allowed, a repeat, refused with a 400), a person without the
role refused with a 403, and the detail pages offering exactly the moves the person may make.
(The filing moves from every state: test_filing_services.py; the loan's: test_loans.py.)"""

import pytest

from lenders import services
from lenders.models import CooperatingBank, CoveredLoan, LoanFiling, SuspensionProposal
from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
)
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.audit.workflow import CONFLICT, NOOP, available_move_names
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden

B, F, L, P = CooperatingBank.Status, LoanFiling.Status, CoveredLoan.Status, SuspensionProposal.Status

TABLES = {
    CooperatingBank: {
        "suspend": ((B.ACTIVE,), B.SUSPENDED, PERM_BUREAU_APPROVE, NOOP),
        "reinstate": ((B.SUSPENDED,), B.ACTIVE, PERM_BUREAU_APPROVE, NOOP),
        "terminate": ((B.ACTIVE, B.SUSPENDED), B.TERMINATED, PERM_BUREAU_APPROVE, NOOP),
    },
    LoanFiling: {
        "submit": ((F.DRAFT, F.RETURNED), F.SUBMITTED, PERM_BANK_COUNTERSIGN, CONFLICT),
        "first_review": ((F.SUBMITTED,), F.FIRST_REVIEWED, PERM_BUREAU_REVIEW, CONFLICT),
        "return_for_correction": ((F.SUBMITTED,), F.RETURNED, PERM_BUREAU_REVIEW, CONFLICT),
        "confirm": ((F.FIRST_REVIEWED,), F.CONFIRMED, PERM_BUREAU_APPROVE, NOOP),
        "refuse": ((F.FIRST_REVIEWED, F.RETURNED), F.REFUSED, PERM_BUREAU_APPROVE, NOOP),
    },
    CoveredLoan: {
        "report_overdue": ((L.ACTIVE,), L.OVERDUE, PERM_BANK_PREPARE, NOOP),
        "cure_overdue": ((L.OVERDUE,), L.ACTIVE, PERM_BANK_PREPARE, NOOP),
        "classify_non_performing": ((L.ACTIVE, L.OVERDUE), L.NON_PERFORMING, PERM_BANK_PREPARE, NOOP),
        "reclassify_performing": ((L.NON_PERFORMING,), L.ACTIVE, PERM_BANK_PREPARE, NOOP),
        "repay": ((L.ACTIVE, L.OVERDUE, L.NON_PERFORMING), L.REPAID, PERM_BANK_PREPARE, NOOP),
        "claim": ((L.NON_PERFORMING,), L.IN_CLAIM, None, NOOP),
        "end_claim": ((L.IN_CLAIM,), L.NON_PERFORMING, None, NOOP),
        "compensate": ((L.IN_CLAIM,), L.COMPENSATED, None, NOOP),
        "enter_recovery": ((L.COMPENSATED,), L.RECOVERY, None, NOOP),
        "close": ((L.COMPENSATED, L.RECOVERY), L.CLOSED, None, NOOP),
        "exclude": (
            (L.ACTIVE, L.OVERDUE, L.NON_PERFORMING, L.IN_CLAIM, L.COMPENSATED, L.RECOVERY),
            L.EXCLUDED,
            None,
            NOOP,
        ),
        "exclude_for_fraud": (
            (L.ACTIVE, L.OVERDUE, L.NON_PERFORMING),
            L.EXCLUDED,
            PERM_BUREAU_APPROVE,
            NOOP,
        ),
    },
    SuspensionProposal: {
        "accept": ((P.PROPOSED,), P.ACCEPTED, PERM_BUREAU_APPROVE, NOOP),
        "dismiss": ((P.PROPOSED,), P.DISMISSED, PERM_BUREAU_APPROVE, NOOP),
    },
}


@pytest.mark.parametrize("model", list(TABLES), ids=lambda m: m.__name__)
def test_the_declared_table(model):
    declared = {
        name: (move.sources, move.target, move.permission, move.repeat)
        for name, move in model.WORKFLOW.moves.items()
    }
    assert declared == TABLES[model]


# --- cooperating banks: every move from every state, through the services ---------------------------

BANK_SERVICES = {
    "suspend": services.bank_suspend,
    "reinstate": services.bank_reinstate,
    "terminate": services.bank_terminate,
}


@pytest.mark.parametrize("state", list(B))
@pytest.mark.parametrize("move", list(BANK_SERVICES))
def test_each_bank_move_from_each_state(bank_a_profile, bureau_approver, move, state):
    sources, target, _perm, _repeat = TABLES[CooperatingBank][move]
    CooperatingBank.objects.filter(pk=bank_a_profile.pk).update(status=state)
    bank_a_profile.refresh_from_db()
    call = BANK_SERVICES[move]
    if state in sources or state == target:  # made, or a repeat that does nothing
        assert call(by=bureau_approver, bank=bank_a_profile, reason="理由").status == target
    else:
        with pytest.raises(DomainError) as exc:
            call(by=bureau_approver, bank=bank_a_profile, reason="理由")
        assert type(exc.value) is DomainError and exc.value.status == 400 and exc.value.code == "wrong_state"


@pytest.mark.parametrize("who", ["bureau_clerk", "finance_user", "bank_supervisor", "enterprise_user"])
@pytest.mark.parametrize("move", list(BANK_SERVICES))
def test_a_bank_move_by_anyone_but_the_approver_is_a_403(bank_a_profile, request, who, move):
    CooperatingBank.objects.filter(pk=bank_a_profile.pk).update(
        status=B.SUSPENDED if move == "reinstate" else B.ACTIVE
    )
    bank_a_profile.refresh_from_db()
    with pytest.raises(Forbidden) as exc:
        BANK_SERVICES[move](by=request.getfixturevalue(who), bank=bank_a_profile, reason="理由")
    assert exc.value.status == 403


def test_a_bank_move_is_audited_under_its_code(bank_a_profile, bureau_approver):
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="不良率超标")
    event = trail_for(bank_a_profile).last()
    assert (event.code, event.action, event.from_state, event.to_state) == (
        "lenders.cooperatingbank.suspend",
        "暂停备案",
        B.ACTIVE,
        B.SUSPENDED,
    )


@pytest.mark.parametrize(
    ("state", "buttons"),
    [
        (B.ACTIVE, {"暂停备案", "终止合作"}),
        (B.SUSPENDED, {"恢复备案", "终止合作"}),
        (B.TERMINATED, set()),
    ],
)
def test_the_bank_page_offers_the_approver_the_moves_of_the_state(
    client_for, bank_a_profile, bureau_approver, state, buttons
):
    CooperatingBank.objects.filter(pk=bank_a_profile.pk).update(status=state)
    body = client_for(bureau_approver).get(f"/lenders/bureau/banks/{bank_a_profile.pk}/").content.decode()
    offered = {label for label in ("暂停备案", "恢复备案", "终止合作") if f">{label}</button>" in body}
    assert offered == buttons


def test_the_clerk_sees_the_bank_without_buttons_and_cannot_post(client_for, bank_a_profile, bureau_clerk):
    client = client_for(bureau_clerk)
    body = client.get(f"/lenders/bureau/banks/{bank_a_profile.pk}/").content.decode()
    assert "变更合作状态" not in body
    response = client.post(
        f"/lenders/bureau/banks/{bank_a_profile.pk}/", {"action": "suspend", "reason": "越权"}
    )
    assert response.status_code == 403
    bank_a_profile.refresh_from_db()
    assert bank_a_profile.status == B.ACTIVE


# --- filings: the buttons are the moves -------------------------------------------------------------------


def test_the_filing_page_offers_each_person_the_moves_they_may_make(
    client_for, draft, bank_officer, bank_supervisor, bureau_clerk, bureau_approver
):
    def buttons(user, filing):
        body = client_for(user).get(f"/lenders/filings/{filing.pk}/").content.decode()
        return {
            label
            for label in ("复核并报送", "初审通过", "退回补正", "确认纳入风险补偿", "不予备案")
            if f">{label}</button>" in body
        }

    assert buttons(bank_officer, draft) == set()  # the preparer never countersigns
    assert buttons(bank_supervisor, draft) == {"复核并报送"}
    assert available_move_names(draft, bank_supervisor) == {"submit"}
    submitted = services.filing_submit(by=bank_supervisor, filing=draft)
    assert buttons(bank_supervisor, submitted) == set()
    # Submitted: the clerk's first review (pass or return) comes first; the approver decides nothing yet.
    assert buttons(bureau_clerk, submitted) == {"初审通过", "退回补正"}
    assert "confirm" not in available_move_names(submitted, bureau_approver)
    assert not {"确认纳入风险补偿", "不予备案"} & buttons(bureau_approver, submitted)
    reviewed = services.filing_first_review(by=bureau_clerk, filing=submitted)
    assert buttons(bureau_clerk, reviewed) == set()
    assert buttons(bureau_approver, reviewed) == {"确认纳入风险补偿", "不予备案"}
    assert buttons(bank_supervisor, reviewed) == set()


def test_the_returned_filing_page_offers_refusal_to_the_approver_and_resubmission_to_the_bank(
    client_for, submitted, bank_supervisor, bureau_clerk, bureau_approver
):
    def buttons(user, filing):
        body = client_for(user).get(f"/lenders/filings/{filing.pk}/").content.decode()
        return {
            label
            for label in ("复核并报送", "初审通过", "退回补正", "确认纳入风险补偿", "不予备案")
            if f">{label}</button>" in body
        }

    returned = services.filing_return(by=bureau_clerk, filing=submitted, reasons=["补正"])
    assert buttons(bureau_approver, returned) == {"不予备案"}
    assert buttons(bureau_clerk, returned) == set()
    assert buttons(bank_supervisor, returned) == {"复核并报送"}


def test_the_approver_who_returned_a_filing_is_not_offered_its_confirmation(first_reviewed, bureau_approver):
    # The filing is past its first review (confirm's only source), but this approver once returned it:
    # the four-eyes guard, not the state, must be what refuses.
    LoanFiling.objects.filter(pk=first_reviewed.pk).update(returned_by=bureau_approver)
    first_reviewed.refresh_from_db()
    assert "confirm" not in available_move_names(first_reviewed, bureau_approver)
    with pytest.raises(Forbidden) as exc:
        services.filing_confirm(by=bureau_approver, filing=first_reviewed)
    assert exc.value.status == 403
    first_reviewed.refresh_from_db()
    assert first_reviewed.status == F.FIRST_REVIEWED


def test_the_approver_who_made_the_first_review_is_not_offered_its_confirmation(
    first_reviewed, bureau_approver
):
    LoanFiling.objects.filter(pk=first_reviewed.pk).update(first_reviewed_by=bureau_approver)
    first_reviewed.refresh_from_db()
    assert "confirm" not in available_move_names(first_reviewed, bureau_approver)
    with pytest.raises(Forbidden) as exc:
        services.filing_confirm(by=bureau_approver, filing=first_reviewed)
    assert exc.value.status == 403


# --- suspension proposals ---------------------------------------------------------------------------------


@pytest.fixture
def proposal(bank_a, bank_a_profile):
    return SuspensionProposal.objects.create(bank=bank_a, grounds="测试", figures={}, proposed_on=today())


PROPOSAL_SERVICES = {"accept": services.proposal_accept, "dismiss": services.proposal_dismiss}


@pytest.mark.parametrize("state", list(P))
@pytest.mark.parametrize("move", list(PROPOSAL_SERVICES))
def test_each_proposal_move_from_each_state(proposal, bureau_approver, move, state):
    sources, target, _perm, _repeat = TABLES[SuspensionProposal][move]
    SuspensionProposal.objects.filter(pk=proposal.pk).update(status=state)
    proposal.refresh_from_db()
    call = PROPOSAL_SERVICES[move]
    if state in sources or state == target:
        assert call(by=bureau_approver, proposal=proposal, reason="理由").status == target
    else:
        with pytest.raises(DomainError) as exc:
            call(by=bureau_approver, proposal=proposal, reason="理由")
        assert type(exc.value) is DomainError and exc.value.code == "wrong_state"


def test_a_proposal_decided_since_the_page_was_read_is_a_conflict(proposal, bureau_approver):
    stale = SuspensionProposal.objects.get(pk=proposal.pk)
    services.proposal_accept(by=bureau_approver, proposal=proposal, reason="采纳")
    with pytest.raises(Conflict):
        services.proposal_dismiss(by=bureau_approver, proposal=stale, reason="不予采纳")


@pytest.mark.parametrize("who", ["bureau_clerk", "finance_user", "bank_officer"])
@pytest.mark.parametrize("move", list(PROPOSAL_SERVICES))
def test_a_proposal_move_by_anyone_but_the_approver_is_a_403(proposal, request, who, move):
    with pytest.raises(Forbidden) as exc:
        PROPOSAL_SERVICES[move](by=request.getfixturevalue(who), proposal=proposal, reason="理由")
    assert exc.value.status == 403
    proposal.refresh_from_db()
    assert proposal.status == P.PROPOSED


def test_the_proposal_page_offers_the_decision_to_the_approver_only(
    client_for, proposal, bureau_approver, finance_user
):
    url = f"/fund/risk/proposals/{proposal.pk}/"
    body = client_for(bureau_approver).get(url).content.decode()
    assert "采纳并暂停</button>" in body and "不予采纳</button>" in body
    client = client_for(finance_user)
    body = client.get(url).content.decode()
    assert "采纳并暂停</button>" not in body and "不予采纳</button>" not in body
    response = client.post(url, {"action": "dismiss", "reason": "越权"})
    assert response.status_code == 200  # the page again, nothing decided: finance is offered no move
    proposal.refresh_from_db()
    assert proposal.status == P.PROPOSED


def test_the_approver_decides_from_the_page(client_for, proposal, bureau_approver, bank_a_profile):
    url = f"/fund/risk/proposals/{proposal.pk}/"
    response = client_for(bureau_approver).post(
        url, {"action": "accept", "reason": "不良率超标", "effective_on": str(today())}
    )
    assert response.status_code == 302 and response["Location"] == url
    bank_a_profile.refresh_from_db()
    assert bank_a_profile.status == B.SUSPENDED
    body = client_for(bureau_approver).get(url).content.decode()
    assert "采纳暂停备案建议" in body and "采纳并暂停</button>" not in body
