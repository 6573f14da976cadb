"""The fund's own risk rules with hand-computed figures (Art 15-16, the policy's numbers as seeded for
2025): leverage_multiple 10, fund_pause_payout_ratio 50 % of fund_capital 5,000,000.00. The fund opens
with 5,000,000.00 cash. The covered outstanding is the caller's figure (the lenders app reads it from
the loans: tests/lenders/test_risk.py), passed in as it is here; the grounds for suspending a bank
are the lenders app's too (tests/lenders/test_risk.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from fund import services
from fund.checks import run_daily_checks
from fund.reminders import PAYOUT_ALERT
from fund.risk import assert_leverage_allows
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.notices.models import Reminder
from yunfu_ipfund.policy.models import PolicyVersion
from yunfu_ipfund.policy.reminders import POLICY_EXPIRY
from yunfu_ipfund.policy.services import check_policy_expiry

from .conftest import new_key

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_seeded_policy_has_the_numbers_these_tests_compute_with(policy):
    assert (
        policy.leverage_multiple,
        policy.suspension_npl_ratio,
        policy.suspension_return_overdue_days,
        policy.fund_pause_payout_ratio,
        policy.fund_capital,
    ) == (D("10"), D("0.05"), 30, D("0.5"), D("5000000"))


def test_leverage_allows_up_to_exactly_ten_times_available(policy):
    # available 5,000,000.00 x 10 = 50,000,000.00; 49,000,000.00 + 1,000,000.00 = 50,000,000.00: allowed
    figures = assert_leverage_allows(
        covered_outstanding=D("49000000.00"), additional_covered=D("1000000.00"), on=None, policy=policy
    )
    assert figures["ceiling"] == D("50000000.00") and figures["total"] == D("50000000.00")


def test_leverage_refuses_one_fen_over_the_ceiling_with_the_figures(policy):
    with pytest.raises(DomainError) as exc:
        assert_leverage_allows(
            covered_outstanding=D("49000000.00"), additional_covered=D("1000000.01"), on=None, policy=policy
        )
    assert exc.value.code == "leverage_ceiling"
    assert exc.value.message == (
        "超出放大倍数上限：在保余额 49,000,000.00 元 + 本笔 1,000,000.01 元 = 50,000,000.01 元，"
        "超过资金可用余额 5,000,000.00 元 × 10 倍 = 50,000,000.00 元。"
    )


def test_commitments_shrink_the_ceiling(policy, commit):
    commit("1000000.00")  # available 4,000,000.00 -> ceiling 40,000,000.00
    covered = D("39500000.00")
    assert_leverage_allows(
        covered_outstanding=covered, additional_covered=D("500000.00"), on=None, policy=policy
    )
    with pytest.raises(DomainError, match="× 10 倍 = 40,000,000.00 元"):
        assert_leverage_allows(
            covered_outstanding=covered, additional_covered=D("500000.01"), on=None, policy=policy
        )


def test_nothing_can_be_covered_when_nothing_is_available(policy, commit):
    commit("5000000.00")
    with pytest.raises(DomainError, match="可用余额 0.00 元"):
        assert_leverage_allows(
            covered_outstanding=D("0"), additional_covered=D("0.01"), on=None, policy=policy
        )


TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _on_today(time_machine):
    """The checks run 'as of TODAY'; what the services stamp with now() must fall on TODAY in Asia/Shanghai
    too, whatever hour the suite runs at (after 16:00 UTC it is already tomorrow there)."""
    from zoneinfo import ZoneInfo

    time_machine.move_to(
        dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    )


def test_bureau_and_finance_are_alerted_once_when_net_payouts_reach_half_the_capital(
    commit, finance_user, policy
):
    # threshold: 5,000,000.00 x 50 % = 2,500,000.00 of payouts net of recoveries and clawbacks
    c = commit("2500000.00")
    alerts = Reminder.objects.filter(kind=PAYOUT_ALERT.code)
    services.payout_post(by=finance_user, commitment=c, amount="2499999.99", key=new_key())
    assert not alerts.exists()
    services.payout_post(by=finance_user, commitment=c, amount="0.01", key=new_key())
    assert set(alerts.values_list("discriminator", "recipient_role")) == {
        (Role.BUREAU_APPROVER, Role.BUREAU_APPROVER),
        (Role.FINANCE, Role.FINANCE),
    }
    assert {(r.subject_type, r.subject_id) for r in alerts} == {("policy.policyversion", str(policy.pk))}
    assert alerts.first().url == "/fund/"
    run_daily_checks(TODAY)
    assert alerts.count() == 2


@pytest.mark.parametrize(
    "today, threshold",
    [
        # the 2025 version ends 2030-09-24; no later version exists
        (dt.date(2030, 3, 27), None),  # 181 days left
        (dt.date(2030, 3, 28), 180),  # 180 days left
        (dt.date(2030, 6, 25), 180),  # 91 days left
        (dt.date(2030, 6, 26), 90),  # 90 days left
        (dt.date(2030, 8, 25), 30),  # 30 days left
        (dt.date(2030, 9, 24), 30),  # the last day
    ],
)
def test_policy_expiry_reminders_at_180_90_and_30_days(today, threshold, db):
    assert check_policy_expiry(today) == threshold
    expiry = Reminder.objects.filter(kind=POLICY_EXPIRY.code)
    if threshold is None:
        assert not expiry.exists()
    else:
        assert set(expiry.values_list("discriminator", flat=True)) == {
            f"{threshold}-{Role.ADMINISTRATOR}",
            f"{threshold}-{Role.BUREAU_APPROVER}",
        }
        assert expiry.get(discriminator=f"{threshold}-{Role.ADMINISTRATOR}").due_date == dt.date(2030, 9, 24)


def test_no_expiry_reminder_once_the_next_version_exists(db):
    current = PolicyVersion.objects.get(code="2025")
    fields = {
        f.name: getattr(current, f.name)
        for f in PolicyVersion._meta.concrete_fields
        if f.name not in ("id", "code", "effective_from", "effective_to", "first_used_at", "created_at")
    }
    PolicyVersion.objects.create(
        code="2030", effective_from=dt.date(2030, 9, 25), effective_to=dt.date(2035, 9, 24), **fields
    )
    assert check_policy_expiry(dt.date(2030, 8, 25)) is None
    assert not Reminder.objects.filter(kind=POLICY_EXPIRY.code).exists()
