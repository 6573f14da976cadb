"""The fund's official documents: their kinds, and what each one says.

The monthly statement of the special account (云市监知资月) and the annual fund report (云市监知资),
registered when this module is imported (fund.apps imports it). The builder below turns the figures of
a period into the notice's context (tables, the chart as SVG markup, amounts in Chinese capitals),
which is frozen when the notice is issued (fund.reports); the templates under fund/pdf/ lay it out.
"""

from yunfu_ipfund.common.money import amount_in_capitals, format_money
from yunfu_ipfund.notices.kinds import NoticeKind, register

from .models import PostingKind
from .svg import balance_chart

MONTHLY_STATEMENT = "fund_monthly_statement"
ANNUAL_REPORT = "fund_annual_report"

MONTHLY = register(
    NoticeKind(
        code=MONTHLY_STATEMENT,
        title="风险补偿资金专户月度报表",
        prefix="云市监知资月",
        template="fund/pdf/monthly_statement.html",
    )
)
ANNUAL = register(
    NoticeKind(
        code=ANNUAL_REPORT,
        title="风险补偿资金年度报告",
        prefix="云市监知资",
        template="fund/pdf/annual_report.html",
    )
)
KINDS = (MONTHLY, ANNUAL)


def _figure_rows(f):
    return [
        ["专户资金余额", format_money(f.cash), amount_in_capitals(f.cash) if f.cash >= 0 else ""],
        ["已承诺待拨付", format_money(f.committed), amount_in_capitals(f.committed)],
        ["可用余额", format_money(f.available), amount_in_capitals(f.available) if f.available >= 0 else ""],
        ["累计出资拨入", format_money(f.contributions), amount_in_capitals(f.contributions)],
        ["累计利息收入", format_money(f.interest), amount_in_capitals(f.interest)],
        ["累计代偿拨付", format_money(f.payouts), amount_in_capitals(f.payouts)],
        ["累计追偿返还", format_money(f.recoveries), amount_in_capitals(f.recoveries)],
        ["累计追回资金", format_money(f.clawbacks), amount_in_capitals(f.clawbacks)],
    ]


def fund_report(*, label, start, end, opening, closing, movements, series):
    """The context of a monthly statement or an annual report: `opening` and `closing` are FundFigures
    (the closing ones with the covered outstanding), `movements` rows of kind/n/total, `series` the
    balance chart's points."""
    labels = dict(PostingKind.choices)
    return {
        "label": label,
        "start": str(start),
        "end": str(end),
        "opening_cash": format_money(opening.cash),
        "closing_cash": format_money(closing.cash),
        "closing_cash_capitals": amount_in_capitals(max(closing.cash, 0)),
        "available_capitals": amount_in_capitals(max(closing.available, 0)),
        "figures": _figure_rows(closing),
        "covered": format_money(closing.covered_outstanding or 0),
        "leverage": f"{closing.leverage}" if closing.leverage is not None else "—",
        "movements": [
            [labels.get(m["kind"], m["kind"]), m["n"], format_money(m["total"])] for m in movements
        ],
        "chart": balance_chart(series),
    }
