"""Writes of the enterprise side: profiles, IP assets, pledge-loan registrations, blacklisting.

Every function is keyword-only, takes the actor (`by`), runs in one transaction and writes its audit
event there; workflow moves go through common.statemachine.transition.
"""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import (
    PERM_BANK_PREPARE,
    PERM_BUREAU_APPROVE,
    PERM_BUREAU_REVIEW,
    PERM_ENTERPRISE,
    Role,
)
from yunfu_ipfund.accounts.selectors import users_with_role_anywhere
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.checks import raise_if_failed
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    MSG_NO_ROLE,
    MSG_WRONG_STATE,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from yunfu_ipfund.common.identifiers import (
    validate_nice_class,
    validate_patent_number,
    validate_trademark_number,
    validate_uscc,
)
from yunfu_ipfund.common.money import to_money
from yunfu_ipfund.common.statemachine import lock, transition
from yunfu_ipfund.notices.services import notify_organisation, notify_users
from yunfu_ipfund.policy.models import EnterpriseSize, IPType
from yunfu_ipfund.policy.services import policy_in_force, policy_mark_used

from .eligibility import registration_checks
from .models import District, EnterpriseProfile, IPAsset, LoanRegistration, Sector
from .selectors import active_bank_orgs

Status = LoanRegistration.Status
PATENT_TYPES = (IPType.INVENTION, IPType.UTILITY_MODEL, IPType.DESIGN)

# Art 2: only patents, trademarks and geographical indications. These are refused by name.
OUT_OF_SCOPE_TYPES = {
    "copyright": "著作权",
    "software_copyright": "计算机软件著作权",
    "plant_variety": "植物新品种权",
    "trade_secret": "商业秘密",
}

MSG_NOT_ENTERPRISE = "该机构不是企业。"
MSG_REQUIRED = "请填写“{label}”。"
MSG_OUTSIDE_YUNFU = "企业须在云浮市（云城区、云安区、罗定市、新兴县、郁南县）注册登记，云浮市以外的企业不属于支持对象（《管理办法》第七条）。"
MSG_USCC_TAKEN = "统一社会信用代码 {uscc} 已被其他机构使用，请核对。"
MSG_BAD_CHOICE = "“{label}”的取值“{value}”无效。"
MSG_BAD_INT = "“{label}”应为不小于 {minimum} 的整数。"
MSG_BAD_YEAR = "年报年度“{value}”无效。"
MSG_NO_PROFILE = "请先填写企业信息。"
MSG_IP_OUT_OF_SCOPE = (
    "{label}不属于知识产权质押融资风险补偿范围：《管理办法》第二条规定，知识产权质押融资仅指以专利权、"
    "商标专用权、地理标志出质的贷款。"
)
MSG_IP_UNKNOWN_TYPE = "未知的知识产权类型“{value}”。"
MSG_IP_DUPLICATE = "{label} {number} 已在系统中登记，不能重复登记。"
MSG_IP_DATES = "有效期截止日不能早于授权日。"
MSG_GI_RIGHT_TYPE = "请选择地理标志的权利类型。"
MSG_GI_DOCUMENT = "请填写地理标志的授权文件（批准公告或核准使用文件）。"
MSG_HOLDER_MISMATCH = (
    "权利人名称“{holder}”与企业名称“{name}”不一致，不能登记为本企业的知识产权。"
    "如因企业更名等原因名称不一致，请勾选“申请市监局核准”后提交，由市监局核准后方可质押。"
)
MSG_OVERRIDE_REASON = "请写明核准权利人名称不一致的理由。"
MSG_OVERRIDE_NOT_NEEDED = "权利人名称与企业名称一致，无需核准。"
MSG_BANK_NOT_ACTIVE = "所选银行目前不是可受理申请的合作银行（《管理办法》第三条）。"
MSG_PURPOSE = "请填写贷款用途（不超过300字）。"
MSG_ASSET_NOT_OWN = "所选知识产权不属于本企业。"
MSG_NOT_DRAFT = "只有草稿可以修改或签署。"
MSG_COMMITMENT_MISSING = "请逐项确认承诺书内容：{missing}。"
MSG_NOT_SIGNED = "请先签署承诺书（信息真实、授权信用查询、同意公示）后再提交。"
MSG_SUBMIT_REFUSED = "申请不符合《管理办法》的条件，未能提交，请逐项核对："
MSG_DECLINE_REASON = "不予受理须写明理由。"
MSG_BLACKLIST_REASON = "列入黑名单须写明理由。"
MSG_BLACKLIST_UNTIL = "黑名单截止日须晚于今天。"

COMMITMENT_ITEMS = {
    "truthful": "所填信息及提交材料真实、准确、完整，如有虚假愿承担相应责任",
    "credit_inquiry": "授权合作银行和市市场监督管理局查询本企业及法定代表人的信用信息",
    "publication": "同意在风险补偿相关公示、公告中公开本企业名称及贷款信息",
}


# --- helpers ---------------------------------------------------------------------------------------


def _require_enterprise_actor(by, enterprise):
    """The actor is an enterprise user of `enterprise` (another enterprise's record is 404)."""
    if not (by.is_authenticated and by.is_active and by.organisation_id == enterprise.pk):
        raise NotFound()
    if not by.has_perm(PERM_ENTERPRISE):
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    if enterprise.kind != Organisation.Kind.ENTERPRISE:
        raise DomainError(MSG_NOT_ENTERPRISE)


def _text(value, label, *, max_length, required=True):
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ValidationFailed(MSG_REQUIRED.format(label=label), code="required")
    if len(text) > max_length:
        raise ValidationFailed(f"“{label}”不能超过 {max_length} 个字。", code="too_long")
    return text


def _int(value, label, *, minimum=0):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(MSG_BAD_INT.format(label=label, minimum=minimum), code="bad_int") from None
    if number < minimum or number > 10**9:
        raise ValidationFailed(MSG_BAD_INT.format(label=label, minimum=minimum), code="bad_int")
    return number


def _choice(value, choices, label):
    if value not in choices.values:
        raise ValidationFailed(MSG_BAD_CHOICE.format(label=label, value=value), code="bad_choice")
    return choices(value)


def _date(value, label):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"“{label}”不是有效的日期。", code="bad_date") from None


def _registration_url(registration):
    return reverse("applications:registration_detail", args=[registration.pk])


# --- enterprise profile ----------------------------------------------------------------------------


PROFILE_FIELDS = (
    "legal_representative", "registered_address", "district", "sector", "declared_size", "employees", "revenue",
    "total_assets", "annual_report_year", "is_independent_legal_person",
)


@transaction.atomic
def enterprise_profile_save(
    *, by, enterprise, uscc, legal_representative, registered_address, district, sector, declared_size,
    employees, revenue, total_assets, annual_report_year=None, is_independent_legal_person=True,
):
    """Create or update the enterprise's own profile. A declared size that contradicts the figures is
    kept (the eligibility check flags it for the bureau); a district outside Yunfu is refused (Art 7)."""
    _require_enterprise_actor(by, enterprise)
    code = validate_uscc(uscc)
    if Organisation.objects.filter(uscc=code).exclude(pk=enterprise.pk).exists():
        raise ValidationFailed(MSG_USCC_TAKEN.format(uscc=code), code="uscc_taken")
    if district not in District.values:
        raise ValidationFailed(MSG_OUTSIDE_YUNFU, code="outside_yunfu")
    year = None
    if annual_report_year not in (None, ""):
        year = _int(annual_report_year, "年报年度", minimum=1990)
        if year > local_today().year:
            raise ValidationFailed(MSG_BAD_YEAR.format(value=year), code="bad_year")
    values = {
        "legal_representative": _text(legal_representative, "法定代表人", max_length=50),
        "registered_address": _text(registered_address, "注册地址", max_length=300),
        "district": District(district),
        "sector": _choice(sector, Sector, "行业"),
        "declared_size": _choice(declared_size, EnterpriseSize, "申报企业规模"),
        "employees": _int(employees, "从业人员"),
        "revenue": to_money(revenue),
        "total_assets": to_money(total_assets),
        "annual_report_year": year,
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
    audit_record(by=by, action="填写企业信息" if created else "修改企业信息", obj=profile, data=changes)
    enterprise.uscc = code
    return profile


@transaction.atomic
def enterprise_credit_declare(*, by, enterprise):
    """The enterprise declares, dated today, that neither it nor its legal representative has a bad credit
    record in the policy's look-back months (Art 7)."""
    _require_enterprise_actor(by, enterprise)
    profile = EnterpriseProfile.objects.select_for_update().filter(organisation=enterprise).first()
    if profile is None:
        raise DomainError(MSG_NO_PROFILE, code="no_profile")
    today = local_today()
    months = policy_in_force(today).credit_lookback_months
    profile.credit_declared_on = today
    profile.credit_declared_by = by
    profile.save(update_fields=["credit_declared_on", "credit_declared_by", "updated_at"])
    audit_record(
        by=by, action="作出信用声明", obj=profile,
        reason=f"本企业及法定代表人{profile.legal_representative}近 {months} 个月内无不良信用记录。",
        data={"declared_on": today, "lookback_months": months},
    )
    return profile


def is_blacklisted(enterprise, on=None):
    on = on or local_today()
    return EnterpriseProfile.objects.filter(organisation=enterprise, blacklisted_until__gte=on).exists()


@transaction.atomic
def enterprise_blacklist(*, by, enterprise, until, reason):
    """List an enterprise on the blacklist until `until` (bureau approver only; e.g. after proven fraud)."""
    if not (by.is_authenticated and by.is_active and by.has_perm(PERM_BUREAU_APPROVE)):
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    reason = _text(reason, "理由", max_length=2000)
    until = _date(until, "黑名单截止日")
    if until is None or until <= local_today():
        raise ValidationFailed(MSG_BLACKLIST_UNTIL, code="blacklist_until")
    if enterprise.kind != Organisation.Kind.ENTERPRISE:
        raise DomainError(MSG_NOT_ENTERPRISE)
    profile = EnterpriseProfile.objects.select_for_update().filter(organisation=enterprise).first()
    if profile is None:  # listed before it ever filled in its profile: an empty one carries the listing
        profile = EnterpriseProfile.objects.create(
            organisation=enterprise, legal_representative="", registered_address="", sector="", declared_size="",
            employees=0, revenue=0, total_assets=0,
        )
    before = profile.blacklisted_until
    profile.blacklisted_until = until
    profile.blacklist_reason = reason
    profile.save(update_fields=["blacklisted_until", "blacklist_reason", "updated_at"])
    audit_record(by=by, action="列入失信黑名单", obj=profile, reason=reason, data={"from": before, "until": until})
    notify_organisation(enterprise, title="贵企业已被列入知识产权质押融资失信黑名单", body=f"截止 {until:%Y-%m-%d}。理由：{reason}")
    return profile


# --- IP assets -------------------------------------------------------------------------------------


def _ip_type(value):
    value = (value or "").strip()
    if value in OUT_OF_SCOPE_TYPES:
        raise ValidationFailed(MSG_IP_OUT_OF_SCOPE.format(label=OUT_OF_SCOPE_TYPES[value]), code="ip_out_of_scope")
    if value not in IPType.values:
        raise ValidationFailed(MSG_IP_UNKNOWN_TYPE.format(value=value), code="ip_unknown_type")
    return IPType(value)


@transaction.atomic
def ip_asset_register(
    *, by, enterprise, ip_type, number, title, holder_name, grant_date=None, expiry_date=None,
    annual_fee_paid_through=None, trademark_class=None, gi_right_type="", authorisation_document="",
    request_holder_override=False,
):
    """Register a patent, trademark or geographical indication of the enterprise (Art 2; nothing else)."""
    _require_enterprise_actor(by, enterprise)
    kind = _ip_type(ip_type)
    values = {"trademark_class": None, "gi_right_type": "", "authorisation_document": ""}
    if kind in PATENT_TYPES:
        number, _ = validate_patent_number(number, declared_type=kind.value)
    elif kind == IPType.TRADEMARK:
        number = validate_trademark_number(number)
        values["trademark_class"] = validate_nice_class(trademark_class)
    else:
        number = _text(number, "证书号/注册号", max_length=40)
        if gi_right_type not in IPAsset.GIRightType.values:
            raise ValidationFailed(MSG_GI_RIGHT_TYPE, code="gi_right_type")
        values["gi_right_type"] = gi_right_type
        values["authorisation_document"] = (authorisation_document or "").strip()[:200]
        if not values["authorisation_document"]:
            raise ValidationFailed(MSG_GI_DOCUMENT, code="gi_document")
    grant_date, expiry_date = _date(grant_date, "授权日"), _date(expiry_date, "有效期至")
    if grant_date and expiry_date and expiry_date < grant_date:
        raise ValidationFailed(MSG_IP_DATES, code="ip_dates")
    holder = _text(holder_name, "权利人名称", max_length=200)
    mismatch = holder != enterprise.name.strip()
    if mismatch and not request_holder_override:
        raise ValidationFailed(MSG_HOLDER_MISMATCH.format(holder=holder, name=enterprise.name), code="holder_mismatch")
    if IPAsset.objects.filter(ip_type=kind, number=number).exists():
        raise ValidationFailed(MSG_IP_DUPLICATE.format(label=kind.label, number=number), code="ip_duplicate")
    asset = IPAsset.objects.create(
        enterprise=enterprise, ip_type=kind, number=number, title=_text(title, "名称", max_length=200),
        holder_name=holder, grant_date=grant_date, expiry_date=expiry_date,
        annual_fee_paid_through=_date(annual_fee_paid_through, "年费缴至") if kind in PATENT_TYPES else None,
        holder_override_requested=mismatch, created_by=by, **values,
    )
    audit_record(by=by, action="登记知识产权", obj=asset, data={"ip_type": kind, "number": number, "holder": holder})
    if mismatch:
        url = reverse("applications:asset_detail", args=[asset.pk])
        reviewers = users_with_role_anywhere(Role.BUREAU_CLERK) | users_with_role_anywhere(Role.BUREAU_APPROVER)
        notify_users(
            list(reviewers.distinct()), title=f"{enterprise.name}申请核准知识产权权利人名称不一致",
            body=f"{asset}：权利人“{holder}”。", url=url,
        )
    return asset


ASSET_EDITABLE = ("title", "grant_date", "expiry_date", "annual_fee_paid_through", "authorisation_document")


@transaction.atomic
def ip_asset_update(*, by, asset, title, grant_date=None, expiry_date=None, annual_fee_paid_through=None,
                    authorisation_document=""):
    """Keep an asset's dates current (renewal, annual fee). Type, number and holder are fixed once registered."""
    _require_enterprise_actor(by, asset.enterprise)
    locked = IPAsset.objects.select_for_update().get(pk=asset.pk)
    before = {f: getattr(locked, f) for f in ASSET_EDITABLE}
    locked.title = _text(title, "名称", max_length=200)
    locked.grant_date, locked.expiry_date = _date(grant_date, "授权日"), _date(expiry_date, "有效期至")
    if locked.grant_date and locked.expiry_date and locked.expiry_date < locked.grant_date:
        raise ValidationFailed(MSG_IP_DATES, code="ip_dates")
    if locked.is_patent:
        locked.annual_fee_paid_through = _date(annual_fee_paid_through, "年费缴至")
    if locked.ip_type == IPType.GEO_INDICATION:
        locked.authorisation_document = _text(authorisation_document, "授权文件", max_length=200)
    locked.save()
    changes = {f: {"from": before[f], "to": getattr(locked, f)} for f in ASSET_EDITABLE if before[f] != getattr(locked, f)}
    if changes:
        audit_record(by=by, action="更新知识产权信息", obj=locked, data=changes)
    return locked


@transaction.atomic
def ip_asset_override_holder(*, by, asset, reason):
    """A bureau reviewer accepts, with reasons, a holder name that differs from the enterprise name."""
    if not (by.is_authenticated and by.is_active and (by.has_perm(PERM_BUREAU_REVIEW) or by.has_perm(PERM_BUREAU_APPROVE))):
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_OVERRIDE_REASON, code="override_reason")
    locked = IPAsset.objects.select_for_update().select_related("enterprise").get(pk=asset.pk)
    if locked.holder_matches:
        raise DomainError(MSG_OVERRIDE_NOT_NEEDED, code="override_not_needed")
    locked.holder_override_by = by
    locked.holder_override_reason = reason[:2000]
    locked.holder_override_at = timezone.now()
    locked.save(update_fields=["holder_override_by", "holder_override_reason", "holder_override_at"])
    audit_record(
        by=by, action="核准权利人名称不一致", obj=locked, reason=locked.holder_override_reason,
        data={"holder": locked.holder_name, "enterprise": locked.enterprise.name},
    )
    notify_organisation(
        locked.enterprise, title=f"市监局已核准{locked}的权利人名称", body=locked.holder_override_reason,
        url=reverse("applications:asset_detail", args=[locked.pk]),
    )
    return locked


# --- loan registrations (enterprise side) ----------------------------------------------------------


def _registration_values(enterprise, *, bank, amount, term_months, purpose, assets):
    bank_pk = bank.pk if isinstance(bank, Organisation) else bank
    try:
        bank_org = active_bank_orgs().get(pk=bank_pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(MSG_BANK_NOT_ACTIVE, code="bank_not_active") from None
    asset_ids = {a.pk if isinstance(a, IPAsset) else a for a in (assets or ())}
    try:
        owned = list(IPAsset.objects.filter(pk__in=asset_ids, enterprise=enterprise))
    except (ValueError, TypeError):
        raise ValidationFailed(MSG_ASSET_NOT_OWN, code="asset_not_own") from None
    if len(owned) != len(asset_ids):
        raise ValidationFailed(MSG_ASSET_NOT_OWN, code="asset_not_own")
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > 300:
        raise ValidationFailed(MSG_PURPOSE, code="purpose")
    return {
        "bank": bank_org,
        "amount": to_money(amount, allow_zero=False),
        "term_months": _int(term_months, "期限（月）", minimum=1),
        "purpose": purpose,
    }, owned


def _snapshot(registration, assets):
    return {
        "bank": registration.bank.name, "amount": registration.amount, "term_months": registration.term_months,
        "purpose": registration.purpose, "assets": [str(a) for a in assets],
    }


def _clear_commitment(registration):
    registration.commitment_signed_at = None
    registration.commitment_signed_by = None
    registration.commitment_ip = None
    registration.commitment_truthful = registration.commitment_credit_inquiry = False
    registration.commitment_publication = False


@transaction.atomic
def registration_create(*, by, bank, amount, term_months, purpose, assets=()):
    """A draft registration of the actor's enterprise with an active cooperating bank."""
    enterprise = by.organisation if by.is_authenticated else None
    if enterprise is None:
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    _require_enterprise_actor(by, enterprise)
    values, owned = _registration_values(
        enterprise, bank=bank, amount=amount, term_months=term_months, purpose=purpose, assets=assets
    )
    registration = LoanRegistration.objects.create(enterprise=enterprise, created_by=by, **values)
    registration.assets.set(owned)
    audit_record(by=by, action="创建质押融资登记", obj=registration, to_state=Status.DRAFT,
                 data=_snapshot(registration, owned))
    return registration


@transaction.atomic
def registration_update(*, by, registration, bank, amount, term_months, purpose, assets=()):
    """Edit a draft. Any change voids the signed commitment: the enterprise signs what it submits."""
    _require_enterprise_actor(by, registration.enterprise)
    locked = lock(LoanRegistration, registration.pk)
    if locked.status != Status.DRAFT:
        raise DomainError(MSG_WRONG_STATE.format(current=locked.get_status_display(), action="修改"), code="wrong_state")
    values, owned = _registration_values(
        locked.enterprise, bank=bank, amount=amount, term_months=term_months, purpose=purpose, assets=assets
    )
    for field, value in values.items():
        setattr(locked, field, value)
    _clear_commitment(locked)
    locked.save()
    locked.assets.set(owned)
    audit_record(by=by, action="修改质押融资登记", obj=locked, data=_snapshot(locked, owned))
    return locked


@transaction.atomic
def registration_sign(*, by, registration, truthful, credit_inquiry, publication, ip=None):
    """Sign the commitment: truthfulness, credit-inquiry authorisation, consent to publication."""
    _require_enterprise_actor(by, registration.enterprise)
    given = {"truthful": truthful, "credit_inquiry": credit_inquiry, "publication": publication}
    missing = [COMMITMENT_ITEMS[k] for k, v in given.items() if not v]
    if missing:
        raise ValidationFailed(MSG_COMMITMENT_MISSING.format(missing="；".join(missing)), code="commitment_missing")
    locked = lock(LoanRegistration, registration.pk)
    if locked.status != Status.DRAFT:
        raise DomainError(MSG_WRONG_STATE.format(current=locked.get_status_display(), action="签署承诺书"), code="wrong_state")
    locked.commitment_truthful = locked.commitment_credit_inquiry = locked.commitment_publication = True
    locked.commitment_signed_at = timezone.now()
    locked.commitment_signed_by = by
    locked.commitment_ip = ip or None
    locked.save()
    audit_record(by=by, action="签署承诺书", obj=locked, reason="；".join(COMMITMENT_ITEMS.values()),
                 data={"ip": ip, "signed_at": locked.commitment_signed_at})
    return locked


@transaction.atomic
def registration_submit(*, by, registration):
    """Submit a signed draft to the bank, under the Measures in force today; refused with every failed rule."""
    _require_enterprise_actor(by, registration.enterprise)
    on = local_today()
    policy = policy_in_force(on)

    def check(locked):
        if not locked.commitment_signed:
            raise DomainError(MSG_NOT_SIGNED, code="not_signed")
        checks = registration_checks(locked, policy=policy, on=on)
        raise_if_failed(checks, MSG_SUBMIT_REFUSED)
        locked.submitted_checks = [c.as_dict() for c in checks]

    locked, moved = transition(
        registration, Status.SUBMITTED, by=by, action="提交质押融资登记", check=check,
        submitted_at=timezone.now(), policy=policy, data={"policy": policy.code},
    )
    if moved:
        policy_mark_used(policy)
        notify_organisation(
            locked.bank, role=Role.BANK_OFFICER, title=f"{locked.enterprise.name}提交了知识产权质押融资申请",
            body=f"申请金额 {locked.amount} 元，期限 {locked.term_months} 个月。", url=_registration_url(locked),
        )
    return locked


@transaction.atomic
def registration_withdraw(*, by, registration, reason=""):
    """Withdraw a submission before the bank has acted on it."""
    _require_enterprise_actor(by, registration.enterprise)
    locked, moved = transition(
        registration, Status.WITHDRAWN, by=by, action="撤回质押融资登记", reason=(reason or "").strip()[:2000],
        conflict_if=(Status.ACCEPTED, Status.DECLINED), withdrawn_at=timezone.now(),
    )
    if moved:
        notify_organisation(locked.bank, role=Role.BANK_OFFICER, title=f"{locked.enterprise.name}撤回了质押融资申请",
                            url=_registration_url(locked))
    return locked


@transaction.atomic
def registration_redraft(*, by, registration):
    """Back to an editable draft after a withdrawal; the commitment must be signed again."""
    _require_enterprise_actor(by, registration.enterprise)

    def reset(locked):
        _clear_commitment(locked)
        locked.submitted_at = None
        locked.withdrawn_at = None
        locked.policy = None
        locked.submitted_checks = []

    locked, _ = transition(registration, Status.DRAFT, by=by, action="退回草稿重新编辑", check=reset)
    return locked


# --- bank decisions --------------------------------------------------------------------------------


def _require_bank_officer(by, registration):
    if not (by.is_authenticated and by.is_active and by.organisation_id == registration.bank_id):
        raise NotFound()
    if registration.status == Status.DRAFT:
        raise NotFound()  # a draft is not addressed to the bank yet
    if not by.has_perm(PERM_BANK_PREPARE):
        raise Forbidden(MSG_NO_ROLE, code="no_role")


def _decide(*, by, registration, to_state, action, reason):
    _require_bank_officer(by, registration)
    locked, moved = transition(
        registration, to_state, by=by, action=action, reason=reason,
        conflict_if=(Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN),
        decided_at=timezone.now(), decided_by=by, decision_reason=reason,
    )
    if moved:
        notify_organisation(
            locked.enterprise, role=Role.ENTERPRISE_USER, title=f"{locked.bank.name}{action}您的质押融资申请",
            body=reason, url=_registration_url(locked),
        )
    return locked


@transaction.atomic
def registration_accept(*, by, registration, reason=""):
    return _decide(by=by, registration=registration, to_state=Status.ACCEPTED, action="受理",
                   reason=(reason or "").strip()[:2000])


@transaction.atomic
def registration_decline(*, by, registration, reason):
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise ValidationFailed(MSG_DECLINE_REASON, code="decline_reason")
    return _decide(by=by, registration=registration, to_state=Status.DECLINED, action="不予受理", reason=reason)
