"""The fund in the portal's navigation and task inbox (finance and the bureau only)."""

from django.db.models import Count, Q
from django.urls import reverse

from yunfu_ipfund.accounts.roles import PERM_FINANCE

from .models import StatementPeriod
from .selectors import can_see_fund


def nav_items(user):
    if not can_see_fund(user):
        return []
    return [
        ("资金账户", reverse("fund:overview")),
        ("对账", reverse("fund:period_list")),
        ("风险监测", reverse("fund:risk")),
    ]


def tasks(user):
    if not can_see_fund(user):
        return []
    out = []
    if user.has_perm(PERM_FINANCE):
        periods = (
            StatementPeriod.objects.filter(status=StatementPeriod.Status.OPEN)
            .annotate(unmatched=Count("lines", filter=Q(lines__matched_posting__isnull=True)))
            .order_by("start")
        )
        for period in periods:
            n = period.unmatched
            title = f"对账期间 {period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}：" + (
                f"{n} 条对账单明细未匹配" if n else "待签核"
            )
            out.append(
                {
                    "title": title,
                    "url": period.get_absolute_url(),
                    "due": period.end,
                    "kind": "对账",
                    "overdue": False,
                }
            )
    return out
