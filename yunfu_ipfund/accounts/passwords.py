"""The password rules of 等保 2.0 level 3 (docs/security.md), with Chinese messages.

- at least 12 characters (MinimumLengthValidator, min_length in settings), three of the four
  character classes (CharacterClassesValidator), none of the last five (PasswordHistoryValidator,
  against the hashes kept in PasswordHistory);
- changed at first login and after any reset (`User.must_change_password`) and every
  `PASSWORD_MAX_AGE_DAYS` (`password_change_due`), enforced by accounts.middleware.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import PasswordHistory, User

CLASSES = (
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2 changed this message and its zh-hans translation is missing: say it in Chinese."""

    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class CharacterClassesValidator:
    def __init__(self, classes=3):
        self.classes = classes

    def validate(self, password, user=None):
        found = [name for name, test in CLASSES if any(test(c) for c in password)]
        if len(found) < self.classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.classes} 类"
                f"（当前仅含 {len(found)} 类）。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.classes} 类。"


class PasswordHistoryValidator:
    def __init__(self, last=5):
        self.last = last

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        for old in recent_hashes(user, self.last):  # the current password first, then the earlier ones
            if check_password(password, old):
                raise ValidationError(
                    f"新密码不能与最近 {self.last} 次使用过的密码相同。", code="password_reused"
                )

    def get_help_text(self):
        return f"新密码不能与最近 {self.last} 次使用过的密码相同。"


def recent_hashes(user, last=5):
    """The hashes of the user's last `last` passwords, the current one included (an account made
    without the history, e.g. by create_user, still has its current password counted)."""
    stored = User.objects.filter(pk=user.pk).values_list("password", flat=True).first() or ""
    hashes = [stored] if stored and not stored.startswith("!") else []
    for old in PasswordHistory.objects.filter(user=user).order_by("-id").values_list("password", flat=True):
        if old not in hashes:
            hashes.append(old)
    return hashes[:last]


def password_expired(user, now=None):
    changed = getattr(user, "password_changed_at", None)
    if changed is None:
        return False
    now = now or timezone.now()
    return now - changed >= dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def password_change_due(user):
    """True when this user must change their password before anything else."""
    return bool(getattr(user, "must_change_password", False)) or password_expired(user)
