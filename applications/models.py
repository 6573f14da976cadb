"""The enterprise side (Art 7-8): enterprise profiles, their IP assets, and pledge-loan registrations.

Registration lifecycle (enterprise, then bank), declared once in `LoanRegistration.WORKFLOW`:

    DRAFT --submit--> SUBMITTED --accept--> ACCEPTED
      ^                  |  \\--decline--> DECLINED
      |                  \\--withdraw--> WITHDRAWN   (only before the bank acts)
      \\------------redraft------------------/      (back to an editable draft)

The enterprise makes submit, withdraw and redraft; the bank the registration is addressed to makes
accept and decline. A repeat of any of them is a no-op.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from yunfu_ipfund.accounts.roles import PERM_BANK_PREPARE, PERM_ENTERPRISE
from yunfu_ipfund.audit.workflow import NOOP, Move, Workflow
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, Forbidden
from yunfu_ipfund.common.fields import MoneyField
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.common.uploads import PrivateUploadTo, get_private_storage
from yunfu_ipfund.policy.models import EnterpriseSize, IPFamily, ip_type_choices, ip_type_family

MSG_NOT_OWN_ENTERPRISE = "只有申请企业本身可以办理该登记。"
MSG_NOT_ADDRESSED_BANK = "只有受理该申请的合作银行可以办理。"
MSG_APPEND_ONLY = "{what}只增不改：已有记录不能修改或删除，如有错误请另行记录。"


class District(models.TextChoices):
    YUNCHENG = "yuncheng", "云城区"
    YUNAN = "yunan", "云安区"
    LUODING = "luoding", "罗定市"
    XINXING = "xinxing", "新兴县"
    YUNAN_COUNTY = "yunnan", "郁南县"


# Positions 3-8 of a USCC (GB 32100-2015) are the registration authority's administrative area code
# (GB/T 2260). Yunfu's five county-level areas, and the city's own authority.
DISTRICT_REGION_CODES = {
    District.YUNCHENG: "445302",
    District.YUNAN: "445303",
    District.LUODING: "445381",
    District.XINXING: "445321",
    District.YUNAN_COUNTY: "445322",
}
CITY_REGION_CODE = "445300"  # 云浮市 itself: its authority registers firms of every district
REGION_NAMES = {
    **{code: district.label for district, code in DISTRICT_REGION_CODES.items()},
    CITY_REGION_CODE: "云浮市",
    "440000": "广东省",
}
# Positions 1-2: 登记管理部门 9 (市场监督管理) and its category; 92 is 个体工商户 (not a legal person).
SOLE_TRADER_CATEGORY = "92"


def uscc_region(uscc):
    """The registration authority's area code of a USCC (positions 3-8), '' when too short."""
    code = (uscc or "").strip().upper()
    return code[2:8] if len(code) >= 8 else ""


class Sector(models.TextChoices):
    """Every sector of the 2011 SME classification standard (工信部联企业〔2011〕300号 第四条), in its order.
    The six codes of the first build keep their values (`services` is 其他未列明行业)."""

    AGRICULTURE = "agriculture", "农、林、牧、渔业"
    INDUSTRY = "industry", "工业"
    CONSTRUCTION = "construction", "建筑业"
    WHOLESALE = "wholesale", "批发业"
    RETAIL = "retail", "零售业"
    TRANSPORT = "transport", "交通运输业"
    WAREHOUSING = "warehousing", "仓储业"
    POSTAL = "postal", "邮政业"
    ACCOMMODATION = "accommodation", "住宿业"
    CATERING = "catering", "餐饮业"
    INFO_TRANSMISSION = "info_transmission", "信息传输业"
    SOFTWARE_IT = "software_it", "软件和信息技术服务业"
    REAL_ESTATE = "real_estate", "房地产开发经营"
    PROPERTY_MANAGEMENT = "property_mgmt", "物业管理"
    LEASING_BUSINESS = "leasing_business", "租赁和商务服务业"
    SERVICES = "services", "其他未列明行业"


class EnterpriseProfile(models.Model):
    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="enterprise_profile",
        verbose_name="企业",
    )
    legal_representative = models.CharField("法定代表人", max_length=50)
    registered_address = models.CharField("注册地址", max_length=300)
    district = models.CharField("所在县（市、区）", max_length=20, choices=District.choices, blank=True)
    sector = models.CharField("行业", max_length=20, choices=Sector.choices)
    declared_size = models.CharField("申报企业规模", max_length=10, choices=EnterpriseSize.choices)
    employees = models.PositiveIntegerField("从业人员（人）", null=True, blank=True)
    revenue = MoneyField("上年营业收入（万元）", null=True, blank=True)
    total_assets = MoneyField("资产总额（万元）", null=True, blank=True)
    annual_report_year = models.PositiveIntegerField("最近按时报送年报的年度", null=True, blank=True)
    credit_declared_on = models.DateField("无不良信用记录声明日期", null=True, blank=True)
    credit_declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Never assumed: None until the enterprise says; a 92 code (个体工商户) is refused whatever it says.
    is_independent_legal_person = models.BooleanField("具有独立法人资格", null=True, blank=True, default=None)
    region_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记机关不在本县（市、区）的核准人",
    )
    region_override_reason = models.TextField("登记机关不在本县（市、区）的核准理由", blank=True)
    region_override_at = models.DateTimeField("登记机关不在本县（市、区）的核准时间", null=True, blank=True)
    region_override_code = models.CharField("核准时的统一社会信用代码", max_length=18, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "企业信息"
        verbose_name_plural = "企业信息"

    def __str__(self):
        return self.organisation.name

    @property
    def region_overridden(self):
        """A bureau override of the registration authority, for the code it was given on."""
        return bool(
            self.region_override_by_id
            and self.region_override_reason
            and self.region_override_code == self.organisation.uscc
        )

    @property
    def blacklisted_until(self):
        """The end of the latest listing in force today (None when not listed); the records are
        `Blacklisting`."""
        listing = Blacklisting.objects.in_force(local_today()).filter(enterprise_id=self.organisation_id)
        return listing.order_by("-listed_until").values_list("listed_until", flat=True).first()


class CreditCheck(models.Model):
    """The bureau clerk's check of an enterprise's credit record and annual reports (Art 7), as the
    credit provider (`applications.credit`, setting CREDIT_PROVIDER) returned it. Append-only: a new
    check is a new row; the latest one within `declaration_valid_days` before submission counts."""

    enterprise = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="credit_checks", verbose_name="企业"
    )
    provider = models.CharField("核查方式", max_length=200)
    source = models.CharField("查询来源", max_length=100)
    queried_on = models.DateField("查询日期")
    credit_clean = models.BooleanField("企业及法定代表人近三年无不良信用记录")
    annual_report_on_time = models.BooleanField("按时报送年度报告")
    note = models.TextField("核查说明", blank=True)
    extract = models.FileField(
        "查询结果截图/报告",
        upload_to=PrivateUploadTo("credit-checks"),
        storage=get_private_storage,
        blank=True,
    )
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "信用核查记录"
        verbose_name_plural = "信用核查记录"
        ordering = ["-queried_on", "-id"]

    def __str__(self):
        return f"{self.enterprise} {self.queried_on:%Y-%m-%d} {self.source}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DomainError(MSG_APPEND_ONLY.format(what=self._meta.verbose_name), code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(MSG_APPEND_ONLY.format(what=self._meta.verbose_name), code="append_only")

    @property
    def passed(self):
        return self.credit_clean and self.annual_report_on_time


class BlacklistingQuerySet(models.QuerySet):
    def in_force(self, on):
        return self.filter(listed_from__lte=on, listed_until__gte=on)


class Blacklisting(models.Model):
    """One listing of an enterprise on the blacklist (Art 21: false information → clawback and listing).

    Append-only: a listing is never edited or deleted. `listed_until` is `listed_from` plus the
    `blacklist_years` of the policy version in force on the day of the listing (the rescission day,
    Rulings of December 2026), never a free date; the version is recorded in `policy`. The enterprise is
    listed on every day from `listed_from` to `listed_until`, both included."""

    class Source(models.TextChoices):
        CLAWBACK = "clawback", "撤销补偿"
        FRAUD = "fraud", "骗取"
        MANUAL = "manual", "人工"
        MIGRATED = "migrated", "迁移自原企业信息"

    enterprise = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="blacklistings", verbose_name="企业"
    )
    listed_from = models.DateField("列入日期")
    listed_until = models.DateField("截止日期")
    reason = models.TextField("列入原因")
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    policy = models.ForeignKey(
        "policy.PolicyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="列入当日适用的管理办法版本",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BlacklistingQuerySet.as_manager()

    class Meta:
        verbose_name = "失信黑名单记录"
        verbose_name_plural = "失信黑名单记录"
        ordering = ["-listed_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(listed_until__gte=models.F("listed_from")),
                name="blacklisting_period_valid",
            )
        ]

    def __str__(self):
        return f"{self.enterprise} 列入黑名单 {self.listed_from:%Y-%m-%d} 至 {self.listed_until:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DomainError(MSG_APPEND_ONLY.format(what=self._meta.verbose_name), code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(MSG_APPEND_ONLY.format(what=self._meta.verbose_name), code="append_only")


class IPAsset(models.Model):
    """A patent, trademark or geographical indication owned by an enterprise (Art 2: nothing else)."""

    class GIRightType(models.TextChoices):
        USE_RIGHT = "use_right", "地理标志专用标志使用权"
        COLLECTIVE_MARK = "collective_mark", "集体商标"
        CERTIFICATION_MARK = "certification_mark", "证明商标"

    enterprise = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="ip_assets", verbose_name="权利人企业"
    )
    ip_type = models.CharField("类型", max_length=20, choices=ip_type_choices)  # the IP type table (policy)
    number = models.CharField("专利号/注册号/证书号", max_length=40)
    title = models.CharField("名称", max_length=200)
    holder_name = models.CharField("权利人名称", max_length=200)
    grant_date = models.DateField("授权/核准注册日", null=True, blank=True)
    expiry_date = models.DateField("有效期至", null=True, blank=True)
    annual_fee_paid_through = models.DateField("年费缴至", null=True, blank=True)
    trademark_class = models.PositiveSmallIntegerField("商标类别", null=True, blank=True)
    gi_right_type = models.CharField(
        "地理标志权利类型", max_length=30, choices=GIRightType.choices, blank=True
    )
    authorisation_document = models.CharField("授权文件", max_length=200, blank=True)
    holder_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="权利人名称不符的核准人",
    )
    holder_override_reason = models.TextField("权利人名称不符的核准理由", blank=True)
    holder_override_at = models.DateTimeField("权利人名称不符的核准时间", null=True, blank=True)
    holder_override_requested = models.BooleanField(
        "企业申请核准权利人名称不符",
        default=False,
        help_text="权利人名称与企业名称不一致（如企业更名）时，企业登记后须经市监局核准方可质押。",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "知识产权"
        verbose_name_plural = "知识产权"
        ordering = ["enterprise", "ip_type", "number"]
        constraints = [models.UniqueConstraint(fields=["ip_type", "number"], name="ip_asset_unique_number")]

    def __str__(self):
        return f"{self.get_ip_type_display()} {self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("applications:asset_detail", args=[self.pk])

    @property
    def is_patent(self):
        """Of the patent family of the IP type table (a type a later Measures adds included)."""
        return ip_type_family(self.ip_type) == IPFamily.PATENT

    @property
    def holder_matches(self):
        return self.holder_name.strip() == self.enterprise.name.strip()

    @property
    def holder_overridden(self):
        return bool(self.holder_override_by_id and self.holder_override_reason)


def registration_by_its_enterprise(registration, user):
    """Guard: only a user of the applying enterprise moves its registration."""
    if user is not None and user.organisation_id != registration.enterprise_id:
        raise Forbidden(MSG_NOT_OWN_ENTERPRISE, code="not_own_enterprise")


def registration_by_its_bank(registration, user):
    """Guard: only a user of the bank the registration is addressed to decides on it."""
    if user is not None and user.organisation_id != registration.bank_id:
        raise Forbidden(MSG_NOT_ADDRESSED_BANK, code="not_addressed_bank")


class LoanRegistration(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交，待银行受理"
        ACCEPTED = "accepted", "银行已受理"
        DECLINED = "declined", "银行不予受理"
        WITHDRAWN = "withdrawn", "已撤回"

    WORKFLOW = Workflow(
        Move(
            "submit",
            (Status.DRAFT,),
            Status.SUBMITTED,
            "提交质押融资登记",
            PERM_ENTERPRISE,
            NOOP,
            guards=(registration_by_its_enterprise,),
        ),
        Move(
            "withdraw",
            (Status.SUBMITTED,),
            Status.WITHDRAWN,
            "撤回质押融资登记",
            PERM_ENTERPRISE,
            NOOP,
            guards=(registration_by_its_enterprise,),
        ),
        Move(
            "redraft",
            (Status.WITHDRAWN,),
            Status.DRAFT,
            "退回草稿重新编辑",
            PERM_ENTERPRISE,
            NOOP,
            guards=(registration_by_its_enterprise,),
        ),
        Move(
            "accept",
            (Status.SUBMITTED,),
            Status.ACCEPTED,
            "受理",
            PERM_BANK_PREPARE,
            NOOP,
            guards=(registration_by_its_bank,),
        ),
        Move(
            "decline",
            (Status.SUBMITTED,),
            Status.DECLINED,
            "不予受理",
            PERM_BANK_PREPARE,
            NOOP,
            guards=(registration_by_its_bank,),
        ),
    )

    enterprise = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="loan_registrations",
        verbose_name="申请企业",
    )
    bank = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="bank_registrations",
        verbose_name="合作银行",
    )
    amount = MoneyField("申请金额（元）")
    term_months = models.PositiveIntegerField("期限（月）")
    purpose = models.CharField("用途", max_length=300)
    assets = models.ManyToManyField(IPAsset, related_name="registrations", verbose_name="拟质押知识产权")
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    commitment_signed_at = models.DateTimeField("承诺书签署时间", null=True, blank=True)
    commitment_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commitment_ip = models.GenericIPAddressField("签署IP", null=True, blank=True)
    commitment_truthful = models.BooleanField("承诺所填信息真实、准确、完整", default=False)
    commitment_credit_inquiry = models.BooleanField(
        "授权银行及市监局查询企业及法定代表人信用信息", default=False
    )
    commitment_publication = models.BooleanField("同意在公示、公告中公开相关信息", default=False)
    policy = models.ForeignKey(
        "policy.PolicyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="提交时适用的管理办法版本",
    )
    submitted_checks = models.JSONField("提交时的资格核验结果", default=list, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField("银行意见", blank=True)

    class Meta:
        verbose_name = "质押融资登记"
        verbose_name_plural = "质押融资登记"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.enterprise} 向 {self.bank} 申请 {format_money(self.amount)} 元"

    def get_absolute_url(self):
        return reverse("applications:registration_detail", args=[self.pk])

    @property
    def commitment_signed(self):
        return bool(
            self.commitment_signed_at
            and self.commitment_truthful
            and self.commitment_credit_inquiry
            and self.commitment_publication
        )
