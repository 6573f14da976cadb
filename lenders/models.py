"""The bank side (Art 3, 9-11, 15-16): cooperating banks, loan filings (备案), covered loans and their
reports, suspension proposals.

Every status change is a move declared once in the model's `WORKFLOW` (who may make it, from where,
what a repeat does, its guards in lenders.guards) and made through `audit.workflow.transition`; the
detail pages offer the moves `available_moves` admits.

Cooperating bank (admitted by the bureau approver under a cooperation agreement; every move the
approver's, a repeat a no-op):

    ACTIVE --suspend--> SUSPENDED --reinstate--> ACTIVE
      \\                    \\
       \\--terminate--------\\--terminate--> TERMINATED

Loan filing (bank officer prepares, supervisor countersigns, bureau decides):

    DRAFT | RETURNED --(supervisor of the bank, not the preparer) submit--> SUBMITTED     repeat: 409
    SUBMITTED --(clerk) first_review 初审通过--> FIRST_REVIEWED                          repeat: 409
    SUBMITTED --(clerk) return_for_correction 退回补正--> RETURNED (review clock paused)  repeat: 409
    FIRST_REVIEWED --(approver, not the clerk) confirm--> CONFIRMED (creates the CoveredLoan)  repeat: no-op
    FIRST_REVIEWED | RETURNED --(approver, not the clerk) refuse--> REFUSED             repeat: no-op

    Two bureau people on every filing (DOMAIN.md Rulings, "Filings have two bureau people"): the clerk's
    first review (初审通过 or 退回补正) comes first, the approver, never the same person, confirms or
    refuses. A return for correction is the clerk's: it is one of the two outcomes of the first review.

Suspension proposal (the daily check proposes, the approver decides; a repeat is a no-op):

    PROPOSED --accept--> ACCEPTED   (the bank is suspended: bank_suspend, with its notice)
    PROPOSED --dismiss--> DISMISSED
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
)
from yunfu_ipfund.audit.workflow import CONFLICT, NOOP, Move, Workflow
from yunfu_ipfund.common.fields import MoneyField

# IdempotencyRecord moved to the platform (the API helper `idempotent` lives there); re-exported
# for the importers that still name it here.
from yunfu_ipfund.common.models import IdempotencyRecord  # noqa: F401
from yunfu_ipfund.common.uploads import PrivateUploadTo, get_private_storage

from . import guards
from .changes import RecordChange


class CooperatingBank(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "合作中"
        SUSPENDED = "suspended", "暂停备案"
        TERMINATED = "terminated", "已终止合作"

    WORKFLOW = Workflow(
        Move("suspend", (Status.ACTIVE,), Status.SUSPENDED, "暂停备案", PERM_BUREAU_APPROVE, NOOP),
        Move("reinstate", (Status.SUSPENDED,), Status.ACTIVE, "恢复备案", PERM_BUREAU_APPROVE, NOOP),
        Move(
            "terminate",
            (Status.ACTIVE, Status.SUSPENDED),
            Status.TERMINATED,
            "终止合作",
            PERM_BUREAU_APPROVE,
            NOOP,
        ),
    )

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="cooperating_bank",
        verbose_name="银行",
    )
    admitted_on = models.DateField("准入日期")
    agreement_number = models.CharField("合作协议编号", max_length=100, unique=True)
    agreement_valid_from = models.DateField("协议生效日期")
    agreement_valid_to = models.DateField("协议到期日期")
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    exposure_limit = MoneyField("在保余额限额（元，空为不设）", null=True, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    contact_email = models.EmailField("联系邮箱", blank=True)
    address = models.CharField("地址", max_length=300, blank=True)
    status_since = models.DateField("状态生效日期", null=True, blank=True)
    status_reason = models.TextField("状态变更理由", blank=True)
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "合作银行"
        verbose_name_plural = "合作银行"
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agreement_valid_to__gte=models.F("agreement_valid_from")),
                name="bank_agreement_order",
            ),
        ]

    def __str__(self):
        return self.organisation.name

    def get_absolute_url(self):
        return reverse("lenders:bank_detail", args=[self.pk])

    def may_file_on(self, day):
        """New filings: only while active and the cooperation agreement is valid on `day`."""
        return (
            self.status == self.Status.ACTIVE and self.agreement_valid_from <= day <= self.agreement_valid_to
        )


class SuspensionProposal(models.Model):
    """The system's proposal to suspend a bank's new filings (Art 15-16): the daily check finds grounds in
    the bank's figures (lenders.risk), the bureau approver decides. The system never suspends by itself.

        PROPOSED --(approver, with a reason) accept--> ACCEPTED   (the bank suspended, with its notice)
        PROPOSED --(approver, with a reason) dismiss--> DISMISSED
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待决定"
        ACCEPTED = "accepted", "已采纳（已暂停）"
        DISMISSED = "dismissed", "不予采纳"

    WORKFLOW = Workflow(
        Move("accept", (Status.PROPOSED,), Status.ACCEPTED, "采纳暂停备案建议", PERM_BUREAU_APPROVE, NOOP),
        Move(
            "dismiss", (Status.PROPOSED,), Status.DISMISSED, "不予采纳暂停备案建议", PERM_BUREAU_APPROVE, NOOP
        ),
    )

    bank = models.ForeignKey(
        "accounts.Organisation", verbose_name="银行", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PROPOSED)
    grounds = models.TextField("理由")
    figures = models.JSONField("数据", default=dict)
    proposed_on = models.DateField("提出日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)

    class Meta:
        verbose_name = "暂停备案建议"
        verbose_name_plural = "暂停备案建议"
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank"],
                condition=models.Q(status="proposed"),
                name="lenders_one_open_proposal_per_bank",
            )
        ]

    def __str__(self):
        return f"暂停{self.bank}备案的建议（{self.proposed_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("fund:proposal_detail", args=[self.pk])


class RepaymentMethod(models.TextChoices):
    BULLET = "bullet", "到期一次还本付息"
    INTEREST_MONTHLY = "interest_monthly", "按月付息、到期还本"
    EQUAL_INSTALMENT = "equal_instalment", "等额本息"
    EQUAL_PRINCIPAL = "equal_principal", "等额本金"
    OTHER = "other", "其他"


class LoanFiling(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送，待市监局审核"
        FIRST_REVIEWED = "first_reviewed", "初审通过，待审核"
        RETURNED = "returned", "退回补正"
        CONFIRMED = "confirmed", "已确认纳入风险补偿"
        REFUSED = "refused", "不予备案"

    WORKFLOW = Workflow(
        Move(
            "submit",
            (Status.DRAFT, Status.RETURNED),
            Status.SUBMITTED,
            "复核报送备案",
            PERM_BANK_COUNTERSIGN,
            CONFLICT,
            guards=(guards.of_the_bank, guards.not_the_preparer, guards.not_changed_by_the_submitter),
        ),
        Move(
            "first_review",
            (Status.SUBMITTED,),
            Status.FIRST_REVIEWED,
            "初审通过",
            PERM_BUREAU_REVIEW,
            CONFLICT,
        ),
        Move(
            "return_for_correction",
            (Status.SUBMITTED,),
            Status.RETURNED,
            "退回补正",
            PERM_BUREAU_REVIEW,
            CONFLICT,
        ),
        Move(
            "confirm",
            (Status.FIRST_REVIEWED,),
            Status.CONFIRMED,
            "确认备案",
            PERM_BUREAU_APPROVE,
            NOOP,
            guards=(guards.not_the_reviewer,),
        ),
        Move(
            "refuse",
            (Status.FIRST_REVIEWED, Status.RETURNED),
            Status.REFUSED,
            "不予备案",
            PERM_BUREAU_APPROVE,
            NOOP,
            guards=(guards.not_the_reviewer,),
        ),
    )
    # With the bureau: waiting for the clerk's first review, for the approver's decision, or returned.
    FILED = (Status.SUBMITTED, Status.FIRST_REVIEWED, Status.RETURNED)
    # Under review (the review clock runs): the clerk's first review, then the approver's decision.
    UNDER_REVIEW = (Status.SUBMITTED, Status.FIRST_REVIEWED)
    OPEN = (Status.DRAFT, *FILED)
    # States that no longer hold the contract number (see the conditional unique constraint below).
    RELEASED = (Status.REFUSED,)
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    registration = models.ForeignKey(
        "applications.LoanRegistration",
        on_delete=models.PROTECT,
        related_name="filings",
        verbose_name="质押融资登记",
    )
    bank = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="合作银行"
    )
    enterprise = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="借款企业"
    )
    contract_number = models.CharField("借款合同编号", max_length=100)
    amount = MoneyField("贷款金额（元）")
    disbursed_on = models.DateField("放款日期")
    maturity_on = models.DateField("到期日期")
    annual_rate = models.DecimalField("年利率（%）", max_digits=6, decimal_places=4)
    repayment_method = models.CharField("还款方式", max_length=20, choices=RepaymentMethod.choices)
    ip_amount = MoneyField("知识产权质押对应金额（元）", help_text="仅此部分纳入风险补偿范围。")
    other_collateral = models.CharField("其他担保方式", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_on = models.DateField("首次报送日期", null=True, blank=True)
    review_due_on = models.DateField("审核截止日期", null=True, blank=True, db_index=True)
    review_days_left = models.PositiveIntegerField("退回时剩余审核工作日", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reasons = models.JSONField("退回补正事项", default=list, blank=True)
    correction_due_on = models.DateField("补正截止日期", null=True, blank=True)
    late_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    late_override_at = models.DateTimeField(null=True, blank=True)
    late_override_reason = models.TextField("逾期备案核准理由", blank=True)
    first_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_reviewed_at = models.DateTimeField(null=True, blank=True)
    first_review_opinion = models.TextField("初审意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("审核意见", blank=True)
    checks_snapshot = models.JSONField("规则核验结果", default=list, blank=True)

    class Meta:
        verbose_name = "贷款备案"
        verbose_name_plural = "贷款备案"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A refused filing frees its contract number for a new filing (Art 10: re-file after refusal).
            models.UniqueConstraint(
                fields=["bank", "contract_number"],
                condition=~models.Q(status="refused"),
                name="filing_contract_unique_per_bank",
            ),
        ]

    def __str__(self):
        return f"备案 {self.contract_number}（{self.enterprise}）"

    def get_absolute_url(self):
        return reverse("lenders:filing_detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE


class FilingAsset(models.Model):
    """One pledged IP asset of a filing, with its CNIPA pledge registration."""

    filing = models.ForeignKey(LoanFiling, on_delete=models.CASCADE, related_name="pledges")
    asset = models.ForeignKey("applications.IPAsset", on_delete=models.PROTECT, related_name="filing_pledges")
    pledge_registration_number = models.CharField("质押登记号", max_length=60)
    pledge_registered_on = models.DateField("质押登记日期")

    class Meta:
        verbose_name = "质押知识产权"
        verbose_name_plural = "质押知识产权"
        constraints = [models.UniqueConstraint(fields=["filing", "asset"], name="filing_asset_once")]

    def __str__(self):
        return f"{self.asset} 质押登记 {self.pledge_registration_number}"


class FilingDocument(models.Model):
    class Kind(models.TextChoices):
        LOAN_CONTRACT = "loan_contract", "借款合同"
        PLEDGE_CONTRACT = "pledge_contract", "质押合同"
        PLEDGE_CERTIFICATE = "pledge_certificate", "质押登记通知书"
        DISBURSEMENT_VOUCHER = "disbursement_voucher", "放款凭证"

    filing = models.ForeignKey(LoanFiling, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("材料类型", max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to=PrivateUploadTo("filings"), storage=get_private_storage)
    content_type = models.CharField(max_length=50)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    original_name = models.CharField("原文件名", max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "备案材料"
        verbose_name_plural = "备案材料"
        ordering = ["kind", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def download_name(self):
        ext = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
            self.content_type, ""
        )
        return f"{self.filing.contract_number}-{self.get_kind_display()}{ext}"


class FilingChange(RecordChange):
    """A change of a filing's terms, pledges or documents, or the officer's re-preparation after one
    (four eyes by last change: lenders.changes)."""

    filing = models.ForeignKey(LoanFiling, on_delete=models.CASCADE, related_name="changes")

    class Meta(RecordChange.Meta):
        verbose_name = "备案修改记录"
        verbose_name_plural = "备案修改记录"
        indexes = [models.Index(fields=["filing", "id"])]


class Classification(models.TextChoices):
    NORMAL = "normal", "正常"
    SPECIAL_MENTION = "special_mention", "关注"
    SUBSTANDARD = "substandard", "次级"
    DOUBTFUL = "doubtful", "可疑"
    LOSS = "loss", "损失"


class LossEventSource(models.TextChoices):
    """How a covered loan's loss event arose."""

    CLASSIFICATION = "classification", "银行认定不良"
    OVERDUE = "overdue", "逾期达到认定不良天数"


class CoveredLoan(models.Model):
    """A filed loan the bureau confirmed as covered (纳入风险补偿范围).

    Only the IP-attributed part is covered: covered_outstanding = outstanding_principal × covered_amount
    ÷ amount (round_fen). Status diagram (the bank's reports drive the upper half, by an officer of the
    loan's bank; the compensation process the lower, as the system following the claim's moves):

        ACTIVE --report_overdue--> OVERDUE --cure_overdue--> ACTIVE
        ACTIVE | OVERDUE --classify_non_performing (次级/可疑/损失)--> NON_PERFORMING
        NON_PERFORMING --reclassify_performing (正常/关注, only before a claim)--> ACTIVE
        ACTIVE | OVERDUE | NON_PERFORMING --repay (in full)--> REPAID
        NON_PERFORMING --claim--> IN_CLAIM --end_claim (rejected/lapsed)--> NON_PERFORMING
        IN_CLAIM --compensate--> COMPENSATED --enter_recovery--> RECOVERY --close--> CLOSED
        COMPENSATED --close--> CLOSED
        any live or compensated state --exclude (fraud/ineligibility)--> EXCLUDED
        ACTIVE | OVERDUE | NON_PERFORMING --(bureau approver, reason + evidence) exclude_for_fraud--> EXCLUDED
            (fraud found before a claim: the cover released, a notice to the bank and the enterprise, the
            enterprise's other covered loans flagged for review, the enterprise blacklisted; a loan already
            in a claim is excluded through the rescission of the compensation instead)

    Every change writes a LoanEvent with the figures after it, so the covered outstanding on any past
    date can be answered (selectors.covered_outstanding(as_of=...)).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "正常在保"
        OVERDUE = "overdue", "逾期"
        NON_PERFORMING = "non_performing", "不良"
        IN_CLAIM = "in_claim", "补偿申请中"
        COMPENSATED = "compensated", "已补偿"
        RECOVERY = "recovery", "追偿中"
        CLOSED = "closed", "已结清"
        REPAID = "repaid", "已还清"
        EXCLUDED = "excluded", "已移出风险补偿范围"

    S = Status
    WORKFLOW = Workflow(
        # The bank's reports (lenders.services.loans), by an officer of the loan's bank; each report is
        # audited under its own code (报告还款, 报告逾期, 报告风险分类), the move under it.
        Move(
            "report_overdue",
            (S.ACTIVE,),
            S.OVERDUE,
            "报告逾期",
            PERM_BANK_PREPARE,
            NOOP,
            guards=(guards.of_the_bank,),
        ),
        Move(
            "cure_overdue",
            (S.OVERDUE,),
            S.ACTIVE,
            "逾期已结清",
            PERM_BANK_PREPARE,
            NOOP,
            guards=(guards.of_the_bank,),
        ),
        Move(
            "classify_non_performing",
            (S.ACTIVE, S.OVERDUE),
            S.NON_PERFORMING,
            "认定为不良",
            PERM_BANK_PREPARE,
            NOOP,
            guards=(guards.of_the_bank,),
        ),
        Move(
            "reclassify_performing",
            (S.NON_PERFORMING,),
            S.ACTIVE,
            "调回正常类或关注类",
            PERM_BANK_PREPARE,
            NOOP,
            guards=(guards.of_the_bank,),
        ),
        Move(
            "repay",
            (S.ACTIVE, S.OVERDUE, S.NON_PERFORMING),
            S.REPAID,
            "还清",
            PERM_BANK_PREPARE,
            NOOP,
            guards=(guards.of_the_bank,),
        ),
        # The compensation process's moves (covered_loan_transition): the system's, following the claim's
        # own moves, which check the person who makes them.
        Move("claim", (S.NON_PERFORMING,), S.IN_CLAIM, "在保贷款：补偿申请中", None, NOOP),
        Move("end_claim", (S.IN_CLAIM,), S.NON_PERFORMING, "在保贷款：不良", None, NOOP),
        Move("compensate", (S.IN_CLAIM,), S.COMPENSATED, "在保贷款：已补偿", None, NOOP),
        Move("enter_recovery", (S.COMPENSATED,), S.RECOVERY, "在保贷款：追偿中", None, NOOP),
        Move("close", (S.COMPENSATED, S.RECOVERY), S.CLOSED, "在保贷款：已结清", None, NOOP),
        Move(
            "exclude",
            (S.ACTIVE, S.OVERDUE, S.NON_PERFORMING, S.IN_CLAIM, S.COMPENSATED, S.RECOVERY),
            S.EXCLUDED,
            "在保贷款：已移出风险补偿范围",
            None,
            NOOP,
        ),
        # Fraud found before a claim (lenders.services.loans.loan_exclude_for_fraud): the approver's own move.
        Move(
            "exclude_for_fraud",
            (S.ACTIVE, S.OVERDUE, S.NON_PERFORMING),
            S.EXCLUDED,
            "认定骗取，移出风险补偿范围",
            PERM_BUREAU_APPROVE,
            NOOP,
        ),
    )
    # States of a loan in the compensation process: excluded only by rescinding the compensation.
    IN_COMPENSATION = (S.IN_CLAIM, S.COMPENSATED, S.RECOVERY, S.CLOSED)
    # States in which the covered part still counts as covered outstanding (leverage, caps).
    LIVE = (S.ACTIVE, S.OVERDUE, S.NON_PERFORMING, S.IN_CLAIM)
    # States the bank's reports (repayment, overdue, classification, extension) apply to.
    REPORTABLE = (S.ACTIVE, S.OVERDUE, S.NON_PERFORMING)

    filing = models.OneToOneField(LoanFiling, on_delete=models.PROTECT, related_name="covered_loan")
    bank = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="合作银行"
    )
    enterprise = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="借款企业"
    )
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", on_delete=models.PROTECT, related_name="+", verbose_name="适用办法版本"
    )
    contract_number = models.CharField("借款合同编号", max_length=100)
    amount = MoneyField("贷款金额（元）")
    covered_amount = MoneyField("纳入补偿范围金额（元）")
    fund_share = models.DecimalField("风险补偿资金分担比例", max_digits=5, decimal_places=4)
    disbursed_on = models.DateField("放款日期")
    maturity_on = models.DateField("到期日期")
    outstanding_principal = MoneyField("贷款余额（元）")
    covered_outstanding = MoneyField("在保余额（元）")
    classification = models.CharField(
        "风险分类", max_length=20, choices=Classification.choices, default=Classification.NORMAL
    )
    non_performing_on = models.DateField("认定不良日期", null=True, blank=True)
    overdue_since = models.DateField("逾期起始日", null=True, blank=True)
    overdue_amount = MoneyField("逾期金额（元）", null=True, blank=True)
    # The loss event (DOMAIN "The loss event"): the earlier of the bank's non-performing classification
    # and the day the loan had been overdue the version's npl_overdue_days; the claim window runs from it
    # (lenders.services.loans.loss_event_update keeps it).
    loss_event_on = models.DateField("损失事件日期", null=True, blank=True, db_index=True)
    loss_event_source = models.CharField(
        "损失事件成因", max_length=20, choices=LossEventSource.choices, blank=True
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    confirmed_at = models.DateTimeField("确认时间")
    updated_at = models.DateTimeField(auto_now=True)
    # Fraud found before a claim (exclude_for_fraud): why, on what evidence, by whom, when.
    exclusion_reason = models.TextField("移出理由", blank=True)
    exclusion_evidence = models.FileField(
        "骗取证据材料", upload_to=PrivateUploadTo("exclusions"), storage=get_private_storage, blank=True
    )
    exclusion_evidence_name = models.CharField("证据原文件名", max_length=200, blank=True)
    exclusion_evidence_type = models.CharField(max_length=50, blank=True)
    exclusion_evidence_sha256 = models.CharField(max_length=64, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    excluded_at = models.DateTimeField("移出时间", null=True, blank=True)
    # Flagged for review: another covered loan of the same enterprise was excluded for fraud. Seen by the
    # bureau and the loan's bank; cleared by the bureau (audited), which empties these three fields.
    review_flag_reason = models.TextField("待复核原因", blank=True)
    review_flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_flagged_at = models.DateTimeField("标记复核时间", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "在保贷款"
        verbose_name_plural = "在保贷款"
        ordering = ["-confirmed_at", "-id"]

    def __str__(self):
        return f"在保贷款 {self.contract_number}"

    def get_absolute_url(self):
        return reverse("lenders:loan_detail", args=[self.pk])

    @property
    def is_live(self):
        return self.status in self.LIVE

    @property
    def is_flagged_for_review(self):
        return self.review_flagged_at is not None


class LoanEvent(models.Model):
    """One report or move of a covered loan, with the figures after it. Append-only (the dated history)."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", "确认纳入"
        REPAYMENT = "repayment", "还款"
        OVERDUE = "overdue", "逾期"
        CURED = "cured", "逾期已结清"
        CLASSIFICATION = "classification", "风险分类调整"
        EXTENSION = "extension", "展期"
        STATUS = "status", "状态变更"

    loan = models.ForeignKey(CoveredLoan, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    occurred_on = models.DateField("发生日期", db_index=True)
    amount = MoneyField("金额（元）", null=True, blank=True)
    classification = models.CharField("风险分类", max_length=20, choices=Classification.choices, blank=True)
    new_maturity_on = models.DateField("展期后到期日", null=True, blank=True)
    outstanding_after = MoneyField("报告后贷款余额")
    covered_outstanding_after = MoneyField("报告后在保余额")
    status_after = models.CharField("报告后状态", max_length=20, choices=CoveredLoan.Status.choices)
    note = models.TextField("说明", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "贷后报告"
        verbose_name_plural = "贷后报告"
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["loan", "occurred_on", "id"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on}"


class ImportJob(models.Model):
    """A bulk import of filings or status reports, run by a task; the request only enqueues it."""

    class Kind(models.TextChoices):
        FILINGS = "filings", "贷款备案"
        REPORTS = "reports", "贷后报告"

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", "全部成功才导入"
        KEEP_GOOD = "keep_good", "导入正确的行，跳过有误的行"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    bank = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("导入内容", max_length=20, choices=Kind.choices)
    mode = models.CharField("处理方式", max_length=20, choices=Mode.choices)
    file = models.FileField(upload_to=PrivateUploadTo("imports"), storage=get_private_storage)
    file_format = models.CharField(max_length=10)
    original_name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    ok_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField("逐行错误", default=list, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The worker running the job holds a lease it renews while it works; a job whose lease ran out
    # (its worker died) is picked up again by the sweep, up to a bounded number of attempts.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "批量导入"
        verbose_name_plural = "批量导入"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}导入 {self.original_name}"

    @property
    def percent(self):
        return (
            int(self.processed_rows * 100 / self.total_rows)
            if self.total_rows
            else (100 if self.status == "done" else 0)
        )
