"""The official documents of a compensation claim: their kinds, and the wording each one says.

Prefix 云市监知补 for the claim's own documents, 云市监知追 for recovery returns and clawbacks. The kinds
are registered when this module is imported. Each kind has one builder below that returns the
notice's declared context (a dataclass below, registered with the kind: paragraphs, tables, closing
words, every amount and date formatted) from typed facts; the workflow functions in
compensation.services decide, call the builder and issue the notice, which checks the context and
freezes it. The templates only lay it out. Every context declares `items` (None when the kind has no
itemised table): the shared template's `c.items` would otherwise find dict.items. The wording here
is official: change it only with the bureau.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from yunfu_ipfund.common.money import amount_in_capitals, format_money
from yunfu_ipfund.notices.kinds import NoticeKind, Table, body_date, register

from .models.publicity import Objection

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

# The public list's name in the site navigation (templates/base.html), which the 公示 points to.
PUBLIC_PAGE_NAME = "补偿公示"
TO_PUBLIC = "社会各界"


@dataclass(frozen=True)
class Step:
    """One line of a computation: what, how, the running amount, the article of the Measures."""

    label: str
    formula: str
    amount: str
    article: str


@dataclass(frozen=True)
class ClaimNotice:
    """受理通知书 / 终止办理通知书: the claim's facts and what follows."""

    facts: list[list[str]]
    paragraphs: list[str]
    items: Table | None = None


@dataclass(frozen=True)
class ClaimItemised:
    """补充材料通知书 / 不予风险补偿决定书: an itemised table (deficiencies, or the reason), closing words."""

    facts: list[list[str]]
    paragraphs: list[str]
    items: Table
    closing: list[str]


@dataclass(frozen=True)
class PublicRow:
    bank: str
    enterprise: str  # masked
    loan_amount: str
    proposed: str


@dataclass(frozen=True)
class PublicNotice:
    """风险补偿拟补偿项目公示, addressed to the public: the masked rows, the period, how to object."""

    paragraphs: list[str]
    rows: list[PublicRow]
    period_start: str
    period_end: str
    workdays: str
    how_to_object: str
    items: Table | None = None


@dataclass(frozen=True)
class Decision:
    """风险补偿决定书: the amount, its computation and articles, the bank's obligations; reductions if any."""

    facts: list[list[str]]
    paragraphs: list[str]
    amount: str
    amount_capitals: str
    amount_label: str
    steps: list[Step]
    articles: list[str]
    policy_title: str
    closing: list[str]
    items: Table | None = None


@dataclass(frozen=True)
class PaymentInstruction:
    """风险补偿资金拨付通知书, to the finance bureau."""

    facts: list[list[str]]
    paragraphs: list[str]
    amount: str
    amount_capitals: str
    amount_label: str
    items: Table | None = None


@dataclass(frozen=True)
class RecoveryReturn:
    """追偿款返还通知书: the fund's share of one net recovery, computed step by step."""

    facts: list[list[str]]
    paragraphs: list[str]
    amount: str
    amount_capitals: str
    amount_label: str
    steps: list[Step]
    closing: list[str]
    items: Table | None = None


@dataclass(frozen=True)
class Clawback:
    """追回风险补偿资金通知书: the rescission and, when the compensation was paid, what is owed back."""

    facts: list[list[str]]
    paragraphs: list[str]
    closing: list[str]
    amount: str = ""
    amount_capitals: str = ""
    amount_label: str = ""
    items: Table | None = None


KINDS = tuple(
    register(NoticeKind(code, title, prefix, _T.format(template), context=context, addressed_to=to))
    for code, title, prefix, template, context, to in (
        (ACCEPTANCE, "风险补偿申请受理通知书", PREFIX_CLAIM, "notice", ClaimNotice, ""),
        (SUPPLEMENT, "风险补偿申请补充材料通知书", PREFIX_CLAIM, "notice", ClaimItemised, ""),
        (REFUSAL, "不予风险补偿决定书", PREFIX_CLAIM, "notice", ClaimItemised, ""),
        (PUBLIC_NOTICE, "风险补偿拟补偿项目公示", PREFIX_CLAIM, "public_notice", PublicNotice, TO_PUBLIC),
        (DECISION, "风险补偿决定书", PREFIX_CLAIM, "decision", Decision, ""),
        (PAYMENT_INSTRUCTION, "风险补偿资金拨付通知书", PREFIX_CLAIM, "notice", PaymentInstruction, ""),
        (RECOVERY_RETURN, "追偿款返还通知书", PREFIX_RECOVERY, "notice", RecoveryReturn, ""),
        (CLAWBACK, "追回风险补偿资金通知书", PREFIX_RECOVERY, "notice", Clawback, ""),
        (LAPSE, "风险补偿申请终止办理通知书", PREFIX_CLAIM, "notice", ClaimNotice, ""),
    )
)

ARTICLES_DECISION = ("第十二条", "第十三条", "第十四条")
RECONSIDERATION = (
    "如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)


_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def _article_number(article):
    """第十二条 -> 12 (the order of the Measures, not of the code points: 三 sorts before 二)."""
    n, digit = 0, 0
    for ch in article.strip("第条"):
        if ch == "百":
            n, digit = n + (digit or 1) * 100, 0
        elif ch == "十":
            n, digit = n + (digit or 1) * 10, 0
        elif ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            return (1, article)  # not a plain article number: after the others
    return (0, n + digit)


def register_kinds():
    """The kinds are registered on import; kept for callers that register explicitly (idempotent)."""
    for kind in KINDS:
        register(kind)


def fmt_day(day):
    """A date in the body of a document, 2026年12月1日; "—" when there is none."""
    return body_date(day) if day else "—"


def yuan(amount):
    return f"{format_money(amount)}元"


def money_context(amount, label):
    return {
        "amount": format_money(amount),
        "amount_capitals": amount_in_capitals(amount),
        "amount_label": label,
    }


def _steps(steps):
    """Computation steps (Step objects of compensation.amounts or their JSON) as formatted text."""
    out = []
    for s in steps:
        d = s if isinstance(s, dict) else s.as_dict()
        amount = d["amount"] if isinstance(d["amount"], str) else format_money(d["amount"])
        formula, article = d["formula"] or "—", d["article"] or "—"
        out.append(Step(label=d["label"], formula=formula, amount=amount, article=article))
    return out


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
        ["损失事件日期（申请期限起算）", fmt_day(claim.loss_event()[0])],
        ["银行认定不良日期", fmt_day(claim.classified_on)],
        ["申请补偿的未收回本金", yuan(claim.unrecovered_principal)],
    ]


# --- one builder per kind ----------------------------------------------------------------------------


def acceptance(claim, *, policy, submitted_on, review_due):
    """风险补偿申请受理通知书."""
    return ClaimNotice(
        facts=claim_facts(claim),
        paragraphs=[
            f"贵行于{fmt_day(submitted_on)}提交的风险补偿申请（{claim.reference}）材料齐全，现予受理。",
            f"我局将依照《{policy.title}》在{policy.substantive_review_workdays}个工作日内"
            f"（{fmt_day(review_due)}前）完成审查。",
        ],
    )


def supplement(claim, *, policy, due, rows, round_number):
    """风险补偿申请补充材料通知书: the itemised deficiencies (code, label, note, article) and the deadline."""
    return ClaimItemised(
        facts=claim_facts(claim),
        paragraphs=[
            f"经审查，贵行提交的风险补偿申请（{claim.reference}）材料不齐全或存在以下问题，"
            f"请于{fmt_day(due)}前（{policy.supplement_workdays}个工作日内）补正后重新提交。",
        ],
        items=Table(
            head=["问题代码", "问题", "说明", "依据"],
            rows=[[r["code"], r["label"], r["note"] or "—", r["article"] or "—"] for r in rows],
        ),
        closing=[
            f"逾期未补正的，本申请终止办理。本次为第{round_number}次补正"
            f"（共可补正{policy.supplement_rounds}次）。"
        ],
    )


def lapse(claim, *, requested_on, due):
    """风险补偿申请终止办理通知书: the supplement deadline passed."""
    return ClaimNotice(
        facts=claim_facts(claim),
        paragraphs=[
            f"我局于{fmt_day(requested_on)}通知贵行补充材料，补正期限为"
            f"{fmt_day(due)}。贵行未在期限内补正，本申请（{claim.reference}）终止办理。",
            "如仍在申请期限内，贵行可重新提出申请。",
        ],
    )


def refusal(claim, *, policy, reason):
    """不予风险补偿决定书, with the approver's reason."""
    return ClaimItemised(
        facts=claim_facts(claim),
        paragraphs=[
            f"经审查，贵行提交的风险补偿申请（{claim.reference}）不符合《{policy.title}》规定的补偿条件，"
            "决定不予补偿。"
        ],
        items=Table(head=["理由"], rows=[[reason]]),
        closing=[RECONSIDERATION],
    )


def public_list_url():
    return settings.SITE_URL.rstrip("/") + reverse("compensation:public_list")


def public_notice(*, rows, start, end, workdays, policy_titles):
    """风险补偿拟补偿项目公示, to the public: the masked rows of one batch and how to object on the page
    the navigation calls 补偿公示. `policy_titles`: the titles of the Measures the batch's claims are
    judged under (one, or several when a batch spans versions)."""
    basis = "、".join(f"《{title}》" for title in policy_titles)
    return PublicNotice(
        paragraphs=[f"根据{basis}的规定，现将拟予风险补偿的项目公示如下："],
        rows=[PublicRow(r["bank"], r["enterprise"], r["loan_amount"], r["proposed"]) for r in rows],
        period_start=fmt_day(start),
        period_end=fmt_day(end),
        workdays=str(workdays),
        how_to_object=(
            "公示期间，任何单位和个人对上述拟补偿项目有异议的，可通过本平台"
            f"“{PUBLIC_PAGE_NAME}”页面（{public_list_url()}）提交书面异议"
            f"（{Objection.REQUIREMENTS.format(minimum=Objection.MIN_CHARS)}），截止时间为{fmt_day(end)}。"
        ),
    )


def decision(claim, *, policy, computation, batch, unfounded_objections=0):
    """风险补偿决定书: the amount, its computation and articles, and the bank's obligations afterwards.
    `unfounded_objections`: objections received during the notice and ruled unfounded (异议不成立)."""
    reductions = computation.get("reductions") or []
    articles = sorted(set(ARTICLES_DECISION) | {r["article"] for r in reductions}, key=_article_number)
    if batch and unfounded_objections:
        publicity = (
            f"并于{fmt_day(batch.starts_on)}至{fmt_day(batch.ends_on)}公示期满，"
            "公示期间收到的异议经核实不成立，"
        )
    elif batch:
        publicity = f"并于{fmt_day(batch.starts_on)}至{fmt_day(batch.ends_on)}公示期满无异议，"
    else:
        publicity = ""
    return Decision(
        facts=claim_facts(claim),
        paragraphs=[
            f"贵行提交的风险补偿申请（{claim.reference}）经受理、审查，{publicity}"
            f"依照《{policy.title}》，决定给予风险补偿。",
        ],
        **money_context(claim.approved_amount, "决定补偿金额"),
        steps=_steps(computation.get("steps", [])),
        articles=articles,
        policy_title=policy.title,
        closing=[
            "贵行应继续依法向借款人、担保人追偿（包括诉讼、处置质押的知识产权等），自收到每笔追偿款之日起"
            f"{policy.recovery_report_workdays}个工作日内通过本平台报告。",
            "追偿所得扣除有据可查的追偿费用后，按本决定的同一比例计算风险补偿资金应得部分，"
            f"于收到返还通知之日起{policy.recovery_return_workdays}个工作日内返还风险补偿资金专户，"
            "累计返还以本决定补偿金额为限。",
            "如发现申请材料存在虚假情形，我局将撤销本决定、追回已拨付资金，并将借款企业列入失信黑名单。",
        ],
        items=(
            Table(
                head=["核减事由", "依据", "核减金额（元）"],
                rows=[
                    [f"{r['code']} {r['label']}", r["article"], format_money(Decimal(r["amount"]))]
                    for r in reductions
                ],
            )
            if reductions
            else None
        ),
    )


def payment_instruction(claim, *, policy):
    """风险补偿资金拨付通知书, to the finance bureau."""
    return PaymentInstruction(
        facts=claim_facts(claim),
        paragraphs=[
            f"根据风险补偿决定（{claim.reference}），请从风险补偿资金专户向{claim.bank.name}"
            f"拨付风险补偿资金，并于{fmt_day(claim.payment_due_on)}前"
            f"（决定后{policy.payment_workdays}个工作日内）在本平台确认拨付。",
        ],
        **money_context(claim.approved_amount, "拨付金额"),
    )


def recovery_return(claim, recovery, *, policy, computation):
    """追偿款返还通知书: the fund's share of one net recovery and its deadline."""
    return RecoveryReturn(
        facts=claim_facts(claim)
        + [
            ["收到追偿款日期", fmt_day(recovery.received_on)],
            ["追偿金额", yuan(recovery.amount)],
            ["追偿费用", yuan(recovery.costs)],
            ["追偿净额", yuan(recovery.net_amount)],
            ["已拨付补偿金额", yuan(claim.paid_amount or 0)],
        ],
        paragraphs=[
            f"贵行报告收到补偿申请（{claim.reference}）所涉贷款的追偿款。"
            f"依照《{policy.title}》第十四条，请于"
            f"{fmt_day(recovery.return_due_on)}前（{policy.recovery_return_workdays}个工作日内）"
            "将下列款项返还风险补偿资金专户。",
        ],
        **money_context(computation.amount, "应返还金额"),
        steps=_steps(computation.steps),
        closing=["逾期未返还的，我局将依照《管理办法》暂停贵行新增备案。"],
    )


def clawback(claim, *, policy, reason, owed, due, blacklisted_until):
    """追回风险补偿资金通知书: the rescission, what is owed back (if paid) and the blacklist."""
    if owed > 0:
        demand = (
            f"请贵行于{fmt_day(due)}前（{policy.clawback_return_workdays}个工作日内）"
            "将已拨付的风险补偿资金退回专户。"
        )
    else:
        demand = "该笔补偿尚未拨付，已释放相应资金承诺。"
    return Clawback(
        facts=claim_facts(claim),
        paragraphs=[
            f"经查，补偿申请（{claim.reference}）存在以下情形：{reason}。依照《{policy.title}》，"
            "我局决定撤销该笔风险补偿，" + demand,
            f"该笔贷款移出风险补偿范围；借款企业自即日起至{fmt_day(blacklisted_until)}列入失信黑名单"
            f"（{policy.blacklist_years}年）。",
        ],
        **(money_context(owed, "应退回金额") if owed > 0 else {}),
        closing=[RECONSIDERATION],
    )
