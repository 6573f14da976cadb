"""Forms only shape input: they turn text into typed values (dates, Decimals, ints) with the one parser in
`yunfu_ipfund.common.parsing`; every rule is in the services (which the views call)."""

from decimal import ROUND_DOWN

from django import forms

from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.identifiers import validate_uscc
from yunfu_ipfund.common.money import FEN, MAX_AMOUNT, format_money
from yunfu_ipfund.common.parsing import parse_date, parse_money
from yunfu_ipfund.policy.models import EnterpriseSize, active_ip_type_choices

from .credit import MANUAL_SOURCES
from .models import District, IPAsset, LoanRegistration, Sector
from .services import COMMITMENT_ITEMS, OUT_OF_SCOPE_TYPES
from .services.enterprises import MSG_OUTSIDE_YUNFU

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OUTSIDE_YUNFU = "outside"
YES_NO = [("", "请选择"), ("yes", "是"), ("no", "否")]


def _yes(value):
    return {"yes": True, "no": False, True: True, False: False}.get(value)


class MoneyField(forms.Field):
    """An amount typed in as text, read by `parse_money` into a Decimal with two places (never rounded)."""

    widget = forms.TextInput

    MSG_TOO_LARGE = "{field}：金额过大（超过 {limit} {unit}），请核对。"

    def __init__(self, *, max_length=20, allow_zero=True, unit="元", limit=MAX_AMOUNT, **kwargs):
        self.max_length = max_length
        self.allow_zero = allow_zero
        # The unit the figure is typed in (元, or 万元 for an enterprise's revenue and assets): a refusal
        # states the limit in that unit, never in 元 for a figure typed in 万元.
        self.unit = unit
        self.limit = limit
        super().__init__(**kwargs)

    def _too_large(self):
        return forms.ValidationError(
            self.MSG_TOO_LARGE.format(field=self.label, limit=format_money(self.limit), unit=self.unit),
            code="too_large",
        )

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": str(self.max_length), "inputmode": "decimal"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str) and len(value.strip()) > self.max_length:
            raise forms.ValidationError(f"“{self.label}”不能超过 {self.max_length} 个字符。", code="too_long")
        try:
            amount = parse_money(value, field=self.label, allow_zero=self.allow_zero)
        except ValidationFailed as exc:
            if "金额过大" in exc.message:
                raise self._too_large() from None
            raise forms.ValidationError(exc.message, code=exc.code) from None
        if amount is not None and abs(amount) > self.limit:
            raise self._too_large()
        return amount


class DateField(forms.DateField):
    """A date read by `parse_date` (2026-03-01, 2026/3/1, 2026年3月1日 ...)."""

    def to_python(self, value):
        try:
            return parse_date(value, field=self.label)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


# The largest amount the portal takes (MAX_AMOUNT 元), stated in 万元 for the figures typed in 万元.
WAN_LIMIT = (MAX_AMOUNT / 10000).quantize(FEN, rounding=ROUND_DOWN)


class ProfileForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=40)
    legal_representative = forms.CharField(label="法定代表人", max_length=50)
    registered_address = forms.CharField(label="注册地址", max_length=300)
    district = forms.ChoiceField(
        label="注册地所在县（市、区）",
        choices=[("", "请选择"), *District.choices, (OUTSIDE_YUNFU, "云浮市以外")],
    )
    is_independent_legal_person = forms.TypedChoiceField(
        label="是否具有独立法人资格",
        choices=YES_NO,
        coerce=_yes,
        help_text="分公司等分支机构、个体工商户不具有独立法人资格（《管理办法》第七条）。",
    )
    sector = forms.ChoiceField(label="所属行业（划型标准）", choices=[("", "请选择"), *Sector.choices])
    declared_size = forms.ChoiceField(label="申报企业规模", choices=[("", "请选择"), *EnterpriseSize.choices])
    employees = forms.IntegerField(label="从业人员（人）", min_value=0, max_value=10**9, required=False)
    revenue = MoneyField(label="上年营业收入（万元）", unit="万元", limit=WAN_LIMIT, required=False)
    total_assets = MoneyField(
        label="资产总额（万元）",
        unit="万元",
        limit=WAN_LIMIT,
        required=False,
        help_text="企业规模按工信部联企业〔2011〕300号由所属行业的指标测算，缺少所需指标的无法划型。",
    )
    annual_report_year = forms.IntegerField(
        label="最近按时报送年度报告的年度",
        required=False,
        min_value=1990,
        max_value=2100,
        help_text="每年1月1日至6月30日报送上一年度年度报告（《企业信息公示暂行条例》第八条）。",
    )

    def add_rule_errors(self):
        """Every failing field at once: the page runs, besides the parsing, the checks that need nothing
        but the typed value, through the same validators the service runs again (one place for each
        rule), so that a bad USCC does not hide a district outside Yunfu or a bad figure. Returns
        whether the form is still free of errors."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("uscc"):
            try:
                validate_uscc(data["uscc"])
            except ValidationFailed as exc:
                self.add_error("uscc", forms.ValidationError(exc.message, code=exc.code))
        if data.get("district") == OUTSIDE_YUNFU:
            self.add_error("district", forms.ValidationError(MSG_OUTSIDE_YUNFU, code="outside_yunfu"))
        return not self.errors


def _asset_type_choices():
    """The active types of the IP type table (policy), then the types Art 2 excludes, refused by name."""
    return [
        ("", "请选择"),
        *active_ip_type_choices(),
        *[(k, f"{v}（不属于支持范围）") for k, v in OUT_OF_SCOPE_TYPES.items()],
    ]


class AssetForm(forms.Form):
    ip_type = forms.ChoiceField(
        label="知识产权类型",
        choices=_asset_type_choices,
        help_text="《管理办法》第二条：仅支持专利权、商标专用权和地理标志。",
    )
    number = forms.CharField(label="专利号/商标注册号/证书号", max_length=40)
    title = forms.CharField(label="名称", max_length=200)
    holder_name = forms.CharField(label="权利人名称", max_length=200, help_text="须与企业名称一致。")
    grant_date = DateField(label="授权/核准注册日", required=False, widget=DATE)
    expiry_date = DateField(label="有效期至", required=False, widget=DATE)
    annual_fee_paid_through = DateField(label="专利年费缴至", required=False, widget=DATE)
    trademark_class = forms.IntegerField(
        label="商标类别（尼斯分类第1—45类）", required=False, min_value=1, max_value=45
    )
    gi_right_type = forms.ChoiceField(
        label="地理标志权利类型", required=False, choices=[("", "—"), *IPAsset.GIRightType.choices]
    )
    authorisation_document = forms.CharField(label="地理标志授权文件", max_length=200, required=False)
    request_holder_override = forms.BooleanField(
        label="权利人名称与企业名称不一致（如企业更名），申请市监局核准", required=False
    )


class AssetUpdateForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200)
    grant_date = DateField(label="授权/核准注册日", required=False, widget=DATE)
    expiry_date = DateField(label="有效期至", required=False, widget=DATE)
    annual_fee_paid_through = DateField(label="专利年费缴至", required=False, widget=DATE)
    authorisation_document = forms.CharField(label="地理标志授权文件", max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label="说明（可不填）", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class RegistrationForm(forms.Form):
    bank = forms.ModelChoiceField(label="合作银行", queryset=None, empty_label="请选择")
    amount = MoneyField(label="申请金额（元）", allow_zero=False)
    term_months = forms.IntegerField(label="期限（月）", min_value=1, max_value=600)
    purpose = forms.CharField(label="贷款用途", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    assets = forms.ModelMultipleChoiceField(
        label="拟质押的知识产权", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, banks, assets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = banks
        self.fields["assets"].queryset = assets


class CommitmentForm(forms.Form):
    truthful = forms.BooleanField(label=COMMITMENT_ITEMS["truthful"], required=False)
    credit_inquiry = forms.BooleanField(label=COMMITMENT_ITEMS["credit_inquiry"], required=False)
    publication = forms.BooleanField(label=COMMITMENT_ITEMS["publication"], required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        widget=forms.RadioSelect,
        choices=[(name, LoanRegistration.WORKFLOW.move(name).label) for name in ("accept", "decline")],
    )
    reason = forms.CharField(
        label="意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="不予受理须写明理由。",
    )


class CreditCheckForm(forms.Form):
    """What the clerk saw in the credit system (the manual credit provider's inputs)."""

    source = forms.ChoiceField(label="查询来源", choices=[("", "请选择"), *[(s, s) for s in MANUAL_SOURCES]])
    queried_on = DateField(label="查询日期", widget=DATE)
    credit_clean = forms.TypedChoiceField(
        label="企业及法定代表人近 36 个月有无不良信用记录",  # the months: the version in force (__init__)
        choices=[("", "请选择"), ("yes", "无不良信用记录"), ("no", "有不良信用记录")],
        coerce=_yes,
    )
    annual_report_on_time = forms.TypedChoiceField(
        label="是否按时报送年度报告",
        choices=[("", "请选择"), ("yes", "按时报送"), ("no", "未按时报送")],
        coerce=_yes,
    )
    note = forms.CharField(
        label="核查说明（可不填）", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
    extract = forms.FileField(label="查询结果截图或报告（PDF、JPEG、PNG）")

    def __init__(self, *args, lookback_months=None, **kwargs):
        super().__init__(*args, **kwargs)
        if lookback_months:
            self.fields["credit_clean"].label = f"企业及法定代表人近 {lookback_months} 个月有无不良信用记录"


class BlacklistForm(forms.Form):
    reason = forms.CharField(label="列入理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    confirm = forms.BooleanField(label="确认列入失信黑名单（期限按列入当日适用的管理办法确定，不可撤回）")
