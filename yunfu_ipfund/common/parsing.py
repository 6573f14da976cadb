"""Typed inputs at the edge: the one parser of dates, times, amounts and free text.

Forms, serializers and the import row mapper call these; services take the typed values. Each
accepts a value that is already typed (a `date`, an aware `datetime`, a `Decimal`) unchanged, reads
'' and None as "nothing given" (None, or refused when the field is required), and refuses anything
else with a `ValidationFailed` whose Chinese message names the field (`field`: its Chinese label).

Dates: an aware datetime is a moment, so its day is the day in Asia/Shanghai (TIME_ZONE) — never
`.date()` of a UTC datetime, which is yesterday until 08:00. Text may be written 2026-03-01,
2026/3/1, 2026.03.01, 20260301 (bank statements), 2026年3月1日, in full-width digits too, or as an
ISO date-time (its day in Shanghai). Spreadsheet cells arrive as datetimes (openpyxl reads date
cells so); a bare number such as an Excel serial 46082 is not a date here and is refused.
"""

import datetime as dt
import re

from django.utils import dateparse, timezone

from .errors import ValidationFailed
from .money import to_money

MSG_BAD_DATE = "{field}“{value}”不是有效日期（格式：2026-03-01）。"
MSG_BAD_DATETIME = "{field}“{value}”不是有效的日期时间（格式：2026-03-01 09:30）。"
MSG_REQUIRED = "请填写{field}。"
MSG_TOO_LONG = "{field}不能超过 {max_length} 个字。"
MSG_BAD_TEXT = "{field}含有无效字符。"
MSG_MONEY = "{field}：{message}"

_SHOWN = 40  # characters of a refused value repeated in its message

# Full-width digits and the separators an input method writes with them.
_WIDE = str.maketrans("０１２３４５６７８９－／．：　", "0123456789-/.: ")
_DATE = re.compile(r"(\d{4})\s*(?:[-/.]\s*|年\s*)(\d{1,2})\s*(?:[-/.]\s*|月\s*)(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}")  # an ISO date-time (never an ISO week date)


def _named(field, fallback=""):
    return f"“{field}”" if field else fallback


def _shown(value):
    text = str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _bad_date(value, field):
    return ValidationFailed(MSG_BAD_DATE.format(field=_named(field), value=_shown(value)), code="bad_date")


def _local_day(moment):
    """The day of a moment in Shanghai (a naive datetime is already Shanghai wall time); None when the
    moment lies outside the calendar once moved to Shanghai (9999-12-31T23:00-12:00)."""
    try:
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    except OverflowError:
        return None


def _date_from_text(text):
    """A date written as text, or None when the text is not one of the accepted spellings."""
    match = _DATE.fullmatch(text) or _COMPACT.fullmatch(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    moment = _datetime_from_text(text)
    return _local_day(moment) if moment is not None else None


def _datetime_from_text(text):
    if not _MOMENT.match(text):
        return None
    try:
        return dateparse.parse_datetime(text)
    except ValueError:  # well formed but impossible (2026-02-30T10:00)
        return None


def parse_date(value, *, field=None):
    """A `date` (or None for ''/None). Aware datetimes give their day in Asia/Shanghai."""
    if _empty(value):
        return None
    if isinstance(value, dt.datetime):
        day = _local_day(value)
        if day is None:
            raise _bad_date(value, field)
        return day
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # 20260301 from a numeric spreadsheet cell; a serial number stays refused
    if not isinstance(value, str):
        raise _bad_date(value, field)
    day = _date_from_text(value.strip().translate(_WIDE))
    if day is None:
        raise _bad_date(value, field)
    return day


def parse_datetime(value, *, field=None):
    """An aware `datetime` (or None). A naive one is read as Shanghai wall time; a date is its midnight."""
    if _empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime.combine(value, dt.time()))
    if isinstance(value, str):
        text = value.strip().translate(_WIDE)
        moment = _datetime_from_text(text)
        if moment is not None:
            return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        match = _DATE.fullmatch(text) or _COMPACT.fullmatch(text)
        if match:
            try:
                return parse_datetime(dt.date(*(int(part) for part in match.groups())))
            except ValueError:
                pass
    raise ValidationFailed(
        MSG_BAD_DATETIME.format(field=_named(field), value=_shown(value)), code="bad_datetime"
    )


def parse_money(value, *, field=None, allow_negative=False, allow_zero=True):
    """A `Decimal` with exactly two places (or None), through `common.money.to_money`: refuses floats,
    more than two decimals, NaN and absurd figures instead of rounding."""
    if _empty(value):
        return None
    if isinstance(value, bool):
        raise ValidationFailed(
            MSG_MONEY.format(field=field or "金额", message=f"“{value}”不是有效的金额。"), code="invalid"
        )
    if isinstance(value, str):
        value = value.translate(_WIDE)
    try:
        return to_money(value, allow_negative=allow_negative, allow_zero=allow_zero)
    except ValidationFailed as exc:
        if not field:
            raise
        raise ValidationFailed(MSG_MONEY.format(field=field, message=exc.message), code=exc.code) from None


def parse_text(value, *, field=None, required=True, max_length=4000, message=None):
    """Stripped text. Empty: refused when `required` (with `message` if given), else '' (text columns
    are NOT NULL). Longer than `max_length`, or holding a NUL character (no database stores one): refused."""
    text = "" if value is None else (value if isinstance(value, str) else str(value)).strip()
    if not text:
        if required:
            raise ValidationFailed(
                message or MSG_REQUIRED.format(field=_named(field, "此项")), code="required"
            )
        return ""
    if "\x00" in text:
        raise ValidationFailed(MSG_BAD_TEXT.format(field=_named(field, "内容")), code="invalid")
    if max_length is not None and len(text) > max_length:
        raise ValidationFailed(
            MSG_TOO_LONG.format(field=_named(field, "内容"), max_length=max_length), code="too_long"
        )
    return text
