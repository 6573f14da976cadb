"""A claim from draft to payment, and each refusal on the way."""

import datetime as dt
from decimal import Decimal as D

import pytest

from compensation import services
from compensation.models import Claim, ClaimReduction
from fund.models import Posting
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from yunfu_ipfund.notices.models import Notice

from .conftest import make_loan, pdf_file


def notice_kinds(claim):
    return list(
        Notice.objects.filter(subject_type="compensation.claim", subject_id=str(claim.pk))
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_full_approval_pays_192000_and_posts_the_payout_once(flow, loan):
    # loan 1,000,000, covered 800,000, unrecovered 600,000: 600,000 x 0.8 x 40% = 192,000.00
    claim = flow.paid(loan)
    assert claim.status == Claim.Status.PAID
    assert claim.approved_amount == D("192000.00") == claim.paid_amount
    assert Posting.objects.filter(key=f"claim-{claim.pk}-payout").count() == 1
    assert notice_kinds(claim) == ["claim_acceptance", "claim_decision", "claim_payment_instruction"]
    loan.refresh_from_db()
    assert loan.status == loan.Status.COMPENSATED


def test_the_share_is_the_one_the_filing_confirmation_fixed_not_a_later_versions(flow, loan, policy):
    # The confirmation fixed 30% for this loan; the version in force at the claim says 40%.
    # 600,000 unrecovered x 800,000/1,000,000 covered x 30% = 144,000.00 (not 192,000.00)
    loan.fund_share = D("0.3000")
    loan.save(update_fields=["fund_share"])
    assert policy.fund_share == D("0.4000")
    claim = flow.approved(loan)
    assert claim.approved_amount == D("144000.00")


def test_partial_approval_with_two_deficiency_codes_pays_160000(flow, loan):
    # (480,000 - 30,000 - 50,000) x 40% = 160,000.00
    claim = flow.approved(
        loan,
        reductions=[
            {"code": "D05", "amount": "30000.00", "note": "催收不及时"},
            {"code": "D07", "amount": "50000.00"},
        ],
    )
    assert claim.outcome == Claim.Outcome.PARTIAL
    assert claim.approved_amount == D("160000.00")
    assert list(ClaimReduction.objects.filter(claim=claim).values_list("code", "article")) == [
        ("D05", "第十九条"),
        ("D07", "第十二条"),
    ]


def test_the_per_loan_cap_limits_the_approved_amount(flow, bank_a, enterprise_a, bank_officer, policy):
    # 5,000,000 fully covered, 3,000,000 unrecovered: 1,200,000 > cap 1,000,000
    big = make_loan(bank_a, enterprise_a, bank_officer, amount="5000000.00", covered="5000000.00")
    claim = flow.approved(big, unrecovered="3000000.00")
    assert claim.approved_amount == policy.per_loan_compensation_cap == D("1000000.00")
    assert claim.computation["capped_by"] == ["per_loan_cap"]


def test_only_an_officer_of_the_loans_bank_may_prepare_a_claim(loan, bank_b_officer, bank_supervisor):
    with pytest.raises(NotFound):
        services.claim_create(
            by=bank_b_officer, covered_loan=loan, unrecovered_principal="1", enforcement_actions="x"
        )
    with pytest.raises(Forbidden):
        services.claim_create(
            by=bank_supervisor, covered_loan=loan, unrecovered_principal="1", enforcement_actions="x"
        )


@pytest.mark.parametrize("status", ["active", "overdue", "repaid", "in_claim", "excluded"])
def test_a_claim_needs_a_non_performing_loan(bank_a, enterprise_a, bank_officer, status):
    loan = make_loan(bank_a, enterprise_a, bank_officer, status=status)
    with pytest.raises(DomainError, match="只有已认定为不良"):
        services.claim_create(
            by=bank_officer, covered_loan=loan, unrecovered_principal="600000", enforcement_actions="催收"
        )


def test_it_refuses_a_claim_after_the_window_and_names_the_dates(bank_a, enterprise_a, bank_officer, policy):
    from yunfu_ipfund.common.dates import add_months, today

    classified = add_months(today(), -policy.claim_window_months) - dt.timedelta(days=1)
    loan = make_loan(bank_a, enterprise_a, bank_officer, non_performing_on=classified)
    with pytest.raises(DomainError) as exc:
        services.claim_create(
            by=bank_officer, covered_loan=loan, unrecovered_principal="600000", enforcement_actions="催收"
        )
    assert (
        str(classified) in exc.value.message
        and str(add_months(classified, policy.claim_window_months)) in exc.value.message
    )


def test_a_claim_on_the_last_day_of_the_window_is_accepted(bank_a, enterprise_a, bank_officer, policy):
    from yunfu_ipfund.common.dates import add_months, today

    classified = add_months(today(), -policy.claim_window_months)
    if add_months(classified, policy.claim_window_months) != today():  # month-end clamping
        pytest.skip("today is a clamped month end")
    loan = make_loan(bank_a, enterprise_a, bank_officer, non_performing_on=classified)
    assert services.claim_create(
        by=bank_officer, covered_loan=loan, unrecovered_principal="600000", enforcement_actions="催收"
    )


def test_unrecovered_principal_may_not_exceed_the_reported_outstanding(loan, bank_officer):
    with pytest.raises(ValidationFailed, match="超过该笔贷款报告的贷款余额"):
        services.claim_create(
            by=bank_officer, covered_loan=loan, unrecovered_principal="1000000.01", enforcement_actions="催收"
        )


def test_a_second_open_claim_on_the_same_loan_is_refused(flow, loan):
    flow.draft(loan)
    with pytest.raises(DomainError, match="已有办理中的补偿申请"):
        flow.draft(loan)


def test_the_preparer_cannot_submit_and_the_supervisor_needs_every_required_item(
    loan, bank_officer, bank_supervisor, flow
):
    claim = services.claim_create(
        by=bank_officer, covered_loan=loan, unrecovered_principal="600000", enforcement_actions="催收"
    )
    with pytest.raises(Forbidden):
        services.claim_submit(by=bank_officer, claim=claim)
    with pytest.raises(DomainError) as exc:
        services.claim_submit(by=bank_supervisor, claim=claim)
    assert exc.value.code == "evidence_missing" and len(exc.value.details) == 9


def test_a_bad_file_is_refused_by_its_content(loan, bank_officer):
    claim = services.claim_create(
        by=bank_officer, covered_loan=loan, unrecovered_principal="600000", enforcement_actions="催收"
    )
    with pytest.raises(ValidationFailed, match="PDF"):
        services.evidence_upload(
            by=bank_officer, claim=claim, kind="loan_contract", file=pdf_file("x.pdf", b"MZ\x90\x00not a pdf")
        )


def test_submission_fixes_the_policy_version_and_puts_the_loan_in_claim(flow, loan, policy):
    claim = flow.submitted(loan)
    assert claim.policy_version == policy and claim.first_submitted_on is not None
    loan.refresh_from_db()
    assert loan.status == loan.Status.IN_CLAIM


def test_the_approver_who_did_the_first_review_cannot_decide(flow, loan, bureau):
    from tests.conftest import make_user
    from yunfu_ipfund.accounts.roles import Role

    both = make_user("both", bureau, Role.BUREAU_CLERK, Role.BUREAU_APPROVER)
    claim = services.claim_accept(by=flow.clerk, claim=flow.submitted(loan))
    claim = services.claim_first_review(by=both, claim=claim, opinion="同意")
    with pytest.raises(Forbidden, match="四眼"):
        services.claim_approve(by=both, claim=claim, reason="同意")


def test_a_rejection_issues_a_refusal_with_reasons_and_frees_the_loan(flow, loan):
    claim = flow.reviewed(loan)
    claim = services.claim_reject(by=flow.approver, claim=claim, reason="借款人经营正常，不符合不良认定")
    assert claim.status == Claim.Status.REJECTED
    notice = Notice.objects.get(kind="claim_refusal")
    assert "借款人经营正常" in str(notice.context) and "行政复议" in str(notice.context)
    loan.refresh_from_db()
    assert loan.status == loan.Status.NON_PERFORMING


@pytest.mark.parametrize(
    "outcome, reductions, message",
    [
        ("partial", [], "部分补偿须列明核减事项"),
        ("full", [{"code": "D05", "amount": "1"}], "全额补偿不应有核减事项"),
        ("partial", [{"code": "D01", "amount": "1"}], "不能用于部分补偿"),
        ("partial", [{"code": "D05", "amount": "1.001"}], "两位小数"),
        ("partial", [{"code": "D05", "amount": "480000.01"}], "超过补偿基数"),
    ],
)
def test_second_review_refuses_inconsistent_reductions(flow, loan, outcome, reductions, message):
    claim = flow.reviewed(loan)
    with pytest.raises(ValidationFailed, match=message):
        services.claim_second_review(
            by=flow.approver, claim=claim, outcome=outcome, reason="r", reductions=reductions
        )


def test_a_second_approver_acting_on_an_approved_claim_gets_a_conflict(flow, loan, bureau):
    from tests.conftest import make_user
    from yunfu_ipfund.accounts.roles import Role

    other = make_user("approver2", bureau, Role.BUREAU_APPROVER)
    claim = flow.reviewed(loan)
    services.claim_approve(by=flow.approver, claim=claim, reason="同意")
    with pytest.raises(Conflict):
        services.claim_approve(by=other, claim=claim, reason="同意")
    with pytest.raises(Conflict):
        services.claim_reject(by=other, claim=claim, reason="不同意")


def test_two_finance_confirmations_post_the_payout_once(flow, loan, finance_bureau):
    from tests.conftest import make_user
    from yunfu_ipfund.accounts.roles import Role

    claim = flow.decided(loan)
    claim = services.claim_instruct_payment(by=flow.approver, claim=claim)
    stale = Claim.objects.get(pk=claim.pk)
    services.claim_confirm_payment(by=flow.finance, claim=claim, voucher="ZF-1")
    with pytest.raises(Conflict):
        services.claim_confirm_payment(
            by=make_user("fin2", finance_bureau, Role.FINANCE), claim=stale, voucher="ZF-2"
        )
    assert Posting.objects.filter(kind="payout").count() == 1
