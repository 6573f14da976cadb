"""What a claim must carry, and the codes the bureau uses when something is wrong with it.

- `EVIDENCE`: the typed checklist of a compensation claim (Article 12 and the banks' duties of
  Article 19). A required item must be uploaded before the supervisor can submit; an item that is
  not required may instead be marked not applicable with a reason (a loan settled without a lawsuit
  has no court papers). `completeness(...)` scores a claim's checklist.
- `DEFICIENCIES`: one table of deficiency codes, each with its label, its article and where it may be
  used: in a supplement request (材料补正) and/or as the ground of a reduction in a partial approval
  (部分补偿的核减事由). Notices print the code, label and article.

The articles name the Measures' structure (Art 12-13 compensation, 14 recovery, 19 the cooperating
banks' duties, 21 false information); the bureau may re-label them without touching the workflow.
"""

from dataclasses import dataclass

from yunfu_ipfund.common.errors import ValidationFailed


@dataclass(frozen=True)
class EvidenceSpec:
    code: str
    label: str
    required: bool
    article: str
    hint: str = ""


EVIDENCE = (
    EvidenceSpec("loan_contract", "借款合同", True, "第十二条", "与备案一致的借款合同（含全部补充协议）"),
    EvidenceSpec("pledge_contract", "知识产权质押合同", True, "第十二条"),
    EvidenceSpec(
        "pledge_registration",
        "质押登记证明",
        True,
        "第十二条",
        "国家知识产权局出具的专利权/商标专用权质押登记通知书",
    ),
    EvidenceSpec("disbursement_voucher", "放款凭证", True, "第十二条", "借款借据或放款回单"),
    EvidenceSpec("repayment_record", "还款记录", True, "第十二条", "自放款至申请日的还款流水"),
    EvidenceSpec(
        "classification_approval",
        "不良贷款认定审批材料",
        True,
        "第十二条",
        "五级分类下调为次级/可疑/损失的审批件",
    ),
    EvidenceSpec("collection_notices", "催收通知及送达证明", True, "第十九条"),
    EvidenceSpec(
        "litigation_papers",
        "诉讼或仲裁材料",
        False,
        "第十四条",
        "起诉状、受理通知、判决书或裁决书；未起诉的说明理由",
    ),
    EvidenceSpec(
        "disposal_evidence",
        "质押物处置或评估材料",
        False,
        "第十四条",
        "处置公告、评估报告、拍卖成交确认；尚未处置的说明理由",
    ),
    EvidenceSpec(
        "bank_internal_approval", "银行内部审批意见", True, "第十九条", "分行对本次补偿申请的审批意见"
    ),
    EvidenceSpec(
        "truthfulness_undertaking",
        "材料真实性承诺书",
        True,
        "第二十一条",
        "加盖公章的承诺书，虚假申报将被追回补偿并列入黑名单",
    ),
)
EVIDENCE_BY_CODE = {spec.code: spec for spec in EVIDENCE}
EVIDENCE_CHOICES = [(spec.code, spec.label) for spec in EVIDENCE]
REQUIRED_EVIDENCE = tuple(spec.code for spec in EVIDENCE if spec.required)

UPLOADED = "uploaded"
NOT_APPLICABLE = "not_applicable"

MSG_UNKNOWN_EVIDENCE = "未知的材料类型：{code}。"
MSG_REQUIRED_NOT_APPLICABLE = "“{label}”为必备材料，不能标记为不适用，请上传。"
MSG_REASON_REQUIRED = "标记“{label}”不适用时须说明理由。"


def evidence_spec(code):
    try:
        return EVIDENCE_BY_CODE[code]
    except KeyError:
        raise ValidationFailed(MSG_UNKNOWN_EVIDENCE.format(code=code), code="unknown_evidence") from None


def check_not_applicable(code, reason):
    """An item may be marked not applicable only when it is not required, and only with a reason."""
    spec = evidence_spec(code)
    if spec.required:
        raise ValidationFailed(MSG_REQUIRED_NOT_APPLICABLE.format(label=spec.label), code="evidence_required")
    if not (reason or "").strip():
        raise ValidationFailed(MSG_REASON_REQUIRED.format(label=spec.label), code="reason_required")
    return spec


@dataclass(frozen=True)
class ChecklistRow:
    spec: EvidenceSpec
    state: str  # UPLOADED, NOT_APPLICABLE or "" (missing)

    @property
    def resolved(self):
        return self.state == UPLOADED or (self.state == NOT_APPLICABLE and not self.spec.required)


@dataclass(frozen=True)
class Completeness:
    rows: tuple
    score: int  # percent of checklist items resolved (uploaded, or reasonably not applicable)
    missing_required: tuple  # EvidenceSpec of required items not uploaded

    @property
    def complete(self):
        return not self.missing_required and all(r.resolved for r in self.rows)


def completeness(states):
    """`states`: {evidence code: UPLOADED | NOT_APPLICABLE}. Returns the scored checklist in order.

    Every item counts the same. A required item counts only when uploaded; an optional one when
    uploaded or marked not applicable. The claim can be submitted when `complete`.
    """
    rows = tuple(ChecklistRow(spec, states.get(spec.code, "")) for spec in EVIDENCE)
    resolved = sum(1 for r in rows if r.resolved)
    missing = tuple(r.spec for r in rows if r.spec.required and r.state != UPLOADED)
    return Completeness(rows=rows, score=resolved * 100 // len(rows), missing_required=missing)


# --- deficiency codes -------------------------------------------------------------------------------

SUPPLEMENT = "supplement"
REDUCTION = "reduction"


@dataclass(frozen=True)
class Deficiency:
    code: str
    label: str
    article: str
    uses: frozenset  # SUPPLEMENT and/or REDUCTION


def _d(code, label, article, *uses):
    return Deficiency(code, label, article, frozenset(uses))


DEFICIENCIES = (
    _d("D01", "必备材料缺失", "第十二条", SUPPLEMENT),
    _d("D02", "材料不清晰或不完整", "第十二条", SUPPLEMENT),
    _d("D03", "材料与备案信息不一致", "第十二条", SUPPLEMENT, REDUCTION),
    _d("D04", "缺少银行内部审批或签章", "第十九条", SUPPLEMENT),
    _d("D05", "未履行催收义务或催收证据不足", "第十九条", SUPPLEMENT, REDUCTION),
    _d("D06", "未及时采取诉讼、仲裁等保全措施", "第十四条", SUPPLEMENT, REDUCTION),
    _d("D07", "质押登记存在瑕疵", "第十二条", SUPPLEMENT, REDUCTION),
    _d("D08", "申请金额含利息、罚息或费用", "第十三条", SUPPLEMENT, REDUCTION),
    _d("D09", "部分本金超出纳入补偿范围", "第十三条", REDUCTION),
    _d("D10", "贷款发放或管理违反合作协议约定", "第十九条", REDUCTION),
)
DEFICIENCY_BY_CODE = {d.code: d for d in DEFICIENCIES}
SUPPLEMENT_CHOICES = [(d.code, f"{d.code} {d.label}") for d in DEFICIENCIES if SUPPLEMENT in d.uses]
REDUCTION_CHOICES = [(d.code, f"{d.code} {d.label}") for d in DEFICIENCIES if REDUCTION in d.uses]

MSG_UNKNOWN_DEFICIENCY = "未知的问题代码：{code}。"
MSG_DEFICIENCY_NOT_FOR = "问题代码 {code}（{label}）不能用于{use}。"
_USE_LABELS = {SUPPLEMENT: "补充材料通知", REDUCTION: "部分补偿的核减事由"}


def deficiency(code, *, use):
    """The Deficiency for `code`, refusing a code that does not exist or is not meant for `use`."""
    item = DEFICIENCY_BY_CODE.get((code or "").strip().upper())
    if item is None:
        raise ValidationFailed(MSG_UNKNOWN_DEFICIENCY.format(code=code), code="unknown_deficiency")
    if use not in item.uses:
        raise ValidationFailed(
            MSG_DEFICIENCY_NOT_FOR.format(code=item.code, label=item.label, use=_USE_LABELS[use]),
            code="deficiency_use",
        )
    return item
