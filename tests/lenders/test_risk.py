"""Articles 15-16 on the bank side, on real records: each bank's figures (its covered loans, confirmed
through the filings, and its recovery returns, recorded in the fund's ledger), the grounds for
proposing its suspension, the approver's decision (the bank suspended, the notice issued), and new
cover judged against the fund's leverage ceiling with the real covered outstanding.

Policy 2025 as seeded: suspension_npl_ratio 5 %, suspension_return_overdue_days 30, leverage_multiple
10, and the fund opens with 5,000,000.00 available."""

import datetime as dt
from decimal import Decimal

import pytest

from fund import services as fund_services
from lenders import services
from lenders.checks import run_daily_checks
from lenders.models import CooperatingBank, LoanFiling, SuspensionProposal
from lenders.reminders import PROPOSAL_DECISION
from lenders.risk import assert_new_cover_allowed, bank_risk_table
from lenders.selectors import active_bank_orgs
from tests.conftest import make_org
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden, ValidationFailed
from yunfu_ipfund.notices.checks import run_daily_checks as run_platform_daily_checks
from yunfu_ipfund.notices.models import Notice, Reminder
from yunfu_ipfund.policy.models import PolicyVersion

from .conftest import make_filing, make_loan, make_registration

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _on_today(time_machine):
    """The checks run 'as of TODAY'; what the services stamp with now() must fall on TODAY in Asia/Shanghai
    too, whatever hour the suite runs at (after 16:00 UTC it is already tomorrow there)."""
    from zoneinfo import ZoneInfo

    time_machine.move_to(
        dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    )


@pytest.fixture
def lend(
    enterprise_a,
    enterprise_a_profile,
    bank_a,
    bank_a_profile,
    enterprise_user,
    bank_officer,
    bank_supervisor,
    bureau_approver,
):
    """lend(covered[, classification]) -> a covered loan of bank A to enterprise A, wholly pledged with IP (so
    its covered outstanding is its amount), classified as the bank reports it."""

    def make(covered, classification=None):
        covered = D(covered)
        registration = make_registration(enterprise_a, bank_a, enterprise_user, amount=covered)
        loan = make_loan(
            bank_officer, bank_supervisor, bureau_approver, registration, amount=covered, ip_amount=covered
        )
        if classification:
            loan = services.loan_report_classification(
                by=bank_officer, loan=loan, classification=classification, classified_on=TODAY
            )
        return loan

    return make


def expect_return(bank, amount, due_on, key):
    return fund_services.recovery_return_expect(
        by=None, bank=bank, reference=("compensation.recovery", key), amount=amount, due_on=due_on, key=key
    )


# --- the per-bank figures -----------------------------------------------------------------------------


def test_the_per_bank_table_reads_the_loans_and_the_ledger(lend, bank_a, bank_b):
    lend("1500000.00")
    lend("500000.00", classification="substandard")
    expect_return(bank_a, "1000.00", dt.date(2026, 11, 1), "r1")
    row_a, row_b = sorted(bank_risk_table(), key=lambda r: r["bank"] != bank_a)
    assert row_a["bank"] == bank_a
    assert (row_a["covered_outstanding"], row_a["non_performing"], row_a["npl_ratio"]) == (
        D("2000000.00"),
        D("500000.00"),
        D("0.2500"),
    )
    assert (row_a["overdue_returns"], row_a["overdue_returns_amount"], row_a["overdue_days"]) == (
        1,
        D("1000.00"),
        25,
    )
    assert row_b["bank"] == bank_b and row_b["covered_outstanding"] == 0 and row_b["npl_ratio"] is None


def test_the_per_bank_table_takes_the_same_queries_for_2_or_22_banks(
    bank_a, bank_b, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        assert len(bank_risk_table()) == 2
    for i in range(20):
        make_org("bank", f"测试银行{i}")
    with django_assert_max_num_queries(6):
        assert len(bank_risk_table()) == 22


# --- the grounds for a proposal -----------------------------------------------------------------------


def test_no_proposal_at_exactly_five_percent_non_performing(lend):
    lend("1900000.00")
    lend("100000.00", classification="substandard")  # 100,000 / 2,000,000 = 5.00 %
    run_daily_checks(TODAY)
    assert not SuspensionProposal.objects.exists()


def test_a_bank_above_five_percent_non_performing_is_proposed_for_suspension(lend, bank_a):
    lend("1899999.99")
    lend("100000.01", classification="doubtful")  # 100,000.01 / 2,000,000.00 = 5.0000005 % > 5 %
    run_daily_checks(TODAY)
    proposal = SuspensionProposal.objects.get()
    assert proposal.bank == bank_a and proposal.status == SuspensionProposal.Status.PROPOSED
    assert "在保不良率 5.00%（不良 100,000.01 元 ÷ 在保 2,000,000.00 元）超过 5.00%" in proposal.grounds
    assert proposal.figures["non_performing"] == "100000.01"
    reminder = Reminder.objects.get(kind=PROPOSAL_DECISION.code, subject_id=str(proposal.pk))
    assert (
        reminder.subject_type == "lenders.suspensionproposal"
        and reminder.url == f"/fund/risk/proposals/{proposal.pk}/"
    )
    assert reminder.recipient_role == Role.BUREAU_APPROVER and reminder.due_date == TODAY
    run_daily_checks(TODAY + dt.timedelta(days=1))  # proposed once, not every day
    assert SuspensionProposal.objects.count() == 1


def test_a_return_overdue_thirty_days_is_not_yet_grounds_but_thirty_one_is(bank_a, bank_b):
    expect_return(bank_a, "1000.00", dt.date(2026, 10, 27), "r1")  # 30 days on 11-26
    expect_return(bank_b, "2000.00", dt.date(2026, 10, 26), "r2")  # 31 days on 11-26
    run_daily_checks(TODAY)
    proposal = SuspensionProposal.objects.get()
    assert proposal.bank == bank_b
    assert "追偿款逾期返还 31 天（1 笔，2,000.00 元），超过 30 天" in proposal.grounds


def test_a_returned_recovery_is_no_longer_overdue(bank_a, finance_user):
    expect_return(bank_a, "1000.00", dt.date(2026, 9, 1), "r1")
    fund_services.recovery_receive(
        by=finance_user,
        amount="1000.00",
        reference=("compensation.recovery", "r1"),
        key="receipt-r1",
        bank=bank_a,
    )
    run_daily_checks(TODAY)
    assert not SuspensionProposal.objects.exists()


def test_a_dismissed_bank_is_not_proposed_again_for_thirty_days(bank_a, bureau_approver):
    expect_return(bank_a, "1000.00", dt.date(2026, 9, 1), "r1")
    run_daily_checks(TODAY)
    services.proposal_dismiss(by=bureau_approver, proposal=SuspensionProposal.objects.get(), reason="已约谈")
    run_daily_checks(TODAY + dt.timedelta(days=29))
    assert SuspensionProposal.objects.count() == 1


# --- the approver's decision -----------------------------------------------------------------------------


@pytest.fixture
def proposal(bank_a):
    return SuspensionProposal.objects.create(bank=bank_a, grounds="测试", figures={}, proposed_on=TODAY)


def test_the_approver_dismisses_a_proposal_with_a_reason(proposal, bureau_approver, bureau_clerk):
    with pytest.raises(ValidationFailed):
        services.proposal_dismiss(by=bureau_approver, proposal=proposal, reason=" ")
    with pytest.raises(Forbidden):
        services.proposal_dismiss(by=bureau_clerk, proposal=proposal, reason="不予采纳")
    done = services.proposal_dismiss(by=bureau_approver, proposal=proposal, reason="不良贷款已于月末核销")
    assert done.status == SuspensionProposal.Status.DISMISSED and done.decided_by == bureau_approver
    with pytest.raises(Conflict):
        services.proposal_accept(by=bureau_approver, proposal=proposal, reason="改为采纳")


def test_accepting_a_proposal_suspends_the_bank_and_issues_the_notice(
    proposal, bank_a, bank_a_profile, bureau_approver
):
    done = services.proposal_accept(
        by=bureau_approver, proposal=proposal, reason="不良率超标", effective_on=TODAY
    )
    assert done.status == SuspensionProposal.Status.ACCEPTED and done.decision_reason == "不良率超标"
    bank_a_profile.refresh_from_db()
    assert bank_a_profile.status == CooperatingBank.Status.SUSPENDED
    assert (bank_a_profile.status_since, bank_a_profile.status_reason) == (TODAY, "不良率超标")
    notice = Notice.objects.get(kind="lenders_bank_suspension")
    assert notice.addressee == bank_a and "因不良率超标" in notice.context["paragraphs"][0]


def test_accepting_for_a_bank_without_a_cooperation_record_is_refused_and_nothing_moves(
    proposal, bureau_approver
):
    with pytest.raises(DomainError, match="没有合作银行档案"):
        services.proposal_accept(by=bureau_approver, proposal=proposal, reason="不良率超标")
    proposal.refresh_from_db()
    assert proposal.status == SuspensionProposal.Status.PROPOSED
    assert not Notice.objects.filter(kind="lenders_bank_suspension").exists()


def test_proposal_accepted_bank_suspended_notice_issued_end_to_end(
    lend,
    bank_a,
    bank_a_profile,
    bureau_approver,
    bank_officer,
    bank_supervisor,
    enterprise_a,
    enterprise_user,
):
    """The real path: a bank's loans go bad, the platform's daily check proposes its suspension, the approver
    accepts, the bank is suspended with a notice, and its next filing is refused."""
    lend("900000.00")
    lend("100000.00", classification="loss")  # 10 % non-performing
    run_platform_daily_checks(TODAY)
    proposal = SuspensionProposal.objects.get(bank=bank_a)
    reminder = Reminder.objects.get(kind=PROPOSAL_DECISION.code, subject_id=str(proposal.pk))
    assert reminder.is_open

    services.proposal_accept(
        by=bureau_approver, proposal=proposal, reason="在保不良率超过5%", effective_on=TODAY
    )

    proposal.refresh_from_db()
    bank_a_profile.refresh_from_db()
    reminder.refresh_from_db()
    assert proposal.status == SuspensionProposal.Status.ACCEPTED and not reminder.is_open
    assert bank_a_profile.status == CooperatingBank.Status.SUSPENDED and bank_a not in active_bank_orgs()
    notice = Notice.objects.get(kind="lenders_bank_suspension", subject_id=str(bank_a_profile.pk))
    assert notice.addressee == bank_a and notice.title == "暂停备案通知书"
    assert "自2026年11月26日起暂停贵行报送新的知识产权质押贷款备案" in notice.context["paragraphs"][0]
    draft = make_filing(bank_officer, make_registration(enterprise_a, bank_a, enterprise_user))
    with pytest.raises(DomainError):
        services.filing_submit(by=bank_supervisor, filing=draft)
    draft.refresh_from_db()
    assert draft.status == LoanFiling.Status.DRAFT


# --- new cover against the fund's ceiling ------------------------------------------------------------------


def test_new_cover_reads_the_real_covered_outstanding_when_there_are_no_loans(policy):
    # no covered loans: 0 + 50,000,000.00 <= 50,000,000.00
    assert (
        assert_new_cover_allowed(additional_covered=D("50000000.00"), on=TODAY, policy=policy)["covered"] == 0
    )


def test_new_cover_counts_the_loans_already_covered(lend, policy):
    lend("2000000.00")
    figures = assert_new_cover_allowed(additional_covered=D("48000000.00"), on=TODAY, policy=policy)
    assert (figures["covered"], figures["total"], figures["ceiling"]) == (
        D("2000000.00"),
        D("50000000.00"),
        D("50000000.00"),
    )
    with pytest.raises(DomainError) as exc:
        assert_new_cover_allowed(additional_covered=D("48000000.01"), on=TODAY, policy=policy)
    assert exc.value.code == "leverage_ceiling" and "在保余额 2,000,000.00 元" in exc.value.message


def test_the_seeded_policy_has_the_numbers_these_tests_compute_with(db):
    policy = PolicyVersion.objects.get(code="2025")
    assert (policy.leverage_multiple, policy.suspension_npl_ratio, policy.suspension_return_overdue_days) == (
        D("10"),
        D("0.05"),
        30,
    )
