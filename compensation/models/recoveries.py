"""Recoveries reported by the bank after payment, and clawbacks of a rescinded compensation."""

from django.db import models

from lenders.changes import RecordChange
from yunfu_ipfund.accounts.roles import PERM_BANK_COUNTERSIGN, PERM_BANK_PREPARE, PERM_FINANCE
from yunfu_ipfund.audit.workflow import CONFLICT, Move, Workflow
from yunfu_ipfund.common.fields import MoneyField
from yunfu_ipfund.common.uploads import PrivateUploadTo, get_private_storage

from .. import guards as g
from .claims import EXTENSIONS, USER, Claim, _user


class Recovery(models.Model):
    """A recovery the bank collected after compensation, and the fund's share it must return.

        DRAFT --(bank officer prepares; may edit)--> (bank supervisor, not the preparer, countersigns):
            REPORTED (a share to return: computed, notice issued, owed to the fund)
            SETTLED (nothing to return: costs ate it, or the payout has come back already)
        DRAFT --(officer withdraws)--> WITHDRAWN
        REPORTED --(finance confirms receipt)--> RECEIVED

    Nothing reaches the bureau or the fund while the report is a DRAFT: the computation, the notice,
    the amount owed and the reminders all happen at the countersign, which is also when the report
    deadline is judged.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "待复核"
        WITHDRAWN = "withdrawn", "已撤回"
        REPORTED = "reported", "已报告，待返还"
        RECEIVED = "received", "已返还"
        SETTLED = "settled", "无需返还"

    WORKFLOW = Workflow(
        # The countersign reports the recovery: to REPORTED when a share is owed, SETTLED when not.
        Move(
            "countersign",
            (Status.DRAFT,),
            Status.REPORTED,
            "复核并报告追偿",
            PERM_BANK_COUNTERSIGN,
            CONFLICT,
            guards=(
                g.of_the_bank,
                g.not_the_recovery_preparer,
                g.recovery_not_changed_by_the_countersigner,
                g.claim_in_recovery,
            ),
        ),
        Move(
            "countersign_nothing_due",
            (Status.DRAFT,),
            Status.SETTLED,
            "复核并报告追偿",
            PERM_BANK_COUNTERSIGN,
            CONFLICT,
            guards=(
                g.of_the_bank,
                g.not_the_recovery_preparer,
                g.recovery_not_changed_by_the_countersigner,
                g.claim_in_recovery,
            ),
        ),
        Move(
            "withdraw",
            (Status.DRAFT,),
            Status.WITHDRAWN,
            "撤回追偿报告",
            PERM_BANK_PREPARE,
            CONFLICT,
            guards=(g.of_the_bank,),
        ),
        Move(
            "confirm_receipt", (Status.REPORTED,), Status.RECEIVED, "确认追偿款到账", PERM_FINANCE, CONFLICT
        ),
    )
    # Countersigned: reported to the bureau.
    COUNTERSIGNED = (Status.REPORTED, Status.RECEIVED, Status.SETTLED)

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recoveries")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    received_on = models.DateField("银行收到追偿款日期")
    amount = MoneyField("追偿金额（元）")
    costs = MoneyField("有据可查的追偿费用（元）", default=0)
    net_amount = MoneyField("追偿净额（元）")
    return_amount = MoneyField(
        "应返还风险补偿资金（元）", null=True, blank=True, help_text="复核报告时计算。"
    )
    computation = models.JSONField("计算过程", default=dict)
    description = models.TextField("追偿情况说明", blank=True)
    # Unusual figures (costs above the recovery, recoveries above principal and interest): the
    # warnings at drafting ({code, message}) and the officer's reason for confirming them, which the
    # supervisor sees before countersigning. Shown to the bank and the bureau, never on a notice.
    warnings = models.JSONField("金额异常提示", default=list, blank=True)
    confirm_reason = models.TextField("经办人确认金额无误的理由", blank=True)
    evidence = models.FileField(
        upload_to=PrivateUploadTo("recoveries"), storage=get_private_storage, blank=True
    )
    content_type = models.CharField(max_length=50, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    report_due_on = models.DateField("报告期限")
    reported_late = models.BooleanField("逾期报告", default=False)
    return_due_on = models.DateField("返还期限", null=True, blank=True)
    reported_by = models.ForeignKey(USER, verbose_name="经办人", on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("起草时间", auto_now_add=True)
    countersigned_by = _user("复核人")
    countersigned_at = models.DateTimeField("复核报告时间", null=True, blank=True)
    received_by = _user("确认收款人")
    received_at = models.DateTimeField(null=True, blank=True)
    receipt_voucher = models.CharField("收款凭证号", max_length=60, blank=True)
    receipt_value_date = models.DateField("收款起息日", null=True, blank=True)

    class Meta:
        verbose_name = "追偿报告"
        verbose_name_plural = "追偿报告"
        ordering = ["claim", "received_on", "id"]

    def __str__(self):
        return f"追偿 {self.amount}（{self.received_on:%Y-%m-%d}）"

    @property
    def download_name(self):
        return f"{self.claim.reference}-追偿证明材料-{self.pk}{EXTENSIONS.get(self.content_type, '')}"


class Clawback(models.Model):
    """The bureau's rescission of a compensation for false information (Articles 16, 21) and the money
    owed back.

        DEMANDED --(finance confirms receipt)--> RECEIVED
        NOTHING_DUE when the claim was rescinded before any payment (the commitment is released).
    """

    class Status(models.TextChoices):
        DEMANDED = "demanded", "待追回"
        RECEIVED = "received", "已追回"
        NOTHING_DUE = "nothing_due", "未拨付，无需追回"

    WORKFLOW = Workflow(
        Move(
            "confirm_receipt", (Status.DEMANDED,), Status.RECEIVED, "确认追回资金到账", PERM_FINANCE, CONFLICT
        ),
    )

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="clawback")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DEMANDED)
    reason = models.TextField("撤销理由")
    evidence = models.FileField(
        upload_to=PrivateUploadTo("clawbacks"), storage=get_private_storage, blank=True
    )
    content_type = models.CharField(max_length=50, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    amount = MoneyField("应追回金额（元）")
    due_on = models.DateField("追回期限", null=True, blank=True)
    blacklisted_until = models.DateField("黑名单截止日", null=True, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    received_by = _user("确认收款人")
    received_at = models.DateTimeField(null=True, blank=True)
    receipt_voucher = models.CharField("收款凭证号", max_length=60, blank=True)
    receipt_value_date = models.DateField("收款起息日", null=True, blank=True)

    class Meta:
        verbose_name = "追回"
        verbose_name_plural = "追回"

    def __str__(self):
        return f"追回 {self.amount}"


class ClaimChange(RecordChange):
    """A change of a claim's content or evidence, or of one of its recovery reports (`recovery` set),
    and the officer's re-preparation after a change (four eyes by last change: lenders.changes)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="changes")
    recovery = models.ForeignKey(
        Recovery, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )

    class Meta(RecordChange.Meta):
        verbose_name = "补偿申请修改记录"
        verbose_name_plural = "补偿申请修改记录"
        indexes = [models.Index(fields=["claim", "recovery", "id"])]
