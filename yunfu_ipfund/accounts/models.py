"""Organisations of four kinds and the users who belong to one of them.

Roles are Django groups (accounts.roles) carrying named permissions; a user may hold several roles
of their organisation's kind (a bank officer is never a bureau approver).
"""

from django.contrib.auth.models import AbstractUser
from django.db import models


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
        ]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def org_kind(self):
        return self.organisation.kind if self.organisation_id else None
