"""The official documents of a compensation claim: their kinds and the one template family they share.

Prefix 云市监知补 for the claim's own documents, 云市监知追 for recovery returns and clawbacks. Every
document's context is built by the service that decides (compensation.services) and frozen into the
notice; the templates only lay it out.
"""

from yunfu_ipfund.notices.kinds import NoticeKind, register

PREFIX_CLAIM = "云市监知补"
PREFIX_RECOVERY = "云市监知追"

ACCEPTANCE = "claim_acceptance"
SUPPLEMENT = "claim_supplement"
REFUSAL = "claim_refusal"
PUBLIC_NOTICE = "claim_public_notice"
DECISION = "claim_decision"
PAYMENT_INSTRUCTION = "claim_payment_instruction"
RECOVERY_RETURN = "claim_recovery_return"
CLAWBACK = "claim_clawback"
LAPSE = "claim_lapse"

_T = "compensation/notices/{}.html"

KINDS = (
    NoticeKind(ACCEPTANCE, "风险补偿申请受理通知书", PREFIX_CLAIM, _T.format("notice")),
    NoticeKind(SUPPLEMENT, "风险补偿申请补充材料通知书", PREFIX_CLAIM, _T.format("notice")),
    NoticeKind(REFUSAL, "不予风险补偿决定书", PREFIX_CLAIM, _T.format("notice")),
    NoticeKind(PUBLIC_NOTICE, "风险补偿拟补偿项目公示", PREFIX_CLAIM, _T.format("public_notice")),
    NoticeKind(DECISION, "风险补偿决定书", PREFIX_CLAIM, _T.format("decision")),
    NoticeKind(PAYMENT_INSTRUCTION, "风险补偿资金拨付通知书", PREFIX_CLAIM, _T.format("notice")),
    NoticeKind(RECOVERY_RETURN, "追偿款返还通知书", PREFIX_RECOVERY, _T.format("notice")),
    NoticeKind(CLAWBACK, "追回风险补偿资金通知书", PREFIX_RECOVERY, _T.format("notice")),
    NoticeKind(LAPSE, "风险补偿申请终止办理通知书", PREFIX_CLAIM, _T.format("notice")),
)


def register_kinds():
    for kind in KINDS:
        register(kind)
