"""The self-checking ledger (issue 12, item 3): the running balances recomputed from the entries.

`LedgerAccount.balance`, `BankBalance.balance` and `DailyMovement` (amount and number of postings, per
account and value date, fund-wide and per bank) are caches of the entries, written by fund.services.
ledger._post in the entries' transaction. Nothing stops someone with database access from changing a
cache (`UPDATE fund_ledgeraccount SET balance = balance + 1000000`), and the rules would then decide on
a false figure. So:

- `ledger_differences()` recomputes every running balance and daily total from the entries and checks
  that every posting balances (debits = credits); `manage.py verify_ledger` prints the differences and
  exits non-zero; the daily check (`check_ledger`, from fund.checks) alerts finance and the bureau.
- `assert_trusted_balances()` is called under the fund's lock by the services that decide on the
  available balance (commitments, payments, reversals): it recomputes cash and committed from the
  entries (the index on (account, posting)) and refuses, naming the figures, when the stored balance
  disagrees, so a decision is never taken on an edited figure.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Sum

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.articles import ARTICLE_4, implements
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.money import ZERO, format_money
from yunfu_ipfund.notices.reminders import alert_administrators
from yunfu_ipfund.notices.services import reminder_schedule

from . import reminders
from .models import Account, BankBalance, DailyMovement, Entry, LedgerAccount

MSG_UNTRUSTED = (
    "资金余额校验未通过，本项操作暂停（《管理办法》第四条：专户资金专款专用、账实相符）：{details}。"
    "为防止依据被改动的余额作出决定，请财务人员核查（manage.py verify_ledger）并恢复正确余额后再办理。"
)


@dataclass(frozen=True)
class Difference:
    what: str  # 科目余额 / 银行科目余额 / 日发生额 / 凭证借贷
    where: str
    stored: object
    expected: object

    def __str__(self):
        if self.what == "凭证借贷":
            return f"{self.where}借贷不平衡：分录合计 {format_money(self.expected)} 元（应为 0.00 元）"
        if isinstance(self.stored, tuple):
            (s_amount, s_n), (e_amount, e_n) = self.stored, self.expected
            return (
                f"{self.what}不符：{self.where} 记录 {format_money(s_amount)} 元（{s_n} 笔），"
                f"按分录应为 {format_money(e_amount)} 元（{e_n} 笔），"
                f"差额 {format_money(s_amount - e_amount)} 元"
            )
        return (
            f"{self.what}不符：{self.where} 记录 {format_money(self.stored)} 元，"
            f"按分录应为 {format_money(self.expected)} 元，"
            f"差额 {format_money(self.stored - self.expected)} 元"
        )


def _label(code):
    try:
        return Account(code).label
    except ValueError:
        return code


def _bank_name(bank_id, names={}):  # noqa: B006 (a cache for one run of the check)
    if bank_id not in names:
        from yunfu_ipfund.accounts.models import Organisation

        names.update(dict(Organisation.objects.filter(pk=bank_id).values_list("pk", "name")))
    return names.get(bank_id, f"机构 #{bank_id}")


def _entry_sums(accounts=None):
    qs = Entry.objects.all()
    if accounts is not None:
        qs = qs.filter(account__in=accounts)
    return {a: total for a, total in qs.values_list("account").annotate(total=Sum("amount")).order_by()}


def ledger_differences():
    """Every running balance and daily total that disagrees with the entries, and every posting whose
    entries do not sum to zero (a list of Difference, empty when the ledger is consistent)."""
    found = []
    for posting_id, total in (
        Entry.objects.values_list("posting")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("posting")
    ):
        found.append(Difference("凭证借贷", f"凭证 #{posting_id} ", total, total))

    sums = _entry_sums()
    stored = dict(LedgerAccount.objects.values_list("code", "balance"))
    for code in sorted(set(sums) | set(stored)):
        s, e = stored.get(code, ZERO), sums.get(code) or ZERO
        if s != e:
            found.append(Difference("科目余额", _label(code), s, e))

    bank_sums = {
        (bank, account): total
        for bank, account, total in Entry.objects.filter(posting__bank__isnull=False)
        .values_list("posting__bank", "account")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    bank_stored = {(b, a): v for b, a, v in BankBalance.objects.values_list("bank", "account", "balance")}
    for bank, account in sorted(set(bank_sums) | set(bank_stored)):
        s, e = bank_stored.get((bank, account), ZERO), bank_sums.get((bank, account)) or ZERO
        if s != e:
            found.append(Difference("银行科目余额", f"{_bank_name(bank)} {_label(account)}", s, e))

    found += _daily_differences()
    return found


def _daily_differences():
    expected = defaultdict(lambda: (ZERO, 0))
    fund_rows = (
        Entry.objects.values_list("account", "posting__value_date")
        .annotate(total=Sum("amount"), n=Count("posting", distinct=True))
        .order_by()
    )
    for account, day, total, n in fund_rows:
        expected[(account, None, day)] = (total, n)
    bank_rows = (
        Entry.objects.filter(posting__bank__isnull=False)
        .values_list("account", "posting__bank", "posting__value_date")
        .annotate(total=Sum("amount"), n=Count("posting", distinct=True))
        .order_by()
    )
    for account, bank, day, total, n in bank_rows:
        expected[(account, bank, day)] = (total, n)
    stored = defaultdict(lambda: (ZERO, 0))
    for account, bank, day, amount, n in DailyMovement.objects.values_list(
        "account", "bank", "value_date", "amount", "entries"
    ):
        s_amount, s_n = stored[(account, bank, day)]
        stored[(account, bank, day)] = (s_amount + amount, s_n + n)
    found = []
    for key in sorted(set(expected) | set(stored), key=lambda k: (k[2], k[0], k[1] or 0)):
        s, e = stored[key], expected[key]
        if s[0] != e[0] or s[1] != e[1]:
            account, bank, day = key
            where = f"{day:%Y-%m-%d} {_label(account)}" + (
                f"（{_bank_name(bank)}）" if bank else "（全专户）"
            )
            found.append(Difference("日发生额", where, s, e))
    return found


@implements(ARTICLE_4)
def assert_trusted_balances():
    """Under the fund's lock: refuse (DomainError with the figures) when the stored cash or committed
    balance, which the balance rules read, disagrees with the sum of its entries."""
    accounts = (Account.CASH, Account.COMMITTED)
    sums = _entry_sums(accounts)
    stored = dict(LedgerAccount.objects.filter(code__in=accounts).values_list("code", "balance"))
    wrong = [
        Difference("科目余额", _label(code), stored.get(code, ZERO), sums.get(code) or ZERO)
        for code in accounts
        if stored.get(code, ZERO) != (sums.get(code) or ZERO)
    ]
    if wrong:
        raise DomainError(
            MSG_UNTRUSTED.format(details="；".join(str(d) for d in wrong)),
            code="ledger_untrusted",
            details=[{"rule": "ledger_integrity", "message": str(d)} for d in wrong],
        )


@implements(ARTICLE_4)
def check_ledger(today):
    """The daily check: verify the ledger; on a difference, alert the administrators, finance and the
    bureau (once per day), naming the differences."""
    differences = ledger_differences()
    if not differences:
        return []
    body = "；".join(str(d) for d in differences[:20])
    if len(differences) > 20:
        body += f"；另有 {len(differences) - 20} 处（manage.py verify_ledger 列出全部）"
    title = f"资金台账自检发现 {len(differences)} 处不符，请立即核查"
    discriminator = f"ledger-check-{today:%Y%m%d}"
    alert_administrators(kind=reminders.LEDGER_MISMATCH, title=title, body=body, discriminator=discriminator)
    for role in (Role.FINANCE, Role.BUREAU_APPROVER):
        reminder_schedule(
            kind=reminders.LEDGER_MISMATCH,
            about=None,
            discriminator=f"{discriminator}-{role}",
            once=True,
            due_date=today,
            recipient_role=role,
            notify_workdays_before=(),
            escalate_role="",
            title=title,
            body=body,
        )
    return differences
