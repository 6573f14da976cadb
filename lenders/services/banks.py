"""Cooperating banks (Art 3, 15-16): admission under a cooperation agreement, suspension, reinstatement and
termination of new filings, each with its notice. The bureau approver only."""

from django.db import IntegrityError, transaction

from yunfu_ipfund.accounts.roles import (
    PERM_BUREAU_APPROVE,
    Role,
)
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import transition
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import (
    Conflict,
    DomainError,
    ValidationFailed,
)
from yunfu_ipfund.common.money import to_money
from yunfu_ipfund.notices.services import notice_issue, reminder_resolve, reminder_schedule

from .. import actions, documents, reminders
from ..models import (
    CooperatingBank,
)
from .base import (
    MSG_AGREEMENT_NUMBER_TAKEN,
    MSG_ALREADY_ADMITTED,
    MSG_NOT_A_BANK,
    _as_date,
    _required_reason,
)


def _bank_notice(kind, profile, by, context):
    return notice_issue(kind=kind, subject=profile, addressee=profile.organisation, by=by, context=context)


def _schedule_agreement_expiry(profile):
    reminder_schedule(
        kind=reminders.AGREEMENT_EXPIRY,
        about=profile,
        due_date=profile.agreement_valid_to,
        title=f"{profile.organisation.name} 合作协议 {profile.agreement_number} 到期",
        recipient_role=Role.BUREAU_APPROVER,
        notify_workdays_before=(20, 5),
        url=profile.get_absolute_url(),
        body="请决定是否续签合作协议；到期后该行不能报送新的备案。",
    )


@transaction.atomic
def bank_admit(
    *,
    by,
    organisation,
    agreement_number,
    agreement_valid_from,
    agreement_valid_to,
    admitted_on=None,
    exposure_limit=None,
    contact_name="",
    contact_phone="",
    contact_email="",
    address="",
    reason="",
):
    """Admit a bank as a cooperating institution under a cooperation agreement; issue the admission notice."""
    require_perm(by, PERM_BUREAU_APPROVE)
    if organisation.kind != organisation.Kind.BANK:
        raise ValidationFailed(MSG_NOT_A_BANK, code="not_a_bank")
    existing = CooperatingBank.objects.filter(organisation=organisation).first()
    if existing is not None:
        raise DomainError(
            MSG_ALREADY_ADMITTED.format(number=existing.agreement_number), code="already_admitted"
        )
    number = (agreement_number or "").strip()
    if not number:
        raise ValidationFailed(
            "请填写合作协议编号。", details=[{"field": "agreement_number", "message": "必填。"}]
        )
    valid_from = _as_date(agreement_valid_from, "协议生效日期", "agreement_valid_from")
    valid_to = _as_date(agreement_valid_to, "协议到期日期", "agreement_valid_to")
    if valid_to < valid_from:
        raise ValidationFailed(
            "协议到期日期不能早于生效日期。",
            details=[{"field": "agreement_valid_to", "message": "早于生效日期。"}],
        )
    limit = None if exposure_limit in (None, "") else to_money(exposure_limit, allow_zero=False)
    if CooperatingBank.objects.filter(agreement_number=number).exists():
        raise ValidationFailed(MSG_AGREEMENT_NUMBER_TAKEN.format(number=number), code="agreement_taken")
    admitted = _as_date(admitted_on, "准入日期", "admitted_on") if admitted_on else local_today()
    try:
        with transaction.atomic():
            profile = CooperatingBank.objects.create(
                organisation=organisation,
                admitted_on=admitted,
                agreement_number=number,
                agreement_valid_from=valid_from,
                agreement_valid_to=valid_to,
                exposure_limit=limit,
                contact_name=contact_name,
                contact_phone=contact_phone,
                contact_email=contact_email,
                address=address,
                status_since=admitted,
                admitted_by=by,
            )
    except IntegrityError:
        raise Conflict("该银行刚刚已由他人准入，请刷新后查看。", code="already_admitted") from None
    audit_record(
        by=by,
        action=actions.BANK_ADMIT,
        obj=profile,
        to_state=profile.status,
        reason=reason,
        data={"agreement": number, "from": valid_from, "to": valid_to, "limit": limit},
    )
    _bank_notice(
        documents.BANK_ADMISSION,
        profile,
        by,
        documents.bank_admission(profile, admitted_on=admitted, exposure_limit=limit),
    )
    _schedule_agreement_expiry(profile)
    return profile


@transaction.atomic
def bank_suspend(*, by, bank, reason, effective_on=None):
    """Suspend new filings (Art 15-16). Loans already covered stay covered."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    effective = _as_date(effective_on, "暂停日期", "effective_on") if effective_on else local_today()
    profile, moved = transition(
        bank, "suspend", by=by, reason=reason, status_since=effective, status_reason=reason
    )
    if moved:
        _bank_notice(
            documents.BANK_SUSPENSION,
            profile,
            by,
            documents.bank_suspension(profile, reason=reason, effective_on=effective),
        )
    return profile


@transaction.atomic
def bank_reinstate(*, by, bank, reason):
    """New filings again, from today."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    profile, moved = transition(
        bank, "reinstate", by=by, reason=reason, status_since=local_today(), status_reason=reason
    )
    if moved:
        _bank_notice(
            documents.BANK_REINSTATEMENT,
            profile,
            by,
            documents.bank_reinstatement(profile, reason=reason, effective_on=local_today()),
        )
    return profile


@transaction.atomic
def bank_terminate(*, by, bank, reason, effective_on=None):
    """End the cooperation: no new filing ever; loans already covered stay covered until settled."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    effective = _as_date(effective_on, "终止日期", "effective_on") if effective_on else local_today()
    profile, moved = transition(
        bank, "terminate", by=by, reason=reason, status_since=effective, status_reason=reason
    )
    if moved:
        _bank_notice(
            documents.BANK_TERMINATION,
            profile,
            by,
            documents.bank_termination(profile, reason=reason, effective_on=effective),
        )
        reminder_resolve(kind=reminders.AGREEMENT_EXPIRY, about=profile)
    return profile
