"""Identifiers: unified social credit code (GB 32100-2015), Chinese patent numbers, trademark numbers.

Each validator returns the normalised value or raises ValidationFailed with a message that says
which check failed, so an enterprise user can find the typo.
"""

import re
import unicodedata

from .errors import ValidationFailed


def _normalise(value):
    """Full-width input from a Chinese IME ('９１４４…', 'ＺＬ') becomes ASCII; other scripts' digits
    stay foreign."""
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


# --- Unified social credit code (统一社会信用代码), GB 32100-2015 -------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code, positions 9-16
USCC_REGISTRATION_AUTHORITIES = set("123456789ANY")

MSG_USCC_LENGTH = "统一社会信用代码应为18位，您输入了{n}位。"
MSG_USCC_CHARS = (
    "统一社会信用代码第{pos}位“{ch}”不是允许的字符（只能是数字和除 I、O、S、V、Z 以外的大写字母）。"
)
MSG_USCC_AUTHORITY = "统一社会信用代码第1位（登记管理部门代码）“{ch}”无效。"
MSG_USCC_DIVISION = "统一社会信用代码第3—8位（登记管理机关行政区划码）应为6位数字。"
MSG_USCC_ORG_CHECK = "统一社会信用代码第9—17位（组织机构代码）的校验码不正确：第17位应为“{expected}”。"
MSG_USCC_CHECK = "统一社会信用代码第18位校验码不正确：按 GB 32100 计算应为“{expected}”，请核对。"


def uscc_check_char(first17):
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8):
    def value(ch):
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    remainder = 11 - sum(value(ch) * w for ch, w in zip(first8, ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def validate_uscc(value):
    code = _normalise(value).upper()
    if len(code) != 18:
        raise ValidationFailed(MSG_USCC_LENGTH.format(n=len(code)), code="uscc_length")
    for pos, ch in enumerate(code, start=1):
        if ch not in USCC_ALPHABET:
            raise ValidationFailed(MSG_USCC_CHARS.format(pos=pos, ch=ch), code="uscc_chars")
    if code[0] not in USCC_REGISTRATION_AUTHORITIES:
        raise ValidationFailed(MSG_USCC_AUTHORITY.format(ch=code[0]), code="uscc_authority")
    if not code[2:8].isdigit():
        raise ValidationFailed(MSG_USCC_DIVISION, code="uscc_division")
    org = code[8:17]
    if org[8] != org_code_check_char(org[:8]):
        raise ValidationFailed(
            MSG_USCC_ORG_CHECK.format(expected=org_code_check_char(org[:8])), code="uscc_org_check"
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationFailed(MSG_USCC_CHECK.format(expected=expected), code="uscc_check")
    return code


def make_uscc(prefix16):
    """Complete a 16-character stem (authority, type, division, first 8 of the org code) into a valid USCC.

    For demo data and test factories; production never invents codes.
    """
    stem = prefix16.upper()
    org = stem[8:16]
    stem17 = stem + org_code_check_char(org)
    return stem17 + uscc_check_char(stem17)


# --- Patent numbers (专利号 / 申请号) -----------------------------------------------------------------

PATENT_TYPES = {"1": "invention", "8": "invention", "2": "utility_model", "9": "utility_model", "3": "design"}
PATENT_TYPE_LABELS = {"invention": "发明专利", "utility_model": "实用新型专利", "design": "外观设计专利"}
_PATENT_RE = re.compile(r"^(?:ZL|CN)?([0-9]{8}|[0-9]{12})\.?([0-9X])$")

MSG_PATENT_FORMAT = (
    "专利号格式不正确。应为 ZL + 12位申请号 + . + 校验位（例如 ZL202010123456.7），"
    "或2003年前的 8位申请号 + 校验位（例如 ZL98123456.X）。"
)
MSG_PATENT_CHECK = "专利号校验位不正确：按国家知识产权局规则计算，“{body}”的校验位应为“{expected}”。"
MSG_PATENT_TYPE = "专利号第{pos}位（专利类型）“{digit}”无效：1/8 为发明，2/9 为实用新型，3 为外观设计。"
MSG_PATENT_TYPE_MISMATCH = "专利号表明这是{actual}，与所选类型“{declared}”不符。"


def patent_check_char(body):
    """Check character of an application number: weights 2..9 repeating, mod 11, 10 -> X."""
    weights = [2, 3, 4, 5, 6, 7, 8, 9]
    total = sum(int(d) * weights[i % 8] for i, d in enumerate(body))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_patent_number(value, *, declared_type=None):
    """'ZL202010123456.7' or '202010123456.7' or old '98123456.X' -> (normalised 'ZL…', patent type)."""
    text = re.sub(r"\s", "", _normalise(value).upper())
    match = _PATENT_RE.match(text)
    if not match:
        raise ValidationFailed(MSG_PATENT_FORMAT, code="patent_format")
    body, check = match.groups()
    type_pos = 5 if len(body) == 12 else 3
    digit = body[type_pos - 1]
    if digit not in PATENT_TYPES:
        raise ValidationFailed(MSG_PATENT_TYPE.format(pos=type_pos, digit=digit), code="patent_type")
    expected = patent_check_char(body)
    if check != expected:
        raise ValidationFailed(MSG_PATENT_CHECK.format(body=body, expected=expected), code="patent_check")
    kind = PATENT_TYPES[digit]
    if declared_type and declared_type != kind:
        raise ValidationFailed(
            MSG_PATENT_TYPE_MISMATCH.format(
                actual=PATENT_TYPE_LABELS[kind], declared=PATENT_TYPE_LABELS.get(declared_type, declared_type)
            ),
            code="patent_type_mismatch",
        )
    return f"ZL{body}.{check}", kind


def make_patent_number(body):
    """Complete an application-number body with its check character (demo data and factories)."""
    return f"ZL{body}.{patent_check_char(body)}"


# --- Trademark registration numbers (商标注册号) -----------------------------------------------------

_TRADEMARK_RE = re.compile(r"^(?:第)?\s*([0-9]{1,9})\s*(?:号)?$")
MSG_TRADEMARK = "商标注册号应为1至9位数字（例如 12345678 或 第12345678号）。"


def validate_trademark_number(value):
    match = _TRADEMARK_RE.match(_normalise(value))
    if not match or int(match.group(1)) == 0:
        raise ValidationFailed(MSG_TRADEMARK, code="trademark_format")
    return str(int(match.group(1)))


# Nice-class numbers 1-45 for trademarks.
def validate_nice_class(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 45:
        raise ValidationFailed("商标类别应为尼斯分类第1至45类。", code="trademark_class")
    return number
