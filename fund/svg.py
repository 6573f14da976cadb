"""A small server-side line chart as SVG markup: no JavaScript, no CDN; the same markup works in a page
and in a WeasyPrint PDF."""

import math
from decimal import Decimal

from django.utils.html import escape

from yunfu_ipfund.common.money import format_money

COLOURS = ("#1f5fa8", "#c0392b", "#2e7d32", "#8e44ad")


def _nice_max(value):
    value = max(Decimal(value), Decimal(1))
    exponent = len(str(int(value))) - 1
    step = Decimal(10) ** exponent
    for factor in (1, 2, 2.5, 5, 10):
        top = step * Decimal(str(factor))
        if top >= value:
            return top
    return step * 10


MIN_LABEL_GAP = 84  # px: a "2026-11-26" label at 11px is about 60px wide


def line_chart(labels, series, *, width=720, height=260, title="", unit="元"):
    """labels: [str]; series: [(name, [Decimal])] of the same length. Returns SVG markup (a str)."""
    left, right, top, bottom = 90, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs] or [Decimal(0)]
    high = _nice_max(max(values))
    low = min(Decimal(0), min(values))
    span = (high - low) or Decimal(1)
    n = max(len(labels), 1)

    def x(i):
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v):
        return top + float((high - Decimal(v)) / span) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="Noto Sans CJK SC, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for k in range(5):
        value = low + span * k / 4
        yy = y(value)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#ddd"/>')
        out.append(
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#444">'
            f"{format_money(value)}</text>"
        )
    # Labels at least MIN_LABEL_GAP pixels apart; the last point is labelled instead of a tick too
    # close to it.
    step = max(1, math.ceil(MIN_LABEL_GAP * (n - 1) / plot_w)) if n > 1 else 1
    ticks = list(range(0, n, step))
    if ticks[-1] != n - 1:
        if len(ticks) > 1 and n - 1 - ticks[-1] < step / 2:
            ticks[-1] = n - 1  # too close to the end: move that tick to the last point
        else:
            ticks.append(n - 1)
    for i, label in enumerate(labels):
        if i in ticks:
            # The last label ends at its point: centred, its second half fell outside the chart
            # ("2026-12-" on the fund page).
            anchor = "end" if i == n - 1 and n > 1 else "middle"
            out.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="{anchor}" fill="#444">'
                f"{escape(label)}</text>"
            )
    for index, (name, vs) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        lx = left + 10 + index * 150
        out.append(f'<rect x="{lx}" y="8" width="12" height="3" fill="{colour}"/>')
        out.append(f'<text x="{lx + 16}" y="13" fill="#222">{escape(name)}（{escape(unit)}）</text>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>')
    out.append("</svg>")
    return "".join(out)


def balance_chart(series, *, title="专户资金余额变化"):
    """From selectors.balance_series: cash, committed and available over time."""
    labels = [day.strftime("%Y-%m-%d") for day, *_ in series]
    return line_chart(
        labels,
        [
            ("专户资金", [c for _, c, _, _ in series]),
            ("已承诺", [m for _, _, m, _ in series]),
            ("可用余额", [a for _, _, _, a in series]),
        ],
        title=title,
    )
