"""Money: Decimal only, two decimals, ROUND_HALF_UP at the edges, and amounts in Chinese capitals."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import ValidationFailed

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

MSG_NOT_A_NUMBER = "“{value}”不是有效的金额。"
MSG_TOO_MANY_DECIMALS = "金额最多保留两位小数（到分），“{value}”不予接受，系统不会自动舍入。"
MSG_NEGATIVE = "金额不能为负数。"
MSG_TOO_LARGE = "金额过大（超过 {limit} 元），请核对。"

# The largest amount the portal accepts anywhere: 15 digits, two of them decimals.
MAX_AMOUNT = Decimal("9999999999999.99")

# What an amount typed as text may look like once the thousands separators (, ，) and the ¥/￥ sign are
# gone: ASCII digits (full-width ones are read as ASCII), at most one decimal point, a leading minus
# only. Decimal() alone would also take 1_000, 1e5, NaN, +1 and digits of other scripts (١٠٠).
_AMOUNT_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９．－", "0123456789.-")


def to_money(value, *, allow_negative=False, allow_zero=True, limit=MAX_AMOUNT):
    """Parse user input (str, int, Decimal) into a Decimal with exactly two places.

    Refuses, never rounds: more than two decimals, NaN/Infinity, floats, negatives (unless allowed).
    """
    if isinstance(value, float):
        raise ValidationFailed(MSG_NOT_A_NUMBER.format(value=value))
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("，", "")
        if value.startswith("¥") or value.startswith("￥"):
            value = value[1:]
        value = value.translate(_WIDE_DIGITS)
        if not _AMOUNT_TEXT.fullmatch(value):
            raise ValidationFailed(MSG_NOT_A_NUMBER.format(value=value))
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(MSG_NOT_A_NUMBER.format(value=value)) from None
    if not amount.is_finite():
        raise ValidationFailed(MSG_NOT_A_NUMBER.format(value=value))
    try:
        exact = amount == amount.quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than Decimal's precision: no amount of money is that large
        raise ValidationFailed(MSG_TOO_LARGE.format(limit=format_money(limit or MAX_AMOUNT))) from None
    if not exact:
        raise ValidationFailed(MSG_TOO_MANY_DECIMALS.format(value=value))
    if amount < 0 and not allow_negative:
        raise ValidationFailed(MSG_NEGATIVE)
    if amount == 0 and not allow_zero:
        raise ValidationFailed("金额必须大于零。")
    if limit is not None and abs(amount) > limit:
        raise ValidationFailed(MSG_TOO_LARGE.format(value=value, limit=format_money(limit)))
    return amount.quantize(FEN)


def round_fen(amount):
    """Round a computed Decimal half-up to the fen. Used once, at the end of a computation."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def format_money(amount):
    """1234567.5 -> '1,234,567.50'."""
    return f"{round_fen(amount):,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]

MSG_CAPITALS_NEGATIVE = "负数金额不能转换为中文大写。"


def _below_wan(n):
    """1..9999 in capitals: '1005' -> '壹仟零伍'; zeros inside are one 零, trailing zeros are silent."""
    text, zero = "", False
    digits = str(n)
    for pos, ch in enumerate(digits):
        if ch == "0":
            zero = True
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[int(ch)] + _SMALL_UNITS[len(digits) - 1 - pos]
    return text


def _sections(n, size, unit, inner):
    """n split at 10**size into high·unit + low, with one 零 when low's first place is empty."""
    high, low = divmod(n, 10**size)
    if not high:
        return inner(low)
    text = inner(high) + unit
    if low:
        text += ("零" if low < 10 ** (size - 1) else "") + inner(low)
    return text


def _below_yi(n):
    return _sections(n, 4, "万", _below_wan)


def _integer_capitals(n):
    """A positive whole number of yuan: 10001_0000_0000 -> '壹万零壹亿' (万亿 is 万 of 亿, never 亿 twice)."""
    return _sections(n, 8, "亿", _below_yi)


def amount_in_capitals(value, *, prefix="人民币"):
    """Decimal amount -> '人民币壹佰万元整', as a bank writes it on a cheque.

    Rules (中国人民银行《支付结算办法》附一《正确填写票据和结算凭证的基本规定》): 拾 always has a digit
    before it (壹拾万); a run of zeros inside the integer part is one 零 (a whole empty 万 section
    too: 柒拾壹亿零肆仟, the standard reading, which the rules allow); the yuan end with 整 when there
    are no jiao/fen; 角 without 分 ends with 整 too (the rules allow it and it closes the amount);
    when the yuan are not zero and the jiao are, a fen amount is written 零X分.
    Refuses negatives and more than two decimals instead of truncating.
    """
    amount = to_money(value, allow_negative=True)
    if amount < 0:
        raise ValidationFailed(MSG_CAPITALS_NEGATIVE)
    yuan = int(amount)
    cents = int((amount - yuan) * 100)
    jiao, fen = divmod(cents, 10)
    integer = _integer_capitals(yuan) + "元" if yuan else ""

    if not jiao and not fen:
        return prefix + (integer or "零元") + "整"
    tail = ""
    if jiao:
        tail += _DIGITS[jiao] + "角"
    elif integer:
        tail += "零"
    if fen:
        tail += _DIGITS[fen] + "分"
    else:
        tail += "整"
    return prefix + integer + tail
