"""Writes about IP assets (Art 2): patents, trademarks and geographical indications only, held by the
enterprise."""

from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE, PERM_BUREAU_REVIEW, PERM_ENTERPRISE, Role
from yunfu_ipfund.accounts.selectors import require_perm, users_with_role_anywhere
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.errors import DomainError, ValidationFailed
from yunfu_ipfund.common.identifiers import (
    validate_nice_class,
    validate_patent_number,
    validate_trademark_number,
)
from yunfu_ipfund.common.parsing import parse_date, parse_text
from yunfu_ipfund.notices.services import notify_organisation, notify_users
from yunfu_ipfund.policy.models import IPFamily, IPType, ip_type_entry, ip_type_family
from yunfu_ipfund.policy.services import policy_in_force

from ..actions import ASSET_OVERRIDE_HOLDER, ASSET_REGISTER, ASSET_UPDATE
from ..models import IPAsset
from .base import require_enterprise_actor

PATENT_TYPES = (IPType.INVENTION, IPType.UTILITY_MODEL, IPType.DESIGN)

# Art 2: only patents, trademarks and geographical indications. These are refused by name.
OUT_OF_SCOPE_TYPES = {
    "copyright": "著作权",
    "software_copyright": "计算机软件著作权",
    "plant_variety": "植物新品种权",
    "trade_secret": "商业秘密",
}

MSG_IP_OUT_OF_SCOPE = (
    "{label}不属于知识产权质押融资风险补偿范围：《管理办法》第二条规定，知识产权质押融资仅指以专利权、"
    "商标专用权、地理标志出质的贷款。"
)
MSG_IP_UNKNOWN_TYPE = "未知的知识产权类型“{value}”。"
MSG_IP_NOT_IN_VERSION = "{label}不在《{title}》所列支持的知识产权类型内（第二条：{types}），不能登记。"
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

ASSET_EDITABLE = ("title", "grant_date", "expiry_date", "annual_fee_paid_through", "authorisation_document")

REVIEWER_PERMS = (PERM_BUREAU_REVIEW, PERM_BUREAU_APPROVE)


def asset_can_edit(asset, user):
    """The enterprise that holds the asset keeps its dates current."""
    own = user.is_authenticated and asset.enterprise_id == user.organisation_id
    return bool(own and user.has_perm(PERM_ENTERPRISE))


def asset_can_override_holder(asset, user):
    """A bureau reviewer may accept a holder name that differs from the enterprise's."""
    reviewer = user.is_authenticated and any(user.has_perm(perm) for perm in REVIEWER_PERMS)
    return bool(reviewer and not asset.holder_matches)


def _ip_type(value):
    """The IP type table's row of `value` (policy.IPTypeEntry), listed by the version in force today."""
    value = (value or "").strip()
    if value in OUT_OF_SCOPE_TYPES:
        message = MSG_IP_OUT_OF_SCOPE.format(label=OUT_OF_SCOPE_TYPES[value])
        raise ValidationFailed(message, code="ip_out_of_scope")
    entry = ip_type_entry(value)
    if entry is None or not entry.active:
        raise ValidationFailed(MSG_IP_UNKNOWN_TYPE.format(value=value), code="ip_unknown_type")
    policy = policy_in_force(timezone.localdate())
    if not policy.ip_type_in_scope(entry.code):
        types = "、".join(t.name for t in policy.ip_types())
        message = MSG_IP_NOT_IN_VERSION.format(label=entry.name, title=policy.title, types=types)
        raise ValidationFailed(message, code="ip_not_in_version")
    return entry


def _check_dates(grant_date, expiry_date):
    if grant_date and expiry_date and expiry_date < grant_date:
        raise ValidationFailed(MSG_IP_DATES, code="ip_dates")


@transaction.atomic
def ip_asset_register(
    *,
    by,
    enterprise,
    ip_type,
    number,
    title,
    holder_name,
    grant_date=None,
    expiry_date=None,
    annual_fee_paid_through=None,
    trademark_class=None,
    gi_right_type="",
    authorisation_document="",
    request_holder_override=False,
):
    """Register a patent, trademark or geographical indication of the enterprise (Art 2; nothing else)."""
    require_enterprise_actor(by, enterprise)
    kind = _ip_type(ip_type)
    values = {"trademark_class": None, "gi_right_type": "", "authorisation_document": ""}
    if kind.family == IPFamily.PATENT:
        declared = kind.code if kind.code in PATENT_TYPES else None  # a built-in type: its number's digit
        number, _ = validate_patent_number(number, declared_type=declared)
    elif kind.family == IPFamily.TRADEMARK:
        number = validate_trademark_number(number)
        values["trademark_class"] = validate_nice_class(trademark_class)
    else:
        number = parse_text(number, field="证书号/注册号", max_length=40)
        if gi_right_type not in IPAsset.GIRightType.values:
            raise ValidationFailed(MSG_GI_RIGHT_TYPE, code="gi_right_type")
        values["gi_right_type"] = gi_right_type
        values["authorisation_document"] = parse_text(
            authorisation_document, field="授权文件", max_length=None, message=MSG_GI_DOCUMENT
        )[:200]
    grant_date = parse_date(grant_date, field="授权日")
    expiry_date = parse_date(expiry_date, field="有效期至")
    _check_dates(grant_date, expiry_date)
    holder = parse_text(holder_name, field="权利人名称", max_length=200)
    mismatch = holder != enterprise.name.strip()
    if mismatch and not request_holder_override:
        message = MSG_HOLDER_MISMATCH.format(holder=holder, name=enterprise.name)
        raise ValidationFailed(message, code="holder_mismatch")
    if IPAsset.objects.filter(ip_type=kind.code, number=number).exists():
        raise ValidationFailed(MSG_IP_DUPLICATE.format(label=kind.name, number=number), code="ip_duplicate")
    is_patent = kind.family == IPFamily.PATENT
    fee_paid = parse_date(annual_fee_paid_through, field="年费缴至") if is_patent else None
    asset = IPAsset.objects.create(
        enterprise=enterprise,
        ip_type=kind.code,
        number=number,
        title=parse_text(title, field="名称", max_length=200),
        holder_name=holder,
        grant_date=grant_date,
        expiry_date=expiry_date,
        annual_fee_paid_through=fee_paid,
        holder_override_requested=mismatch,
        created_by=by,
        **values,
    )
    audit_record(
        by=by,
        action=ASSET_REGISTER,
        obj=asset,
        data={"ip_type": kind.code, "number": number, "holder": holder},
    )
    if mismatch:
        reviewers = users_with_role_anywhere(Role.BUREAU_CLERK)
        reviewers |= users_with_role_anywhere(Role.BUREAU_APPROVER)
        notify_users(
            list(reviewers.distinct()),
            title=f"{enterprise.name}申请核准知识产权权利人名称不一致",
            body=f"{asset}：权利人“{holder}”。",
            url=asset.get_absolute_url(),
        )
    return asset


@transaction.atomic
def ip_asset_update(
    *,
    by,
    asset,
    title,
    grant_date=None,
    expiry_date=None,
    annual_fee_paid_through=None,
    authorisation_document="",
):
    """Keep an asset's dates current (renewal, annual fee). Type, number and holder are fixed once
    registered."""
    require_enterprise_actor(by, asset.enterprise)
    locked = IPAsset.objects.select_for_update().get(pk=asset.pk)
    before = {f: getattr(locked, f) for f in ASSET_EDITABLE}
    locked.title = parse_text(title, field="名称", max_length=200)
    locked.grant_date = parse_date(grant_date, field="授权日")
    locked.expiry_date = parse_date(expiry_date, field="有效期至")
    _check_dates(locked.grant_date, locked.expiry_date)
    family = ip_type_family(locked.ip_type)
    if family == IPFamily.PATENT:
        locked.annual_fee_paid_through = parse_date(annual_fee_paid_through, field="年费缴至")
    if family == IPFamily.GEO_INDICATION:
        locked.authorisation_document = parse_text(authorisation_document, field="授权文件", max_length=200)
    locked.save()
    after = {f: getattr(locked, f) for f in ASSET_EDITABLE}
    changes = {f: {"from": before[f], "to": after[f]} for f in ASSET_EDITABLE if before[f] != after[f]}
    if changes:
        audit_record(by=by, action=ASSET_UPDATE, obj=locked, data=changes)
    return locked


@transaction.atomic
def ip_asset_override_holder(*, by, asset, reason):
    """A bureau reviewer accepts, with reasons, a holder name that differs from the enterprise name."""
    require_perm(by, *REVIEWER_PERMS)
    reason = parse_text(reason, field="理由", max_length=None, message=MSG_OVERRIDE_REASON)
    locked = IPAsset.objects.select_for_update().select_related("enterprise").get(pk=asset.pk)
    if locked.holder_matches:
        raise DomainError(MSG_OVERRIDE_NOT_NEEDED, code="override_not_needed")
    locked.holder_override_by = by
    locked.holder_override_reason = reason[:2000]
    locked.holder_override_at = timezone.now()
    locked.save(update_fields=["holder_override_by", "holder_override_reason", "holder_override_at"])
    audit_record(
        by=by,
        action=ASSET_OVERRIDE_HOLDER,
        obj=locked,
        reason=locked.holder_override_reason,
        data={"holder": locked.holder_name, "enterprise": locked.enterprise.name},
    )
    notify_organisation(
        locked.enterprise,
        title=f"市监局已核准{locked}的权利人名称",
        body=locked.holder_override_reason,
        url=locked.get_absolute_url(),
    )
    return locked
