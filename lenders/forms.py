"""Page forms. They only shape input; every rule is in lenders.services."""

from django import forms

from fund import forms as fund_forms

from .models import Classification, CooperatingBank, FilingDocument, ImportJob, RepaymentMethod

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> accepts


class FilingForm(forms.Form):
    contract_number = forms.CharField(label="借款合同编号", max_length=100)
    amount = forms.CharField(label="贷款金额（元）", help_text="到分，如 1000000.00")
    ip_amount = forms.CharField(label="知识产权质押对应金额（元）", help_text="仅此部分纳入风险补偿范围")
    other_collateral = forms.CharField(label="其他担保方式", max_length=300, required=False)
    disbursed_on = forms.DateField(label="放款日期", widget=DATE)
    maturity_on = forms.DateField(label="到期日期", widget=DATE)
    annual_rate = forms.CharField(label="年利率（%）", help_text="如 3.85")
    repayment_method = forms.ChoiceField(label="还款方式", choices=RepaymentMethod.choices)

    def __init__(self, *args, assets=(), pledges=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assets = list(assets)
        pledges = pledges or {}
        for asset in self.assets:
            existing = pledges.get(asset.pk)
            self.fields[f"pledge_no_{asset.pk}"] = forms.CharField(
                label=f"{asset.get_ip_type_display()} {asset.number}：质押登记号",
                max_length=60,
                required=False,
                initial=existing.pledge_registration_number if existing else "",
                help_text="不质押该项则留空",
            )
            self.fields[f"pledge_on_{asset.pk}"] = forms.DateField(
                label=f"{asset.number}：质押登记日期",
                required=False,
                widget=DATE,
                initial=existing.pledge_registered_on if existing else None,
            )

    def service_values(self):
        data = dict(self.cleaned_data)
        pledges = []
        for asset in self.assets:
            number = data.pop(f"pledge_no_{asset.pk}", "")
            day = data.pop(f"pledge_on_{asset.pk}", None)
            if number or day:
                pledges.append(
                    {"asset": asset, "pledge_registration_number": number, "pledge_registered_on": day}
                )
        return data, pledges


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=FilingDocument.Kind.choices)
    file = forms.FileField(label="文件（PDF、JPEG 或 PNG）")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reasons = forms.CharField(
        label="需补正事项（每行一项）",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def reason_list(self):
        return [line.strip() for line in self.cleaned_data["reasons"].splitlines() if line.strip()]


class RepaymentForm(forms.Form):
    amount = forms.CharField(label="还款本金（元）")
    paid_on = forms.DateField(label="还款日期", widget=DATE)
    cures_overdue = forms.BooleanField(label="逾期已结清（恢复正常）", required=False)
    note = forms.CharField(label="说明", required=False, max_length=300)


class OverdueForm(forms.Form):
    overdue_since = forms.DateField(label="逾期起始日", widget=DATE)
    overdue_amount = forms.CharField(label="逾期金额（元）")
    note = forms.CharField(label="说明", required=False, max_length=300)


class ClassificationForm(forms.Form):
    classification = forms.ChoiceField(label="风险分类", choices=Classification.choices)
    classified_on = forms.DateField(label="分类日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=300)


class ExtensionForm(forms.Form):
    new_maturity_on = forms.DateField(label="展期后到期日", widget=DATE)
    agreed_on = forms.DateField(label="展期协议日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=300)


REPORT_FORMS = {
    "repayment": ("报告还款", RepaymentForm),
    "overdue": ("报告逾期", OverdueForm),
    "classification": ("调整风险分类", ClassificationForm),
    "extension": ("报告展期", ExtensionForm),
}


class BankAdmitForm(forms.Form):
    organisation = forms.ModelChoiceField(label="银行", queryset=None)
    agreement_number = forms.CharField(label="合作协议编号", max_length=100)
    agreement_valid_from = forms.DateField(label="协议生效日期", widget=DATE)
    agreement_valid_to = forms.DateField(label="协议到期日期", widget=DATE)
    exposure_limit = forms.CharField(label="在保余额限额（元，可空）", required=False)
    contact_name = forms.CharField(label="联系人", required=False, max_length=50)
    contact_phone = forms.CharField(label="联系电话", required=False, max_length=30)

    def __init__(self, *args, banks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = banks


class BankStatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("suspend", "暂停备案"), ("reinstate", "恢复备案"), ("terminate", "终止合作")],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))
    effective_on = forms.DateField(label="生效日期（默认今天）", required=False, widget=DATE)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=ImportJob.Kind.choices)
    mode = forms.ChoiceField(
        label="处理方式",
        choices=ImportJob.Mode.choices,
        widget=forms.RadioSelect,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
    )
    file = forms.FileField(label="文件（CSV 或 XLSX）")


class AcceptForm(fund_forms.ReasonForm):
    """The approver accepts a suspension proposal (the risk page's form, beside the fund's reason form)."""

    effective_on = forms.DateField(label="暂停生效日期", widget=fund_forms.DateInput)


BANK_STATUS_LABELS = dict(CooperatingBank.Status.choices)
