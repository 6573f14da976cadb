"""Forms of the compensation pages: input parsing only (amounts and dates become Decimal and date
here, through `yunfu_ipfund.common.parsing`); every rule is in the services."""

from django import forms
from django.core.validators import MaxLengthValidator

from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.parsing import parse_money

from .evidence import EVIDENCE, REDUCTION_CHOICES, SUPPLEMENT_CHOICES
from .models import Claim

TEXT = {"rows": 3}
DATE = {"type": "date"}


class MoneyInput(forms.Field):
    """An amount typed as text (12,345.60 or ￥12345.6), read into a Decimal by the one money parser."""

    widget = forms.TextInput

    def __init__(self, *, max_length=20, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": str(self.max_length)}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        MaxLengthValidator(self.max_length)(text)
        try:
            return parse_money(text)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code or "invalid") from None


class ClaimForm(forms.Form):
    unrecovered_principal = MoneyInput(
        label="未收回本金（元）", max_length=20, help_text="仅本金，不含利息、罚息和费用。"
    )
    enforcement_actions = forms.CharField(
        label="已采取的催收和追偿措施", widget=forms.Textarea(attrs=TEXT), max_length=4000
    )


class NewClaimForm(ClaimForm):
    loan = forms.ChoiceField(label="在保贷款（已认定不良）")

    def __init__(self, *args, loans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loan"].choices = [
            (
                loan.pk,
                f"{loan.contract_number} · {loan.enterprise.name} · "
                f"{loan.non_performing_on:%Y-%m-%d} 认定不良",
            )
            for loan in loans
        ]
        self.order_fields(["loan"])


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=[(s.code, s.label) for s in EVIDENCE])
    file = forms.FileField(label="文件（PDF、JPEG 或 PNG）")


class NotApplicableForm(forms.Form):
    kind = forms.ChoiceField(
        label="材料类型", choices=[(s.code, s.label) for s in EVIDENCE if not s.required]
    )
    reason = forms.CharField(label="不适用理由", max_length=1000)


class SupplementForm(forms.Form):
    codes = forms.MultipleChoiceField(
        label="需补正的问题", choices=SUPPLEMENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="说明", max_length=500, required=False)


class OpinionForm(forms.Form):
    opinion = forms.CharField(label="初审意见", widget=forms.Textarea(attrs=TEXT), max_length=4000)


class JointMeetingForm(forms.Form):
    meeting_on = forms.DateField(label="会议日期", widget=forms.DateInput(attrs=DATE))
    minutes_reference = forms.CharField(label="会议纪要文号", max_length=100)
    opinion = forms.CharField(label="会议意见", widget=forms.Textarea(attrs=TEXT), max_length=4000)


class SecondReviewForm(forms.Form):
    outcome = forms.ChoiceField(label="复审结论", choices=Claim.Outcome.choices)
    reason = forms.CharField(label="复审意见或理由", widget=forms.Textarea(attrs=TEXT), max_length=4000)
    code_1 = forms.ChoiceField(label="核减事由一", choices=[("", "—")] + REDUCTION_CHOICES, required=False)
    amount_1 = MoneyInput(label="核减金额一（元）", max_length=20, required=False)
    code_2 = forms.ChoiceField(label="核减事由二", choices=[("", "—")] + REDUCTION_CHOICES, required=False)
    amount_2 = MoneyInput(label="核减金额二（元）", max_length=20, required=False)
    code_3 = forms.ChoiceField(label="核减事由三", choices=[("", "—")] + REDUCTION_CHOICES, required=False)
    amount_3 = MoneyInput(label="核减金额三（元）", max_length=20, required=False)

    def clean(self):
        """A reduction reason picked without its amount is named on the amount's own field (the
        service would only see a missing figure)."""
        data = super().clean()
        for i in (1, 2, 3):
            if data.get(f"code_{i}") and data.get(f"amount_{i}") is None and f"amount_{i}" not in self.errors:
                self.add_error(f"amount_{i}", "已选择核减事由，请填写该项核减金额。")
        return data

    def reductions(self):
        d = self.cleaned_data
        return [{"code": d[f"code_{i}"], "amount": d[f"amount_{i}"]} for i in (1, 2, 3) if d.get(f"code_{i}")]


class VoucherForm(forms.Form):
    voucher = forms.CharField(label="凭证号", max_length=60)
    value_date = forms.DateField(
        label="起息日（记账日期）", widget=forms.DateInput(attrs=DATE), required=False
    )


class RecoveryForm(forms.Form):
    received_on = forms.DateField(label="收到追偿款日期", widget=forms.DateInput(attrs=DATE))
    amount = MoneyInput(label="追偿金额（元）", max_length=20)
    costs = MoneyInput(label="有据可查的追偿费用（元）", max_length=20, required=False, initial="0")
    description = forms.CharField(
        label="追偿情况说明", widget=forms.Textarea(attrs=TEXT), max_length=4000, required=False
    )
    evidence = forms.FileField(label="证明材料", required=False)
    confirm = forms.BooleanField(
        label="确认金额无误",
        required=False,
        help_text="追偿费用超过追偿金额，或累计追偿金额超过未收回本金与利息之和时，须勾选并说明理由；"
        "理由将提供给本行复核人员和市监局。",
    )
    confirm_reason = forms.CharField(
        label="确认理由", widget=forms.Textarea(attrs=TEXT), max_length=1000, required=False
    )

    def clean(self):
        """The service takes `confirm_reason` only: a reason without the box ticked confirms nothing."""
        data = super().clean()
        if not data.pop("confirm", False):
            data["confirm_reason"] = ""
        return data


class CloseForm(forms.Form):
    close_reason = forms.ChoiceField(label="结案方式", choices=Claim.CloseReason.choices)
    reason = forms.CharField(label="说明", max_length=2000)


class RescindForm(forms.Form):
    reason = forms.CharField(label="撤销理由（虚假情形）", widget=forms.Textarea(attrs=TEXT), max_length=4000)
    evidence = forms.FileField(label="证据材料", required=False)


class ObjectionForm(forms.Form):
    claim = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="真实姓名", max_length=100, help_text="2至20个汉字")
    contact = forms.CharField(
        label="联系方式（手机号码或电子邮箱）", max_length=100, help_text="用于核实和答复，不公开"
    )
    content = forms.CharField(
        label="异议内容", widget=forms.Textarea(attrs={"rows": 5, "maxlength": 2000}), max_length=2000
    )


class ObjectionRulingForm(forms.Form):
    """The clerk's ruling on one objection of the claim (the service checks who and the reason)."""

    objection = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="认定结论", choices=[("founded", "成立（退回复审）"), ("unfounded", "不成立（公示期照常）")]
    )
    reason = forms.CharField(
        label="认定理由（将答复异议人）", widget=forms.Textarea(attrs=TEXT), max_length=2000
    )
