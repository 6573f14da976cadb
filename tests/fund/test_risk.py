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


# --- the risk page: its figures, its 超阈值 marks and the proposals are one computation ---------------------


@pytest.fixture
def bank_with_a_compensated_bad_loan(
    bank_a, bank_a_admitted, enterprise_a, enterprise_user, bank_officer, bank_supervisor, bureau_approver
):
    """Bank A: a live loan of 1,000,000.00 confirmed today, and a loan of 100,000.00 that went bad on
    2026-06-01 and was compensated on 2026-09-01 (its dated history as the services write it)."""
    from lenders.models import CoveredLoan, LoanEvent
    from tests.factories import make_covered_loan, make_non_performing_loan, make_profile, make_registration

    make_profile(enterprise_a)
    registration = make_registration(enterprise_a, bank_a, enterprise_user, amount=D("1000000.00"))
    make_covered_loan(
        bank_officer,
        bank_supervisor,
        bureau_approver,
        registration,
        amount=D("1000000.00"),
        ip_amount=D("1000000.00"),
    )
    S = CoveredLoan.Status
    bad = make_non_performing_loan(
        bank_a, enterprise_a, bank_officer, amount="100000.00", covered="100000.00", status=S.COMPENSATED
    )
    for day, kind, status in (
        (dt.date(2026, 1, 10), LoanEvent.Kind.CONFIRMED, S.ACTIVE),
        (dt.date(2026, 6, 1), LoanEvent.Kind.CLASSIFICATION, S.NON_PERFORMING),
        (dt.date(2026, 8, 1), LoanEvent.Kind.STATUS, S.IN_CLAIM),
        (dt.date(2026, 9, 1), LoanEvent.Kind.STATUS, S.COMPENSATED),
    ):
        LoanEvent.objects.create(
            loan=bad,
            kind=kind,
            occurred_on=day,
            outstanding_after=D("100000.00"),
            covered_outstanding_after=D("100000.00"),
            status_after=status,
        )
    return bank_a


@pytest.fixture
def bank_a_admitted(bank_a, bureau_approver):
    from tests.factories import admit

    return admit(bank_a, bureau_approver)


def _row(page, bank):
    html = page.content.decode()
    start = html.index(f'<tr data-bank="{bank.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_risk_page_shows_the_figures_the_proposal_is_made_of(
    bank_with_a_compensated_bad_loan, bank_b, client_for, bureau_approver
):
    from django.urls import reverse

    from lenders.models import SuspensionProposal
    from lenders.services.proposals import suspension_review

    bank_a = bank_with_a_compensated_bad_loan
    client = client_for(bureau_approver)
    page = client.get(reverse("fund:risk"))
    assert page.status_code == 200
    row = _row(page, bank_a)
    # the NPL ratio of the window (the compensated loan counts), its mark and the proposal column agree
    assert "超阈值" in row and "9.09%" in row and "100,000.00 ÷ 1,100,000.00" in row
    assert 'data-proposal-state="due"' in row and "有暂停备案理由，尚未提出建议" in row
    assert "近12个月在保不良率 9.09%" in row
    assert "超阈值" not in _row(page, bank_b) and 'data-proposal-state="none"' in _row(page, bank_b)
    # the page's rows are the review's rows
    rows, _ = suspension_review(today=TODAY)
    shown = {r["bank"].pk: (r["npl_ratio"], r["grounds"], r["proposal_state"]) for r in page.context["rows"]}
    assert shown == {r["bank"].pk: (r["npl_ratio"], r["grounds"], r["proposal_state"]) for r in rows}
    assert "立即提出暂停备案建议" in page.content.decode()

    # the approver proposes at once: the proposal carries the same grounds and figures as the row
    assert client.post(reverse("fund:risk_propose")).status_code == 302
    proposal = SuspensionProposal.objects.get(bank=bank_a)
    assert proposal.grounds == "；".join(rows[[r["bank"] for r in rows].index(bank_a)]["grounds"]) + "。"
    assert (proposal.figures["npl_ratio"], proposal.figures["window_npl"]) == ("0.0909", "100000.00")
    page = client.get(reverse("fund:risk"))
    row = _row(page, bank_a)
    assert 'data-proposal-state="open"' in row and proposal.get_absolute_url() in row
    assert "已于2026-11-26提出暂停备案建议，待审核人决定" in row
    assert "立即提出暂停备案建议" not in page.content.decode()


@pytest.mark.parametrize("who, status", [("bureau_clerk", 403), ("finance_user", 403), ("bank_officer", 404)])
def test_only_the_approver_proposes_from_the_risk_page(
    bank_with_a_compensated_bad_loan, client_for, who, status, request
):
    from django.urls import reverse

    from lenders.models import SuspensionProposal

    response = client_for(request.getfixturevalue(who)).post(reverse("fund:risk_propose"))
    assert response.status_code == status
    assert not SuspensionProposal.objects.exists()


def test_the_overdue_column_counts_a_bad_loan_reported_overdue(
    bank_a,
    bank_a_admitted,
    enterprise_a,
    enterprise_user,
    bank_officer,
    bank_supervisor,
    bureau_approver,
    client_for,
):
    from django.urls import reverse

    from lenders import services as lender_services
    from tests.factories import make_covered_loan, make_profile, make_registration

    make_profile(enterprise_a)
    registration = make_registration(enterprise_a, bank_a, enterprise_user, amount=D("1000000.00"))
    loan = make_covered_loan(
        bank_officer,
        bank_supervisor,
        bureau_approver,
        registration,
        amount=D("1000000.00"),
        ip_amount=D("1000000.00"),
    )
    loan = lender_services.loan_report_classification(
        by=bank_officer, loan=loan, classification="substandard", classified_on=TODAY
    )
    lender_services.loan_report_overdue(
        by=bank_officer, loan=loan, overdue_since=TODAY, overdue_amount="1.00"
    )
    row = _row(client_for(bureau_approver).get(reverse("fund:risk")), bank_a)
    assert '1,000,000.00</td><td class="num">100.00%' in row  # 逾期在保, 逾期率
