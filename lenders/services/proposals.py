"""Suspension proposals (Art 15-16): the daily check proposes, from a bank's figures (lenders.risk), that
its new filings be suspended; the bureau approver accepts (the bank is suspended, with its notice) or
dismisses.

`suspension_review` is the ONE computation behind the risk page and the proposals: each bank's row of
lenders.risk.bank_risk_table (its figures, its grounds, a flag per ground) with where its proposal
stands; `propose_suspensions` proposes exactly the rows it marks as due."""

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
from yunfu_ipfund.common.articles import ARTICLE_15, implements
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
from ..risk import QUIET_DAYS_AFTER_DECISION, bank_risk_table
from .banks import bank_suspend
from .base import (
    _required_reason,
)

MSG_NO_COOPERATION = "“{bank}”没有合作银行档案，无法暂停备案。"

# Where a bank's proposal stands (suspension_review): the page shows it beside the figures.
PROPOSAL_OPEN = "open"  # a proposal awaits the approver's decision
PROPOSAL_NOT_ACTIVE = "not_active"  # the bank is already suspended or its cooperation ended
PROPOSAL_QUIET = "quiet"  # decided in the last QUIET_DAYS_AFTER_DECISION days: not proposed again yet
PROPOSAL_DUE = "due"  # grounds and none of the above: the daily check (or the approver) proposes
PROPOSAL_NONE = "none"  # no grounds, nothing open


def _proposal_state(row, *, today, open_by_bank, decided_by_bank, profiles):
    """(state, Chinese explanation, proposal or None) for one row of the risk table."""
    bank_id = row["bank"].pk
    proposal = open_by_bank.get(bank_id)
    if proposal is not None:
        return PROPOSAL_OPEN, f"已于{proposal.proposed_on:%Y-%m-%d}提出暂停备案建议，待审核人决定", proposal
    if not row["grounds"]:
        return PROPOSAL_NONE, "无暂停备案理由", None
    profile = profiles.get(bank_id)
    if profile is not None and profile.status != CooperatingBank.Status.ACTIVE:
        since = f"自{profile.status_since:%Y-%m-%d}起" if profile.status_since else ""
        return PROPOSAL_NOT_ACTIVE, f"该行{since}{profile.get_status_display()}，无需再提出建议", None
    decided = decided_by_bank.get(bank_id)
    if decided is not None:
        decided_on = decided.decided_at.astimezone(timezone.get_current_timezone()).date()
        until = decided_on + dt.timedelta(days=QUIET_DAYS_AFTER_DECISION)
        if until > today:
            return (
                PROPOSAL_QUIET,
                f"建议已于{decided_on:%Y-%m-%d}{decided.get_status_display()}"
                f"（{decided.decision_reason}），{until:%Y-%m-%d}起方可再次提出",
                decided,
            )
    return PROPOSAL_DUE, "有暂停备案理由，尚未提出建议（每日检查时提出，审核人也可立即提出）", None


@implements(ARTICLE_15)
def suspension_review(*, today, as_of=None):
    """The risk table (lenders.risk.bank_risk_table, judged under the version in force on `as_of` or
    `today`) with, on each row, where the bank's suspension proposal stands today: `proposal_state`
    (PROPOSAL_*), `proposal_text` (the explanation the page shows) and `proposal` (the open or the
    recently decided one). A row with grounds always has an open proposal or an explanation why not."""
    policy = policy_in_force(as_of or today)
    rows = bank_risk_table(as_of=as_of, today=today, policy=policy)
    open_by_bank = {
        p.bank_id: p for p in SuspensionProposal.objects.filter(status=SuspensionProposal.Status.PROPOSED)
    }
    decided_by_bank = {}
    for p in SuspensionProposal.objects.filter(decided_at__isnull=False).order_by("decided_at", "id"):
        decided_by_bank[p.bank_id] = p  # the latest decision wins
    profiles = {p.organisation_id: p for p in CooperatingBank.objects.all()}
    for row in rows:
        row["proposal_state"], row["proposal_text"], row["proposal"] = _proposal_state(
            row, today=today, open_by_bank=open_by_bank, decided_by_bank=decided_by_bank, profiles=profiles
        )
    return rows, policy


# The row's figures a proposal keeps (as text): the grounds' figures and the day's.
PROPOSAL_FIGURES = (
    "covered_outstanding",
    "overdue",
    "non_performing",
    "overdue_ratio",
    "window_start",
    "window_end",
    "window_covered",
    "window_npl",
    "window_loans",
    "window_npl_loans",
    "npl_ratio",
    "window_compensation",
    "claims_share",
    "claims",
    "compensation",
    "recoveries",
    "clawbacks",
    "overdue_returns",
    "overdue_returns_amount",
    "overdue_days",
)


def _proposal_figures(row):
    return {k: (str(row[k]) if row[k] is not None else None) for k in PROPOSAL_FIGURES}


@implements(ARTICLE_15)
@transaction.atomic
def propose_suspensions(today, *, by=None):
    """Daily (or the approver at once, `by`): a proposal (with the figures and a reminder to the approver)
    for each bank whose row of suspension_review is due: grounds, the bank still active, none open and
    none decided in the last QUIET_DAYS_AFTER_DECISION days."""
    if by is not None:
        require_perm(by, PERM_BUREAU_APPROVE)
    rows, policy = suspension_review(today=today)
    made = []
    for row in rows:
        if row["proposal_state"] != PROPOSAL_DUE:
            continue
        bank = row["bank"]
        proposal = SuspensionProposal.objects.create(
            bank=bank,
            grounds="；".join(row["grounds"]) + "。",
            figures=_proposal_figures(row),
            proposed_on=today,
        )
        audit_record(
            by=by,
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
