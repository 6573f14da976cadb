"""The ledger's services: who may post what, the balance rules, idempotency, reversals, periods."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from fund import services
from fund.models import (
    Account,
    BankBalance,
    Commitment,
    DailyMovement,
    Entry,
    LedgerAccount,
    Posting,
    PostingKind,
    ReturnDue,
)
from fund.selectors import balances, commitment_remaining, fund_figures
from tests.conftest import postgres_only
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.dates import today
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden, ValidationFailed
from yunfu_ipfund.common.money import round_fen
from yunfu_ipfund.policy.models import PolicyVersion

from .conftest import OPENING, new_key

pytestmark = pytest.mark.django_db


def test_the_database_opens_with_the_provincial_allocation_from_the_policy():
    posting = Posting.objects.get(key=services.OPENING_KEY)
    assert posting.amount == OPENING == PolicyVersion.objects.order_by("effective_from").first().fund_capital
    f = fund_figures()
    assert (f.cash, f.committed, f.available, f.contributions) == (OPENING, 0, OPENING, OPENING)


def test_reposting_the_opening_with_its_key_returns_the_migrated_posting(policy):
    first = PolicyVersion.objects.order_by("effective_from").first()
    again = services.contribution_post(
        by=None,
        amount="5000000.00",
        key=services.OPENING_KEY,
        value_date=first.effective_from,
        reference=("policy.policyversion", str(first.pk)),
    )
    assert again.pk == Posting.objects.get(key=services.OPENING_KEY).pk
    assert fund_figures().cash == OPENING


def test_finance_records_interest_and_it_rolls_into_cash(finance_user):
    posting = services.interest_post(by=finance_user, amount="1234.56", key="interest-2026Q3")
    assert [(e.account, e.amount) for e in posting.entries.all()] == [
        (Account.CASH, Decimal("1234.56")),
        (Account.INTEREST, Decimal("-1234.56")),
    ]
    assert fund_figures().cash == Decimal("5001234.56")
    assert AuditEvent.objects.filter(
        object_type="fund.posting", object_id=str(posting.pk), action="登记利息收入"
    ).exists()


@pytest.mark.parametrize("persona", ["bureau_approver", "bureau_clerk", "bank_officer", "enterprise_user"])
def test_only_finance_records_money_arriving(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        services.contribution_post(by=user, amount="100.00", key=new_key())
    assert Posting.objects.count() == 1


@pytest.mark.parametrize(
    "amount, message",
    [
        ("100.001", "最多保留两位小数"),
        ("-5.00", "不能为负数"),
        ("0", "必须大于零"),
        ("abc", "不是有效的金额"),
        ("100000000.01", "金额过大"),  # one fen above the version's max_posting_amount (issue 9)
        (1.5, "不是有效的金额"),
    ],
)
def test_bad_amounts_are_refused_with_a_message_and_leave_no_trace(finance_user, amount, message):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed, match=message):
        services.contribution_post(by=finance_user, amount=amount, key=new_key())
    assert Posting.objects.count() == 1 and AuditEvent.objects.count() == events


def test_a_future_value_date_is_refused(finance_user):
    with pytest.raises(ValidationFailed, match="晚于今天"):
        services.interest_post(
            by=finance_user, amount="1.00", key=new_key(), value_date=today() + dt.timedelta(days=1)
        )


def test_a_commitment_sets_money_aside_and_reduces_available_not_cash(commit):
    commitment = commit("1200000.00")
    f = fund_figures()
    assert (f.cash, f.committed, f.available) == (OPENING, Decimal("1200000.00"), Decimal("3800000.00"))
    assert commitment_remaining(commitment) == Decimal("1200000.00")
    assert commitment.postings.get().instructed_by == commitment.created_by


def test_a_commitment_above_available_is_refused_whole(commit):
    commit("4000000.00")
    with pytest.raises(DomainError, match="可用余额不足") as exc:
        commit("1000000.01")
    assert exc.value.code == "available_short"
    assert Commitment.objects.count() == 1
    assert fund_figures().available == Decimal("1000000.00")


@pytest.mark.parametrize("persona", ["finance_user", "bureau_clerk", "bank_supervisor"])
def test_only_the_bureau_approver_instructs_money_out(request, persona, bank_a):
    with pytest.raises(Forbidden):
        services.commitment_create(
            by=request.getfixturevalue(persona),
            amount="10.00",
            reference=("compensation.claim", "1"),
            key=new_key(),
            bank=bank_a,
        )
    assert not Commitment.objects.exists()


def test_a_claim_commitment_names_a_bank(bureau_approver, enterprise_a):
    with pytest.raises(ValidationFailed, match="请指明银行"):
        services.commitment_create(by=bureau_approver, amount="10.00", reference=("c.c", "1"), key=new_key())
    with pytest.raises(ValidationFailed, match="不是合作银行"):
        services.commitment_create(
            by=bureau_approver, amount="10.00", reference=("c.c", "1"), key=new_key(), bank=enterprise_a
        )


def test_finance_pays_a_claim_out_of_its_commitment(commit, finance_user, bank_a):
    commitment = commit("300000.00")
    payout = services.payout_post(by=finance_user, commitment=commitment, amount="300000.00", key="pay-1")
    assert payout.bank == bank_a and payout.instructed_by == commitment.created_by
    assert (payout.reference_type, payout.reference_id) == (
        commitment.reference_type,
        commitment.reference_id,
    )
    assert sum(e.amount for e in payout.entries.all()) == 0 and payout.entries.count() == 4
    f = fund_figures()
    assert (f.cash, f.committed, f.available, f.payouts) == (
        Decimal("4700000.00"),
        Decimal("0.00"),
        Decimal("4700000.00"),
        Decimal("300000.00"),
    )
    assert commitment_remaining(commitment) == 0


def test_a_payout_never_exceeds_its_commitment(commit, finance_user):
    commitment = commit("100.00")
    services.payout_post(by=finance_user, commitment=commitment, amount="60.00", key=new_key())
    with pytest.raises(DomainError, match="超出承诺金额：该承诺尚余 40.00 元"):
        services.payout_post(by=finance_user, commitment=commitment, amount="40.01", key=new_key())
    assert fund_figures().payouts == Decimal("60.00")


def test_the_bureau_cannot_pay_out_its_own_instruction(commit, bureau_approver):
    """Four-eyes: the bureau instructs, finance confirms. The approver holding the commitment cannot pay
    it."""
    commitment = commit("100.00")
    with pytest.raises(Forbidden):
        services.payout_post(by=bureau_approver, commitment=commitment, amount="100.00", key=new_key())
    assert fund_figures().payouts == 0


def test_finance_cannot_pay_without_a_bureau_instruction_for_that_purpose(
    bureau_approver, finance_user, policy
):
    """No payout without a claim commitment: a treasury instruction cannot be paid out as compensation."""
    treasury = services.commitment_create(
        by=bureau_approver,
        amount="100.00",
        reference=("fund.transfer", "1"),
        key=new_key(),
        purpose=Commitment.Purpose.TREASURY,
        reason="上缴",
    )
    with pytest.raises(DomainError, match="不能用于“代偿拨付”"):
        services.payout_post(by=finance_user, commitment=treasury, amount="100.00", key=new_key())
    posted = services.treasury_return_post(
        by=finance_user, commitment=treasury, amount="100.00", key=new_key()
    )
    assert posted.kind == PostingKind.TREASURY_RETURN and fund_figures().treasury == Decimal("100.00")


def test_fees_are_refused_unless_the_policy_allows_them(bureau_approver, finance_user, policy):
    assert policy.fees_allowed is False
    with pytest.raises(DomainError, match="不允许从风险补偿资金中列支费用"):
        services.commitment_create(
            by=bureau_approver,
            amount="500.00",
            reference=("fund.fee", "audit-2026"),
            key=new_key(),
            purpose=Commitment.Purpose.FEE,
        )
    PolicyVersion.objects.filter(pk=policy.pk).update(fees_allowed=True)
    fee = services.commitment_create(
        by=bureau_approver,
        amount="500.00",
        reference=("fund.fee", "audit-2026"),
        key=new_key(),
        purpose=Commitment.Purpose.FEE,
        reason="审计费",
    )
    services.fee_pay(by=finance_user, commitment=fee, amount="500.00", key=new_key())
    PolicyVersion.objects.filter(pk=policy.pk).update(fees_allowed=False)
    fee2 = Commitment.objects.create(
        purpose=Commitment.Purpose.FEE, amount=1, reference_type="x", reference_id="1", key="raw"
    )
    with pytest.raises(DomainError, match="不允许"):
        services.fee_pay(by=finance_user, commitment=fee2, amount="1.00", key=new_key())
    assert fund_figures().fees == Decimal("500.00")


def test_a_release_frees_what_is_left_of_a_commitment(commit, bureau_approver, finance_user):
    commitment = commit("1000.00")
    services.payout_post(by=finance_user, commitment=commitment, amount="400.00", key=new_key())
    release = services.commitment_release(
        by=bureau_approver, commitment=commitment, key=new_key(), reason="撤回"
    )
    assert release.amount == Decimal("600.00")
    assert fund_figures().committed == 0 and commitment_remaining(commitment) == 0
    with pytest.raises(DomainError, match="超出承诺金额"):
        services.commitment_release(by=bureau_approver, commitment=commitment, key=new_key(), reason="再次")


def test_the_same_key_and_figures_returns_the_existing_posting(commit, finance_user):
    commitment = commit("500.00")
    first = services.payout_post(
        by=finance_user, commitment=commitment, amount="500.00", key="claim-9-payout"
    )
    again = services.payout_post(
        by=finance_user, commitment=commitment, amount="500.00", key="claim-9-payout"
    )
    assert again.pk == first.pk
    assert fund_figures().payouts == Decimal("500.00")


def test_the_same_key_with_other_figures_is_a_conflict(commit, finance_user):
    commitment = commit("500.00")
    services.payout_post(by=finance_user, commitment=commitment, amount="200.00", key="claim-9-payout")
    with pytest.raises(Conflict):
        services.payout_post(by=finance_user, commitment=commitment, amount="300.00", key="claim-9-payout")
    with pytest.raises(Conflict):
        services.commitment_create(
            by=commitment.created_by,
            amount="1.00",
            reference=("x.y", "1"),
            key=commitment.key,
            bank=commitment.bank,
        )
    assert fund_figures().payouts == Decimal("200.00")


def test_a_reversal_restores_balances_and_names_the_original(commit, finance_user):
    before = balances()
    commitment = commit("800.00")
    payout = services.payout_post(by=finance_user, commitment=commitment, amount="800.00", key=new_key())
    reversal = services.posting_reverse(
        by=finance_user, posting=payout, reason="收款账户有误，款项退回", key=new_key()
    )
    assert reversal.reversal_of == payout and payout.reversed_by == reversal
    assert sorted((e.account, -e.amount) for e in reversal.entries.all()) == sorted(
        (e.account, e.amount) for e in payout.entries.all()
    )
    assert commitment_remaining(commitment) == Decimal("800.00")  # the claim can be paid again
    after = balances()
    assert after[Account.CASH] == before[Account.CASH]
    assert fund_figures().payouts == 0
    with pytest.raises(DomainError, match="已于凭证"):
        services.posting_reverse(by=finance_user, posting=payout, reason="再冲", key=new_key())
    with pytest.raises(DomainError, match="冲正凭证不能再冲正"):
        services.posting_reverse(by=finance_user, posting=reversal, reason="再冲", key=new_key())


def test_a_reversal_that_would_break_a_rule_is_refused(commit, finance_user, bureau_approver):
    commitment = commit("800.00")
    services.payout_post(by=finance_user, commitment=commitment, amount="800.00", key=new_key())
    with pytest.raises(DomainError, match="超出承诺金额"):
        services.posting_reverse(
            by=bureau_approver,
            posting=commitment.postings.get(kind=PostingKind.COMMITMENT),
            reason="撤销",
            key=new_key(),
        )
    with pytest.raises(Forbidden):  # finance does not reverse the bureau's commitments
        services.posting_reverse(
            by=finance_user,
            posting=commitment.postings.get(kind=PostingKind.COMMITMENT),
            reason="撤销",
            key=new_key(),
        )


def test_reversing_the_opening_is_refused_once_money_is_committed(commit, finance_user):
    commit("1.00")
    with pytest.raises(DomainError, match="可用余额不足"):
        services.posting_reverse(
            by=finance_user,
            posting=Posting.objects.get(key=services.OPENING_KEY),
            reason="测试",
            key=new_key(),
        )


def test_a_recovery_return_settles_what_the_bank_owed(finance_user, bank_a):
    claim = ("compensation.claim", "77")
    due = services.recovery_return_expect(
        by=None, bank=bank_a, reference=claim, amount="4000.00", due_on=today(), key="claim-77-return-1"
    )
    services.recovery_receive(by=finance_user, amount="1000.00", reference=claim, key=new_key(), bank=bank_a)
    due.refresh_from_db()
    assert due.settled_at is None
    services.recovery_receive(by=finance_user, amount="3000.00", reference=claim, key=new_key(), bank=bank_a)
    due.refresh_from_db()
    assert due.settled_at is not None
    assert fund_figures().recoveries == Decimal("4000.00")
    assert ReturnDue.objects.get(key="claim-77-return-1") == due


def test_clawbacks_come_back_into_cash(finance_user, bank_a):
    services.clawback_receive(
        by=finance_user,
        amount="2500.00",
        reference=("compensation.clawback", "3"),
        key=new_key(),
        bank=bank_a,
    )
    f = fund_figures()
    assert f.clawbacks == Decimal("2500.00") and f.cash == OPENING + Decimal("2500.00")


def test_running_balances_equal_a_recomputation_from_the_entries(commit, finance_user, bank_a):
    c = commit("1000.00")
    services.payout_post(by=finance_user, commitment=c, amount="700.00", key=new_key())
    services.recovery_receive(
        by=finance_user, amount="100.00", reference=("c.c", "1"), key=new_key(), bank=bank_a
    )
    from django.db.models import Sum

    for row in LedgerAccount.objects.all():
        assert row.balance == round_fen(
            Entry.objects.filter(account=row.code).aggregate(s=Sum("amount"))["s"] or 0
        )
        assert row.balance == round_fen(
            DailyMovement.objects.filter(account=row.code, bank__isnull=True).aggregate(s=Sum("amount"))["s"]
            or 0
        )
    for row in BankBalance.objects.all():
        assert (
            row.balance
            == round_fen(
                DailyMovement.objects.filter(account=row.account, bank=row.bank).aggregate(s=Sum("amount"))[
                    "s"
                ]
            )
            == round_fen(
                Entry.objects.filter(account=row.account, posting__bank=row.bank).aggregate(s=Sum("amount"))[
                    "s"
                ]
            )
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE fund_entry SET amount = 0",
        "UPDATE fund_posting SET reason = 'x'",
        pytest.param("DELETE FROM fund_entry", marks=postgres_only),  # SQLite keeps DELETE for the test flush
        pytest.param("DELETE FROM fund_posting", marks=postgres_only),
    ],
)
def test_the_database_refuses_to_change_or_delete_ledger_rows(statement):
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert Entry.objects.filter(amount=0).count() == 0 and Posting.objects.count() == 1


def test_a_payout_and_its_reversal_show_the_money_that_moved_once(finance_user, bureau_approver, bank_a):
    # A payout has four lines (payout, cash, and the release of its commitment): 1,000.00 moved, not 2,000.00.
    commitment = services.commitment_create(
        by=bureau_approver,
        amount="1000.00",
        reference=("compensation.claim", "7"),
        key="amt-c",
        bank=bank_a,
        purpose="claim",
        reason="补偿",
    )
    payout = services.payout_post(by=finance_user, commitment=commitment, amount="1000.00", key="amt-p")
    assert payout.entries.count() == 4
    assert payout.amount == Decimal("1000.00")
    reversal = services.posting_reverse(by=finance_user, posting=payout, reason="凭证录错", key="amt-r")
    assert reversal.amount == Decimal("1000.00")
