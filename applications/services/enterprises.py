"""Writes about the enterprise itself (Art 7): its profile and its credit declaration (the blacklist is
`services.blacklist`)."""

from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_BUREAU_REVIEW, PERM_ENTERPRISE
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.identifiers import validate_uscc
from yunfu_ipfund.common.parsing import parse_money, parse_text
from yunfu_ipfund.common.uploads import validate_upload
from yunfu_ipfund.notices.services import notify_organisation
from yunfu_ipfund.policy.models import EnterpriseSize
from yunfu_ipfund.policy.services import policy_in_force

from ..actions import CREDIT_CHECK, CREDIT_DECLARE, PROFILE_CREATE, PROFILE_UPDATE, REGION_OVERRIDE
from ..credit import credit_provider
from ..models import (
    CITY_REGION_CODE,
    DISTRICT_REGION_CODES,
    CreditCheck,
    District,
    EnterpriseProfile,
    Sector,
    uscc_region,
)
from .base import MSG_BAD_CHOICE, MSG_NOT_ENTERPRISE, choice, require_enterprise_actor, whole_number

MSG_OUTSIDE_YUNFU = (
    "企业须在云浮市（云城区、云安区、罗定市、新兴县、郁南县）注册登记，云浮市以外的企业不属于支持对象"
    "（《管理办法》第七条）。"
)
MSG_USCC_TAKEN = "统一社会信用代码 {uscc} 已被其他机构使用，请核对。"
MSG_BAD_YEAR = "年报年度“{value}”无效。"
MSG_NO_PROFILE = "请先填写企业信息。"
MSG_OVERRIDE_REASON = "请填写核准理由。"
MSG_REGION_OVERRIDE_NOT_NEEDED = "登记机关行政区划码 {region} 与注册地相符，无需核准。"

BUREAU_PERMS = (PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE)

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
    """A figure in 万元, or None when not given (the size check then names what is missing)."""
    return parse_money(value, field=label)


def _legal_person(value):
    if value is not None and not isinstance(value, bool):
        raise ValidationFailed(
            MSG_BAD_CHOICE.format(label="具有独立法人资格", value=value), code="bad_choice"
        )
    return value


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
    is_independent_legal_person=None,
):
    """Create or update the enterprise's own profile. The declared size is kept as declared and decides
    nothing (the eligibility check computes the size from the figures); a district outside Yunfu is
    refused (Art 7). Figures are typed: `employees` and `annual_report_year` ints, `revenue` and
    `total_assets` Decimals, each None when not given. `is_independent_legal_person` True/False as
    declared, None when not (never assumed)."""
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
        "employees": None if employees is None else whole_number(employees, "从业人员"),
        "revenue": _figure(revenue, "上年营业收入（万元）"),
        "total_assets": _figure(total_assets, "资产总额（万元）"),
        "annual_report_year": _report_year(annual_report_year),
        "is_independent_legal_person": _legal_person(is_independent_legal_person),
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


def credit_check_can_record(user):
    """The bureau's clerk (or approver) records the credit check of an enterprise."""
    return bool(user.is_authenticated and any(user.has_perm(p) for p in BUREAU_PERMS))


@transaction.atomic
def enterprise_credit_check_record(*, by, enterprise, **inputs):
    """Record the bureau's check of the enterprise's credit record and annual reports (Art 7) through
    the configured provider (`applications.credit.credit_provider`; the manual one takes what the clerk
    saw: source, queried_on, credit_clean, annual_report_on_time, note and the extract file)."""
    require_perm(by, *BUREAU_PERMS)
    if enterprise.kind != Organisation.Kind.ENTERPRISE:
        raise DomainError(MSG_NOT_ENTERPRISE)
    provider = credit_provider()
    result = provider.check(enterprise, today=local_today(), **inputs)
    check = CreditCheck(
        enterprise=enterprise,
        provider=provider.name or type(provider).__name__,
        source=result.source,
        queried_on=result.queried_on,
        credit_clean=result.credit_clean,
        annual_report_on_time=result.annual_report_on_time,
        note=result.note,
        by=by,
    )
    if result.extract is not None:
        check.content_type, check.sha256 = validate_upload(result.extract)
        check.extract.save("upload", result.extract, save=False)
    check.save()
    outcome = "通过" if check.passed else "未通过"
    audit_record(
        by=by,
        action=CREDIT_CHECK,
        obj=check,
        reason=f"{check.source}（{check.queried_on:%Y-%m-%d}）：{outcome}。{check.note}".strip(),
        data={
            "enterprise": enterprise.pk,
            "provider": check.provider,
            "source": check.source,
            "queried_on": check.queried_on,
            "credit_clean": check.credit_clean,
            "annual_report_on_time": check.annual_report_on_time,
            "sha256": check.sha256,
        },
    )
    return check


def region_can_override(profile, user):
    """A bureau reviewer may accept a registration authority outside the declared district."""
    return bool(profile and user.is_authenticated and any(user.has_perm(p) for p in BUREAU_PERMS))


@transaction.atomic
def enterprise_region_override(*, by, enterprise, reason):
    """The bureau accepts, with a reason, a USCC whose registration authority (positions 3-8) is not the
    declared district's (e.g. registered by the provincial authority). Audited: who, when, why; it holds
    for the code it was given on (a changed USCC needs a new override)."""
    require_perm(by, *BUREAU_PERMS)
    reason = parse_text(reason, field="理由", max_length=2000, message=MSG_OVERRIDE_REASON)
    profile = EnterpriseProfile.objects.select_for_update().filter(organisation=enterprise).first()
    if profile is None:
        raise DomainError(MSG_NO_PROFILE, code="no_profile")
    org = profile.organisation
    region = uscc_region(org.uscc)
    district = DISTRICT_REGION_CODES.get(profile.district)
    if region in (district, CITY_REGION_CODE):
        raise DomainError(MSG_REGION_OVERRIDE_NOT_NEEDED.format(region=region), code="override_not_needed")
    profile.region_override_by = by
    profile.region_override_reason = reason
    profile.region_override_at = timezone.now()
    profile.region_override_code = org.uscc
    profile.save(
        update_fields=[
            "region_override_by",
            "region_override_reason",
            "region_override_at",
            "region_override_code",
            "updated_at",
        ]
    )
    audit_record(
        by=by,
        action=REGION_OVERRIDE,
        obj=profile,
        reason=reason,
        data={"uscc": org.uscc, "region": region, "district": profile.district},
    )
    notify_organisation(org, title="市监局已核准贵企业的登记机关与注册地不一致", body=reason)
    return profile
