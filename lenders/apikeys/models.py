"""A bank user's API key. Only a prefix (to find the row) and a SHA-256 digest of the whole key are
stored; the plain key exists once, on the page that creates it. The secret is 32 random bytes, so a
fast digest is enough (nothing to brute-force), and the lookup by prefix keeps one row to compare.

Status: active until `expires_at`, or until revoked (`revoked_at`, `revoked_by`, `revoke_reason`).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiKey(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        EXPIRED = "expired", "已过期"
        REVOKED = "revoked", "已撤销"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys", verbose_name="持有人"
    )
    # The organisation the key was issued for: a key never follows its holder into another one.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="所属机构"
    )
    name = models.CharField("用途名称", max_length=60)
    prefix = models.CharField("密钥前缀", max_length=16, unique=True)
    digest = models.CharField("密钥摘要（SHA-256）", max_length=64)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="撤销人",
    )
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "银行接口密钥"
        verbose_name_plural = "银行接口密钥"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="apikey_user_revoked")]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    def status_at(self, now=None):
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def valid_through(self):
        """The last local day the key works (it expires at the midnight after it)."""
        return timezone.localtime(self.expires_at - dt.timedelta(microseconds=1)).date()

    @property
    def status(self):
        return self.status_at()

    @property
    def status_label(self):
        return self.Status(self.status).label
