"""The bureau approver's optional stop of new cover (DOMAIN: fund pause, Art 15-16): while a pause is
open, fund.risk refuses every confirmation of new cover."""

from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.roles import PERM_BUREAU_APPROVE
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.errors import (
    Conflict,
    DomainError,
)
from yunfu_ipfund.common.parsing import parse_text

from .. import actions
from ..locks import lock_fund
from ..models import (
    FundCoverPause,
)
from ..selectors import fund_figures, open_cover_pause
from .ledger import (
    MSG_REASON_REQUIRED,
)

MSG_COVER_ALREADY_PAUSED = "新增纳入风险补偿已于 {day} 暂停（理由：{reason}），无需重复暂停。"
MSG_COVER_NOT_PAUSED = "当前未暂停新增纳入风险补偿，无需恢复。"


def _approver_reason(by, reason):
    require_perm(by, PERM_BUREAU_APPROVE)  # a person: the system never pauses nor resumes by itself
    return parse_text(reason, field="事由", message=MSG_REASON_REQUIRED)


def cover_can_decide(user):
    """The bureau approver pauses and resumes new cover (the risk page's buttons)."""
    return user.has_perm(PERM_BUREAU_APPROVE)


@transaction.atomic
def cover_pause(*, by, reason):
    """Stop new cover: until cover_resume, fund.risk.assert_leverage_allows refuses every confirmation."""
    reason = _approver_reason(by, reason)
    lock_fund()
    current = open_cover_pause()
    if current is not None:
        raise Conflict(
            MSG_COVER_ALREADY_PAUSED.format(
                day=f"{timezone.localdate(current.started_at):%Y-%m-%d}", reason=current.reason
            ),
            code="already_paused",
        )
    pause = FundCoverPause.objects.create(started_at=timezone.now(), started_by=by, reason=reason)
    audit_record(
        by=by,
        action=actions.COVER_PAUSE,
        obj=pause,
        to_state="paused",
        reason=reason,
        data={"net_payouts": str(fund_figures().net_payouts)},
    )
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
    audit_record(
        by=by, action=actions.COVER_RESUME, obj=pause, from_state="paused", to_state="resumed", reason=reason
    )
    return pause
