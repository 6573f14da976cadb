"""The Measures as data: effective-dated policy versions, the 1-year LPR table, the holiday table.

A loan is judged under the version in force on its disbursement date; a claim or recovery under the
version in force when the action is taken (DOMAIN.md). Once a version has judged a record it is
frozen: changing a number means issuing a new version (policy.services).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DatabaseError, models

from yunfu_ipfund.common.articles import ARTICLE_2, implements
from yunfu_ipfund.common.fields import MoneyField
from yunfu_ipfund.common.memo import memoized

RATIO = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
POSITIVE_MONEY = [MinValueValidator(Decimal("0.01"))]
AT_LEAST_ONE = [MinValueValidator(1)]


class IPType(models.TextChoices):
    """The codes of the five Art 2 types the portal ships with (seeded into the IP type table, policy
    0004). Code that needs a built-in type by name (a patent number's type digit) uses these; what
    exists, its name and its family are the table's (`IPTypeEntry`): a new Measures adds a row."""

    INVENTION = "invention", "发明专利"
    UTILITY_MODEL = "utility_model", "实用新型专利"
    DESIGN = "design", "外观设计专利"
    TRADEMARK = "trademark", "注册商标"
    GEO_INDICATION = "geo_indication", "地理标志"


class IPFamily(models.TextChoices):
    """Art 2: IP pledge financing is a loan secured by patent rights, trademark rights or geographical
    indications only. Every IP type belongs to one of these; nothing else (copyright …) can be added."""

    PATENT = "patent", "专利"
    TRADEMARK = "trademark", "商标"
    GEO_INDICATION = "geo_indication", "地理标志"


BUILT_IN_FAMILIES = {
    IPType.INVENTION: IPFamily.PATENT,
    IPType.UTILITY_MODEL: IPFamily.PATENT,
    IPType.DESIGN: IPFamily.PATENT,
    IPType.TRADEMARK: IPFamily.TRADEMARK,
    IPType.GEO_INDICATION: IPFamily.GEO_INDICATION,
}


class IPTypeEntry(models.Model):
    """One IP type a version of the Measures may list (the IP type table; DOMAIN Rulings: "IP types are
    data"). A version lists the codes it supports in `PolicyVersion.ip_types_in_scope`; an inactive type
    can no longer be listed or registered, and the records that have it keep it."""

    code = models.SlugField(
        "代码", max_length=20, unique=True, help_text="字母、数字、下划线或连字符；保存后不能修改。"
    )
    name = models.CharField("名称", max_length=50)
    family = models.CharField("所属类别（第二条）", max_length=20, choices=IPFamily.choices)
    sort = models.PositiveIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "知识产权类型"
        verbose_name_plural = "知识产权类型"
        ordering = ["sort", "code"]

    def __str__(self):
        return f"{self.name}（{self.get_family_display()}）"


def _ip_type_rows():
    return list(IPTypeEntry.objects.order_by("sort", "code"))


def ip_type_entries(*, active_only=False):
    """The IP type table in its order (read once per request, common.memo; cleared when a row changes).

    Before the table exists (a database not yet migrated, the system checks) the built-in types stand
    in, so nothing that only lists choices fails."""
    try:
        rows = memoized("policy.ip_types", _ip_type_rows)
    except DatabaseError:
        rows = [
            IPTypeEntry(code=t.value, name=t.label, family=BUILT_IN_FAMILIES[t], sort=i * 10)
            for i, t in enumerate(IPType, 1)
        ]
    return [r for r in rows if r.active] if active_only else rows


def ip_type_entry(code):
    """The table's row of `code`, or None."""
    return next((r for r in ip_type_entries() if r.code == code), None)


def ip_type_choices():
    """(code, name) of every type in the table, active or not (what a stored record may hold)."""
    return [(r.code, r.name) for r in ip_type_entries()]


def active_ip_type_choices():
    """(code, name) of the active types (what a form offers)."""
    return [(r.code, r.name) for r in ip_type_entries(active_only=True)]


def ip_type_name(code):
    entry = ip_type_entry(code)
    return entry.name if entry else code


def ip_type_family(code):
    """The Art 2 family (IPFamily) of `code`, or None for a code that is not in the table."""
    entry = ip_type_entry(code)
    return IPFamily(entry.family) if entry else None


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", "微型企业"
    SMALL = "small", "小型企业"
    MEDIUM = "medium", "中型企业"
    LARGE = "large", "大型企业"


@implements(ARTICLE_2)
def validate_ip_types(value):
    """The codes a version lists must be active types of the IP type table (Art 2)."""
    if not isinstance(value, list) or not value:
        raise ValidationError("至少选择一种纳入范围的知识产权类型。")
    known = {r.code for r in ip_type_entries(active_only=True)}
    unknown = {str(v) for v in value} - known
    if unknown:
        raise ValidationError(
            f"未知或未启用的知识产权类型：{'、'.join(sorted(unknown))}。"
            "《管理办法》第二条：仅专利权、商标专用权、地理标志；新增类型须先在“知识产权类型”中登记。"
        )
    if len(set(value)) != len(value):
        raise ValidationError("纳入范围的知识产权类型有重复。")


def validate_sizes(value):
    if not isinstance(value, list) or not value:
        raise ValidationError("至少选择一种企业规模。")
    unknown = set(value) - set(EnterpriseSize.values)
    if unknown:
        raise ValidationError(f"未知的企业规模：{', '.join(sorted(unknown))}。")


class RecoveryShareBasis(models.TextChoices):
    EFFECTIVE = "effective", "按实际分担比例（已补偿÷计算补偿的未收回本金）"
    NOMINAL = "nominal", "按名义分担比例"


class CapPeriod(models.TextChoices):
    CALENDAR_YEAR = "calendar_year", "自然年度"
    ROLLING_12_MONTHS = "rolling_12_months", "滚动12个月"


NPL_CLASS_CHOICES = {"substandard": "次级", "doubtful": "可疑", "loss": "损失"}


def validate_npl_classes(value):
    if not isinstance(value, list) or not value:
        raise ValidationError("至少选择一种不良分类。")
    unknown = set(value) - set(NPL_CLASS_CHOICES)
    if unknown:
        raise ValidationError(f"未知的不良分类：{', '.join(sorted(unknown))}（可选：次级、可疑、损失）。")


def default_npl_classes():
    return list(NPL_CLASS_CHOICES)


class PolicyVersion(models.Model):
    """One version of the Measures with every number they set. Field help texts say where each is used."""

    code = models.CharField("版本代码", max_length=20, unique=True)
    title = models.CharField("文件名称", max_length=200)
    document_number = models.CharField("文号", max_length=100, blank=True)
    issuing_body = models.CharField("发文机关", max_length=200)
    legal_basis = models.TextField("制定依据")
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("失效日期（含当日）")
    requires_joint_meeting = models.BooleanField(
        "补偿决定前须经联席会议审议", default=False, help_text="2020年办法设联席会议；2025年办法不设。"
    )

    ip_types_in_scope = models.JSONField(
        "纳入范围的知识产权类型", default=list, validators=[validate_ip_types]
    )
    fund_capital = MoneyField("资金规模（元）", validators=POSITIVE_MONEY)
    enterprise_sizes = models.JSONField("支持的企业规模", default=list, validators=[validate_sizes])
    credit_lookback_months = models.PositiveIntegerField(
        "无不良信用记录回溯期（月）", validators=AT_LEAST_ONE
    )
    single_loan_cap = MoneyField("单笔贷款上限（元）", validators=POSITIVE_MONEY)
    enterprise_outstanding_cap = MoneyField("单户企业在保余额上限（元）", validators=POSITIVE_MONEY)
    loan_term_cap_months = models.PositiveIntegerField("贷款期限上限（月）", validators=AT_LEAST_ONE)
    rate_margin_bp = models.PositiveIntegerField(
        "利率上限：1年期LPR加点（基点）", validators=[MaxValueValidator(2000)]
    )
    min_ip_collateral_share = models.DecimalField(
        "知识产权占担保比例下限", max_digits=5, decimal_places=4, validators=RATIO
    )
    filing_deadline_workdays = models.PositiveIntegerField(
        "放款后备案期限（工作日）", validators=AT_LEAST_ONE
    )
    filing_review_workdays = models.PositiveIntegerField("备案审核期限（工作日）", validators=AT_LEAST_ONE)
    correction_workdays = models.PositiveIntegerField("退回补正期限（工作日）", validators=AT_LEAST_ONE)
    leverage_multiple = models.DecimalField(
        "放大倍数上限（在保余额÷可用余额）",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    claim_window_months = models.PositiveIntegerField("不良认定后申请补偿期限（月）", validators=AT_LEAST_ONE)
    completeness_check_workdays = models.PositiveIntegerField(
        "受理（完整性审查）期限（工作日）", validators=AT_LEAST_ONE
    )
    supplement_workdays = models.PositiveIntegerField("补充材料期限（工作日）", validators=AT_LEAST_ONE)
    supplement_rounds = models.PositiveIntegerField("补充材料次数", validators=AT_LEAST_ONE)
    substantive_review_workdays = models.PositiveIntegerField(
        "实质审查期限（工作日）", validators=AT_LEAST_ONE
    )
    public_notice_workdays = models.PositiveIntegerField("公示期（工作日）", validators=AT_LEAST_ONE)
    decision_workdays = models.PositiveIntegerField(
        "公示结束后作出决定期限（工作日）", validators=AT_LEAST_ONE
    )
    payment_workdays = models.PositiveIntegerField("决定后拨付期限（工作日）", validators=AT_LEAST_ONE)
    fund_share = models.DecimalField("风险补偿资金分担比例", max_digits=5, decimal_places=4, validators=RATIO)
    per_loan_compensation_cap = MoneyField("单笔贷款补偿上限（元）", validators=POSITIVE_MONEY)
    per_bank_compensation_cap = MoneyField(
        "单家银行年度补偿上限（元，空为不设）", null=True, blank=True, validators=POSITIVE_MONEY
    )
    recovery_report_workdays = models.PositiveIntegerField(
        "收到追偿款后报告期限（工作日）", validators=AT_LEAST_ONE
    )
    recovery_return_workdays = models.PositiveIntegerField(
        "返还追偿款期限（工作日）", validators=AT_LEAST_ONE
    )
    suspension_npl_ratio = models.DecimalField(
        "暂停备案：在保不良率阈值", max_digits=5, decimal_places=4, validators=RATIO
    )
    suspension_return_overdue_days = models.PositiveIntegerField(
        "暂停备案：追偿款逾期返还天数", validators=AT_LEAST_ONE
    )
    fund_pause_payout_ratio = models.DecimalField(
        "暂停新增：累计净代偿占资金规模比例", max_digits=5, decimal_places=4, validators=RATIO
    )
    blacklist_years = models.PositiveIntegerField("失信黑名单期限（年）", validators=AT_LEAST_ONE)
    # Rulings (December 2026): numbers that the first build kept in code.
    npl_overdue_days = models.PositiveIntegerField(
        "逾期认定不良天数",
        default=90,
        validators=AT_LEAST_ONE,
        help_text="损失事件取银行不良分类日与逾期满该天数之日中较早者；补偿申请期限自损失事件起算。",
    )
    npl_classes = models.JSONField(
        "不良分类（损失事件）", default=default_npl_classes, validators=[validate_npl_classes]
    )
    declaration_valid_days = models.PositiveIntegerField(
        "信用承诺有效期（提交前天数）", default=30, validators=AT_LEAST_ONE
    )
    recovery_share_basis = models.CharField(
        "追偿款返还比例口径",
        max_length=20,
        choices=RecoveryShareBasis.choices,
        default=RecoveryShareBasis.EFFECTIVE,
    )
    suspension_window_months = models.PositiveIntegerField(
        "暂停备案：统计回溯期（月）", default=12, validators=AT_LEAST_ONE
    )
    bank_claims_share = models.DecimalField(
        "暂停备案：回溯期内向单家银行拨付补偿占资金规模比例",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.2000"),
        validators=RATIO,
    )
    objection_review_workdays = models.PositiveIntegerField(
        "异议成立后重新复审期限（工作日）", default=5, validators=AT_LEAST_ONE
    )
    objection_limit_per_claim = models.PositiveIntegerField(
        "每项补偿申请受理异议上限（件）", default=20, validators=AT_LEAST_ONE
    )
    objection_limit_per_client = models.PositiveIntegerField(
        "同一提出人对同一申请的异议上限（件）", default=2, validators=AT_LEAST_ONE
    )
    clawback_return_workdays = models.PositiveIntegerField(
        "追回补偿款缴回期限（工作日）", default=10, validators=AT_LEAST_ONE
    )
    per_bank_cap_period = models.CharField(
        "单家银行补偿上限统计期间",
        max_length=20,
        choices=CapPeriod.choices,
        default=CapPeriod.CALENDAR_YEAR,
    )
    max_posting_amount = MoneyField(
        "单笔记账金额上限（元，防录入错误）",
        default=Decimal("100000000.00"),
        validators=POSITIVE_MONEY,
    )
    fees_allowed = models.BooleanField("允许从资金中列支费用", default=False)

    first_used_at = models.DateTimeField(
        "首次用于审核的时间",
        null=True,
        blank=True,
        editable=False,
        help_text="一经用于判定业务记录即冻结，修改须发布新版本。",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "政策版本"
        verbose_name_plural = "政策版本"
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__gte=models.F("effective_from")), name="policy_period_order"
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.effective_from:%Y-%m-%d} 至 {self.effective_to:%Y-%m-%d}）"

    def covers(self, day):
        return self.effective_from <= day <= self.effective_to

    def ip_type_in_scope(self, ip_type):
        return ip_type in self.ip_types_in_scope

    def ip_types(self):
        """The IP type table's rows this version lists, in the table's order (a code no longer in the
        table is left out)."""
        return [r for r in ip_type_entries() if r.code in self.ip_types_in_scope]


class LprRate(models.Model):
    """The 1-year loan prime rate as published, from its effective date until the next one."""

    effective_date = models.DateField("生效日期", unique=True)
    one_year_rate = models.DecimalField(
        "1年期LPR（%）",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("30"))],
    )
    first_used_at = models.DateTimeField("首次用于审核的时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "贷款市场报价利率（LPR）"
        verbose_name_plural = "贷款市场报价利率（LPR）"
        ordering = ["-effective_date"]

    def __str__(self):
        return f"{self.effective_date:%Y-%m-%d} 1年期LPR {self.one_year_rate}%"


class HolidayYear(models.Model):
    """A year the bureau has entered completely into the holiday table (after the State Council notice)."""

    year = models.PositiveIntegerField(
        "年份", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField("依据（国务院办公厅通知文号）", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "节假日安排年度"
        verbose_name_plural = "节假日安排年度"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}年（{self.source}）"


class HolidayDay(models.Model):
    """One exception to Monday-Friday: a holiday on a weekday, or a make-up working day (调休) at a
    weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=50, blank=True)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"
