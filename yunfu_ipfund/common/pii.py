"""Masking personal data for display (issue 11 item 8). Pure functions: text in, text out.

- an identity number keeps its first 4 and last 4 characters: 441202199001011234 → 4412**********1234;
- a mobile number keeps its first 3 and last 4 digits: 13812345678 → 138****5678 (+86 kept as written);
- any other telephone number keeps its last 4 digits;
- an e-mail keeps the first character of the mailbox and the domain: zhang.san@example.com →
  z***@example.com (always three stars: the mask does not tell how long the mailbox is);
- a contact (what the objection form takes: a mobile or an e-mail) is masked as what it is.

Anything unusual is masked more, never less: a short or unrecognised value keeps at most its last two
characters. Empty stays empty (a template's default shows "—").
"""

import re

MASK = "*"
_MOBILE = re.compile(r"(\+?86[- ]?)?(1\d{10})")
_DIGITS = re.compile(r"\d")


def _tail(value, keep):
    return MASK * (len(value) - keep) + value[len(value) - keep :] if len(value) > keep else MASK * len(value)


def mask_id_number(value):
    """A resident identity card number (18 or 15 characters) or any other identity document number."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 12:
        return value[:4] + MASK * (len(value) - 8) + value[-4:]
    return _tail(value, 2)


def mask_mobile(value):
    """A mainland mobile number; any other number as a telephone number."""
    value = (value or "").strip()
    if not value:
        return ""
    match = _MOBILE.fullmatch(value)
    if match is None:
        return mask_phone(value)
    country, number = match.group(1) or "", match.group(2)
    return f"{country}{number[:3]}{MASK * 4}{number[-4:]}"


def mask_phone(value):
    """A telephone number of any shape: every digit but the last four hidden, separators kept."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = len(_DIGITS.findall(value))
    if digits < 7:
        return _tail(value, 2)
    keep_from = digits - 4
    out, seen = [], 0
    for char in value:
        if char.isdigit():
            out.append(char if seen >= keep_from else MASK)
            seen += 1
        else:
            out.append(char)
    return "".join(out)


def mask_email(value):
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        return _tail(value, 2)
    return f"{local[0]}{MASK * 3}@{domain}"


def mask_contact(value):
    """A contact that is a mobile number or an e-mail address (or, failing both, a telephone number)."""
    value = (value or "").strip()
    if "@" in value:
        return mask_email(value)
    return mask_mobile(value)


MASKS = {
    "id_number": mask_id_number,
    "mobile": mask_mobile,
    "phone": mask_phone,
    "email": mask_email,
    "contact": mask_contact,
}


def mask(kind, value):
    """Mask `value` as a `kind` of MASKS (an unknown kind is a programming error)."""
    return MASKS[kind](value)
