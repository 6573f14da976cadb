"""How much the fund pays, and how much of a recovery goes back: pure functions, no database.

Every figure is a Decimal. Each step is kept (label, formula, amount, article) in order: the
compensation decision prints them one by one, and the printed figures multiply out by hand.

Every step of the compensation is rounded to the fen (ROUND_HALF_UP) and the next step is computed
from that shown figure. The other choice, printing the unrounded base, is not open: the base is a
quotient (× covered ÷ loan) that need not terminate (÷ 3), so it cannot always be printed, and a
notice that shows "100,000.01 元 × 40%" beside a result computed from 100,000.0125 does not check out
by hand. Rounding the base costs at most half a fen before the share (a fifth of a fen after 40 %),
and what the bank is paid is what the notice says, step by step. A step whose exact result was
rounded says so in its formula ("= 40,000.004 元，四舍五入到分").

The compensation of one claim (Articles 12-13):

1. base        = round_fen(unrecovered principal × covered amount ÷ loan amount)
                 (only the IP-attributed, covered part of the principal; never interest, penalty
                 interest or fees: the caller passes principal only)
2. reductions  = base − Σ approved reductions (each a deficiency code, an amount in fen, its article)
3. share       = round_fen((base − reductions) × fund share)
4. caps        = the lower of the share, the per-loan compensation cap and, where the policy sets
                 one, what is left of the per-bank cap
5. amount      = the result (already in fen)

The fund's available balance is NOT a cap. The Measures say the fund is never liable beyond its
available balance and approved claims queue first-come-first-served (DOMAIN.md, "Fund liability").
Cutting a claim because the fund happens to be short on the day of decision would make the amount
depend on the order of arrival, and the bank would lose the difference for good. So a claim is
decided at its full amount; when `available` is given and short, the computation reports
`short_by` (the gap) and `queued` (True), and the claim waits in the queue until money arrives.
"""

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from yunfu_ipfund.common.articles import ARTICLE_13, implements
from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.money import ZERO, format_money, round_fen

MSG_LOAN_AMOUNT = "贷款金额必须大于零。"
MSG_COVERED_OVER_LOAN = "纳入补偿范围的金额（{covered}）不能超过贷款金额（{loan}）。"
MSG_UNRECOVERED_OVER_LOAN = "未收回本金（{unrecovered}）不能超过贷款金额（{loan}）。"
MSG_NEGATIVE = "“{label}”不能为负数。"
MSG_SHARE = "分担比例须在 0 与 1 之间。"
MSG_REDUCTIONS_OVER_BASE = "核减金额合计 {total} 元超过补偿基数 {base} 元，请核对核减项目。"
MSG_REDUCTION_AMOUNT = "核减项目“{code}”的金额必须大于零。"

ARTICLE_BASE = "第十二条"
ARTICLE_SHARE = "第十三条"
ARTICLE_CAPS = "第十三条"
ARTICLE_RECOVERY = "第十四条"


@dataclass(frozen=True)
class Reduction:
    """One approved reduction (核减) of the base: why (deficiency code and label), how much, which article."""

    code: str
    amount: Decimal
    article: str
    label: str = ""


@dataclass(frozen=True)
class Step:
    label: str
    formula: str
    amount: Decimal
    article: str = ""

    def as_dict(self):
        return {
            "label": self.label,
            "formula": self.formula,
            "amount": format_money(self.amount),
            "article": self.article,
        }


@dataclass(frozen=True)
class Computation:
    """The result with its steps. `amount` is the one rounded figure; `capped_by` names the caps that bit."""

    steps: tuple
    amount: Decimal
    base: Decimal = ZERO
    capped_by: tuple = ()
    short_by: Decimal = ZERO
    reductions: tuple = field(default_factory=tuple)

    @property
    def queued(self):
        return self.short_by > 0

    def as_dict(self):
        """A JSON-ready copy, frozen into notices and the claim's record."""
        return {
            "amount": str(self.amount),
            "base": str(round_fen(self.base)),
            "capped_by": list(self.capped_by),
            "short_by": str(self.short_by),
            "queued": self.queued,
            "steps": [s.as_dict() for s in self.steps],
            "reductions": [{**asdict(r), "amount": str(r.amount)} for r in self.reductions],
        }


def _dec(value, label):
    amount = Decimal(value)
    if amount < 0:
        raise ValidationFailed(MSG_NEGATIVE.format(label=label))
    return amount


def _yuan(amount):
    return f"{format_money(amount)} 元"


def _percent(ratio):
    return f"{(Decimal(ratio) * 100).normalize():f}%"


def _rounded(exact, shown):
    """What a formula adds when its exact result was rounded to the fen shown as the step's amount, so
    that the printed figures multiply out by hand: "= 40,000.004 元，四舍五入到分"."""
    if exact == shown:
        return ""
    digits = exact.quantize(Decimal("0.000001")).normalize()
    whole, _, frac = f"{digits:f}".partition(".")
    approx = "" if digits == exact else "…"
    return f" = {format_money(Decimal(whole))[:-3]}.{frac}{approx} 元，四舍五入到分"


@implements(ARTICLE_13)
def compute_compensation(
    *,
    unrecovered_principal,
    loan_amount,
    covered_amount,
    fund_share,
    per_loan_cap,
    per_bank_cap_remaining=None,
    available=None,
    reductions=(),
):
    unrecovered = _dec(unrecovered_principal, "未收回本金")
    loan = _dec(loan_amount, "贷款金额")
    covered = _dec(covered_amount, "纳入补偿范围的金额")
    share = Decimal(fund_share)
    loan_cap = _dec(per_loan_cap, "单笔补偿上限")
    if loan <= 0:
        raise ValidationFailed(MSG_LOAN_AMOUNT)
    if covered > loan:
        raise ValidationFailed(MSG_COVERED_OVER_LOAN.format(covered=_yuan(covered), loan=_yuan(loan)))
    if unrecovered > loan:
        raise ValidationFailed(
            MSG_UNRECOVERED_OVER_LOAN.format(unrecovered=_yuan(unrecovered), loan=_yuan(loan))
        )
    if not (0 <= share <= 1):
        raise ValidationFailed(MSG_SHARE)

    steps = []
    exact_base = unrecovered * covered / loan
    base = round_fen(exact_base)
    steps.append(
        Step(
            "补偿基数：未收回本金中纳入补偿范围的部分",
            f"{_yuan(unrecovered)} × {_yuan(covered)} ÷ {_yuan(loan)}{_rounded(exact_base, base)}"
            "（仅本金，不含利息、罚息和费用）",
            base,
            ARTICLE_BASE,
        )
    )

    reductions = tuple(reductions)
    total_reduction = ZERO
    running = base
    for r in reductions:
        if Decimal(r.amount) <= 0:
            raise ValidationFailed(MSG_REDUCTION_AMOUNT.format(code=r.code))
        total_reduction += Decimal(r.amount)
        running -= Decimal(r.amount)
        steps.append(
            Step(f"核减：{r.label or r.code}（{r.code}）", f"− {_yuan(r.amount)}", running, r.article)
        )
    if total_reduction > base:
        raise ValidationFailed(
            MSG_REDUCTIONS_OVER_BASE.format(total=format_money(total_reduction), base=format_money(base))
        )

    exact_share = running * share
    amount = round_fen(exact_share)
    steps.append(
        Step(
            "风险补偿资金分担部分",
            f"{_yuan(running)} × {_percent(share)}{_rounded(exact_share, amount)}",
            amount,
            ARTICLE_SHARE,
        )
    )

    capped_by = []
    if amount > loan_cap:
        amount = loan_cap
        capped_by.append("per_loan_cap")
        steps.append(Step("单笔贷款补偿上限", f"超过上限，按 {_yuan(loan_cap)} 补偿", amount, ARTICLE_CAPS))
    if per_bank_cap_remaining is not None:
        bank_left = max(Decimal(per_bank_cap_remaining), ZERO)
        if amount > bank_left:
            amount = bank_left
            capped_by.append("per_bank_cap")
            steps.append(
                Step(
                    "合作银行补偿上限剩余额度",
                    f"超过剩余额度，按 {_yuan(bank_left)} 补偿",
                    amount,
                    ARTICLE_CAPS,
                )
            )

    final = round_fen(amount)  # every step above is already in fen
    steps.append(Step("拟补偿金额", "取以上计算结果", final, ARTICLE_SHARE))

    short_by = ZERO
    if available is not None:
        gap = final - Decimal(available)
        if gap > 0:
            short_by = round_fen(gap)
    return Computation(
        steps=tuple(steps),
        amount=final,
        base=base,
        capped_by=tuple(capped_by),
        short_by=short_by,
        reductions=reductions,
    )


def net_of_costs(amount, costs):
    """A recovery less its documented collection costs, never below zero."""
    return max(Decimal(amount) - Decimal(costs), ZERO)
