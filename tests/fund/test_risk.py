"""Risk controls with hand-computed figures (Art 15-16, the policy's numbers as seeded for 2025):
leverage_multiple 10, suspension_npl_ratio 5 %, suspension_return_overdue_days 30,
fund_pause_payout_ratio 50 % of fund_capital 5,000,000.00. The fund opens with 5,000,000.00 cash."""

import datetime as dt
from decimal import Decimal

import pytest

from fund import services
from fund.checks import run_daily_checks
from fund.models import SuspensionProposal
from fund.services import assert_leverage_allows
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden, ValidationFailed
from yunfu_ipfund.notices.models import Reminder
from yunfu_ipfund.policy.models import PolicyVersion
from yunfu_ipfund.policy.services import check_policy_expiry

from .conftest import new_key

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_seeded_policy_has_the_numbers_these_tests_compute_with(policy):
    assert (policy.leverage_multiple, policy.suspension_npl_ratio, policy.suspension_return_overdue_days,
            policy.fund_pause_payout_ratio, policy.fund_capital) == (D("10"), D("0.05"), 30, D("0.5"), D("5000000"))


def test_leverage_allows_up_to_exactly_ten_times_available(covered, policy):
    # available 5,000,000.00 x 10 = 50,000,000.00; 49,000,000.00 + 1,000,000.00 = 50,000,000.00: allowed
    covered("49000000.00")
    figures = assert_leverage_allows(additional_covered=D("1000000.00"), on=None, policy=policy)
    assert figures["ceiling"] == D("50000000.00") and figures["total"] == D("50000000.00")


def test_leverage_refuses_one_fen_over_the_ceiling_with_the_figures(covered, policy):
    covered("49000000.00")
    with pytest.raises(DomainError) as exc:
        assert_leverage_allows(additional_covered=D("1000000.01"), on=None, policy=policy)
    assert exc.value.code == "leverage_ceiling"
    assert exc.value.message == (
        "超出放大倍数上限：在保余额 49,000,000.00 元 + 本笔 1,000,000.01 元 = 50,000,000.01 元，"
        "超过资金可用余额 5,000,000.00 元 × 10 倍 = 50,000,000.00 元。"
    )


def test_commitments_shrink_the_ceiling(covered, policy, commit):
    commit("1000000.00")  # available 4,000,000.00 -> ceiling 40,000,000.00
    covered("39500000.00")
    assert_leverage_allows(additional_covered=D("500000.00"), on=None, policy=policy)
    with pytest.raises(DomainError, match="× 10 倍 = 40,000,000.00 元"):
        assert_leverage_allows(additional_covered=D("500000.01"), on=None, policy=policy)


def test_nothing_can_be_covered_when_nothing_is_available(covered, policy, commit):
    commit("5000000.00")
    with pytest.raises(DomainError, match="可用余额 0.00 元"):
        assert_leverage_allows(additional_covered=D("0.01"), on=None, policy=policy)


def test_leverage_reads_the_real_lenders_figures_when_there_are_no_loans(policy):
    # no covered loans: 0 + 50,000,000.00 <= 50,000,000.00
    assert assert_leverage_allows(additional_covered=D("50000000.00"), on=None, policy=policy)["covered"] == 0


TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _on_today(time_machine):
    """The checks run 'as of TODAY'; what the services stamp with now() must fall on TODAY in Asia/Shanghai
    too, whatever hour the suite runs at (after 16:00 UTC it is already tomorrow there)."""
    from zoneinfo import ZoneInfo

    time_machine.move_to(dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def portfolio(bank, covered_amount, npl):
    return {bank.pk: {"covered_outstanding": D(covered_amount), "overdue": D("0"), "non_performing": D(npl)}}


def test_no_proposal_at_exactly_five_percent_non_performing(covered, bank_a):
    covered("2000000.00", portfolio(bank_a, "2000000.00", "100000.00"))  # 100,000 / 2,000,000 = 5.00 %
    run_daily_checks(TODAY)
    assert not SuspensionProposal.objects.exists()


def test_a_bank_above_five_percent_non_performing_is_proposed_for_suspension(covered, bank_a, bureau_approver):
    covered("2000000.00", portfolio(bank_a, "2000000.00", "100000.01"))  # 5.0000005 % > 5 %
    run_daily_checks(TODAY)
    proposal = SuspensionProposal.objects.get()
    assert proposal.bank == bank_a and proposal.status == SuspensionProposal.Status.PROPOSED
    assert "在保不良率 5.00%（不良 100,000.01 元 ÷ 在保 2,000,000.00 元）超过 5.00%" in proposal.grounds
    assert proposal.figures["non_performing"] == "100000.01"
    reminder = Reminder.objects.get(key=f"fund-suspension-{proposal.pk}")
    assert reminder.recipient_role == Role.BUREAU_APPROVER and reminder.due_date == TODAY
    run_daily_checks(TODAY + dt.timedelta(days=1))  # proposed once, not every day
    assert SuspensionProposal.objects.count() == 1


def test_a_return_overdue_thirty_days_is_not_yet_grounds_but_thirty_one_is(bank_a, bank_b):
    services.recovery_return_expect(by=None, bank=bank_a, reference=("compensation.recovery", "1"),
                                    amount="1000.00", due_on=dt.date(2026, 10, 27), key="r1")  # 30 days on 11-26
    services.recovery_return_expect(by=None, bank=bank_b, reference=("compensation.recovery", "2"),
                                    amount="2000.00", due_on=dt.date(2026, 10, 26), key="r2")  # 31 days on 11-26
    run_daily_checks(TODAY)
    proposal = SuspensionProposal.objects.get()
    assert proposal.bank == bank_b
    assert "追偿款逾期返还 31 天（1 笔，2,000.00 元），超过 30 天" in proposal.grounds


def test_a_returned_recovery_is_no_longer_overdue(bank_a, finance_user):
    services.recovery_return_expect(by=None, bank=bank_a, reference=("compensation.recovery", "1"),
                                    amount="1000.00", due_on=dt.date(2026, 9, 1), key="r1")
    services.recovery_receive(by=finance_user, amount="1000.00", reference=("compensation.recovery", "1"),
                              key=new_key(), bank=bank_a)
    run_daily_checks(TODAY)
    assert not SuspensionProposal.objects.exists()


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


def test_accepting_a_proposal_suspends_the_bank_through_the_lenders_app(proposal, bureau_approver, monkeypatch):
    calls = []
    monkeypatch.setattr("lenders.selectors.bank_profile_of", lambda org_id: f"profile-{org_id}")
    monkeypatch.setattr("lenders.services.bank_suspend", lambda **kw: calls.append(kw))
    done = services.proposal_accept(by=bureau_approver, proposal=proposal, reason="不良率超标", effective_on=TODAY)
    assert done.status == SuspensionProposal.Status.ACCEPTED
    assert calls == [dict(by=bureau_approver, bank=f"profile-{proposal.bank_id}", reason="不良率超标",
                          effective_on=TODAY)]


def test_accepting_for_a_bank_without_a_cooperation_record_is_refused_and_nothing_moves(proposal, bureau_approver):
    with pytest.raises(DomainError, match="没有合作银行档案"):
        services.proposal_accept(by=bureau_approver, proposal=proposal, reason="不良率超标")
    proposal.refresh_from_db()
    assert proposal.status == SuspensionProposal.Status.PROPOSED


def test_bureau_and_finance_are_alerted_once_when_net_payouts_reach_half_the_capital(commit, finance_user):
    # threshold: 5,000,000.00 x 50 % = 2,500,000.00 of payouts net of recoveries and clawbacks
    c = commit("2500000.00")
    services.payout_post(by=finance_user, commitment=c, amount="2499999.99", key=new_key())
    assert not Reminder.objects.filter(key__startswith="fund-pause-").exists()
    services.payout_post(by=finance_user, commitment=c, amount="0.01", key=new_key())
    keys = set(Reminder.objects.filter(key__startswith="fund-pause-").values_list("key", flat=True))
    assert keys == {f"fund-pause-2025-{Role.BUREAU_APPROVER}", f"fund-pause-2025-{Role.FINANCE}"}
    run_daily_checks(TODAY)
    assert Reminder.objects.filter(key__startswith="fund-pause-").count() == 2


@pytest.mark.parametrize(
    "today, threshold",
    [
        # the 2025 version ends 2030-09-24; no later version exists
        (dt.date(2030, 3, 27), None),  # 181 days left
        (dt.date(2030, 3, 28), 180),   # 180 days left
        (dt.date(2030, 6, 25), 180),   # 91 days left
        (dt.date(2030, 6, 26), 90),    # 90 days left
        (dt.date(2030, 8, 25), 30),    # 30 days left
        (dt.date(2030, 9, 24), 30),    # the last day
    ],
)
def test_policy_expiry_reminders_at_180_90_and_30_days(today, threshold, db):
    assert check_policy_expiry(today) == threshold
    keys = set(Reminder.objects.filter(key__startswith="policy-expiry-").values_list("key", flat=True))
    if threshold is None:
        assert keys == set()
    else:
        assert keys == {f"policy-expiry-2025-{threshold}-{Role.ADMINISTRATOR}",
                        f"policy-expiry-2025-{threshold}-{Role.BUREAU_APPROVER}"}
        assert Reminder.objects.get(key=f"policy-expiry-2025-{threshold}-{Role.ADMINISTRATOR}").due_date == dt.date(
            2030, 9, 24)


def test_no_expiry_reminder_once_the_next_version_exists(db):
    current = PolicyVersion.objects.get(code="2025")
    fields = {f.name: getattr(current, f.name) for f in PolicyVersion._meta.concrete_fields
              if f.name not in ("id", "code", "effective_from", "effective_to", "first_used_at", "created_at")}
    PolicyVersion.objects.create(code="2030", effective_from=dt.date(2030, 9, 25), effective_to=dt.date(2035, 9, 24),
                                 **fields)
    assert check_policy_expiry(dt.date(2030, 8, 25)) is None
    assert not Reminder.objects.filter(key__startswith="policy-expiry-").exists()
