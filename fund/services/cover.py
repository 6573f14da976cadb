"""The bureau approver's optional stop of new cover (DOMAIN: fund pause, Art 15-16): while a pause is
open, fund.risk refuses every confirmation of new cover."""


from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.errors import (
    MSG_NO_ROLE,
    Conflict,
    DomainError,
    Forbidden,
    ValidationFailed,
)

from ..locks import lock_fund
from ..models import (
    FundCoverPause,
)
from ..selectors import fund_figures, open_cover_pause
from .ledger import (
    MSG_REASON_REQUIRED,
    _require,
)

# --- optional stop of new cover (the bureau approver decides; fund.risk refuses confirmations meanwhile) --

MSG_COVER_ALREADY_PAUSED = "新增纳入风险补偿已于 {day} 暂停（理由：{reason}），无需重复暂停。"
MSG_COVER_NOT_PAUSED = "当前未暂停新增纳入风险补偿，无需恢复。"


def _approver_reason(by, reason):
    if by is None:
        raise Forbidden(MSG_NO_ROLE, code="no_role")
    _require(by, PERM_BUREAU_APPROVE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(MSG_REASON_REQUIRED, code="reason_required")
    return reason


@transaction.atomic
def cover_pause(*, by, reason):
    """Stop new cover: until cover_resume, fund.risk.assert_leverage_allows refuses every confirmation."""
    reason = _approver_reason(by, reason)
    lock_fund()
    current = open_cover_pause()
    if current is not None:
        raise Conflict(MSG_COVER_ALREADY_PAUSED.format(day=f"{timezone.localdate(current.started_at):%Y-%m-%d}",
                                                       reason=current.reason), code="already_paused")
    pause = FundCoverPause.objects.create(started_at=timezone.now(), started_by=by, reason=reason)
    audit_record(by=by, action="暂停新增纳入风险补偿", obj=pause, to_state="paused", reason=reason,
                 data={"net_payouts": str(_net_payouts())})
    return pause


@transaction.atomic
def cover_resume(*, by, reason):
    """End the open pause; confirmations are judged by the leverage ceiling alone again."""
    reason = _approver_reason(by, reason)
    lock_fund()
    pause = FundCoverPause.objects.select_for_update().filter(ended_at__isnull=True).first()
    if pause is None:
        raise DomainError(MSG_COVER_NOT_PAUSED, code="not_paused")
    pause.ended_at, pause.ended_by, pause.end_reason = timezone.now(), by, reason
    pause.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit_record(by=by, action="恢复新增纳入风险补偿", obj=pause, from_state="paused", to_state="resumed", reason=reason)
    return pause


def _net_payouts():
    return fund_figures().net_payouts
