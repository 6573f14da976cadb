"""Filing: preparation, countersignature, the bureau's review and decision, every refusal."""

import datetime as dt
from decimal import Decimal

import pytest

from lenders import services
from lenders.models import CoveredLoan, LoanFiling
from lenders.selectors import asset_ids_pledged_under_live_loans
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from yunfu_ipfund.common.workdays import add_workdays
from yunfu_ipfund.notices.models import Notice

from .conftest import (
    attach_documents,
    filing_values,
    make_filing,
    make_patent,
    make_registration,
    pledges_for,
)

S = LoanFiling.Status


def set_status(filing, status):
    LoanFiling.objects.filter(pk=filing.pk).update(status=status)
    filing.refresh_from_db()
    return filing


def rules(exc):
    return {d["rule"] for d in exc.value.details if "rule" in d}


# --- preparation -----------------------------------------------------------------------------------


def test_an_officer_prepares_a_draft_from_an_accepted_registration(draft, bank_officer):
    assert draft.status == S.DRAFT
    assert draft.prepared_by == bank_officer
    assert draft.pledges.count() == 1
    assert draft.documents.count() == 4


@pytest.mark.parametrize("status", ["draft", "submitted", "declined", "withdrawn"])
def test_it_refuses_to_file_a_registration_that_is_not_accepted(bank_officer, registration, status):
    registration.status = status
    registration.save()
    with pytest.raises(DomainError, match="已受理"):
        make_filing(bank_officer, registration, documents=False)


def test_another_banks_registration_is_not_found(bank_b_officer, bank_b_profile, registration):
    with pytest.raises(NotFound):
        make_filing(bank_b_officer, registration, documents=False)


def test_a_supervisor_cannot_prepare_a_filing(bank_supervisor, registration):
    with pytest.raises(Forbidden):
        make_filing(bank_supervisor, registration, documents=False)


def test_the_contract_number_is_unique_per_bank(bank_officer, draft, enterprise_a, bank_a, enterprise_user):
    other = make_registration(enterprise_a, bank_a, enterprise_user)
    with pytest.raises(ValidationFailed, match="不能重复"):
        make_filing(bank_officer, other, documents=False, contract_number=draft.contract_number)


def test_a_registration_is_filed_only_once(bank_officer, draft, registration):
    with pytest.raises(DomainError, match="已有备案"):
        make_filing(bank_officer, registration, documents=False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "abc", "贷款金额"),
        ("amount", "100.005", "贷款金额"),
        ("amount", "-5", "贷款金额"),
        ("ip_amount", "2000000.00", "不能超过贷款金额"),
        ("annual_rate", "0", "年利率"),
        ("annual_rate", "x", "年利率"),
        ("repayment_method", "weekly", "还款方式"),
        ("maturity_on", "2020-01-01", "到期日期须晚于放款日期"),
        ("disbursed_on", "2099-01-01", "不能晚于今天"),
        ("disbursed_on", "2026-13-40", "放款日期"),
    ],
)
def test_it_refuses_bad_figures_with_the_field_named_and_saves_nothing(
    bank_officer, registration, field, value, message
):
    with pytest.raises(ValidationFailed) as exc:
        make_filing(bank_officer, registration, documents=False, **{field: value})
    assert any(message in d["message"] and d["field"] == field for d in exc.value.details)
    assert not LoanFiling.objects.exists()


def test_an_asset_outside_the_registration_is_refused(bank_officer, registration, enterprise_a):
    stranger = make_patent(enterprise_a)
    pledges = [{"asset": stranger, "pledge_registration_number": "Y1", "pledge_registered_on": today()}]
    with pytest.raises(ValidationFailed) as exc:
        make_filing(bank_officer, registration, documents=False, pledges=pledges)
    assert "不在其中" in exc.value.details[0]["message"]


def test_a_bad_upload_is_refused(draft, bank_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationFailed, match="PDF"):
        services.filing_document_add(
            by=bank_officer,
            filing=draft,
            kind="loan_contract",
            file=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"),
        )


# --- submission --------------------------------------------------------------------------------------


def test_a_supervisor_submits_and_the_review_clock_starts(submitted, bank_supervisor, policy):
    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_by == bank_supervisor
    assert submitted.review_due_on == add_workdays(today(), policy.filing_review_workdays)
    assert submitted.checks_snapshot


def test_the_preparer_never_submits_their_own_filing(draft, bank_officer):
    """No account holds both bank roles; the preparer who has since become a supervisor still may not."""
    from django.contrib.auth.models import Group

    bank_officer.groups.remove(Group.objects.get(name="bank_officer"))
    bank_officer.groups.add(Group.objects.get(name="bank_supervisor"))
    bank_officer = type(bank_officer).objects.get(pk=bank_officer.pk)
    with pytest.raises(Forbidden, match="四眼"):
        services.filing_submit(by=bank_officer, filing=draft)


def test_an_officer_cannot_submit(draft, bank_officer):
    with pytest.raises(Forbidden):
        services.filing_submit(by=bank_officer, filing=draft)


def test_another_banks_supervisor_gets_not_found(draft, bank_b_supervisor):
    with pytest.raises(NotFound):
        services.filing_submit(by=bank_b_supervisor, filing=draft)


# The move tables (LoanFiling.WORKFLOW, ADR 0005): a repeat of a CONFLICT move is a 409; a state the move
# does not leave from is a 400 (DomainError) unless it changed since the caller read it (then a 409, below).
@pytest.mark.parametrize(
    ("source", "error"),
    [
        (S.DRAFT, None),
        (S.RETURNED, None),
        (S.SUBMITTED, Conflict),
        (S.FIRST_REVIEWED, DomainError),
        (S.CONFIRMED, DomainError),
        (S.REFUSED, DomainError),
    ],
)
def test_submit_from_each_state(draft, bank_supervisor, source, error):
    set_status(draft, source)
    if error:
        with pytest.raises(error) as exc:
            services.filing_submit(by=bank_supervisor, filing=draft)
        assert type(exc.value) is error
    else:
        assert services.filing_submit(by=bank_supervisor, filing=draft).status == S.SUBMITTED


def test_a_suspended_bank_cannot_submit_new_filings(draft, bank_supervisor, bank_a_profile, bureau_approver):
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="不良率超过阈值")
    with pytest.raises(DomainError) as exc:
        services.filing_submit(by=bank_supervisor, filing=draft)
    assert "bank_active" in rules(exc)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.submitted_by is None


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"amount": Decimal("6000000.00"), "ip_amount": Decimal("5000000.00")}, "single_loan_cap"),
        ({"maturity_on": today() + dt.timedelta(days=400)}, "loan_term_cap_months"),
        ({"annual_rate": Decimal("4.51")}, "rate_cap"),
        ({"ip_amount": Decimal("499999.99")}, "ip_collateral_share"),
    ],
)
def test_it_refuses_to_submit_a_filing_that_breaks_a_rule(
    bank_officer, bank_supervisor, registration, overrides, rule
):
    filing = make_filing(bank_officer, registration, **overrides)
    with pytest.raises(DomainError) as exc:
        services.filing_submit(by=bank_supervisor, filing=filing)
    assert rule in rules(exc)
    filing.refresh_from_db()
    assert filing.status == S.DRAFT


def test_a_rate_at_exactly_lpr_plus_margin_passes(bank_officer, bank_supervisor, registration):
    filing = make_filing(bank_officer, registration, annual_rate=Decimal("4.50"))  # LPR 3.00 + 150 bp
    assert services.filing_submit(by=bank_supervisor, filing=filing).status == S.SUBMITTED


def test_missing_documents_block_submission(bank_officer, bank_supervisor, registration):
    filing = make_filing(bank_officer, registration, documents=False)
    attach_documents(filing, bank_officer, kinds=["loan_contract"])
    with pytest.raises(DomainError) as exc:
        services.filing_submit(by=bank_supervisor, filing=filing)
    assert "documents" in rules(exc)
    assert "质押合同" in str(exc.value.details)


def test_the_enterprise_covered_outstanding_cap_counts_existing_loans(
    loan, bank_officer, bank_supervisor, enterprise_a, bank_a, enterprise_user, policy
):
    from yunfu_ipfund.policy.models import PolicyVersion

    PolicyVersion.objects.filter(pk=policy.pk).update(enterprise_outstanding_cap=Decimal("1500000.00"))
    registration = make_registration(enterprise_a, bank_a, enterprise_user)
    filing = make_filing(bank_officer, registration)  # 800,000 existing + 800,000 new > 1,500,000
    with pytest.raises(DomainError) as exc:
        services.filing_submit(by=bank_supervisor, filing=filing)
    assert "enterprise_outstanding_cap" in rules(exc)


def test_an_asset_already_pledged_under_a_live_loan_is_refused(
    loan, bank_officer, bank_supervisor, enterprise_a, bank_a, enterprise_user, registration
):
    asset = registration.assets.get()
    again = make_registration(enterprise_a, bank_a, enterprise_user, assets=[asset])
    filing = make_filing(bank_officer, again)
    with pytest.raises(DomainError) as exc:
        services.filing_submit(by=bank_supervisor, filing=filing)
    assert "ip_not_pledged" in rules(exc)


def test_pledged_assets_are_reported_while_filed_or_covered_and_released_when_repaid(
    draft, bank_supervisor, bureau_clerk, bureau_approver, bank_officer
):
    asset_id = draft.pledges.get().asset_id
    assert asset_ids_pledged_under_live_loans([asset_id]) == set()
    services.filing_submit(by=bank_supervisor, filing=draft)
    assert asset_ids_pledged_under_live_loans([asset_id]) == {asset_id}
    services.filing_first_review(by=bureau_clerk, filing=draft)
    assert asset_ids_pledged_under_live_loans([asset_id]) == {asset_id}
    loan = services.filing_confirm(by=bureau_approver, filing=draft).covered_loan
    assert asset_ids_pledged_under_live_loans([asset_id]) == {asset_id}
    services.loan_report_repayment(by=bank_officer, loan=loan, amount=loan.amount, paid_on=today())
    assert asset_ids_pledged_under_live_loans([asset_id]) == set()


# --- late filing -------------------------------------------------------------------------------------


def late_filing(bank_officer, registration, policy):
    disbursed = add_workdays(today(), -(policy.filing_deadline_workdays + 1)).plain()
    return make_filing(
        bank_officer, registration, disbursed_on=disbursed, maturity_on=disbursed + dt.timedelta(days=300)
    )


def test_a_late_filing_can_be_submitted_but_not_confirmed_without_an_override(
    bank_officer, bank_supervisor, bureau_clerk, bureau_approver, registration, policy
):
    filing = late_filing(bank_officer, registration, policy)
    filing = services.filing_submit(by=bank_supervisor, filing=filing)
    assert any(c["rule"] == "filing_deadline" and c["outcome"] == "warn" for c in filing.checks_snapshot)
    filing = services.filing_first_review(by=bureau_clerk, filing=filing)  # lateness: the approver's call
    with pytest.raises(DomainError) as exc:
        services.filing_confirm(by=bureau_approver, filing=filing)
    assert "filing_deadline" in rules(exc)
    with pytest.raises(ValidationFailed):
        services.filing_override_late(by=bureau_approver, filing=filing, reason=" ")
    services.filing_override_late(by=bureau_approver, filing=filing, reason="银行系统故障，已核实")
    assert services.filing_confirm(by=bureau_approver, filing=filing).status == S.CONFIRMED


def test_only_an_approver_overrides_a_late_filing(
    bank_officer, bank_supervisor, bureau_clerk, registration, policy
):
    filing = services.filing_submit(
        by=bank_supervisor, filing=late_filing(bank_officer, registration, policy)
    )
    with pytest.raises(Forbidden):
        services.filing_override_late(by=bureau_clerk, filing=filing, reason="理由")


def test_an_override_is_refused_for_a_filing_on_time(submitted, bureau_approver):
    with pytest.raises(DomainError, match="未超过"):
        services.filing_override_late(by=bureau_approver, filing=submitted, reason="理由")


# --- review ------------------------------------------------------------------------------------------


def test_returning_pauses_the_clock_and_resubmission_resumes_it(
    submitted, bureau_clerk, bank_supervisor, policy, time_machine
):
    time_machine.move_to(add_workdays(today(), 4).plain(), tick=False)
    returned = services.filing_return(
        by=bureau_clerk, filing=submitted, reasons=["质押合同缺少签章页", "放款凭证不清晰"]
    )
    assert returned.status == S.RETURNED
    assert returned.review_days_left == policy.filing_review_workdays - 4
    assert returned.correction_due_on == add_workdays(today(), policy.correction_workdays)
    assert Notice.objects.filter(kind="lenders_filing_return").count() == 1
    time_machine.move_to(add_workdays(today(), 5).plain(), tick=False)
    again = services.filing_submit(by=bank_supervisor, filing=returned)
    assert again.review_due_on == add_workdays(today(), policy.filing_review_workdays - 4)
    assert again.review_days_left is None


def test_a_return_needs_itemised_reasons(submitted, bureau_clerk):
    with pytest.raises(ValidationFailed):
        services.filing_return(by=bureau_clerk, filing=submitted, reasons=["  "])


@pytest.mark.parametrize("who", ["bank_supervisor", "finance_user", "bureau_approver"])
def test_only_a_bureau_clerk_returns(submitted, request, who):
    with pytest.raises(Forbidden):
        services.filing_return(by=request.getfixturevalue(who), filing=submitted, reasons=["x"])


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (S.DRAFT, DomainError),
        (S.SUBMITTED, None),
        (S.FIRST_REVIEWED, DomainError),
        (S.RETURNED, Conflict),
        (S.CONFIRMED, DomainError),
        (S.REFUSED, DomainError),
    ],
)
def test_return_from_each_state(draft, bureau_clerk, source, error):
    set_status(draft, source)
    if error:
        with pytest.raises(error) as exc:
            services.filing_return(by=bureau_clerk, filing=draft, reasons=["补正"])
        assert type(exc.value) is error
    else:
        assert services.filing_return(by=bureau_clerk, filing=draft, reasons=["补正"]).status == S.RETURNED


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (S.DRAFT, DomainError),
        (S.SUBMITTED, DomainError),
        (S.RETURNED, DomainError),
        (S.REFUSED, DomainError),
        (S.FIRST_REVIEWED, None),
    ],
)
def test_confirm_from_each_state(draft, bureau_approver, source, error):
    set_status(draft, source)
    if error:
        with pytest.raises(error) as exc:
            services.filing_confirm(by=bureau_approver, filing=draft)
        assert type(exc.value) is error
        assert not CoveredLoan.objects.exists()
    else:
        assert services.filing_confirm(by=bureau_approver, filing=draft).status == S.CONFIRMED


def test_a_decision_made_since_the_page_was_read_is_a_conflict(first_reviewed, bureau_approver):
    """The approver's page still shows the filing as first-reviewed; another approver refused it meanwhile."""
    stale = LoanFiling.objects.get(pk=first_reviewed.pk)
    services.filing_refuse(by=bureau_approver, filing=first_reviewed, reason="不符合条件")
    with pytest.raises(Conflict):
        services.filing_confirm(by=bureau_approver, filing=stale)
    assert not CoveredLoan.objects.exists()


def test_refusing_twice_is_a_no_op(first_reviewed, bureau_approver):
    services.filing_refuse(by=bureau_approver, filing=first_reviewed, reason="不符合条件")
    again = services.filing_refuse(by=bureau_approver, filing=first_reviewed, reason="不符合条件")
    assert again.status == S.REFUSED
    assert Notice.objects.filter(kind="lenders_filing_refusal").count() == 1


def test_confirming_twice_creates_one_covered_loan(first_reviewed, bureau_approver):
    services.filing_confirm(by=bureau_approver, filing=first_reviewed)
    services.filing_confirm(by=bureau_approver, filing=first_reviewed)
    assert CoveredLoan.objects.count() == 1


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (S.DRAFT, DomainError),
        (S.SUBMITTED, DomainError),
        (S.FIRST_REVIEWED, None),
        (S.RETURNED, None),
        (S.CONFIRMED, DomainError),
    ],
)
def test_refuse_from_each_state(draft, bureau_approver, source, error):
    set_status(draft, source)
    if error:
        with pytest.raises(error) as exc:
            services.filing_refuse(by=bureau_approver, filing=draft, reason="不符合条件")
        assert type(exc.value) is error
    else:
        assert (
            services.filing_refuse(by=bureau_approver, filing=draft, reason="不符合条件").status == S.REFUSED
        )


@pytest.mark.parametrize("who", ["bureau_clerk", "bank_supervisor", "finance_user"])
def test_only_an_approver_confirms(first_reviewed, request, who):
    with pytest.raises(Forbidden):
        services.filing_confirm(by=request.getfixturevalue(who), filing=first_reviewed)


def test_confirmation_issues_the_notice_to_the_bank_copied_to_the_enterprise(loan, bank_a, enterprise_a):
    notice = Notice.objects.get(kind="lenders_filing_confirmation")
    assert notice.addressee == bank_a
    assert list(notice.copied_to.all()) == [enterprise_a]
    assert notice.number.startswith("云市监知备〔")
    assert notice.context["amount"] == "800,000.00"


def test_the_refusal_notice_lists_the_failed_rules_and_articles(
    first_reviewed, bureau_approver, bank_a_profile
):
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="整改")
    services.filing_refuse(by=bureau_approver, filing=first_reviewed, reason="合作银行已暂停备案")
    notice = Notice.objects.get(kind="lenders_filing_refusal")
    assert any("合作银行可报送备案" in item and "第三条" in item for item in notice.context["entries"])


def test_confirmation_respects_the_leverage_ceiling(first_reviewed, bureau_approver, policy):
    from yunfu_ipfund.policy.models import PolicyVersion

    PolicyVersion.objects.filter(pk=policy.pk).update(leverage_multiple=Decimal("0.01"))
    with pytest.raises(DomainError) as exc:
        services.filing_confirm(by=bureau_approver, filing=first_reviewed)
    assert exc.value.code == "leverage_ceiling"
    first_reviewed.refresh_from_db()
    assert first_reviewed.status == S.FIRST_REVIEWED
    assert not CoveredLoan.objects.exists()


def test_confirmation_rechecks_the_rules_under_the_lock(first_reviewed, bureau_approver, bank_a_profile):
    services.bank_suspend(by=bureau_approver, bank=bank_a_profile, reason="整改")
    with pytest.raises(DomainError) as exc:
        services.filing_confirm(by=bureau_approver, filing=first_reviewed)
    assert "bank_active" in rules(exc)


def test_a_resubmitted_correction_can_change_the_figures(
    submitted, bureau_clerk, bank_officer, bank_supervisor
):
    returned = services.filing_return(by=bureau_clerk, filing=submitted, reasons=["金额有误"])
    services.filing_update(
        by=bank_officer, filing=returned, amount="900000.00", pledges=pledges_for(returned.registration)
    )
    again = services.filing_submit(by=bank_supervisor, filing=returned)
    assert again.amount == Decimal("900000.00")


@pytest.mark.parametrize("status", [S.SUBMITTED, S.FIRST_REVIEWED, S.CONFIRMED, S.REFUSED])
def test_a_filing_is_not_editable_once_submitted(draft, bank_officer, status):
    set_status(draft, status)
    with pytest.raises(DomainError, match="不能修改"):
        services.filing_update(by=bank_officer, filing=draft, amount="900000.00")


def test_filing_values_are_sane():
    assert filing_values()["ip_amount"] <= filing_values()["amount"]


def test_the_banks_exposure_limit_from_its_admission_is_enforced(
    loan, bank_a_profile, bank_officer, bank_supervisor, enterprise_a, bank_a, enterprise_user
):
    from lenders.models import CooperatingBank

    CooperatingBank.objects.filter(pk=bank_a_profile.pk).update(exposure_limit=Decimal("1000000.00"))
    filing = make_filing(bank_officer, make_registration(enterprise_a, bank_a, enterprise_user))
    with pytest.raises(DomainError) as exc:
        services.filing_submit(by=bank_supervisor, filing=filing)
    assert "bank_exposure_limit" in rules(exc)
