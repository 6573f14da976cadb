"""The official documents of a compensation claim: their kinds, and the wording each one says.

Prefix 云市监知补 for the claim's own documents, 云市监知追 for recovery returns and clawbacks. The kinds
are registered when this module is imported. Each kind has one builder below that returns the
notice's context (paragraphs, tables, closing words) from typed facts; the workflow functions in
compensation.services decide, call the builder and issue the notice, whose context is frozen. The
templates only lay it out. The wording here is official: change it only with the bureau.
"""

from decimal import Decimal

from yunfu_ipfund.common.money import amount_in_capitals, format_money
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

KINDS = tuple(
    register(kind)
    for kind in (
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
)

ARTICLES_DECISION = ("第十二条", "第十三条", "第十四条")
RECONSIDERATION = (
    "如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)


def register_kinds():
    """The kinds are registered on import; kept for callers that register explicitly (idempotent)."""
    for kind in KINDS:
        register(kind)


def fmt_day(day):
    return f"{day:%Y年%m月%d日}" if day else ""


def yuan(amount):
    return f"{format_money(amount)} 元"


def money_context(amount, label):
    return {
        "amount": format_money(amount),
        "amount_capitals": amount_in_capitals(amount),
        "amount_label": label,
    }


def claim_facts(claim):
    """The facts every notice about a claim prints (label, value)."""
    loan = claim.covered_loan
    return [
        ["申请编号", claim.reference],
        ["合作银行", claim.bank.name],
        ["借款企业", loan.enterprise.name],
        ["借款合同编号", loan.contract_number],
        ["贷款金额", yuan(loan.amount)],
        ["纳入补偿范围金额", yuan(loan.covered_amount)],
        ["认定不良日期", fmt_day(claim.classified_on)],
        ["申请补偿的未收回本金", yuan(claim.unrecovered_principal)],
    ]


# --- one builder per kind ----------------------------------------------------------------------------


def acceptance(claim, *, policy, submitted_on, review_due):
    """风险补偿申请受理通知书."""
    return {
        "facts": claim_facts(claim),
        "paragraphs": [
            f"贵行于 {fmt_day(submitted_on)} 提交的风险补偿申请（{claim.reference}）材料齐全，现予受理。",
            f"我局将依照《{policy.title}》在 {policy.substantive_review_workdays} 个工作日内"
            f"（{fmt_day(review_due)} 前）完成审查。",
        ],
    }


def supplement(claim, *, policy, due, rows, round_number):
    """风险补偿申请补充材料通知书: the itemised deficiencies (code, label, note, article) and the deadline."""
    return {
        "facts": claim_facts(claim),
        "paragraphs": [
            f"经审查，贵行提交的风险补偿申请（{claim.reference}）材料不齐全或存在以下问题，"
            f"请于 {fmt_day(due)} 前（{policy.supplement_workdays} 个工作日内）补正后重新提交。",
        ],
        "items": {
            "head": ["问题代码", "问题", "说明", "依据"],
            "rows": [[r["code"], r["label"], r["note"], r["article"]] for r in rows],
        },
        "closing": [
            f"逾期未补正的，本申请终止办理。本次为第 {round_number} 次补正"
            f"（共可补正 {policy.supplement_rounds} 次）。"
        ],
    }


def lapse(claim, *, requested_on, due):
    """风险补偿申请终止办理通知书: the supplement deadline passed."""
    return {
        "facts": claim_facts(claim),
        "paragraphs": [
            f"我局于 {fmt_day(requested_on)} 通知贵行补充材料，补正期限为"
            f" {fmt_day(due)}。贵行未在期限内补正，本申请（{claim.reference}）终止办理。",
            "如仍在申请期限内，贵行可重新提出申请。",
        ],
    }


def refusal(claim, *, policy, reason):
    """不予风险补偿决定书, with the approver's reason."""
    return {
        "facts": claim_facts(claim),
        "paragraphs": [
            f"经审查，贵行提交的风险补偿申请（{claim.reference}）不符合《{policy.title}》规定的补偿条件，决定不予补偿。"
        ],
        "items": {"head": ["理由"], "rows": [[reason]]},
        "closing": [RECONSIDERATION],
    }


def public_notice(*, rows, start, end, workdays):
    """风险补偿拟补偿项目公示: the masked rows of one batch and how to object."""
    return {
        "paragraphs": ["根据风险补偿资金管理办法的规定，现将拟予风险补偿的项目公示如下："],
        "rows": rows,
        "period_start": fmt_day(start),
        "period_end": fmt_day(end),
        "workdays": workdays,
        "how_to_object": (
            "公示期间，任何单位和个人对上述拟补偿项目有异议的，可通过本平台“公示公告”页面提交书面异议"
            f"（须留下真实姓名或单位及联系方式），截止时间为 {fmt_day(end)}。"
        ),
    }


def decision(claim, *, policy, computation, batch):
    """风险补偿决定书: the amount, its computation and articles, and the bank's obligations afterwards."""
    reductions = computation.get("reductions") or []
    articles = sorted(set(ARTICLES_DECISION) | {r["article"] for r in reductions}, key=lambda a: (len(a), a))
    starts = fmt_day(batch.starts_on) if batch else ""
    ends = fmt_day(batch.ends_on) if batch else ""
    return {
        "facts": claim_facts(claim),
        "paragraphs": [
            f"贵行提交的风险补偿申请（{claim.reference}）经受理、审查，并于 {starts}"
            f" 至 {ends} 公示期满无异议，依照《{policy.title}》，决定给予风险补偿。",
        ],
        **money_context(claim.approved_amount, "决定补偿金额"),
        "steps": computation.get("steps", []),
        "articles": articles,
        "policy_title": policy.title,
        "closing": [
            "贵行应继续依法向借款人、担保人追偿（包括诉讼、处置质押的知识产权等），自收到每笔追偿款之日起 "
            f"{policy.recovery_report_workdays} 个工作日内通过本平台报告。",
            "追偿所得扣除有据可查的追偿费用后，按本决定的同一比例计算风险补偿资金应得部分，"
            f"于收到返还通知之日起 {policy.recovery_return_workdays} 个工作日内返还风险补偿资金专户，"
            "累计返还以本决定补偿金额为限。",
            "如发现申请材料存在虚假情形，我局将撤销本决定、追回已拨付资金，并将借款企业列入失信黑名单。",
        ],
        "items": (
            {
                "head": ["核减事由", "依据", "核减金额（元）"],
                "rows": [
                    [f"{r['code']} {r['label']}", r["article"], format_money(Decimal(r["amount"]))]
                    for r in reductions
                ],
            }
            if reductions
            else None
        ),
    }


def payment_instruction(claim, *, policy):
    """风险补偿资金拨付通知书, to the finance bureau."""
    return {
        "facts": claim_facts(claim),
        "paragraphs": [
            f"根据风险补偿决定（{claim.reference}），请从风险补偿资金专户向 {claim.bank.name} "
            f"拨付风险补偿资金，并于 {fmt_day(claim.payment_due_on)} 前"
            f"（决定后 {policy.payment_workdays} 个工作日内）在本平台确认拨付。",
        ],
        **money_context(claim.approved_amount, "拨付金额"),
    }


def recovery_return(claim, recovery, *, policy, computation):
    """追偿款返还通知书: the fund's share of one net recovery and its deadline."""
    return {
        "facts": claim_facts(claim)
        + [
            ["收到追偿款日期", fmt_day(recovery.received_on)],
            ["追偿金额", yuan(recovery.amount)],
            ["追偿费用", yuan(recovery.costs)],
            ["追偿净额", yuan(recovery.net_amount)],
            ["已拨付补偿金额", yuan(claim.paid_amount or 0)],
        ],
        "paragraphs": [
            f"贵行报告收到补偿申请（{claim.reference}）所涉贷款的追偿款。"
            f"依照《{policy.title}》第十四条，请于 "
            f"{fmt_day(recovery.return_due_on)} 前（{policy.recovery_return_workdays} 个工作日内）"
            "将下列款项返还风险补偿资金专户。",
        ],
        **money_context(computation.amount, "应返还金额"),
        "steps": [s.as_dict() for s in computation.steps],
        "closing": ["逾期未返还的，我局将依照《管理办法》暂停贵行新增备案。"],
    }


def clawback(claim, *, policy, reason, owed, due, blacklisted_until):
    """追回风险补偿资金通知书: the rescission, what is owed back (if paid) and the blacklist."""
    if owed > 0:
        demand = (
            f"请贵行于 {fmt_day(due)} 前（{policy.recovery_return_workdays} 个工作日内）"
            "将已拨付的风险补偿资金退回专户。"
        )
    else:
        demand = "该笔补偿尚未拨付，已释放相应资金承诺。"
    return {
        "facts": claim_facts(claim),
        "paragraphs": [
            f"经查，补偿申请（{claim.reference}）存在以下情形：{reason}。依照《{policy.title}》，我局决定撤销该笔风险补偿，"
            + demand,
            f"该笔贷款移出风险补偿范围；借款企业自即日起至 {fmt_day(blacklisted_until)} 列入失信黑名单"
            f"（{policy.blacklist_years} 年）。",
        ],
        **(money_context(owed, "应退回金额") if owed > 0 else {}),
        "closing": [RECONSIDERATION],
    }
