"""Demo records of the fund (idempotent): the opening allocation, two quarters of interest, and the
third quarter of 2026 reconciled (matched, waiting for finance to sign it off)."""

import datetime as dt
from decimal import Decimal

from yunfu_ipfund.accounts.models import User
from yunfu_ipfund.policy.models import PolicyVersion

from . import services
from .models import StatementPeriod


def seed(stdout):
    first = PolicyVersion.objects.order_by("effective_from").first()
    if first is None:
        stdout.write("fund: 尚无政策版本，跳过。")
        return
    services.contribution_post(
        by=None,
        amount=first.fund_capital,
        key=services.OPENING_KEY,
        value_date=first.effective_from,
        reference=("policy.policyversion", str(first.pk)),
        reason="省级专项资金拨入（开户）",
    )
    finance = User.objects.filter(username="caizheng").first()
    for day, amount in ((dt.date(2026, 6, 21), "15625.00"), (dt.date(2026, 9, 21), "15742.19")):
        services.interest_post(
            by=finance,
            amount=amount,
            key=f"demo-interest-{day:%Y%m}",
            value_date=day,
            reference=("statement", f"JX{day:%Y%m%d}"),
            reason="专户结息",
        )
    if finance and not StatementPeriod.objects.filter(start=dt.date(2026, 7, 1)).exists():
        from .selectors import balances

        opening = balances(dt.date(2026, 6, 30))["cash"]
        period = services.period_create(
            by=finance,
            start=dt.date(2026, 7, 1),
            end=dt.date(2026, 9, 30),
            opening_balance=opening,
            closing_balance=opening + Decimal("15742.19"),
        )
        services.statement_line_add(
            by=finance,
            period=period,
            line_date=dt.date(2026, 9, 21),
            amount="15742.19",
            reference="结息 demo-interest-202609",
        )
        services.reconciliation_match(by=finance, period=period)
    stdout.write("fund: 已准备资金账户演示数据。")
