"""Official notices (numbered PDFs), the in-app inbox, and reminders (obligations with deadlines)."""

from django.conf import settings
from django.db import models

from yunfu_ipfund.common.uploads import PrivateUploadTo, get_private_storage


class DocumentSequence(models.Model):
    """The last number issued for one kind of document in one year. Locked while a number is taken."""

    prefix = models.CharField(max_length=30)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "文号序列"
        verbose_name_plural = "文号序列"
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_prefix_year")
        ]

    def __str__(self):
        return f"{self.prefix}〔{self.year}〕 已用至 {self.last_number} 号"


class Notice(models.Model):
    class RenderStatus(models.TextChoices):
        PENDING = "pending", "生成中"
        RENDERED = "rendered", "已生成"
        FAILED = "failed", "生成失败（将自动重试）"

    kind = models.CharField("文书类型", max_length=50, db_index=True)
    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=60, unique=True)
    prefix = models.CharField(max_length=30)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    subject_type = models.CharField("关联对象类型", max_length=100, db_index=True)
    subject_id = models.CharField("关联对象ID", max_length=64, db_index=True)
    addressee = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="主送机构",
        on_delete=models.PROTECT,
        related_name="notices_received",
    )
    copied_to = models.ManyToManyField(
        "accounts.Organisation", verbose_name="抄送机构", blank=True, related_name="notices_copied"
    )
    context = models.JSONField("文书内容", default=dict)
    issued_at = models.DateTimeField("成文时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_code = models.CharField("验证码", max_length=12)
    pdf = models.FileField(upload_to=PrivateUploadTo("notices"), storage=get_private_storage, blank=True)
    sha256 = models.CharField("文件SHA-256", max_length=64, blank=True)
    render_status = models.CharField(
        max_length=10, choices=RenderStatus.choices, default=RenderStatus.PENDING
    )
    render_attempts = models.PositiveIntegerField(default=0)
    render_error = models.TextField(blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year", "sequence"], name="notice_number_unique"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    content_type = "application/pdf"

    @property
    def filename(self):
        return f"{self.number}{self.title}.pdf"


class Message(models.Model):
    """One in-app inbox message (also e-mailed when the user has an address)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class Reminder(models.Model):
    """An obligation with a deadline. Created by the service where the obligation arises.

    Each is of a declared `kind` (notices.reminders.reminder_kind) about one record (`subject_type`,
    `subject_id`), with a `discriminator` where one record has several of a kind; `key` is derived from
    the three and keeps them unique. "Open reminders of kind K about X" is a query on these columns.

    The sweep (notices.services.sweep_reminders) sends it on each of `notify_dates`, escalates it to
    `escalate_role` of the same organisation the day after `due_date`, and, when it names an `action`,
    runs that registered handler once the deadline has passed (a move the rules make by themselves).
    Resolving it (the obligation was met) stops all of that.
    """

    key = models.CharField("唯一键", max_length=200, unique=True)
    kind = models.CharField("提醒类型", max_length=100, blank=True, db_index=True)
    discriminator = models.CharField("区分", max_length=100, blank=True)
    title = models.CharField("事项", max_length=200)
    body = models.TextField("说明", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    subject_type = models.CharField(max_length=100, blank=True, db_index=True)
    subject_id = models.CharField(max_length=64, blank=True)
    due_date = models.DateField("截止日期", db_index=True)
    provisional = models.BooleanField("截止日按临时日历计算", default=False)
    # How a due date counted in working days was counted (common.workdays.WorkDate.origin: start day and
    # working days), and the working days before it that it is sent on: what a change of the holiday
    # table needs to count it again (notices.reminders.reminder_redate). Empty for a calendar due date.
    due_counted_from = models.DateField("截止日起算日", null=True, blank=True)
    due_workdays = models.IntegerField("截止日工作日数", null=True, blank=True)
    notify_workdays_before = models.JSONField("提前提醒（工作日）", default=list, blank=True)
    notify_dates = models.JSONField("提醒日期", default=list)
    next_notify_on = models.DateField(null=True, blank=True, db_index=True)
    recipient_org = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="空：所有持该角色的用户（如市监局、管理员）。",
    )
    recipient_role = models.CharField("责任角色", max_length=30)
    escalate_role = models.CharField("逾期上报角色", max_length=30, blank=True)
    action = models.CharField("到期自动处理", max_length=100, blank=True)
    last_sent_on = models.DateField(null=True, blank=True)
    times_sent = models.PositiveIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    action_done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "kind"], name="reminder_about_kind")]

    def __str__(self):
        return f"{self.title}（{self.due_date:%Y-%m-%d}）"

    @property
    def is_open(self):
        return self.resolved_at is None


class OutboxMessage(models.Model):
    """One piece of background work (an e-mail, a PDF render, an import run), written in the
    transaction of the action that asks for it and published to the broker after that commits
    (notices.outbox). The row is the record that the work is owed: when the broker is down it stays
    pending and the beat sweep (`notices.dispatch_outbox`) publishes it again, with backoff, until it
    is sent or the attempts run out (failed, administrators alerted). docs/operations.md, "队列与发件箱".
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    task_name = models.CharField("任务", max_length=100)
    args = models.JSONField("参数", default=list)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间")
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    # Set by a task that is not idempotent (an e-mail) once it has run, so a redelivered or
    # re-published message does not run it twice (notices.outbox.run_once).
    done_at = models.DateTimeField("执行完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "发件箱任务"
        verbose_name_plural = "发件箱任务"
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(status="pending"), name="outbox_pending_due"
            )
        ]

    def __str__(self):
        return f"{self.task_name} #{self.pk}（{self.get_status_display()}）"
