"""Suspension proposals (Art 15-16): the daily check proposes, from a bank's figures (lenders.risk), that
its new filings be suspended; the bureau approver accepts (the bank is suspended, with its notice) or
dismisses."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.roles import (
    PERM_BUREAU_APPROVE,
    Role,
)
from yunfu_ipfund.accounts.selectors import require_perm
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import transition
from yunfu_ipfund.common.errors import (
    DomainError,
)
from yunfu_ipfund.notices.reminders import reminder_resolve, reminder_schedule
from yunfu_ipfund.policy.services import policy_in_force

from .. import actions, reminders
from ..models import (
    CooperatingBank,
    SuspensionProposal,
)
from ..risk import QUIET_DAYS_AFTER_DECISION, bank_risk_table, suspension_grounds
from .banks import bank_suspend
from .base import (
    _required_reason,
)

MSG_NO_COOPERATION = "“{bank}”没有合作银行档案，无法暂停备案。"


def _proposal_figures(row):
    return {k: (str(v) if v is not None else None) for k, v in row.items() if k != "bank"}


@transaction.atomic
def propose_suspensions(today):
    """Daily: a proposal (with the figures and a reminder to the approver) for each bank whose figures give
    grounds, unless one is open or one was decided in the last QUIET_DAYS_AFTER_DECISION days."""
    policy = policy_in_force(today)
    made = []
    for row in bank_risk_table(today=today):
        grounds = suspension_grounds(row, policy)
        if not grounds:
            continue
        bank = row["bank"]
        recent = SuspensionProposal.objects.filter(bank=bank)
        if recent.filter(status=SuspensionProposal.Status.PROPOSED).exists():
            continue
        if recent.filter(decided_at__date__gt=today - dt.timedelta(days=QUIET_DAYS_AFTER_DECISION)).exists():
            continue
        proposal = SuspensionProposal.objects.create(
            bank=bank,
            grounds="；".join(grounds) + "。",
            figures=_proposal_figures(row),
            proposed_on=today,
        )
        audit_record(
            by=None,
            action=actions.PROPOSAL_CREATE,
            obj=proposal,
            to_state=proposal.status,
            reason=proposal.grounds,
            data={"policy": policy.code, **proposal.figures},
        )
        reminder_schedule(
            kind=reminders.PROPOSAL_DECISION,
            about=proposal,
            due_date=today,
            recipient_role=Role.BUREAU_APPROVER,
            notify_workdays_before=(),
            escalate_role="",
            url=proposal.get_absolute_url(),
            title=f"建议暂停“{bank.name}”新增备案，请决定",
            body=proposal.grounds,
        )
        made.append(proposal)
    return made


@transaction.atomic
def proposal_accept(*, by, proposal, reason, effective_on=None):
    """The approver accepts: the bank is suspended (bank_suspend, which issues the suspension notice)."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)

    def suspend(locked):
        profile = CooperatingBank.objects.filter(organisation_id=locked.bank_id).first()
        if profile is None:
            raise DomainError(MSG_NO_COOPERATION.format(bank=locked.bank), code="no_cooperation")
        bank_suspend(by=by, bank=profile, reason=reason, effective_on=effective_on)

    proposal, _ = transition(
        proposal,
        "accept",
        by=by,
        reason=reason,
        check=suspend,
        decided_by=by,
        decided_at=timezone.now(),
        decision_reason=reason,
    )
    reminder_resolve(about=proposal)
    return proposal


@transaction.atomic
def proposal_dismiss(*, by, proposal, reason):
    """The approver dismisses, with a reason; the bank is not proposed again for QUIET_DAYS_AFTER_DECISION."""
    require_perm(by, PERM_BUREAU_APPROVE)
    reason = _required_reason(reason)
    proposal, _ = transition(
        proposal,
        "dismiss",
        by=by,
        reason=reason,
        decided_by=by,
        decided_at=timezone.now(),
        decision_reason=reason,
    )
    reminder_resolve(about=proposal)
    return proposal
