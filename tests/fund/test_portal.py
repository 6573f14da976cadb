"""The fund in the navigation and the task inbox (the suspension proposals and the per-bank table are the
lenders app's: tests/lenders/test_portal.py, tests/lenders/test_risk.py)."""

import datetime as dt

import pytest

from fund import portal, services

pytestmark = pytest.mark.django_db


def test_finance_and_the_bureau_have_the_fund_in_their_navigation(
    finance_user, bureau_approver, bank_officer
):
    labels = ["资金账户", "对账", "风险监测"]
    assert [label for label, _ in portal.nav_items(finance_user)] == labels
    assert [label for label, _ in portal.nav_items(bureau_approver)] == labels
    assert portal.nav_items(bank_officer) == []


def test_finance_is_asked_to_match_lines_and_sign_periods_off(finance_user, bureau_approver):
    period = services.period_create(
        by=finance_user,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        opening_balance="0",
        closing_balance="0",
    )
    services.statement_line_add(
        by=finance_user, period=period, line_date=dt.date(2026, 10, 5), amount="10.00"
    )
    titles = [t["title"] for t in portal.tasks(finance_user)]
    assert titles == ["对账期间 2026-10-01 至 2026-10-31：1 条对账单明细未匹配"]
    assert portal.tasks(bureau_approver) == []
