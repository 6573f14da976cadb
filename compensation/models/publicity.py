"""The public notice (公示) batch and the objections to it (Rulings, December 2026).

An objection is received in full (real name, a contact that can be checked, a substantive text) and
goes to the bureau clerk, who rules it founded (成立) or unfounded (不成立) with a reason. Only a founded
objection withdraws its claim from the batch (back to second review); the batch then no longer shows
as 公示中 for that claim, and when every claim of a batch is withdrawn the batch itself shows as
withdrawn.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

USER = settings.AUTH_USER_MODEL


class PublicNoticeBatch(models.Model):
    """A public notice (公示) of approved claims, on the public site for the policy's working days."""

    class State(models.TextChoices):
        PENDING = "pending", "待开始"
        RUNNING = "running", "公示中"
        ENDED = "ended", "已结束"
        WITHDRAWN = "withdrawn", "已撤回"

    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("发布时间")
    starts_on = models.DateField("公示开始日期")
    ends_on = models.DateField("公示截止日期", db_index=True)
    workdays = models.PositiveIntegerField("公示期（工作日）")
    rows = models.JSONField(
        "公示内容", default=list, help_text="已脱敏的公示行：银行、企业（脱敏）、贷款金额、拟补偿金额。"
    )
    notice = models.ForeignKey(
        "notices.Notice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="公示文书",
    )

    class Meta:
        verbose_name = "公示批次"
        verbose_name_plural = "公示批次"
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return f"第 {self.pk} 批公示（{self.starts_on:%Y-%m-%d} 至 {self.ends_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("compensation:public_detail", args=[self.pk])

    def withdrawn_claim_ids(self):
        """The claims of this batch withdrawn by a founded objection (back to second review)."""
        founded = [o for o in self.objections.all() if o.outcome == Objection.Outcome.FOUNDED]
        return {o.claim_id for o in founded}

    def state_on(self, day):
        """待开始 / 公示中 / 已结束 by the period; 已撤回 when every claim of it was withdrawn."""
        rows = {row["claim"] for row in self.rows}
        if rows and rows <= self.withdrawn_claim_ids():
            return self.State.WITHDRAWN
        if day < self.starts_on:
            return self.State.PENDING
        if day <= self.ends_on:
            return self.State.RUNNING
        return self.State.ENDED


class Objection(models.Model):
    """An objection during the public notice period, with the clerk's ruling (成立 / 不成立)."""

    # What an objection must carry (the service checks it; the public notice tells the public the same).
    MIN_CHARS = 10
    MAX_CHARS = 2000
    REQUIREMENTS = "须填写真实姓名（中文）、有效的手机号码或电子邮箱，以及不少于 {minimum} 字的异议事实和理由"

    class Outcome(models.TextChoices):
        PENDING = "", "待认定"
        FOUNDED = "founded", "成立"
        UNFOUNDED = "unfounded", "不成立"

    batch = models.ForeignKey(PublicNoticeBatch, on_delete=models.PROTECT, related_name="objections")
    claim = models.ForeignKey("Claim", on_delete=models.PROTECT, related_name="objections")
    name = models.CharField("姓名或单位", max_length=100)
    contact = models.CharField("联系方式", max_length=100)
    content = models.TextField("异议内容")
    ip = models.GenericIPAddressField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(
        "认定结论", max_length=10, choices=Outcome.choices, default="", blank=True, db_index=True
    )
    answered_by = models.ForeignKey(
        USER, verbose_name="处理人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField("处理意见", blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return f"异议 #{self.pk}（{self.name}）"

    @property
    def is_pending(self):
        return self.outcome == self.Outcome.PENDING
