"""Issue 14 (boards fit): the fund chart's last x-axis label fits inside the chart. Before, it was
centred on the last point, 16 px from the edge, and its second half was cut ("2026-12-")."""

import re
from decimal import Decimal

from fund.svg import line_chart

# 11 px CJK/digit font: a "2026-12-02" label is about 60 px wide.
LABEL_WIDTH = 60


def _labels(svg):
    return [
        (float(x), anchor, text)
        for x, anchor, text in re.findall(
            r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)"[^>]*>([^<]+)</text>', svg
        )
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)
    ]


def _right_edge(x, anchor):
    return x if anchor == "end" else x + LABEL_WIDTH / 2 if anchor == "middle" else x + LABEL_WIDTH


def test_every_date_label_ends_inside_the_chart_and_the_last_day_is_labelled():
    days = [f"2026-11-{d:02d}" for d in range(3, 31)] + ["2026-12-01", "2026-12-02"]
    width = 720
    svg = line_chart(days, [("可用余额", [Decimal(1000 + i) for i in range(len(days))])], width=width)
    labels = _labels(svg)
    assert labels[-1][2] == "2026-12-02"
    assert all(_right_edge(x, anchor) <= width for x, anchor, _ in labels)
    assert labels[0][0] - LABEL_WIDTH / 2 >= 0
