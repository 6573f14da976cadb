"""The claim's workflow walked through its services and its page.

- each move from every state: allowed where the table says, refused (a DomainError, never a 500) elsewhere;
- each move made by the wrong role: 403 from the page, and no button for it;
- the buttons on the claim page are the moves the services admit (the joint meeting above all: the
  drift this table fixed).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation import services
from compensation.models import Claim
from fund.services import commitment_create
from yunfu_ipfund.audit.workflow import available_move_names
from yunfu_ipfund.common.errors import DomainError, Forbidden
from yunfu_ipfund.policy.models import PolicyVersion

from .conftest import attach_all

S = Claim.Status

# Each person-made move of the claim, through its service, with the states it may leave from.
MOVES = {
    "submit": (
        lambda f, c: services.claim_submit(by=f.supervisor, claim=c),
        {S.DRAFT, S.SUPPLEMENT_REQUESTED},
    ),
    "accept": (lambda f, c: services.claim_accept(by=f.clerk, claim=c), {S.SUBMITTED}),
    "supplement": (
        lambda f, c: services.claim_request_supplement(by=f.clerk, claim=c, items=[{"code": "D01"}]),
        {S.SUBMITTED},
    ),
    "first_review": (
        lambda f, c: services.claim_first_review(by=f.clerk, claim=c, opinion="同意"),
        {S.ACCEPTED},
    ),
    "approve": (
        lambda f, c: services.claim_approve(by=f.approver, claim=c, reason="同意"),
        {S.FIRST_REVIEWED, S.JOINT_MEETING},
    ),
    "reject": (
        lambda f, c: services.claim_reject(by=f.approver, claim=c, reason="不符合"),
        {S.FIRST_REVIEWED, S.JOINT_MEETING},
    ),
    "publish": (
        lambda f, c: services.notice_batch_publish(by=f.clerk, claims=[c]).claims.get(),
        {S.APPROVED},
    ),
    "instruct_payment": (
        lambda f, c: services.claim_instruct_payment(by=f.approver, claim=c),
        {S.DECIDED, S.QUEUED},
    ),
    "confirm_payment": (
        lambda f, c: services.claim_confirm_payment(by=f.finance, claim=c, voucher="ZF-1"),
        {S.PAYMENT_INSTRUCTED},
    ),
    "close": (
        lambda f, c: services.claim_close(by=f.approver, claim=c, close_reason="write_off", reason="核销"),
        {S.PAID, S.RECOVERY},
    ),
    "rescind": (
        lambda f, c: services.claim_rescind(by=f.approver, claim=c, reason="伪造还款记录").claim,
        set(Claim.RESCINDABLE),
    ),
}


def claim_in(flow, loan, policy, status, **fields):
    """A claim with a complete checklist, a committed decided amount, put straight into `status`."""
    claim = Claim.objects.create(
        covered_loan=loan,
        bank=loan.bank,
        classified_on=loan.non_performing_on,
        classification="substandard",
        unrecovered_principal=Decimal("600000.00"),
        enforcement_actions="催收",
        prepared_by=flow.officer,
        policy_version=policy,
        first_submitted_on=loan.non_performing_on,
    )
    attach_all(claim, flow.officer)
    commitment = commitment_create(
        by=flow.approver,
        amount=Decimal("192000.00"),
        reference=claim,
        key=f"test-claim-{claim.pk}",
        bank=loan.bank,
        reason="测试",
    )
    Claim.objects.filter(pk=claim.pk).update(
        status=status, approved_amount=Decimal("192000.00"), commitment=commitment, **fields
    )
    return Claim.objects.get(pk=claim.pk)


@pytest.mark.parametrize("move", sorted(MOVES))
@pytest.mark.parametrize("source", S.values)
def test_each_move_is_allowed_only_from_its_source_states(flow, loan, policy, move, source):
    call, allowed = MOVES[move]
    claim = claim_in(flow, loan, policy, source)
    if source in allowed:
        assert call(flow, claim).status != source
    else:
        with pytest.raises(DomainError):
            call(flow, claim)
        assert Claim.objects.get(pk=claim.pk).status == source


def test_every_move_of_the_table_is_walked_here_or_made_by_the_system():
    walked = {
        "submit",
        "resubmit",
        "accept",
        "request_supplement",
        "first_review",
        "approve",
        "reject",
        "publish",
        "instruct_payment",
        "confirm_payment",
        "close",
        "rescind",
        "record_joint_meeting",
    }
    system = {move.name for move in Claim.WORKFLOW.moves.values() if move.permission is None}
    assert system == {"lapse", "return_on_objection", "decide", "queue"}
    assert set(Claim.WORKFLOW.moves) == walked | system | {"enter_recovery"}  # the countersign's consequence


def test_every_state_is_in_the_diagram():
    reachable = {S.DRAFT} | {move.target for move in Claim.WORKFLOW.moves.values()}
    assert reachable == set(S.values)
    from compensation import models

    for state in S.values:
        assert state.upper() in models.__doc__


# --- the wrong role: refused with 403, and offered no button ------------------------------------------
# A bank's move tried by someone outside the bank is "not found" (404): bank actions are made by users of
# the claim's bank, and nobody else is told more.

# (action slug on the page, move, state, the data the form posts)
PAGE_MOVES = [
    ("submit", "submit", S.DRAFT, {}),
    ("accept", "accept", S.SUBMITTED, {}),
    ("supplement", "request_supplement", S.SUBMITTED, {"codes": ["D01"], "note": ""}),
    ("first_review", "first_review", S.ACCEPTED, {"opinion": "同意"}),
    ("second_review", "approve", S.FIRST_REVIEWED, {"outcome": "full", "reason": "同意"}),
    ("publish", "publish", S.APPROVED, {}),
    ("instruct", "instruct_payment", S.DECIDED, {}),
    ("pay", "confirm_payment", S.PAYMENT_INSTRUCTED, {"voucher": "ZF-1"}),
    ("close", "close", S.PAID, {"close_reason": "write_off", "reason": "核销"}),
    ("rescind", "rescind", S.PAID, {"reason": "伪造"}),
]


@pytest.mark.parametrize("action, move, state, data", PAGE_MOVES, ids=[m[0] for m in PAGE_MOVES])
def test_the_wrong_role_is_refused_with_403_and_offered_no_button(
    flow,
    loan,
    policy,
    client_for,
    bank_officer,
    bureau_clerk,
    bureau_approver,
    finance_user,
    bank_supervisor,
    action,
    move,
    state,
    data,
):
    claim = claim_in(flow, loan, policy, state)
    permissions = Claim.WORKFLOW.move(move).permissions
    bank_move = all(permission.startswith("accounts.bank_") for permission in permissions)
    url = reverse("compensation:claim_action", args=[claim.pk, action])
    for user in (bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user):
        if any(user.has_perm(permission) for permission in permissions):
            continue
        assert move not in available_move_names(claim, user)
        expected = 404 if bank_move and user.organisation_id != claim.bank_id else 403
        assert client_for(user).post(url, data).status_code == expected, user.username
        assert Claim.objects.get(pk=claim.pk).status == state


# --- the joint meeting: the button and the service agree --------------------------------------------


@pytest.fixture
def under_2020(flow, loan, time_machine):
    """A first-reviewed claim on a day under the 2020 Measures, which have a joint-meeting office (the
    version in force on the day of the step judges it: docs/adr/0003)."""
    version = PolicyVersion.objects.get(code="2020")
    assert version.requires_joint_meeting
    claim = claim_in(flow, loan, version, S.FIRST_REVIEWED, first_reviewer=flow.clerk)
    time_machine.move_to(dt.datetime(2025, 6, 2, 10, 0, tzinfo=timezone.get_current_timezone()), tick=False)
    return claim


JOINT = {"meeting_on": "2025-06-02", "minutes_reference": "云联席〔2025〕3号", "opinion": "同意补偿"}


def joint_section(client, claim):
    body = client.get(claim.get_absolute_url()).content.decode()
    return reverse("compensation:claim_action", args=[claim.pk, "joint_meeting"]) in body


def test_the_clerk_sees_no_joint_meeting_button_and_the_service_refuses_the_clerk(
    under_2020,
    flow,
    client_for,
):
    assert "record_joint_meeting" not in available_move_names(under_2020, flow.clerk)
    assert not joint_section(client_for(flow.clerk), under_2020)
    with pytest.raises(Forbidden):
        services.claim_joint_meeting(
            by=flow.clerk,
            claim=under_2020,
            meeting_on=dt.date(2025, 6, 2),
            minutes_reference="x",
            opinion="y",
        )
    url = reverse("compensation:claim_action", args=[under_2020.pk, "joint_meeting"])
    assert client_for(flow.clerk).post(url, JOINT).status_code == 403
    assert Claim.objects.get(pk=under_2020.pk).status == S.FIRST_REVIEWED


def test_the_approver_sees_the_joint_meeting_button_and_the_service_admits_the_approver(
    under_2020,
    flow,
    client_for,
):
    assert "record_joint_meeting" in available_move_names(under_2020, flow.approver)
    approver = client_for(flow.approver)
    assert joint_section(approver, under_2020)
    url = reverse("compensation:claim_action", args=[under_2020.pk, "joint_meeting"])
    assert approver.post(url, JOINT).status_code == 302
    claim = Claim.objects.get(pk=under_2020.pk)
    assert claim.status == S.JOINT_MEETING and claim.joint_meeting_minutes == "云联席〔2025〕3号"
    assert not joint_section(approver, claim)  # recorded once; the second review comes next
    assert {"approve", "reject"} <= available_move_names(claim, flow.approver)


def test_before_the_joint_meeting_a_2020_claim_offers_no_second_review(under_2020, flow, client_for):
    assert not {"approve", "reject"} & available_move_names(under_2020, flow.approver)
    with pytest.raises(DomainError, match="联席会议"):
        services.claim_approve(by=flow.approver, claim=under_2020, reason="同意")


def test_under_the_2025_measures_nobody_is_offered_a_joint_meeting(flow, loan, policy, client_for):
    claim = claim_in(flow, loan, policy, S.FIRST_REVIEWED, first_reviewer=flow.clerk)
    assert not policy.requires_joint_meeting
    for user in (flow.clerk, flow.approver):
        assert "record_joint_meeting" not in available_move_names(claim, user)
        assert not joint_section(client_for(user), claim)


def test_the_first_reviewer_is_offered_no_second_review(flow, loan, policy, bureau):
    from tests.conftest import make_user
    from yunfu_ipfund.accounts.roles import Role

    both = make_user("both", bureau, Role.BUREAU_CLERK, Role.BUREAU_APPROVER)
    claim = claim_in(flow, loan, policy, S.FIRST_REVIEWED, first_reviewer=both)
    assert not {"approve", "reject"} & available_move_names(claim, both)
    assert {"approve", "reject"} <= available_move_names(claim, flow.approver)


def test_the_preparer_is_offered_no_submit_even_as_a_supervisor(flow, loan, policy, bank_a):
    """No account holds both bank roles any more (issue 11); a claim prepared by someone who is now a
    supervisor (moved from officer) is still not theirs to submit: four eyes go by person, not role."""
    from tests.conftest import make_user
    from yunfu_ipfund.accounts.roles import Role

    other = make_user("second_supervisor", bank_a, Role.BANK_SUPERVISOR)
    claim = claim_in(flow, loan, policy, S.DRAFT, prepared_by=flow.supervisor)
    assert "submit" not in available_move_names(claim, flow.supervisor)
    assert "submit" in available_move_names(claim, other)
    with pytest.raises(Forbidden):
        services.claim_submit(by=flow.supervisor, claim=claim)


def test_a_claim_waiting_for_a_countersign_or_a_return_offers_no_close(flow, paid_claim):
    assert "close" in available_move_names(paid_claim, flow.approver)
    draft = services.recovery_prepare(
        by=flow.officer, claim=paid_claim, received_on=paid_claim.payment_value_date, amount="1000.00"
    )
    assert "close" not in available_move_names(paid_claim, flow.approver)
    reported = services.recovery_countersign(by=flow.supervisor, recovery=draft)
    assert reported.status == reported.Status.REPORTED
    assert "close" not in available_move_names(Claim.objects.get(pk=paid_claim.pk), flow.approver)


@pytest.fixture
def paid_claim(flow, loan):
    return flow.paid(loan)


def test_the_payment_instruction_is_offered_only_for_committed_money(flow, loan, policy):
    claim = claim_in(flow, loan, policy, S.DECIDED)
    assert "instruct_payment" in available_move_names(claim, flow.approver)
    Claim.objects.filter(pk=claim.pk).update(commitment=None)
    claim.refresh_from_db()
    assert "instruct_payment" not in available_move_names(claim, flow.approver)
    with pytest.raises(DomainError, match="尚未取得资金承诺"):
        services.claim_instruct_payment(by=flow.approver, claim=claim)


def test_the_receipt_buttons_are_finances_moves_on_the_recovery_and_the_clawback(
    flow,
    paid_claim,
    client_for,
):
    page = paid_claim.get_absolute_url()
    recovery = flow.recovery(paid_claim, amount="110000.00")  # reported: 32,000.00 to return
    receipt = reverse("compensation:recovery_receipt", args=[recovery.pk])
    assert available_move_names(recovery, flow.finance) == {"confirm_receipt"}
    assert available_move_names(recovery, flow.approver) == set()
    assert receipt in client_for(flow.finance).get(page).content.decode()
    assert receipt not in client_for(flow.approver).get(page).content.decode()
    assert client_for(flow.approver).post(receipt, {"voucher": "SK-1"}).status_code == 403
    services.recovery_confirm_receipt(by=flow.finance, recovery=recovery, voucher="SK-1")
    assert receipt not in client_for(flow.finance).get(page).content.decode()

    clawback = services.claim_rescind(by=flow.approver, claim=paid_claim, reason="伪造还款记录")
    receipt = reverse("compensation:clawback_receipt", args=[clawback.pk])
    assert receipt in client_for(flow.finance).get(page).content.decode()
    assert client_for(flow.approver).post(receipt, {"voucher": "ZH-1"}).status_code == 403
    assert client_for(flow.finance).post(receipt, {"voucher": "ZH-1"}).status_code == 302
    assert receipt not in client_for(flow.finance).get(page).content.decode()


# --- abilities that are not moves (beside the services) -----------------------------------------------


def test_editing_and_uploading_are_the_banks_while_the_claim_is_editable(flow, loan, bank_b_officer):
    can_edit, can_upload = services.claim_can_edit, services.claim_can_upload
    claim = flow.draft(loan)
    assert can_edit(claim, flow.officer) and not can_edit(claim, flow.supervisor)
    assert can_upload(claim, flow.officer) and can_upload(claim, flow.supervisor)
    for outsider in (flow.clerk, flow.approver, flow.finance, bank_b_officer):
        assert not can_edit(claim, outsider) and not can_upload(claim, outsider)
    claim = services.claim_submit(by=flow.supervisor, claim=claim)
    assert not can_edit(claim, flow.officer) and not can_upload(claim, flow.officer)
    claim = services.claim_request_supplement(by=flow.clerk, claim=claim, items=[{"code": "D01"}])
    assert can_edit(claim, flow.officer) and "resubmit" in available_move_names(claim, flow.supervisor)


def test_recovery_reports_are_drafted_and_corrected_by_the_banks_officer(flow, paid_claim):
    can_edit = services.recovery_can_edit
    assert services.recovery_can_prepare(paid_claim, flow.officer)
    assert not services.recovery_can_prepare(paid_claim, flow.supervisor)
    draft = services.recovery_prepare(
        by=flow.officer, claim=paid_claim, received_on=paid_claim.payment_value_date, amount="1000.00"
    )
    assert can_edit(draft, flow.officer) and not can_edit(draft, flow.supervisor)
    assert available_move_names(draft, flow.officer) == {"withdraw"}
    assert available_move_names(draft, flow.supervisor) == {"countersign", "countersign_nothing_due"}
    services.recovery_withdraw(by=flow.officer, recovery=draft)
    draft.refresh_from_db()
    assert not can_edit(draft, flow.officer) and available_move_names(draft, flow.officer) == set()
