"""Forms of the fund's pages. They only collect input: the services judge it (money as text, so that
to_money can refuse more than two decimals instead of a form rounding silently)."""

from django import forms

from yunfu_ipfund.accounts.models import Organisation

from .models import Commitment, PostingKind


class DateInput(forms.DateInput):
    input_type = "date"


class JournalFilter(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False, widget=DateInput)
    date_to = forms.DateField(label="截止日期", required=False, widget=DateInput)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部")] + PostingKind.choices)
    bank = forms.ModelChoiceField(
        label="银行",
        required=False,
        empty_label="全部",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.BANK).order_by("name"),
    )
    reference = forms.CharField(label="业务编号", required=False, max_length=200)


class AsOfForm(forms.Form):
    as_of = forms.DateField(label="截至日期", required=False, widget=DateInput)


class ReceiptForm(forms.Form):
    KINDS = [("contribution", "出资拨入"), ("interest", "利息收入")]
    kind = forms.ChoiceField(label="类型", choices=KINDS)
    amount = forms.CharField(label="金额（元）", max_length=30)
    value_date = forms.DateField(label="到账日期（对账单日期）", widget=DateInput)
    reference = forms.CharField(label="对账单流水号/来文文号", max_length=64)
    reason = forms.CharField(label="摘要", max_length=200)


class InstructionForm(forms.Form):
    """The bureau's instruction for money out other than a claim (claims are committed by the
    compensation app)."""

    purpose = forms.ChoiceField(
        label="用途", choices=[c for c in Commitment.Purpose.choices if c[0] != "claim"]
    )
    amount = forms.CharField(label="金额（元）", max_length=30)
    reference = forms.CharField(label="依据文号", max_length=64)
    reason = forms.CharField(label="事由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    amount = forms.CharField(label="金额（元）", max_length=30)
    value_date = forms.DateField(label="付款日期（对账单日期）", widget=DateInput)
    reason = forms.CharField(label="摘要", max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PeriodForm(forms.Form):
    start = forms.DateField(label="起始日", widget=DateInput)
    end = forms.DateField(label="截止日", widget=DateInput)
    opening_balance = forms.CharField(label="对账单期初余额（元）", max_length=30)
    closing_balance = forms.CharField(label="对账单期末余额（元）", max_length=30)


class LineForm(forms.Form):
    line_date = forms.DateField(label="交易日期", widget=DateInput)
    amount = forms.CharField(label="金额（收入为正，支出为负）", max_length=30)
    reference = forms.CharField(label="摘要/凭证号", max_length=200, required=False)
    counterparty = forms.CharField(label="对方户名", max_length=200, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label="对账单文件（CSV 或 XLSX；表头：日期、金额、摘要、对方户名）")


class MatchForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    posting = forms.IntegerField(label="凭证编号")


class ReportForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2019, max_value=2100)
    month = forms.IntegerField(label="月份（年度报告留空）", min_value=1, max_value=12, required=False)
