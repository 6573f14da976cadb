"""Money: Decimal only, two decimals, ROUND_HALF_UP at the edges, and amounts in Chinese capitals."""

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
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(MSG_NOT_A_NUMBER.format(value=value)) from None
    if not amount.is_finite():
        raise ValidationFailed(MSG_NOT_A_NUMBER.format(value=value))
    if amount != amount.quantize(FEN, rounding=ROUND_HALF_UP):
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
_BIG_UNITS = ["", "万", "亿", "万亿"]

MSG_CAPITALS_NEGATIVE = "负数金额不能转换为中文大写。"


def _four_digits(group, lead_zero):
    """One group of four digits ('0305' -> '零叁佰零伍'): a run of zeros inside is one 零."""
    out = []
    pending = lead_zero
    for pos, ch in enumerate(group):
        digit = int(ch)
        if digit == 0:
            pending = pending or bool(out)
            continue
        if pending:
            out.append("零")
        pending = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[3 - pos])
    return "".join(out)


MSG_CAPITALS_NEGATIVE = "负数金额不能转换为中文大写。"


def _four_digits(group, need_leading_zero):
    """One group of up to four digits ('0305' -> '零叁佰零伍'), zeros folded as banks write them."""
    out = []
    zero_pending = need_leading_zero
    for pos, ch in enumerate(group):
        digit = int(ch)
        unit = _SMALL_UNITS[3 - pos]
        if digit == 0:
            zero_pending = zero_pending or bool(out)
            continue
        if zero_pending and (out or need_leading_zero):
            out.append("零")
        zero_pending = False
        out.append(_DIGITS[digit] + unit)
    return "".join(out)


def amount_in_capitals(value, *, prefix="人民币"):
    """Decimal amount -> '人民币壹佰万元整', as a bank writes it on a cheque.

    Rules (中国人民银行《支付结算办法》附件): 拾 always has a digit before it (壹拾万); a run of zeros
    inside the integer part is one 零; the yuan ends with 整 when there are no jiao/fen; 角 without
    分 ends with 整 too; when the yuan are not zero and the jiao are, a fen amount is written 零X分.
    Refuses negatives and more than two decimals instead of truncating.
    """
    amount = to_money(value, allow_negative=True)
    if amount < 0:
        raise ValidationFailed(MSG_CAPITALS_NEGATIVE)
    yuan = int(amount)
    cents = int((amount - yuan) * 100)
    jiao, fen = divmod(cents, 10)

    integer = ""
    if yuan:
        digits = str(yuan)
        groups = []
        while digits:
            groups.insert(0, digits[-4:].rjust(4, "0"))
            digits = digits[:-4]
        parts = []
        zero_pending = False
        for i, group in enumerate(groups):
            if group == "0000":
                zero_pending = bool(parts)
                continue
            lead = bool(parts) and (zero_pending or group[0] == "0")
            parts.append(_four_digits(group, lead) + _BIG_UNITS[len(groups) - 1 - i])
            zero_pending = False
        integer = "".join(parts)
        integer += "元"

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
