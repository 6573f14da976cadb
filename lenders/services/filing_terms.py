"""The figures and pledges of a filing, parsed and checked item by item (every problem at once), and the
rules on its contract number: what filing_create and filing_update accept."""

import unicodedata
from decimal import Decimal, InvalidOperation

from yunfu_ipfund.accounts.roles import (
    Role,
)
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    ValidationFailed,
)
from yunfu_ipfund.common.identifiers import validate_patent_number, validate_trademark_number
from yunfu_ipfund.common.money import to_money
from yunfu_ipfund.notices.reminders import reminder_schedule
from yunfu_ipfund.policy.models import IPFamily, ip_type_family
from yunfu_ipfund.policy.services import policy_in_force

from .. import reminders
from ..models import (
    FilingAsset,
    LoanFiling,
    RepaymentMethod,
)
from ..rules import filing_deadline
from .base import (
    MSG_ASSET_NOT_IN_REGISTRATION,
    MSG_CONTRACT_TAKEN,
    _as_date,
)

# --- filings: the bank prepares (Art 9) -----------------------------------------------------------


def _clean_terms(values):
    """Parse and check the figures of a filing; every problem itemised at once (ValidationFailed)."""
    errors, out = [], {}

    def fail(field, message):
        errors.append({"field": field, "message": message})

    number = str(values.get("contract_number") or "").strip()
    if not number:
        fail("contract_number", "请填写借款合同编号。")
    elif len(number) > 100:
        fail("contract_number", "借款合同编号不能超过100个字符。")
    out["contract_number"] = number

    for field, label in (("amount", "贷款金额"), ("ip_amount", "知识产权质押对应金额")):
        try:
            out[field] = to_money(values.get(field), allow_zero=False)
        except ValidationFailed as exc:
            fail(field, f"{label}：{exc.message}")

    for field, label in (("disbursed_on", "放款日期"), ("maturity_on", "到期日期")):
        try:
            out[field] = _as_date(values.get(field), label, field)
        except ValidationFailed as exc:
            fail(field, exc.message)
    if "disbursed_on" in out and out["disbursed_on"] > local_today():
        fail("disbursed_on", "放款日期不能晚于今天：请在放款后报送备案。")
    if "disbursed_on" in out and "maturity_on" in out and out["maturity_on"] <= out["disbursed_on"]:
        fail("maturity_on", "到期日期须晚于放款日期。")

    try:
        rate = Decimal(str(values.get("annual_rate")).strip().rstrip("%"))
        if not rate.is_finite() or rate <= 0 or rate >= 100 or rate != rate.quantize(Decimal("0.0001")):
            raise InvalidOperation
        out["annual_rate"] = rate
    except (InvalidOperation, ValueError):
        fail(
            "annual_rate",
            f"年利率“{values.get('annual_rate')}”无效：应为大于0、小于100的百分数，最多4位小数（如 4.35）。",
        )

    method = values.get("repayment_method")
    if method not in RepaymentMethod.values:
        fail("repayment_method", f"还款方式“{method}”无效，可选：{'、'.join(RepaymentMethod.labels)}。")
    out["repayment_method"] = method
    if "amount" in out and "ip_amount" in out and out["ip_amount"] > out["amount"]:
        fail("ip_amount", "知识产权质押对应金额不能超过贷款金额。")
    out["other_collateral"] = str(values.get("other_collateral") or "").strip()[:300]
    if errors:
        raise ValidationFailed("备案信息有误，请按提示修改。", code="invalid", details=errors)
    return out


_NUMBER_FAMILIES = (
    ("patent", lambda text: validate_patent_number(text)[0]),
    ("trademark", validate_trademark_number),
)


def _asset_family(asset):
    family = ip_type_family(asset.ip_type)  # the IP type table's Art 2 family
    if family == IPFamily.PATENT:
        return "patent"
    return "trademark" if family == IPFamily.TRADEMARK else "raw"


def _number_keys(text):
    """Every (family, normalised number) an incoming asset number can stand for: 'ZL…', bare, 'CN…' and
    full-width patent numbers, '第…号' trademark numbers; anything else as typed (NFKC, upper case)."""
    keys = {("raw", unicodedata.normalize("NFKC", str(text or "")).strip().upper())}
    for family, validate in _NUMBER_FAMILIES:
        try:
            keys.add((family, validate(text)))
        except ValidationFailed:
            pass
    return keys


def _asset_key(asset):
    family = _asset_family(asset)
    keys = dict(_number_keys(asset.number))  # the stored number, normalised the same way
    return (family, keys.get(family, keys["raw"]))


def _asset_by_number(by_key, text):
    if not str(text or "").strip():
        return None
    return next((by_key[k] for k in _number_keys(text) if k in by_key), None)


def _clean_pledges(registration, pledges):
    allowed = {a.pk: a for a in registration.assets.all()}
    by_key = {_asset_key(a): a for a in allowed.values()}
    errors, out, seen = [], [], set()
    for i, item in enumerate(pledges or []):
        asset = item.get("asset")
        asset_id = getattr(asset, "pk", None) or item.get("asset_id")
        found = (
            allowed.get(int(asset_id))
            if str(asset_id or "").isdigit()
            else _asset_by_number(by_key, item.get("asset_number"))
        )
        if found is None:
            errors.append(
                {
                    "field": f"pledges.{i}.asset",
                    "message": MSG_ASSET_NOT_IN_REGISTRATION.format(
                        asset=asset_id or item.get("asset_number") or "（空）"
                    ),
                }
            )
            continue
        if found.pk in seen:
            errors.append({"field": f"pledges.{i}.asset", "message": f"{found.number} 重复填写。"})
            continue
        seen.add(found.pk)
        number = str(item.get("pledge_registration_number") or "").strip()
        if not number:
            errors.append(
                {
                    "field": f"pledges.{i}.pledge_registration_number",
                    "message": f"{found.number}：请填写质押登记号。",
                }
            )
        try:
            day = _as_date(
                item.get("pledge_registered_on"), "质押登记日期", f"pledges.{i}.pledge_registered_on"
            )
        except ValidationFailed as exc:
            errors.append(
                {"field": f"pledges.{i}.pledge_registered_on", "message": f"{found.number}：{exc.message}"}
            )
            continue
        out.append((found, number[:60], day))
    if not out and not errors:
        errors.append({"field": "pledges", "message": "请至少填写一项质押知识产权及其质押登记号。"})
    if errors:
        raise ValidationFailed("质押登记信息有误，请按提示修改。", code="invalid", details=errors)
    return out


def _schedule_filing_deadline(filing):
    policy = policy_in_force(filing.disbursed_on)
    due = filing_deadline(filing, policy)
    reminder_schedule(
        kind=reminders.FILING_DEADLINE,
        about=filing,
        due_date=due,
        title=f"报送备案：{filing.enterprise.name} 借款合同 {filing.contract_number}",
        recipient_role=Role.BANK_OFFICER,
        recipient_org=filing.bank,
        url=filing.get_absolute_url(),
        body=f"放款日 {filing.disbursed_on}，"
        f"须在 {policy.filing_deadline_workdays} 个工作日内（{due} 前）报送备案。",
    )


def _check_contract_free(bank_id, number, exclude_pk=None):
    qs = LoanFiling.objects.filter(bank_id=bank_id, contract_number=number).exclude(
        status__in=LoanFiling.RELEASED
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationFailed(
            MSG_CONTRACT_TAKEN.format(number=number),
            code="contract_taken",
            details=[{"field": "contract_number", "message": MSG_CONTRACT_TAKEN.format(number=number)}],
        )


def _save_pledges(filing, pledges, *, replace=True):
    if replace:  # a new filing has none to replace
        filing.pledges.all().delete()
    FilingAsset.objects.bulk_create(
        FilingAsset(filing=filing, asset=asset, pledge_registration_number=number, pledge_registered_on=day)
        for asset, number, day in pledges
    )
