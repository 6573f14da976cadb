"""Organisations of four kinds and the users who belong to one of them.

Roles are Django groups (accounts.roles) carrying named permissions; a user may hold several roles
of their organisation's kind (a bank officer is never a bureau approver), never an administrative role
beside a business one, never two administrative roles, and never both bank roles (三员分立,
accounts.roles.role_conflict, checked whenever a user's groups change).

An `AdminRequest` is what an administrator files instead of granting a business role, resetting
another person's password or second factor, or reactivating an account: a second security
administrator approves it (accounts.services), and only then is the change made.

    pending --approve--> approved
            --reject---> rejected
            --expire---> expired   (the system, after ADMIN_REQUEST_VALID_DAYS)
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device

from .roles import Role


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        BANK = "bank", "合作银行"
        BUREAU = "bureau", "市场监督管理局"
        FINANCE = "finance", "财政局"

    kind = models.CharField("机构类型", max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField("机构名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    @property
    def is_government(self):
        return self.kind in (self.Kind.BUREAU, self.Kind.FINANCE)


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="所属机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    must_change_password = models.BooleanField(
        "须修改密码", default=False, help_text="首次登录或密码被重置后，须先修改密码才能办理业务。"
    )
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # The second factor's lockout (accounts.second_factor): wrong codes in a row, and until when the
    # code page refuses every code after the limit.
    otp_failures = models.PositiveSmallIntegerField("动态验证码连续错误次数", default=0)
    otp_locked_until = models.DateTimeField("第二认证因素锁定至", null=True, blank=True)
    # 大字版/长者模式 (issue 14 item 6): larger type and higher contrast on every page (accounts.display).
    large_type = models.BooleanField("大字版（长者模式）", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [
            ("act_for_enterprise", "以企业身份办理业务"),
            ("bank_prepare", "银行经办：受理申请、报送备案、报告贷后、准备补偿申请"),
            ("bank_countersign", "银行复核：复核并提交备案、补偿申请、追偿报告"),
            ("bureau_review", "市监局经办：受理、完整性审查、初审"),
            ("bureau_approve", "市监局审核：审批备案、补偿决定、银行准入与暂停、追回"),
            ("finance_confirm", "财政局：确认拨付与收款、对账"),
            ("read_all", "查看全部业务记录"),
            ("administer", "系统管理：用户、机构、政策版本、节假日表"),
            ("administer_security", "安全管理：角色授予、密码重置、登录锁定、账号启用的审批"),
            ("audit_read", "安全审计：查阅、校验与导出审计日志"),
        ]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def org_kind(self):
        return self.organisation.kind if self.organisation_id else None

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self._history_pending = raw_password is not None
        if raw_password is not None:
            self.password_changed_at = timezone.now()

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if getattr(self, "_history_pending", False) and self.has_usable_password():
            self._history_pending = False
            PasswordHistory.remember(self)


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords (accounts.passwords.PasswordHistoryValidator)."""

    KEEP = 5

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @classmethod
    def remember(cls, user):
        cls.objects.create(user=user, password=user.password)
        stale = cls.objects.filter(user=user).order_by("-id").values_list("id", flat=True)[cls.KEEP :]
        cls.objects.filter(id__in=list(stale)).delete()


class AdminRequest(models.Model):
    """A change one administrator asks for and a second administrator approves (accounts.services)."""

    class Kind(models.TextChoices):
        GRANT_ROLE = "grant_role", "授予业务角色"
        REVOKE_ROLE = "revoke_role", "撤销角色"
        RESET_PASSWORD = "reset_password", "重置密码"
        REACTIVATE = "reactivate", "启用账号"
        RESET_SECOND_FACTOR = "reset_second_factor", "重置第二认证因素"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        EXPIRED = "expired", "已过期"

    kind = models.CharField("申请事项", max_length=20, choices=Kind.choices)
    target = models.ForeignKey(
        User, verbose_name="所涉账号", on_delete=models.PROTECT, related_name="admin_requests_about"
    )
    payload = models.JSONField("内容", default=dict, blank=True)
    reason = models.TextField("理由")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", on_delete=models.PROTECT, related_name="admin_requests_filed"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admin_requests_decided",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "管理操作申请"
        verbose_name_plural = "管理操作申请"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="adminrequest_decider_is_not_requester",
            ),
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("target")),
                name="adminrequest_decider_is_not_target",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.target}（{self.get_status_display()}）"

    @property
    def role(self):
        return self.payload.get("role", "")

    @property
    def summary(self):
        if self.kind in (self.Kind.GRANT_ROLE, self.Kind.REVOKE_ROLE):
            label = dict(Role.choices).get(self.role, self.role)
            return f"{self.get_kind_display()}“{label}”：{self.target}"
        return f"{self.get_kind_display()}：{self.target}"


def recovery_code_digest(user_id, code):
    """A recovery code at rest: a keyed hash (HMAC-SHA256 with SECRET_KEY) of the owner and the code. A
    code is 50 random bits, so a fast keyed hash suffices, and it is found by its digest in one query."""
    return salted_hmac(
        "yunfu_ipfund.accounts.recovery_code", f"{user_id}:{code}", algorithm="sha256"
    ).hexdigest()


class RecoveryCodeDevice(Device):
    """The one-time recovery codes of a user, as a django-otp device (django-otp's own static tokens are
    kept in plaintext: these are kept as digests, `recovery_code_digest`). Each code works once."""

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def verify_token(self, token):
        digest = recovery_code_digest(self.user_id, token)
        used = self.codes.filter(digest=digest, used_at__isnull=True).update(used_at=timezone.now())
        return used == 1

    def codes_left(self):
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField("摘要", max_length=64, unique=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def __str__(self):
        return f"{self.device.user}：{'已使用' if self.used_at else '未使用'}"
