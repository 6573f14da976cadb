"""Writes about pledge-loan registrations (Art 8): the enterprise's draft and signed commitment, its
submission, withdrawal and redraft, and the bank's acceptance or refusal.

Every status change is a move of `LoanRegistration.WORKFLOW`, made through `audit.workflow.transition`.
"""

from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import PERM_ENTERPRISE, Role
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import lock, transition
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
from yunfu_ipfund.common.parsing import parse_money, parse_text
from yunfu_ipfund.notices.services import notify_organisation
from yunfu_ipfund.policy.services import policy_in_force, policy_mark_used

from .. import hooks
from ..actions import REGISTRATION_CREATE, REGISTRATION_SIGN, REGISTRATION_UPDATE
from ..eligibility import registration_checks
from ..models import IPAsset, LoanRegistration
from .base import require_enterprise_actor, whole_number

Status = LoanRegistration.Status

MSG_BANK_NOT_ACTIVE = "所选银行目前不是可受理申请的合作银行（《管理办法》第三条）。"
MSG_AMOUNT_REQUIRED = "请填写申请金额。"
MSG_PURPOSE = "请填写贷款用途（不超过300字）。"
MSG_ASSET_NOT_OWN = "所选知识产权不属于本企业。"
MSG_COMMITMENT_MISSING = "请逐项确认承诺书内容：{missing}。"
MSG_NOT_SIGNED = "请先签署承诺书（信息真实、授权信用查询、同意公示）后再提交。"
MSG_SUBMIT_REFUSED = "申请不符合《管理办法》的条件，未能提交，请逐项核对："
MSG_DECLINE_REASON = "不予受理须写明理由。"

REASON_LENGTH = 2000

COMMITMENT_ITEMS = {
    "truthful": "所填信息及提交材料真实、准确、完整，如有虚假愿承担相应责任",
    "credit_inquiry": "授权合作银行和市市场监督管理局查询本企业及法定代表人的信用信息",
    "publication": "同意在风险补偿相关公示、公告中公开本企业名称及贷款信息",
}


def registration_can_edit(registration, user):
    """The applying enterprise may edit (and sign) its registration while it is a draft."""
    return bool(
        registration.status == Status.DRAFT
        and user.is_authenticated
        and registration.enterprise_id == user.organisation_id
        and user.has_perm(PERM_ENTERPRISE)
    )


def _reason(value):
    return parse_text(value, field="理由", required=False, max_length=None)[:REASON_LENGTH]


def _require_draft(registration, action):
    if registration.status != Status.DRAFT:
        message = MSG_WRONG_STATE.format(current=registration.get_status_display(), action=action)
        raise DomainError(message, code="wrong_state")


def _registration_values(enterprise, *, bank, amount, term_months, purpose, assets):
    """The typed figures of a registration, checked: an active cooperating bank (Art 3), the enterprise's
    own assets, a positive amount in fen, a term of at least a month, a purpose."""
    bank_pk = bank.pk if isinstance(bank, Organisation) else bank
    try:
        bank_org = hooks.active_bank_orgs().get(pk=bank_pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(MSG_BANK_NOT_ACTIVE, code="bank_not_active") from None
    asset_ids = {a.pk if isinstance(a, IPAsset) else a for a in (assets or ())}
    try:
        owned = list(IPAsset.objects.filter(pk__in=asset_ids, enterprise=enterprise))
    except (ValueError, TypeError):
        raise ValidationFailed(MSG_ASSET_NOT_OWN, code="asset_not_own") from None
    if len(owned) != len(asset_ids):
        raise ValidationFailed(MSG_ASSET_NOT_OWN, code="asset_not_own")
    money = parse_money(amount, field="申请金额（元）", allow_zero=False)
    if money is None:
        raise ValidationFailed(MSG_AMOUNT_REQUIRED, code="required")
    return {
        "bank": bank_org,
        "amount": money,
        "term_months": whole_number(term_months, "期限（月）", minimum=1),
        "purpose": parse_text(purpose, field="贷款用途", max_length=300, message=MSG_PURPOSE),
    }, owned


def _snapshot(registration, assets):
    return {
        "bank": registration.bank.name,
        "amount": registration.amount,
        "term_months": registration.term_months,
        "purpose": registration.purpose,
        "assets": [str(a) for a in assets],
    }


def _clear_commitment(registration):
    registration.commitment_signed_at = None
    registration.commitment_signed_by = None
    registration.commitment_ip = None
    registration.commitment_truthful = registration.commitment_credit_inquiry = False
    registration.commitment_publication = False


# --- the enterprise's draft ------------------------------------------------------------------------


@transaction.atomic
def registration_create(*, by, bank, amount, term_months, purpose, assets=()):
    """A draft registration of the actor's enterprise with an active cooperating bank."""
    enterprise = by.organisation if by.is_authenticated else None
    if enterprise is None:
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    require_enterprise_actor(by, enterprise)
    values, owned = _registration_values(
        enterprise, bank=bank, amount=amount, term_months=term_months, purpose=purpose, assets=assets
    )
    registration = LoanRegistration.objects.create(enterprise=enterprise, created_by=by, **values)
    registration.assets.set(owned)
    audit_record(
        by=by,
        action=REGISTRATION_CREATE,
        obj=registration,
        to_state=Status.DRAFT,
        data=_snapshot(registration, owned),
    )
    return registration


@transaction.atomic
def registration_update(*, by, registration, bank, amount, term_months, purpose, assets=()):
    """Edit a draft. Any change voids the signed commitment: the enterprise signs what it submits."""
    require_enterprise_actor(by, registration.enterprise)
    locked = lock(LoanRegistration, registration.pk)
    _require_draft(locked, "修改")
    values, owned = _registration_values(
        locked.enterprise, bank=bank, amount=amount, term_months=term_months, purpose=purpose, assets=assets
    )
    for field, value in values.items():
        setattr(locked, field, value)
    _clear_commitment(locked)
    locked.save()
    locked.assets.set(owned)
    audit_record(by=by, action=REGISTRATION_UPDATE, obj=locked, data=_snapshot(locked, owned))
    return locked


@transaction.atomic
def registration_sign(*, by, registration, truthful, credit_inquiry, publication, ip=None):
    """Sign the commitment: truthfulness, credit-inquiry authorisation, consent to publication."""
    require_enterprise_actor(by, registration.enterprise)
    given = {"truthful": truthful, "credit_inquiry": credit_inquiry, "publication": publication}
    missing = [COMMITMENT_ITEMS[k] for k, v in given.items() if not v]
    if missing:
        message = MSG_COMMITMENT_MISSING.format(missing="；".join(missing))
        raise ValidationFailed(message, code="commitment_missing")
    locked = lock(LoanRegistration, registration.pk)
    _require_draft(locked, "签署承诺书")
    locked.commitment_truthful = locked.commitment_credit_inquiry = locked.commitment_publication = True
    locked.commitment_signed_at = timezone.now()
    locked.commitment_signed_by = by
    locked.commitment_ip = ip or None
    locked.save()
    audit_record(
        by=by,
        action=REGISTRATION_SIGN,
        obj=locked,
        reason="；".join(COMMITMENT_ITEMS.values()),
        data={"ip": ip, "signed_at": locked.commitment_signed_at},
    )
    return locked


# --- the enterprise's moves ------------------------------------------------------------------------


@transaction.atomic
def registration_submit(*, by, registration):
    """Submit a signed draft to the bank, under the Measures in force today; refused with every failed
    rule."""
    require_enterprise_actor(by, registration.enterprise)
    on = local_today()
    policy = policy_in_force(on)

    def check(locked):
        if not locked.commitment_signed:
            raise DomainError(MSG_NOT_SIGNED, code="not_signed")
        checks = registration_checks(locked, policy=policy, on=on)
        raise_if_failed(checks, MSG_SUBMIT_REFUSED)
        locked.submitted_checks = [c.as_dict() for c in checks]

    locked, moved = transition(
        registration,
        "submit",
        by=by,
        check=check,
        submitted_at=timezone.now(),
        policy=policy,
        data={"policy": policy.code},
    )
    if moved:
        policy_mark_used(policy)
        notify_organisation(
            locked.bank,
            role=Role.BANK_OFFICER,
            title=f"{locked.enterprise.name}提交了知识产权质押融资申请",
            body=f"申请金额 {locked.amount} 元，期限 {locked.term_months} 个月。",
            url=locked.get_absolute_url(),
        )
    return locked


@transaction.atomic
def registration_withdraw(*, by, registration, reason=""):
    """Withdraw a submission before the bank has acted on it."""
    require_enterprise_actor(by, registration.enterprise)
    locked, moved = transition(
        registration,
        "withdraw",
        by=by,
        reason=_reason(reason),
        withdrawn_at=timezone.now(),
    )
    if moved:
        notify_organisation(
            locked.bank,
            role=Role.BANK_OFFICER,
            title=f"{locked.enterprise.name}撤回了质押融资申请",
            url=locked.get_absolute_url(),
        )
    return locked


@transaction.atomic
def registration_redraft(*, by, registration):
    """Back to an editable draft after a withdrawal; the commitment must be signed again."""
    require_enterprise_actor(by, registration.enterprise)

    def reset(locked):
        _clear_commitment(locked)
        locked.submitted_at = None
        locked.withdrawn_at = None
        locked.policy = None
        locked.submitted_checks = []

    locked, _ = transition(registration, "redraft", by=by, check=reset)
    return locked


# --- the bank's decision ---------------------------------------------------------------------------


def _require_addressed_bank(by, registration):
    """A registration is the business of the bank it is addressed to, once submitted (404 for anyone else)."""
    if not (by.is_authenticated and by.is_active and by.organisation_id == registration.bank_id):
        raise NotFound()
    if registration.status == Status.DRAFT:
        raise NotFound()  # a draft is not addressed to the bank yet


def _decide(*, by, registration, move, reason):
    _require_addressed_bank(by, registration)
    locked, moved = transition(
        registration,
        move,
        by=by,
        reason=reason,
        decided_at=timezone.now(),
        decided_by=by,
        decision_reason=reason,
    )
    if moved:
        label = LoanRegistration.WORKFLOW.move(move).label
        notify_organisation(
            locked.enterprise,
            role=Role.ENTERPRISE_USER,
            title=f"{locked.bank.name}{label}您的质押融资申请",
            body=reason,
            url=locked.get_absolute_url(),
        )
    return locked


@transaction.atomic
def registration_accept(*, by, registration, reason=""):
    return _decide(by=by, registration=registration, move="accept", reason=_reason(reason))


@transaction.atomic
def registration_decline(*, by, registration, reason):
    reason = _reason(reason)
    if not reason:
        raise ValidationFailed(MSG_DECLINE_REASON, code="decline_reason")
    return _decide(by=by, registration=registration, move="decline", reason=reason)
