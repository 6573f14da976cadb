"""The fund account (Art 3-4, 15-16): a double-entry, append-only ledger and what hangs off it.

Ledger
------
A `Posting` is one business event (a contribution, a payout, ...). Its `Entry` rows sum to zero:
the amount is signed, debit positive, credit negative. Neither table is ever updated or deleted
(the database refuses it, migration 0002); a mistake is corrected by a reversal posting that names
the original (`reversal_of`). Every posting carries a unique idempotency `key`.

Accounts (`Account`) and their natural sides::

    cash          专户资金             debit   the special account (专户)
    contributions 出资拨入             credit  provincial allocation and other contributions
    interest      利息收入             credit
    recoveries    追偿返还             credit  the fund's share of net recoveries, returned by banks
    clawbacks     追回资金             credit
    compensation  代偿支出             debit   compensation paid to banks
    fees          费用支出             debit   only when the policy allows fees
    treasury      上缴国库             debit   money returned to the treasury
    committed     已承诺待拨付         credit  money promised to approved claims / instructed outflows
    reserved      承诺占用             debit   the other side of `committed` (a memorandum pair)

Figures: cash = balance(cash); committed = -balance(committed); available = cash - committed.

Running balances: `LedgerAccount.balance` (now) and `DailyMovement` (per account, bank and value
date) are updated in the same transaction as the entries, under the lock of the cash account row,
which is the single serialisation point of every posting. Figures "as of" a past date add up the
daily rows (a few thousand at province scale), never the entries.

Commitments
-----------
A `Commitment` is the bureau's instruction that money will leave the fund: for an approved claim
(paid out by finance in one or more payouts), a fee, or a return to the treasury. Its remaining
amount is read from the ledger (the committed entries of its postings).

    commitment_create (bureau approver) -> payout/fee/treasury (finance) ... -> fully used
                                        -> commitment_release (bureau approver)

Reconciliation: `StatementPeriod` with its `StatementLine`s; a signed-off period is closed to
postings whose value date falls inside it (only reversals dated later). Its one move, declared in
`StatementPeriod.WORKFLOW` and made through `audit.workflow.transition`::

    OPEN --(finance, once every line and posting is matched) sign_off--> SIGNED_OFF    repeat: refused

Risk: `ReturnDue` (a recovery return a bank owes, with its due date; the lenders app proposes a
bank's suspension when one is overdue too long) and `FundCoverPause` (the bureau approver's stop of
new cover, judged with the leverage ceiling in fund.risk).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from yunfu_ipfund.accounts.roles import PERM_FINANCE
from yunfu_ipfund.audit.workflow import CONFLICT, Move, Workflow
from yunfu_ipfund.common.fields import MoneyField
from yunfu_ipfund.common.money import format_money


class Account(models.TextChoices):
    CASH = "cash", "专户资金"
    CONTRIBUTIONS = "contributions", "出资拨入"
    INTEREST = "interest", "利息收入"
    RECOVERIES = "recoveries", "追偿返还"
    CLAWBACKS = "clawbacks", "追回资金"
    COMPENSATION = "compensation", "代偿支出"
    FEES = "fees", "费用支出"
    TREASURY = "treasury", "上缴国库"
    COMMITTED = "committed", "已承诺待拨付"
    RESERVED = "reserved", "承诺占用"


class PostingKind(models.TextChoices):
    CONTRIBUTION = "contribution", "出资拨入"
    INTEREST = "interest", "利息入账"
    COMMITMENT = "commitment", "承诺（指令）"
    RELEASE = "release", "释放承诺"
    PAYOUT = "payout", "代偿拨付"
    RECOVERY = "recovery", "追偿款返还"
    CLAWBACK = "clawback", "追回资金"
    FEE = "fee", "费用支出"
    TREASURY_RETURN = "treasury_return", "上缴国库"
    REVERSAL = "reversal", "冲正"


class LedgerAccount(models.Model):
    """The running balance of one ledger account. The cash row is the lock every posting takes first."""

    code = models.CharField("科目", max_length=20, primary_key=True, choices=Account.choices)
    balance = MoneyField("余额（借正贷负）", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "资金科目余额"
        verbose_name_plural = "资金科目余额"

    def __str__(self):
        return f"{self.get_code_display()} {self.balance}"


class DailyMovement(models.Model):
    """Net movement of one account on one value date: one fund-level row (bank NULL) per account and
    day for every posting, plus one row per bank for postings that name a bank."""

    account = models.CharField(max_length=20, choices=Account.choices)
    bank = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value_date = models.DateField()
    amount = MoneyField(default=0)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "日发生额"
        verbose_name_plural = "日发生额"
        indexes = [
            models.Index(fields=["account", "value_date"], name="fund_daily_account_day"),
            models.Index(fields=["bank", "account"], name="fund_daily_bank_account"),
            models.Index(fields=["bank", "account", "value_date"], name="fund_daily_bank_acct_day"),
        ]

    def __str__(self):
        return f"{self.value_date:%Y-%m-%d} {self.get_account_display()} {format_money(self.amount)}"


class BankBalance(models.Model):
    """Running balance of one account for one bank (compensation received, recoveries returned, ...)."""

    bank = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    account = models.CharField(max_length=20, choices=Account.choices)
    balance = MoneyField(default=0)

    class Meta:
        verbose_name = "银行科目余额"
        verbose_name_plural = "银行科目余额"
        constraints = [models.UniqueConstraint(fields=["bank", "account"], name="fund_bank_balance_unique")]

    def __str__(self):
        return f"{self.bank_id} {self.get_account_display()} {self.balance}"


class Commitment(models.Model):
    class Purpose(models.TextChoices):
        CLAIM = "claim", "代偿拨付"
        FEE = "fee", "费用支出"
        TREASURY = "treasury", "上缴国库"

    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices, default=Purpose.CLAIM)
    amount = MoneyField("承诺金额")
    reference_type = models.CharField("业务对象类型", max_length=100)
    reference_id = models.CharField("业务对象ID", max_length=64)
    bank = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="银行",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    key = models.CharField("幂等键", max_length=200, unique=True)
    reason = models.TextField("事由", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指令人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "资金承诺（拨付指令）"
        verbose_name_plural = "资金承诺（拨付指令）"
        ordering = ["id"]
        indexes = [models.Index(fields=["reference_type", "reference_id"], name="fund_commit_ref")]

    def __str__(self):
        return f"{self.get_purpose_display()}承诺 #{self.pk} {format_money(self.amount)} 元"


class Posting(models.Model):
    kind = models.CharField("类型", max_length=20, choices=PostingKind.choices)
    value_date = models.DateField("起息日（记账日期）")
    booked_at = models.DateTimeField("登记时间")
    reference_type = models.CharField("业务对象类型", max_length=100, blank=True)
    reference_id = models.CharField("业务对象ID", max_length=64, blank=True)
    bank = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="银行",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name="承诺",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="postings",
    )
    reversal_of = models.OneToOneField(
        "self",
        verbose_name="冲正原分录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("登记人姓名", max_length=150, blank=True)
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指令人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField("摘要", blank=True)
    key = models.CharField("幂等键", max_length=200, unique=True)
    fingerprint = models.CharField(max_length=64)
    amount = MoneyField("金额", help_text="The posting's size: the sum of its debits.")

    class Meta:
        verbose_name = "记账凭证"
        verbose_name_plural = "记账凭证"
        ordering = ["-value_date", "-id"]
        indexes = [
            models.Index(fields=["value_date", "id"], name="fund_posting_day"),
            models.Index(fields=["kind", "value_date"], name="fund_posting_kind_day"),
            models.Index(fields=["bank", "kind"], name="fund_posting_bank_kind"),
            models.Index(fields=["reference_type", "reference_id"], name="fund_posting_ref"),
        ]

    def __str__(self):
        return f"凭证 #{self.pk} {self.get_kind_display()} {format_money(self.amount)} 元"

    def get_absolute_url(self):
        return reverse("fund:posting_detail", args=[self.pk])


class Entry(models.Model):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField("科目", max_length=20, choices=Account.choices)
    amount = MoneyField("金额（借正贷负）")

    class Meta:
        verbose_name = "分录"
        verbose_name_plural = "分录"
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "posting"], name="fund_entry_account")]

    def __str__(self):
        return f"{self.get_account_display()} {self.amount}"

    @property
    def debit(self):
        return self.amount if self.amount > 0 else None

    @property
    def credit(self):
        return -self.amount if self.amount < 0 else None


class ReturnDue(models.Model):
    """A recovery return a bank owes the fund, with its deadline; settled when the money is received."""

    bank = models.ForeignKey(
        "accounts.Organisation", verbose_name="银行", on_delete=models.PROTECT, related_name="+"
    )
    reference_type = models.CharField("业务对象类型", max_length=100)
    reference_id = models.CharField("业务对象ID", max_length=64)
    amount = MoneyField("应返还金额")
    due_on = models.DateField("返还期限")
    key = models.CharField("幂等键", max_length=200, unique=True)
    settled_at = models.DateTimeField("已返还时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "应返还追偿款"
        verbose_name_plural = "应返还追偿款"
        indexes = [models.Index(fields=["bank", "settled_at", "due_on"], name="fund_returndue_open")]

    def __str__(self):
        return f"应返还追偿款 {self.amount}（{self.due_on:%Y-%m-%d} 前）"


class StatementPeriod(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "对账中"
        SIGNED_OFF = "signed_off", "已签核"

    WORKFLOW = Workflow(
        Move("sign_off", (Status.OPEN,), Status.SIGNED_OFF, "对账签核", PERM_FINANCE, CONFLICT),
    )

    start = models.DateField("起始日")
    end = models.DateField("截止日")
    opening_balance = MoneyField("对账单期初余额")
    closing_balance = MoneyField("对账单期末余额")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "对账期间"
        verbose_name_plural = "对账期间"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="fund_period_order")
        ]

    def __str__(self):
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d} 对账"

    def get_absolute_url(self):
        return reverse("fund:period_detail", args=[self.pk])


class StatementLine(models.Model):
    period = models.ForeignKey(StatementPeriod, on_delete=models.CASCADE, related_name="lines")
    line_date = models.DateField("交易日期")
    amount = MoneyField("金额（收正付负）")
    reference = models.CharField("摘要/凭证号", max_length=200, blank=True)
    counterparty = models.CharField("对方户名", max_length=200, blank=True)
    matched_posting = models.OneToOneField(
        Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_line"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "对账单明细"
        verbose_name_plural = "对账单明细"
        ordering = ["line_date", "id"]

    def __str__(self):
        return f"{self.line_date:%Y-%m-%d} {self.amount} {self.reference}"


class FundCoverPause(models.Model):
    """The bureau approver's optional stop of new cover (DOMAIN: fund pause, Art 15-16): while a pause is
    open (ended_at empty), no filing is confirmed as covered. At most one is open (services hold the fund's
    lock); the history stays."""

    started_at = models.DateTimeField("暂停时间")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="暂停人"
    )
    reason = models.TextField("暂停理由")
    ended_at = models.DateTimeField("恢复时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="恢复人",
    )
    end_reason = models.TextField("恢复理由", blank=True)

    class Meta:
        verbose_name = "暂停新增纳入风险补偿"
        verbose_name_plural = "暂停新增纳入风险补偿"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(ended_at__isnull=True, ended_by__isnull=True)
                    | models.Q(
                        ended_at__isnull=False, ended_by__isnull=False, ended_at__gte=models.F("started_at")
                    )
                ),
                name="fund_cover_pause_end_complete",
            ),
        ]

    def __str__(self):
        return f"暂停新增纳入风险补偿（{self.started_at:%Y-%m-%d}）"

    @property
    def is_open(self):
        return self.ended_at is None
