"""Claims and what hangs off them until the decision: evidence, supplements, reviews, reductions,
the public notice batch and its objections. The state diagram is in `compensation.models`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from yunfu_ipfund.accounts.roles import (
    PERM_BANK_COUNTERSIGN,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    PERM_FINANCE,
)
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import CONFLICT, Move, Workflow
from yunfu_ipfund.common.fields import MoneyField
from yunfu_ipfund.common.uploads import PrivateUploadTo, get_private_storage

from .. import guards as g
from ..actions import EVIDENCE_DUPLICATE
from ..evidence import EVIDENCE_CHOICES

USER = settings.AUTH_USER_MODEL
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _user(label):
    return models.ForeignKey(
        USER, verbose_name=label, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class Claim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交，待受理"
        SUPPLEMENT_REQUESTED = "supplement_requested", "待补充材料"
        LAPSED = "lapsed", "逾期未补正，终止办理"
        ACCEPTED = "accepted", "已受理，待初审"
        FIRST_REVIEWED = "first_reviewed", "已初审，待复审"
        JOINT_MEETING = "joint_meeting", "联席会议已审议，待复审"
        APPROVED = "approved", "拟补偿，待公示"
        REJECTED = "rejected", "不予补偿"
        PUBLIC_NOTICE = "public_notice", "公示中"
        DECIDED = "decided", "已决定补偿"
        QUEUED = "queued", "排队等待资金"
        PAYMENT_INSTRUCTED = "payment_instructed", "已下达拨付通知"
        PAID = "paid", "已拨付"
        RECOVERY = "recovery", "追偿中"
        CLOSED = "closed", "已结案"
        RESCINDED = "rescinded", "已撤销补偿（追回）"

    S = Status
    _AFTER_DECISION = (S.DECIDED, S.QUEUED, S.PAYMENT_INSTRUCTED, S.PAID, S.RECOVERY, S.CLOSED)
    WORKFLOW = Workflow(
        Move(
            "submit",
            (S.DRAFT,),
            S.SUBMITTED,
            "提交补偿申请",
            PERM_BANK_COUNTERSIGN,
            CONFLICT,
            guards=(g.of_the_bank, g.not_the_preparer, g.not_changed_by_the_submitter),
        ),
        Move(
            "resubmit",
            (S.SUPPLEMENT_REQUESTED,),
            S.SUBMITTED,
            "补正后重新提交",
            PERM_BANK_COUNTERSIGN,
            CONFLICT,
            guards=(g.of_the_bank, g.not_the_preparer, g.not_changed_by_the_submitter),
        ),
        Move("accept", (S.SUBMITTED,), S.ACCEPTED, "受理补偿申请", PERM_BUREAU_REVIEW, CONFLICT),
        Move(
            "request_supplement",
            (S.SUBMITTED,),
            S.SUPPLEMENT_REQUESTED,
            "通知补充材料",
            PERM_BUREAU_REVIEW,
            CONFLICT,
            guards=(g.supplement_rounds_left,),
        ),
        Move("lapse", (S.SUPPLEMENT_REQUESTED,), S.LAPSED, "逾期未补正，终止办理", None, CONFLICT),
        Move("first_review", (S.ACCEPTED,), S.FIRST_REVIEWED, "初审", PERM_BUREAU_REVIEW, CONFLICT),
        # The joint meeting deliberates on the compensation decision, so the approver records it
        # (DOMAIN: the approver decides compensations; the bureau's guide: 初审后由审核登记).
        Move(
            "record_joint_meeting",
            (S.FIRST_REVIEWED,),
            S.JOINT_MEETING,
            "登记联席会议审议",
            PERM_BUREAU_APPROVE,
            CONFLICT,
            guards=(g.joint_meeting_required,),
        ),
        Move(
            "approve",
            (S.FIRST_REVIEWED, S.JOINT_MEETING),
            S.APPROVED,
            "复审：拟予补偿",
            PERM_BUREAU_APPROVE,
            CONFLICT,
            guards=(g.not_the_first_reviewer, g.joint_meeting_held),
        ),
        Move(
            "reject",
            (S.FIRST_REVIEWED, S.JOINT_MEETING),
            S.REJECTED,
            "复审：不予补偿",
            PERM_BUREAU_APPROVE,
            CONFLICT,
            guards=(g.not_the_first_reviewer, g.joint_meeting_held),
        ),
        # The bureau's clerk or approver.
        Move(
            "publish",
            (S.APPROVED,),
            S.PUBLIC_NOTICE,
            "发布公示",
            (PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE),
            CONFLICT,
        ),
        Move(
            "return_on_objection", (S.PUBLIC_NOTICE,), S.FIRST_REVIEWED, "公示异议，退回复审", None, CONFLICT
        ),
        Move("decide", (S.PUBLIC_NOTICE,), S.DECIDED, "作出补偿决定", None, CONFLICT),
        Move("queue", (S.DECIDED,), S.QUEUED, "资金不足，排队等待", None, CONFLICT),
        Move(
            "instruct_payment",
            (S.DECIDED, S.QUEUED),
            S.PAYMENT_INSTRUCTED,
            "下达拨付通知",
            PERM_BUREAU_APPROVE,
            CONFLICT,
            guards=(g.committed,),
        ),
        Move(
            "confirm_payment",
            (S.PAYMENT_INSTRUCTED,),
            S.PAID,
            "确认拨付",
            PERM_FINANCE,
            CONFLICT,
            guards=(g.committed,),
        ),
        Move(
            "enter_recovery",
            (S.PAID,),
            S.RECOVERY,
            "进入追偿阶段",
            PERM_BANK_COUNTERSIGN,
            CONFLICT,
            guards=(g.of_the_bank,),
        ),
        Move(
            "close",
            (S.PAID, S.RECOVERY),
            S.CLOSED,
            "结案",
            PERM_BUREAU_APPROVE,
            CONFLICT,
            guards=(g.nothing_outstanding,),
        ),
        Move("rescind", _AFTER_DECISION, S.RESCINDED, "撤销补偿决定（追回）", PERM_BUREAU_APPROVE, CONFLICT),
    )
    EDITABLE = (S.DRAFT, S.SUPPLEMENT_REQUESTED)
    # Claims that hold their covered loan (one at a time per loan).
    OPEN = (
        S.DRAFT,
        S.SUBMITTED,
        S.SUPPLEMENT_REQUESTED,
        S.ACCEPTED,
        S.FIRST_REVIEWED,
        S.JOINT_MEETING,
        S.APPROVED,
        S.PUBLIC_NOTICE,
        S.DECIDED,
        S.QUEUED,
        S.PAYMENT_INSTRUCTED,
        S.PAID,
        S.RECOVERY,
    )
    # After the decision: the amount is fixed and counts against the bank's cap.
    DECIDED_STATES = _AFTER_DECISION
    RESCINDABLE = DECIDED_STATES

    class Outcome(models.TextChoices):
        FULL = "full", "全额补偿"
        PARTIAL = "partial", "部分补偿"
        REJECT = "reject", "不予补偿"

    class Classification(models.TextChoices):
        SUBSTANDARD = "substandard", "次级"
        DOUBTFUL = "doubtful", "可疑"
        LOSS = "loss", "损失"

    class CloseReason(models.TextChoices):
        WRITE_OFF = "write_off", "核销结案"
        FULL_RECOVERY = "full_recovery", "已全额追回"

    covered_loan = models.ForeignKey(
        "lenders.CoveredLoan", verbose_name="在保贷款", on_delete=models.PROTECT, related_name="claims"
    )
    bank = models.ForeignKey(
        "accounts.Organisation", verbose_name="合作银行", on_delete=models.PROTECT, related_name="+"
    )
    # For the record only: the version in force on the day of first submission. No rule reads it; each
    # step is judged by the version in force on its own day (guards.policy_of, docs/adr/0003).
    policy_version = models.ForeignKey(
        "policy.PolicyVersion",
        verbose_name="适用办法版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="首次提交之日施行的版本。",
    )
    status = models.CharField(
        "状态", max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    classified_on = models.DateField("认定不良日期")
    classification = models.CharField("不良分类", max_length=20, choices=Classification.choices)
    unrecovered_principal = MoneyField("未收回本金（元）")
    enforcement_actions = models.TextField("已采取的催收和追偿措施")

    prepared_by = models.ForeignKey(USER, verbose_name="经办人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = _user("复核提交人")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    first_submitted_on = models.DateField("首次提交日期", null=True, blank=True)
    intake_due_on = models.DateField("受理截止日期", null=True, blank=True, db_index=True)
    accepted_by = _user("受理人")
    accepted_at = models.DateTimeField(null=True, blank=True)
    review_due_on = models.DateField("审查截止日期", null=True, blank=True, db_index=True)
    first_reviewer = _user("初审人")
    first_reviewed_at = models.DateTimeField(null=True, blank=True)
    joint_meeting_on = models.DateField("联席会议日期", null=True, blank=True)
    joint_meeting_minutes = models.CharField("会议纪要文号", max_length=100, blank=True)
    second_reviewer = _user("复审人")
    second_reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField("复审结论", max_length=10, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField("复审意见", blank=True)
    computation = models.JSONField("补偿金额计算", default=dict, blank=True)
    approved_amount = MoneyField("拟补偿/决定补偿金额（元）", null=True, blank=True)
    batch = models.ForeignKey(
        "PublicNoticeBatch",
        verbose_name="公示批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True, db_index=True)
    payment_due_on = models.DateField("拨付截止日期", null=True, blank=True)
    commitment = models.ForeignKey(
        "fund.Commitment",
        verbose_name="资金承诺",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    queued_at = models.DateTimeField("进入排队时间", null=True, blank=True)
    instructed_by = _user("拨付指令人")
    instructed_at = models.DateTimeField(null=True, blank=True)
    paid_by = _user("拨付确认人")
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_amount = MoneyField("已拨付金额（元）", null=True, blank=True)
    payment_voucher = models.CharField("拨付凭证号", max_length=60, blank=True)
    payment_value_date = models.DateField("拨付起息日", null=True, blank=True)
    returned_total = MoneyField("已返还资金合计（元）", default=0)
    closed_by = _user("结案人")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField("结案方式", max_length=20, choices=CloseReason.choices, blank=True)
    rescinded_by = _user("撤销人")
    rescinded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "补偿申请"
        verbose_name_plural = "补偿申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["covered_loan"],
                condition=~Q(status__in=["lapsed", "rejected", "rescinded"]),
                name="one_open_claim_per_loan",
            ),
        ]

    def __str__(self):
        return f"补偿申请 {self.reference}"

    def get_absolute_url(self):
        return reverse("compensation:claim_detail", args=[self.pk])

    def loss_event(self):
        """(day, how) of the loss event the claim window runs from: the covered loan's loss event (the
        earlier of the bank's non-performing classification and the day the loan passed the version's
        overdue days, lenders.services.loans), or the classification day on a claim made before loss
        events were recorded."""
        loan = self.covered_loan
        if loan.loss_event_on:
            return loan.loss_event_on, loan.get_loss_event_source_display() or "认定不良"
        return self.classified_on, "银行认定不良"

    @property
    def reference(self):
        return f"BC{self.created_at:%Y}-{self.pk:05d}" if self.pk and self.created_at else "（新）"

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def outstanding_paid(self):
        """What the fund is out on this claim: paid less what has come back."""
        return (self.paid_amount or 0) - self.returned_total


class ClaimEvidence(models.Model):
    """One item of the checklist: an uploaded file, or (for an optional item) a reasoned not-applicable.

    The latest row of a kind counts; earlier rows stay as history (replaced files are never deleted).

    Duplicate evidence is detected by content (`sha256` of the file's bytes): the same file as two
    materials of one claim, or a file already used in another claim (any bank's). It is a warning,
    never a refusal (Rulings: "detection"): recorded on the row when it is uploaded (`duplicates`,
    and an audit event), and shown on the claim page to the bank's officer and supervisor and to the
    bureau at intake (`duplicate_findings`). A bank is never told which other claim or bank it is.
    """

    MSG_SAME_FILE = "以下材料为同一文件（内容相同）：{labels}，请核对是否误传。"
    MSG_ELSEWHERE = "{labels}：该文件与其他补偿申请中的材料内容相同。"
    MSG_ELSEWHERE_FOR_BUREAU = "{labels}：该文件与其他补偿申请中的材料内容相同（{where}）。"
    SHOWN_CLAIMS = 5  # the bureau's warning names at most this many other claims, then "等 N 项申请"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField("材料类型", max_length=40, choices=EVIDENCE_CHOICES)
    not_applicable = models.BooleanField("不适用", default=False)
    reason = models.TextField("不适用理由", blank=True)
    file = models.FileField(upload_to=PrivateUploadTo("claims"), storage=get_private_storage, blank=True)
    content_type = models.CharField(max_length=50, blank=True)
    sha256 = models.CharField("文件内容 SHA-256", max_length=64, blank=True, db_index=True)
    # At upload: {"kinds": [other materials of this claim with the same file], "claims": [other claims' ids]}
    duplicates = models.JSONField("内容相同的材料（上传时）", default=dict, blank=True)
    size = models.PositiveIntegerField(default=0)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "补偿申请材料"
        verbose_name_plural = "补偿申请材料"
        ordering = ["claim", "kind", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name or '不适用'}"

    def save(self, *args, **kwargs):
        """A new file is compared with the claim's current materials and every other claim's files; what
        matches is kept on the row and audited in the same transaction as the upload."""
        found = self._state.adding and self.sha256 and not self.not_applicable
        if found:
            self.duplicates = self._matches()
        super().save(*args, **kwargs)
        if found and (self.duplicates.get("kinds") or self.duplicates.get("claims")):
            audit_record(
                by=self.uploaded_by,
                action=EVIDENCE_DUPLICATE,
                obj=self.claim,
                reason=self.get_kind_display(),
                data={"kind": self.kind, "sha256": self.sha256, **self.duplicates},
            )

    @property
    def download_name(self):
        return f"{self.claim.reference}-{self.get_kind_display()}{EXTENSIONS.get(self.content_type, '')}"

    def _matches(self):
        current = ClaimEvidence.current(self.claim_id)
        kinds = sorted(k for k, item in current.items() if item.sha256 == self.sha256 and k != self.kind)
        claims = sorted(
            set(
                ClaimEvidence.objects.filter(sha256=self.sha256, not_applicable=False)
                .exclude(claim_id=self.claim_id)
                .values_list("claim_id", flat=True)
            )
        )
        return {"kinds": kinds, "claims": claims}

    @classmethod
    def current(cls, claim_id):
        """The latest row of each kind of a claim, {kind: row}."""
        latest = {}
        for item in cls.objects.filter(claim_id=claim_id).order_by("id"):
            latest[item.kind] = item
        return latest

    @classmethod
    def duplicate_findings(cls, claim, *, reveal=False):
        """The warnings about the claim's current files, in Chinese: files that are two or more of its
        materials, and files also in another claim. `reveal` (the bureau only, who may see every claim)
        adds which claim and material; a bank sees only that there is one."""
        current = cls.current(claim.pk)
        files = {k: item for k, item in current.items() if item.sha256 and not item.not_applicable}
        labels = dict(EVIDENCE_CHOICES)
        order = [code for code, _label in EVIDENCE_CHOICES]
        groups = {}
        for kind in order:
            if kind in files:
                groups.setdefault(files[kind].sha256, []).append(kind)
        findings = [
            cls.MSG_SAME_FILE.format(labels="、".join(f"“{labels[k]}”" for k in kinds))
            for kinds in groups.values()
            if len(kinds) > 1
        ]
        elsewhere = (
            cls.objects.filter(sha256__in=list(groups), not_applicable=False)
            .exclude(claim_id=claim.pk)
            .select_related("claim")
            .order_by("claim_id", "id")
        )
        by_hash = {}
        for other in elsewhere:
            by_hash.setdefault(other.sha256, []).append(other)
        # One line per file (however many materials and other claims share it), so the page stays short.
        for digest, kinds in groups.items():
            if digest not in by_hash:
                continue
            named = "、".join(f"“{labels[k]}”" for k in kinds)
            if not reveal:
                findings.append(cls.MSG_ELSEWHERE.format(labels=named))
                continue
            per_claim = {}
            for other in by_hash[digest]:
                per_claim.setdefault(other.claim.reference, []).append(other.get_kind_display())
            parts = [
                f"补偿申请 {ref} 的“{kinds_there[0]}”"
                if len(kinds_there) == 1
                else f"补偿申请 {ref} 的 {len(kinds_there)} 份材料"
                for ref, kinds_there in list(per_claim.items())[: cls.SHOWN_CLAIMS]
            ]
            if len(per_claim) > cls.SHOWN_CLAIMS:
                parts.append(f"等共 {len(per_claim)} 项申请")
            findings.append(cls.MSG_ELSEWHERE_FOR_BUREAU.format(labels=named, where="；".join(parts)))
        return findings


class SupplementRequest(models.Model):
    """One supplement round (补正): itemised deficiency codes and the deadline."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="supplements")
    round = models.PositiveIntegerField("轮次")
    items = models.JSONField("补正事项", default=list)
    due_on = models.DateField("补正截止日期")
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    resubmitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "补充材料通知"
        verbose_name_plural = "补充材料通知"
        ordering = ["claim", "round"]
        constraints = [models.UniqueConstraint(fields=["claim", "round"], name="supplement_round_once")]

    def __str__(self):
        return f"第 {self.round} 次补正（{self.due_on:%Y-%m-%d} 前）"


class ClaimReview(models.Model):
    """One review opinion: the clerk's first review (per rule), the joint meeting, the approver's second
    review."""

    class Stage(models.TextChoices):
        FIRST = "first", "初审"
        JOINT_MEETING = "joint_meeting", "联席会议审议"
        SECOND = "second", "复审"
        OBJECTION = "objection", "异议处理"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField("环节", max_length=20, choices=Stage.choices)
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("结论", max_length=10, blank=True)
    opinion = models.TextField("意见")
    rule_opinions = models.JSONField("逐项意见", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审查意见"
        verbose_name_plural = "审查意见"
        ordering = ["claim", "id"]

    def __str__(self):
        return f"{self.get_stage_display()}：{self.opinion[:30]}"


class ClaimReduction(models.Model):
    """A deficiency found at second review, with the amount it takes off the base and its article."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reductions")
    review = models.ForeignKey(ClaimReview, on_delete=models.CASCADE, related_name="reductions")
    code = models.CharField("问题代码", max_length=10)
    label = models.CharField("问题", max_length=100)
    article = models.CharField("依据条款", max_length=20)
    amount = MoneyField("核减金额（元）")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "核减事项"
        verbose_name_plural = "核减事项"
        ordering = ["claim", "id"]

    def __str__(self):
        return f"{self.code} {self.label} {self.amount}"
