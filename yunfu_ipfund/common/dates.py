"""Calendar helpers that are not about working days."""

import calendar
import datetime as dt

from django.utils import timezone

_NUMERALS = "〇一二三四五六七八九"


def today():
    """Today in Asia/Shanghai (never date.today(): the server may run in UTC)."""
    return timezone.localdate()


def add_months(day, months):
    """Same day n months later, clamped to the month's end (2026-01-31 + 1 month = 2026-02-28)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start, end):
    """Whole months from start to end, counting a partial month as a full one (for term caps)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) < end:
        months += 1
    return months


def _small_number(n):
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _NUMERALS[ones]
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def chinese_date(day):
    """2026-11-26 -> '二〇二六年十一月二十六日' (GB/T 9704 成文日期)."""
    year = "".join(_NUMERALS[int(d)] for d in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"
