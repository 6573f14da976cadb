"""The fund in the navigation and the task inbox; constant queries for the per-bank table."""

import datetime as dt

import pytest

from fund import portal, services
from fund.models import SuspensionProposal
from fund.selectors import bank_risk_table
from tests.conftest import make_org

pytestmark = pytest.mark.django_db


def test_finance_and_the_bureau_have_the_fund_in_their_navigation(finance_user, bureau_approver, bank_officer):
    labels = ["资金账户", "对账", "风险监测"]
    assert [label for label, _ in portal.nav_items(finance_user)] == labels
    assert [label for label, _ in portal.nav_items(bureau_approver)] == labels
    assert portal.nav_items(bank_officer) == []


def test_finance_is_asked_to_match_lines_and_sign_periods_off(finance_user, bureau_approver):
    period = services.period_create(by=finance_user, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31),
                                    opening_balance="0", closing_balance="0")
    services.statement_line_add(by=finance_user, period=period, line_date=dt.date(2026, 10, 5), amount="10.00")
    titles = [t["title"] for t in portal.tasks(finance_user)]
    assert titles == ["对账期间 2026-10-01 至 2026-10-31：1 条对账单明细未匹配"]
    assert portal.tasks(bureau_approver) == []


def test_the_approver_is_asked_to_decide_open_proposals(bureau_approver, finance_user, bank_a):
    SuspensionProposal.objects.create(bank=bank_a, grounds="x", proposed_on=dt.date(2026, 11, 26))
    assert [t["title"] for t in portal.tasks(bureau_approver)] == [f"暂停“{bank_a.name}”备案的建议待决定"]
    assert portal.tasks(finance_user) == []


def test_the_per_bank_table_takes_the_same_queries_for_2_or_22_banks(bank_a, bank_b, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert len(bank_risk_table()) == 2
    for i in range(20):
        make_org("bank", f"测试银行{i}")
    with django_assert_max_num_queries(6):
        assert len(bank_risk_table()) == 22
