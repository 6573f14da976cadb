"""Risk controls of Art 15-16 that other apps call: the leverage ceiling, and the bureau's optional stop of
new cover (FundCoverPause) when payouts pass the pause threshold.

The covered-outstanding figures come from the lenders app (its selectors), read here in one place
each (`covered_outstanding`, `bank_portfolio`) so tests can replace them.
"""

from decimal import Decimal

from django.db import connection

from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.money import ZERO, format_money, round_fen

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


def open_cover_pause():
    """The open FundCoverPause, or None."""
    from .models import FundCoverPause

    return FundCoverPause.objects.filter(ended_at__isnull=True).select_related("started_by").first()


def cover_pauses():
    """Every pause, newest first (the risk page's history)."""
    from .models import FundCoverPause

    return FundCoverPause.objects.select_related("started_by", "ended_by")


def assert_cover_not_paused():
    """Refuse (DomainError code 'cover_paused', naming the date and reason) while a pause is open."""
    from django.utils import timezone

    pause = open_cover_pause()
    if pause is not None:
        day = timezone.localdate(pause.started_at)
        raise DomainError(MSG_COVER_PAUSED.format(day=f"{day:%Y-%m-%d}", reason=pause.reason), code="cover_paused",
                          details=[{"rule": "cover_paused", "message": f"暂停日期：{day:%Y-%m-%d}；理由：{pause.reason}"}])


def covered_outstanding(*, as_of=None, bank=None):
    """Covered principal outstanding (all banks, or one), from the lenders app."""
    from lenders.selectors import covered_outstanding as lenders_covered_outstanding

    return Decimal(lenders_covered_outstanding(as_of=as_of, bank=bank) or ZERO)


def bank_portfolio(*, as_of=None):
    """Per-bank loan figures from the lenders app: {bank_id: {covered_outstanding, overdue, non_performing}}."""
    from lenders.selectors import bank_portfolio_figures

    out = {}
    for key, row in (bank_portfolio_figures(as_of=as_of) or {}).items():
        out[getattr(key, "pk", key)] = {
            "covered_outstanding": Decimal(row.get("covered_outstanding") or ZERO),
            "overdue": Decimal(row.get("overdue_covered", row.get("overdue")) or ZERO),
            "non_performing": Decimal(row.get("non_performing_covered", row.get("non_performing")) or ZERO),
        }
    return out


def leverage_ceiling(available, policy):
    """Covered outstanding the fund may carry: policy.leverage_multiple x available (nothing when none is)."""
    return round_fen(available * policy.leverage_multiple) if available > 0 else ZERO


def npl_over_threshold(row, policy):
    """A bank's covered non-performing share is above the policy's suspension ratio."""
    return row["covered_outstanding"] > 0 and row["non_performing"] > policy.suspension_npl_ratio * row["covered_outstanding"]


def return_overdue_too_long(row, policy):
    """A bank has a recovery return overdue longer than the policy allows."""
    return row["overdue_days"] > policy.suspension_return_overdue_days


def payout_alert_threshold(policy):
    """Cumulative net payouts at which the bureau and finance are alerted (and may pause new cover)."""
    return policy.fund_capital * policy.fund_pause_payout_ratio


def leverage_figures(*, additional_covered=ZERO, on=None, policy):
    """The numbers the ceiling is judged on, as a dict (shown in refusals and on the risk page)."""
    from .selectors import fund_figures

    figures = fund_figures(as_of=on)
    covered = covered_outstanding(as_of=on)
    ceiling = leverage_ceiling(figures.available, policy)
    return {
        "covered": covered,
        "addition": Decimal(additional_covered),
        "total": covered + Decimal(additional_covered),
        "available": figures.available,
        "multiple": policy.leverage_multiple,
        "ceiling": ceiling,
    }


def assert_leverage_allows(*, additional_covered, on, policy):
    """Refuse while new cover is paused (assert_cover_not_paused); refuse (DomainError with the figures) when
    covered outstanding + additional_covered would exceed
    policy.leverage_multiple x the fund's available balance.

    Called by the lenders app when the bureau confirms a filing, inside its transaction: there it
    also takes the fund's lock, so two confirmations and a commitment cannot pass together.
    """
    if connection.in_atomic_block:
        from .services import lock_fund

        lock_fund()  # also orders this confirmation against cover_pause / cover_resume
    assert_cover_not_paused()
    f = leverage_figures(additional_covered=additional_covered, on=on, policy=policy)
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
