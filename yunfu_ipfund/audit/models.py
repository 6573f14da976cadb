"""Append-only, hash-chained event log.

Each row's hash is an HMAC (audit.hashing: a key outside the database, named by `key_id`) over every
stored field and the previous row's hash, so changing or deleting any row breaks the chain from there on;
the daily checkpoint of the head (audit.anchors, notices.checkpoint) finds the newest rows deleted
(`manage.py verify_audit_chain`). On PostgreSQL and SQLite a trigger refuses UPDATE and DELETE outright
(migration 0002).
"""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    organisation_name = models.CharField("所属机构", max_length=200, blank=True)
    organisation_id_at_time = models.BigIntegerField("机构ID", null=True, blank=True)
    code = models.CharField("操作代码", max_length=100, blank=True, db_index=True)
    action = models.CharField("操作", max_length=100)
    object_type = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象ID", max_length=64)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    from_state = models.CharField("原状态", max_length=50, blank=True)
    to_state = models.CharField("新状态", max_length=50, blank=True)
    reason = models.TextField("理由", blank=True)
    ip = models.GenericIPAddressField("来源IP", null=True, blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField("密钥编号", max_length=40, blank=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
