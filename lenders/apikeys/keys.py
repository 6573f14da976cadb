"""The shape of a key: `yfk_<prefix>.<secret>`. Pure functions (no database)."""

import hashlib
import hmac
import re
import secrets

KEY_PREFIX = "yfk_"
PREFIX_LENGTH = 12  # hex digits after yfk_: what the list shows and the lookup uses
KEY_PATTERN = re.compile(r"yfk_([0-9a-f]{12})\.([A-Za-z0-9_-]{43})")


def new_key():
    """(prefix, plain key) with a fresh random secret of 32 bytes."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return prefix, f"{KEY_PREFIX}{prefix}.{secrets.token_urlsafe(32)}"


def digest(plain):
    return hashlib.sha256(plain.encode("ascii")).hexdigest()


def parse(plain):
    """The prefix of a well-formed key, or None."""
    match = KEY_PATTERN.fullmatch(plain or "")
    return match.group(1) if match else None


def matches(plain, stored_digest):
    return hmac.compare_digest(digest(plain), stored_digest)
