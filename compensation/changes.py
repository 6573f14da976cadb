"""Four eyes by last change on the compensation side (lenders.changes has the rule): the audit codes of
an officer's re-preparation and the one way a claim's or a recovery report's change is recorded."""

from lenders.changes import ChangeKind, field_changes, labels_of
from lenders.changes import record as record_change
from yunfu_ipfund.audit.actions import audit_action

from .models import Claim, ClaimChange, Recovery

CLAIM_PREPARE_AGAIN = audit_action("compensation.claim.prepare_again", "复查修改后重新确认经办（补偿申请）")
RECOVERY_PREPARE_AGAIN = audit_action(
    "compensation.recovery.prepare_again", "复查修改后重新确认经办（追偿报告）"
)

CLAIM_LABELS = labels_of(Claim, ("unrecovered_principal", "enforcement_actions"))
RECOVERY_LABELS = labels_of(Recovery, ("received_on", "amount", "costs", "description", "confirm_reason"))


def claim_changed(*, by, claim, kind, fields=(), summary="", recovery=None):
    """Record one change of `claim` (or of its recovery report `recovery`) by `by`."""
    return record_change(
        ClaimChange, by=by, kind=kind, fields=fields, summary=summary, claim=claim, recovery=recovery
    )


def claim_changes(claim):
    """The claim's own change rows (not its recovery reports')."""
    return claim.changes.filter(recovery__isnull=True)


__all__ = [
    "CLAIM_LABELS",
    "CLAIM_PREPARE_AGAIN",
    "RECOVERY_LABELS",
    "RECOVERY_PREPARE_AGAIN",
    "ChangeKind",
    "claim_changed",
    "claim_changes",
    "field_changes",
]
