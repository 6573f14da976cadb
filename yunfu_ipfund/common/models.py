"""The platform's own table: the first answer to an API write carrying an Idempotency-Key
(`yunfu_ipfund.common.api.idempotent`). It moved here from lenders (lenders/migrations/0005 copies
the rows), so that every app's API uses one helper below the apps."""

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to an API create or report carrying an Idempotency-Key, returned again on a retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=200)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotency_key_once"),
        ]

    def __str__(self):
        return f"{self.endpoint} {self.key}"
