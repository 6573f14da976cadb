"""The fund's official documents: their kinds, and what each one says.

The monthly statement of the special account (云市监知资月) and the annual fund report (云市监知资),
registered when this module is imported (fund.apps imports it). The builder below turns the figures of
a period into the notice's declared context (FundReport: tables, the chart as SVG markup, amounts in
Chinese capitals, dates as 2026年12月1日), which is checked and frozen when the notice is issued
(fund.reports); the templates under fund/pdf/ lay it out.
"""

import datetime as dt
from dataclasses import dataclass, field

from yunfu_ipfund.common.money import amount_in_capitals, format_money
from yunfu_ipfund.notices.kinds import NoticeKind, body_date, register

from .models import PostingKind
from .svg import line_chart


@dataclass(frozen=True)
class FundReport:
    """A monthly statement or an annual report of the special account, every figure formatted."""

    label: str
    start: str
    end: str
    opening_on: str  # the day before the period, whose closing balance opens it
    opening_cash: str
    closing_cash: str
    closing_cash_capitals: str
    available_capitals: str
    figures: list[list[str]]  # item, amount, amount in capitals ("—" for a negative balance)
    covered: str
    leverage: str
    chart: str  # SVG markup (fund.svg), laid out as markup, not as text
    movements: list[list[str]] = field(default_factory=list)  # kind, count, total; none in a quiet period


MONTHLY_STATEMENT = "fund_monthly_statement"
ANNUAL_REPORT = "fund_annual_report"

MONTHLY = register(
    NoticeKind(
        code=MONTHLY_STATEMENT,
        title="风险补偿资金专户月度报表",
        prefix="云市监知资月",
        template="fund/pdf/monthly_statement.html",
        context=FundReport,
    )
)
ANNUAL = register(
    NoticeKind(
        code=ANNUAL_REPORT,
        title="风险补偿资金年度报告",
        prefix="云市监知资",
        template="fund/pdf/annual_report.html",
        context=FundReport,
    )
)
KINDS = (MONTHLY, ANNUAL)


def _chart(series):
    """The balance chart (fund.svg) with its days written as in the body (11月1日), not 2026-11-01."""
    return line_chart(
        [f"{day.month}月{day.day}日" for day, *_ in series],
        [
            ("专户资金", [c for _, c, _, _ in series]),
            ("已承诺", [m for _, _, m, _ in series]),
            ("可用余额", [a for _, _, _, a in series]),
        ],
        title="专户资金余额变化",
    )


def _capitals(amount):
    return amount_in_capitals(amount) if amount >= 0 else "—"


def _figure_rows(f):
    return [
        [label, format_money(amount), _capitals(amount)]
        for label, amount in (
            ("专户资金余额", f.cash),
            ("已承诺待拨付", f.committed),
            ("可用余额", f.available),
            ("累计出资拨入", f.contributions),
            ("累计利息收入", f.interest),
            ("累计代偿拨付", f.payouts),
            ("累计追偿返还", f.recoveries),
            ("累计追回资金", f.clawbacks),
        )
    ]


def fund_report(*, label, start, end, opening, closing, movements, series):
    """The context of a monthly statement or an annual report: `opening` and `closing` are FundFigures
    (the closing ones with the covered outstanding), `movements` rows of kind/n/total, `series` the
    balance chart's points."""
    labels = dict(PostingKind.choices)
    return FundReport(
        label=label,
        start=body_date(start),
        end=body_date(end),
        opening_on=body_date(start - dt.timedelta(days=1)),
        opening_cash=format_money(opening.cash),
        closing_cash=format_money(closing.cash),
        closing_cash_capitals=amount_in_capitals(max(closing.cash, 0)),
        available_capitals=amount_in_capitals(max(closing.available, 0)),
        figures=_figure_rows(closing),
        covered=format_money(closing.covered_outstanding or 0),
        leverage=f"{closing.leverage}" if closing.leverage is not None else "—",
        movements=[
            [labels.get(m["kind"], m["kind"]), str(m["n"]), format_money(m["total"])] for m in movements
        ],
        chart=_chart(series),
    )
