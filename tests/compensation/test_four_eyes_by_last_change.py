"""Four eyes by last change (issue 11 item 5), the bank-side cases of the attack: a supervisor who changed a
claim's evidence or amount, or a recovery report's amount, since the officer prepared it cannot submit or
countersign it alone (403 four_eyes_changed, naming who changed what and when); the officer reviews
the change and prepares the record again, after which the supervisor may. The officer sees on the
claim page what the supervisor changed."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from compensation import services
from compensation.models import Claim, ClaimChange, Recovery
from compensation.services.drafting import claim_can_prepare_again, claim_prepare_again
from compensation.services.recovery import recovery_can_prepare_again, recovery_prepare_again
from fund.models import ReturnDue
from yunfu_ipfund.audit.workflow import available_moves
from yunfu_ipfund.common.errors import DomainError, Forbidden

from .conftest import pdf_file
from .test_pages_and_api import api_for, api_url

pytestmark = pytest.mark.django_db


def holding_both_bank_roles(user):
    """The issue's account that holds both bank permissions (the role rules keep the two groups apart, a
    permission granted to the account directly is not a group): it may prepare and countersign."""
    user.user_permissions.add(Permission.objects.get(codename="bank_prepare"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: the permission cache is per instance


def move_names(claim, user):
    return [m.name for m in available_moves(Claim.objects.get(pk=claim.pk), user)]


def refusal(call):
    with pytest.raises(Forbidden) as caught:
        call()
    return caught.value


def test_a_supervisor_who_replaced_claim_evidence_cannot_submit_it_until_the_officer_prepares_it_again(
    flow, loan, bank_supervisor, bank_officer
):
    claim = flow.draft(loan, unrecovered="150000.00")
    services.evidence_upload(by=bank_supervisor, claim=claim, kind="loan_contract", file=pdf_file("换.pdf"))

    error = refusal(lambda: services.claim_submit(by=bank_supervisor, claim=claim))
    assert error.status == 403 and error.code == "four_eyes_changed"
    assert bank_supervisor.display_name in error.message
    assert "更换材料“借款合同”（换.pdf）" in error.message
    change = ClaimChange.objects.get(claim=claim, changed_by=bank_supervisor)
    assert change.changed_at.astimezone().strftime("%Y-%m-%d %H:%M")[:10] in error.message
    assert "submit" not in move_names(claim, bank_supervisor)  # no button either
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DRAFT

    # The officer reviews the change and prepares the claim again; now the supervisor may submit.
    assert claim_can_prepare_again(claim, bank_officer)
    assert not claim_can_prepare_again(claim, bank_supervisor)
    with pytest.raises(Forbidden):
        claim_prepare_again(by=bank_supervisor, claim=claim)  # the supervisor cannot bless their own change
    claim_prepare_again(by=bank_officer, claim=claim)
    assert not claim_can_prepare_again(Claim.objects.get(pk=claim.pk), bank_officer)
    submitted = services.claim_submit(by=bank_supervisor, claim=claim)
    assert submitted.status == Claim.Status.SUBMITTED


def test_a_supervisor_who_marked_evidence_not_applicable_cannot_submit_alone(flow, loan, bank_supervisor):
    claim = flow.draft(loan)
    services.evidence_mark_not_applicable(
        by=bank_supervisor, claim=claim, kind="disposal_evidence", reason="无需处置"
    )
    error = refusal(lambda: services.claim_submit(by=bank_supervisor, claim=claim))
    assert (
        error.code == "four_eyes_changed"
        and "将材料“质押物处置或评估材料”标记为不适用：无需处置" in error.message
    )


def test_a_user_holding_both_roles_who_raised_a_claim_cannot_submit_it(
    flow, loan, bank_supervisor, bank_officer
):
    claim = flow.draft(loan, unrecovered="150000.00")
    both = holding_both_bank_roles(bank_supervisor)
    services.claim_update(
        by=both, claim=claim, unrecovered_principal="160000.00", enforcement_actions=claim.enforcement_actions
    )

    error = refusal(lambda: services.claim_submit(by=both, claim=claim))
    assert error.code == "four_eyes_changed"
    assert "将未收回本金由 150,000.00 改为 160,000.00" in error.message
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DRAFT

    # The officer reviews (and here takes the amount back) and prepares the claim again.
    services.claim_update(
        by=bank_officer,
        claim=claim,
        unrecovered_principal="150000.00",
        enforcement_actions=claim.enforcement_actions,
    )
    claim_prepare_again(by=bank_officer, claim=claim)
    assert services.claim_submit(by=both, claim=claim).unrecovered_principal == D("150000.00")


def test_a_change_after_a_supplement_request_needs_the_officer_again(
    flow, loan, bank_supervisor, bureau_clerk
):
    claim = flow.submitted(loan)
    claim = services.claim_request_supplement(
        by=bureau_clerk, claim=claim, items=[{"code": "D02", "note": "不清晰"}]
    )
    services.evidence_upload(
        by=bank_supervisor, claim=claim, kind="repayment_record", file=pdf_file("流水.pdf")
    )
    error = refusal(lambda: services.claim_submit(by=bank_supervisor, claim=claim))
    assert error.code == "four_eyes_changed" and "更换材料“还款记录”（流水.pdf）" in error.message


def test_the_happy_path_still_works_officer_prepares_and_changes_supervisor_only_reviews(
    flow, loan, bank_supervisor, bank_officer
):
    claim = flow.draft(loan, unrecovered="150000.00")
    # The officer's own corrections are preparation: nothing for anyone to review again.
    services.claim_update(
        by=bank_officer, claim=claim, unrecovered_principal="140000.00", enforcement_actions="催收 6 次"
    )
    services.evidence_upload(by=bank_officer, claim=claim, kind="loan_contract", file=pdf_file("新.pdf"))
    assert not claim_can_prepare_again(claim, bank_officer)  # nobody else changed it: nothing to review
    with pytest.raises(Forbidden):  # the preparer still never submits
        services.claim_submit(by=bank_officer, claim=claim)
    assert "submit" in move_names(claim, bank_supervisor)
    assert services.claim_submit(by=bank_supervisor, claim=claim).status == Claim.Status.SUBMITTED


def test_preparing_again_with_nothing_changed_is_refused(flow, loan, bank_officer):
    claim = flow.draft(loan)
    with pytest.raises(DomainError) as caught:
        claim_prepare_again(by=bank_officer, claim=claim)
    assert caught.value.code == "nothing_to_review"
    assert caught.value.message == "该补偿申请自经办以来没有被他人修改，无需重新确认经办。"


def test_the_officer_sees_on_the_claim_page_what_the_supervisor_changed(
    client_for, flow, loan, bank_supervisor, bank_officer
):
    claim = flow.draft(loan, unrecovered="150000.00")
    both = holding_both_bank_roles(bank_supervisor)
    services.claim_update(
        by=both, claim=claim, unrecovered_principal="160000.00", enforcement_actions=claim.enforcement_actions
    )
    services.evidence_upload(by=both, claim=claim, kind="loan_contract", file=pdf_file("换.pdf"))

    page = client_for(bank_officer).get(reverse("compensation:claim_detail", args=[claim.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "修改记录" in html
    block = html[html.index("修改记录") :]
    assert bank_supervisor.display_name in block
    assert "未收回本金：150,000.00 → 160,000.00" in block
    assert "更换材料“借款合同”（换.pdf）" in block
    assert ClaimChange.objects.filter(claim=claim).count() > 2  # the officer's own uploads are listed too


def test_the_api_submit_is_refused_with_the_four_eyes_code(flow, loan, bank_supervisor):
    claim = flow.draft(loan)
    services.evidence_upload(by=bank_supervisor, claim=claim, kind="loan_contract", file=pdf_file("换.pdf"))
    r = api_for(bank_supervisor).post(api_url("submit", claim.pk))
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "four_eyes_changed"
    assert "更换材料“借款合同”" in r.json()["error"]["message"]


# --- recovery reports --------------------------------------------------------------------------------


def test_a_user_holding_both_roles_who_cut_a_recovery_report_cannot_countersign_it(
    flow, loan, bank_supervisor, bank_officer
):
    claim = flow.paid(loan)  # 192,000.00 paid on 600,000.00 unrecovered (covered 80%)
    draft = services.recovery_prepare(
        by=bank_officer, claim=claim, received_on=claim.payment_value_date, amount="1000.00"
    )
    both = holding_both_bank_roles(bank_supervisor)
    services.recovery_update(by=both, recovery=draft, received_on=draft.received_on, amount="10.00")

    error = refusal(lambda: services.recovery_countersign(by=both, recovery=draft))
    assert error.status == 403 and error.code == "four_eyes_changed"
    assert "将追偿金额由 1,000.00 改为 10.00" in error.message
    draft.refresh_from_db()
    assert draft.status == Recovery.Status.DRAFT and draft.return_amount is None
    assert not ReturnDue.objects.exists()  # the fund expects nothing yet: its return is not cut to 3.20

    # The officer reviews, restores the amount and prepares the report again; the countersign reports it.
    assert recovery_can_prepare_again(draft, bank_officer) and not recovery_can_prepare_again(draft, both)
    own = refusal(lambda: recovery_prepare_again(by=both, recovery=draft))  # never one's own change
    assert own.code == "four_eyes_own_change" and "将追偿金额由 1,000.00 改为 10.00" in own.message
    services.recovery_update(by=bank_officer, recovery=draft, received_on=draft.received_on, amount="1000.00")
    recovery_prepare_again(by=bank_officer, recovery=draft)
    reported = services.recovery_countersign(by=both, recovery=draft)
    assert reported.return_amount == D("320.00")


def test_the_officer_sees_the_recovery_change_on_the_claim_page(
    client_for, flow, loan, bank_supervisor, bank_officer
):
    claim = flow.paid(loan)
    draft = services.recovery_prepare(
        by=bank_officer, claim=claim, received_on=claim.payment_value_date, amount="1000.00"
    )
    both = holding_both_bank_roles(bank_supervisor)
    services.recovery_update(by=both, recovery=draft, received_on=draft.received_on, amount="10.00")
    html = client_for(bank_officer).get(claim.get_absolute_url()).content.decode()
    block = html[html.index("修改记录") :]
    assert "追偿金额：1,000.00 → 10.00" in block and bank_supervisor.display_name in block
