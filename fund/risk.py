"""The fund's own risk rules of Art 15-16: the leverage ceiling, the payout alert threshold, and the
bureau's optional stop of new cover (FundCoverPause).

The loans are not the fund's: whoever judges new cover against the ceiling (the lenders app, when the
bureau confirms a filing) reads the covered outstanding itself and passes it in. Decisions about a
bank (its non-performing share, its overdue recovery returns, its suspension) are the lenders app's.
"""

from decimal import Decimal

from django.db import connection
from django.utils import timezone

from yunfu_ipfund.common.articles import ARTICLE_15, ARTICLE_16, implements
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.money import ZERO, format_money, round_fen

from .integrity import assert_trusted_balances
from .locks import lock_fund
from .selectors import fund_figures, open_cover_pause

MSG_LEVERAGE = (
    "超出放大倍数上限：在保余额 {covered} 元 + 本笔 {addition} 元 = {total} 元，"
    "超过资金可用余额 {available} 元 × {multiple} 倍 = {ceiling} 元。"
)

MSG_COVER_PAUSED = (
    "风险补偿资金已于 {day} 暂停新增纳入风险补偿（理由：{reason}），暂停期间不能确认新的备案；"
    "恢复后方可办理。"
)

LABELS = {
    "covered": "在保余额（元）",
    "addition": "本笔新增（元）",
    "available": "资金可用余额（元）",
    "multiple": "放大倍数上限",
    "ceiling": "在保余额上限（元）",
}


def assert_cover_not_paused():
    """Refuse (DomainError code 'cover_paused', naming the date and reason) while a pause is open."""
    pause = open_cover_pause()
    if pause is not None:
        day = timezone.localdate(pause.started_at)
        raise DomainError(
            MSG_COVER_PAUSED.format(day=f"{day:%Y-%m-%d}", reason=pause.reason),
            code="cover_paused",
            details=[{"rule": "cover_paused", "message": f"暂停日期：{day:%Y-%m-%d}；理由：{pause.reason}"}],
        )


@implements(ARTICLE_15)
def leverage_ceiling(available, policy):
    """Covered outstanding the fund may carry: policy.leverage_multiple x available (nothing when none is)."""
    return round_fen(available * policy.leverage_multiple) if available > 0 else ZERO


@implements(ARTICLE_16)
def payout_alert_threshold(policy):
    """Cumulative net payouts at which the bureau and finance are alerted (and may pause new cover)."""
    return policy.fund_capital * policy.fund_pause_payout_ratio


def leverage_figures(*, covered_outstanding, additional_covered=ZERO, on=None, policy):
    """The numbers the ceiling is judged on, as a dict (shown in refusals and on the risk page)."""
    figures = fund_figures(as_of=on)
    covered = Decimal(covered_outstanding)
    ceiling = leverage_ceiling(figures.available, policy)
    return {
        "covered": covered,
        "addition": Decimal(additional_covered),
        "total": covered + Decimal(additional_covered),
        "available": figures.available,
        "multiple": policy.leverage_multiple,
        "ceiling": ceiling,
    }


def assert_leverage_allows(*, covered_outstanding, additional_covered, on, policy):
    """Refuse while new cover is paused (assert_cover_not_paused); refuse (DomainError with the figures) when
    `covered_outstanding` + `additional_covered` would exceed policy.leverage_multiple x the fund's
    available balance on `on`.

    Inside a transaction it takes the fund's lock, which orders the judgement against commitments,
    payouts and cover_pause / cover_resume. A caller that reads `covered_outstanding` itself takes
    the lock (lock_fund) before reading it, so two confirmations cannot both pass on the same figure.
    """
    if connection.in_atomic_block:
        lock_fund()
        assert_trusted_balances()  # the available balance it reads agrees with the ledger's entries
    assert_cover_not_paused()
    f = leverage_figures(
        covered_outstanding=covered_outstanding, additional_covered=additional_covered, on=on, policy=policy
    )
    if f["total"] > f["ceiling"]:
        shown = {k: (format_money(v) if k != "multiple" else _plain(v)) for k, v in f.items()}
        raise DomainError(
            MSG_LEVERAGE.format(**shown),
            code="leverage_ceiling",
            details=[{"rule": k, "value": shown[k], "message": f"{LABELS[k]}：{shown[k]}"} for k in LABELS],
        )
    return f


def _plain(number):
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
