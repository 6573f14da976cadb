"""The self-checking ledger (issue 12, item 3): `manage.py verify_ledger` recomputes every running balance
and daily total from the entries; the decisions on the available balance never use an edited figure."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fund.checks import run_daily_checks
from fund.integrity import assert_trusted_balances, ledger_differences
from fund.models import Account, BankBalance, Commitment, DailyMovement, LedgerAccount
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.notices.models import Reminder

from .conftest import new_key

pytestmark = pytest.mark.django_db


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def failure():
    with pytest.raises(CommandError) as caught:
        call_command("verify_ledger")
    return str(caught.value)


@pytest.fixture
def committed_4_5m(commit):
    """5,000,000.00 in cash, 4,500,000.00 committed: 500,000.00 available."""
    return commit("4500000.00")


def test_an_untouched_ledger_verifies(committed_4_5m, capsys):
    assert ledger_differences() == []
    call_command("verify_ledger")
    assert "资金台账一致" in capsys.readouterr().out


def test_the_edited_cash_balance_is_found_and_the_refused_commitment_stays_refused(committed_4_5m, commit):
    with pytest.raises(DomainError) as before:
        commit("900000.00")
    assert before.value.code == "available_short"

    raw("UPDATE fund_ledgeraccount SET balance = balance + 1000000 WHERE code = %s", [Account.CASH])
    assert LedgerAccount.objects.get(code=Account.CASH).balance == Decimal("6000000.00")

    message = failure()
    assert (
        "科目余额不符：专户资金 记录 6,000,000.00 元，按分录应为 5,000,000.00 元，差额 1,000,000.00 元"
        in message
    )

    with pytest.raises(DomainError) as after:
        commit("900000.00")
    assert after.value.code == "ledger_untrusted"
    assert "资金余额校验未通过" in str(after.value) and "1,000,000.00" in str(after.value)
    assert Commitment.objects.filter(amount=Decimal("900000.00")).count() == 0


def test_a_one_fen_difference_is_found_and_refuses_a_payout(committed_4_5m, finance_user):
    raw("UPDATE fund_ledgeraccount SET balance = balance - 0.01 WHERE code = %s", [Account.COMMITTED])
    assert "差额 -0.01 元" in failure() or "差额 0.01 元" in failure()
    with pytest.raises(DomainError) as caught:
        assert_trusted_balances()
    assert caught.value.code == "ledger_untrusted" and "已承诺待拨付" in str(caught.value)


def test_an_edited_bank_balance_and_daily_total_are_found(committed_4_5m, bank_a):
    BankBalance.objects.filter(bank=bank_a, account=Account.COMMITTED).update(balance=0)
    DailyMovement.objects.filter(account=Account.CASH, bank=None).update(entries=7)
    message = failure()
    assert "银行科目余额不符：中国工商银行云浮分行 已承诺待拨付 记录 0.00 元" in message
    assert "日发生额不符" in message and "专户资金（全专户）" in message and "（7 笔）" in message
    assert_trusted_balances()  # cash and committed themselves are right: decisions go on


def test_an_unbalanced_posting_is_found(committed_4_5m):
    posting_entry = committed_4_5m.postings.get().entries.first()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events before ALTER
            cursor.execute("ALTER TABLE fund_entry DISABLE TRIGGER fund_entry_append_only")
            cursor.execute("UPDATE fund_entry SET amount = amount + 1 WHERE id = %s", [posting_entry.pk])
            cursor.execute("ALTER TABLE fund_entry ENABLE TRIGGER fund_entry_append_only")
        else:
            pytest.skip("the append-only trigger of SQLite is tested elsewhere")
    assert f"凭证 #{posting_entry.posting_id} 借贷不平衡" in failure()


def test_the_daily_check_alerts_finance_the_bureau_and_the_administrators(committed_4_5m):
    run_daily_checks(today())
    assert not Reminder.objects.filter(kind="fund.ledger.mismatch").exists()
    raw("UPDATE fund_ledgeraccount SET balance = balance + 1000000 WHERE code = %s", [Account.CASH])
    run_daily_checks(today())
    alerts = Reminder.objects.filter(kind="fund.ledger.mismatch")
    assert {a.recipient_role for a in alerts} == {"administrator", "finance", "bureau_approver"}
    assert all("1,000,000.00" in a.body for a in alerts)
    run_daily_checks(today())  # once a day
    assert alerts.count() == 3


def test_a_commitment_with_a_true_balance_is_still_accepted(committed_4_5m, commit):
    assert commit("500000.00").amount == Decimal("500000.00")
    assert new_key()


def test_the_leverage_ceiling_is_not_judged_on_an_edited_balance(committed_4_5m):
    """Cover decisions (Art 15-16 leverage) read the available balance too: an edited cash balance that
    would lift the ceiling is refused under the lock, not believed."""
    from django.db import transaction

    from fund.risk import assert_leverage_allows
    from yunfu_ipfund.policy.services import policy_in_force

    raw("UPDATE fund_ledgeraccount SET balance = balance + 1000000 WHERE code = %s", [Account.CASH])
    with pytest.raises(DomainError) as caught, transaction.atomic():
        assert_leverage_allows(
            covered_outstanding=Decimal("0"),
            additional_covered=Decimal("100000.00"),
            on=today(),
            policy=policy_in_force(today()),
        )
    assert caught.value.code == "ledger_untrusted"
