"""Writes about the enterprise itself (Art 7): its profile and its credit declaration (the blacklist is
`services.blacklist`)."""

from django.db import transaction

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_ENTERPRISE
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.identifiers import validate_uscc
from yunfu_ipfund.common.parsing import parse_money, parse_text
from yunfu_ipfund.policy.models import EnterpriseSize
from yunfu_ipfund.policy.services import policy_in_force

from ..actions import CREDIT_DECLARE, PROFILE_CREATE, PROFILE_UPDATE
from ..models import District, EnterpriseProfile, Sector
from .base import choice, require_enterprise_actor, whole_number

MSG_OUTSIDE_YUNFU = (
    "企业须在云浮市（云城区、云安区、罗定市、新兴县、郁南县）注册登记，云浮市以外的企业不属于支持对象"
    "（《管理办法》第七条）。"
)
MSG_USCC_TAKEN = "统一社会信用代码 {uscc} 已被其他机构使用，请核对。"
MSG_BAD_YEAR = "年报年度“{value}”无效。"
MSG_NO_PROFILE = "请先填写企业信息。"
MSG_FIGURE_REQUIRED = "请填写“{label}”。"

FIRST_REPORT_YEAR = 1990

PROFILE_FIELDS = (
    "legal_representative",
    "registered_address",
    "district",
    "sector",
    "declared_size",
    "employees",
    "revenue",
    "total_assets",
    "annual_report_year",
    "is_independent_legal_person",
)


def enterprise_can_edit_profile(enterprise, user):
    """An enterprise user fills in and keeps its own enterprise's profile (and declares its credit)."""
    own = user.is_authenticated and enterprise.pk == user.organisation_id
    return bool(own and user.has_perm(PERM_ENTERPRISE))


def _figure(value, label):
    amount = parse_money(value, field=label)
    if amount is None:
        raise ValidationFailed(MSG_FIGURE_REQUIRED.format(label=label), code="required")
    return amount


def _report_year(value):
    if value is None:
        return None
    year = whole_number(value, "年报年度", minimum=FIRST_REPORT_YEAR)
    if year > local_today().year:
        raise ValidationFailed(MSG_BAD_YEAR.format(value=year), code="bad_year")
    return year


@transaction.atomic
def enterprise_profile_save(
    *,
    by,
    enterprise,
    uscc,
    legal_representative,
    registered_address,
    district,
    sector,
    declared_size,
    employees,
    revenue,
    total_assets,
    annual_report_year=None,
    is_independent_legal_person=True,
):
    """Create or update the enterprise's own profile. A declared size that contradicts the figures is
    kept (the eligibility check flags it for the bureau); a district outside Yunfu is refused (Art 7).
    Figures are typed: `employees` and `annual_report_year` ints, `revenue` and `total_assets` Decimals."""
    require_enterprise_actor(by, enterprise)
    code = validate_uscc(uscc)
    if Organisation.objects.filter(uscc=code).exclude(pk=enterprise.pk).exists():
        raise ValidationFailed(MSG_USCC_TAKEN.format(uscc=code), code="uscc_taken")
    if district not in District.values:
        raise ValidationFailed(MSG_OUTSIDE_YUNFU, code="outside_yunfu")
    values = {
        "legal_representative": parse_text(legal_representative, field="法定代表人", max_length=50),
        "registered_address": parse_text(registered_address, field="注册地址", max_length=300),
        "district": District(district),
        "sector": choice(sector, Sector, "行业"),
        "declared_size": choice(declared_size, EnterpriseSize, "申报企业规模"),
        "employees": whole_number(employees, "从业人员"),
        "revenue": _figure(revenue, "上年营业收入（万元）"),
        "total_assets": _figure(total_assets, "资产总额（万元）"),
        "annual_report_year": _report_year(annual_report_year),
        "is_independent_legal_person": bool(is_independent_legal_person),
    }
    org = Organisation.objects.select_for_update().get(pk=enterprise.pk)
    profile = EnterpriseProfile.objects.select_for_update().filter(organisation=org).first()
    before = {f: getattr(profile, f) for f in PROFILE_FIELDS} if profile else {}
    before["uscc"] = org.uscc
    created = profile is None
    if created:
        profile = EnterpriseProfile(organisation=org)
    for field, value in values.items():
        setattr(profile, field, value)
    profile.save()
    if org.uscc != code:
        org.uscc = code
        org.save(update_fields=["uscc"])
    after = {**values, "uscc": code}
    changes = {k: {"from": before.get(k), "to": v} for k, v in after.items() if created or before.get(k) != v}
    audit_record(by=by, action=PROFILE_CREATE if created else PROFILE_UPDATE, obj=profile, data=changes)
    enterprise.uscc = code
    return profile


@transaction.atomic
def enterprise_credit_declare(*, by, enterprise):
    """The enterprise declares, dated today, that neither it nor its legal representative has a bad credit
    record in the policy's look-back months (Art 7)."""
    require_enterprise_actor(by, enterprise)
    profile = EnterpriseProfile.objects.select_for_update().filter(organisation=enterprise).first()
    if profile is None:
        raise DomainError(MSG_NO_PROFILE, code="no_profile")
    today = local_today()
    months = policy_in_force(today).credit_lookback_months
    profile.credit_declared_on = today
    profile.credit_declared_by = by
    profile.save(update_fields=["credit_declared_on", "credit_declared_by", "updated_at"])
    audit_record(
        by=by,
        action=CREDIT_DECLARE,
        obj=profile,
        reason=f"本企业及法定代表人{profile.legal_representative}近 {months} 个月内无不良信用记录。",
        data={"declared_on": today, "lookback_months": months},
    )
    return profile
