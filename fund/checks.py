"""The fund's daily checks (called by the platform's daily beat task through notices.checks).

- Per bank: covered NPL ratio above policy.suspension_npl_ratio, or a recovery return overdue more
  than policy.suspension_return_overdue_days -> a SuspensionProposal for the bureau approver, with the
  figures, and a reminder. The system never suspends by itself.
- Cumulative net payouts >= policy.fund_pause_payout_ratio x capital -> the bureau and finance are
  alerted once (services.check_payout_pause).
- Open reconciliation periods that have ended -> a reminder to finance to sign them off.
"""

import datetime as dt

from django.db import transaction

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.money import format_money
from yunfu_ipfund.notices.services import reminder_schedule
from yunfu_ipfund.policy.services import policy_in_force

from .models import StatementPeriod, SuspensionProposal
from .risk import npl_over_threshold, return_overdue_too_long
from .selectors import bank_risk_table
from .services import check_payout_pause

# After the approver dismissed a proposal, the same bank is not proposed again for this many days
# (an operating choice of the portal, not a number of the Measures).
QUIET_DAYS_AFTER_DECISION = 30


def suspension_grounds(row, policy):
    """The reasons (Chinese sentences) a bank's figures give for proposing its suspension, if any."""
    grounds = []
    if npl_over_threshold(row, policy):
        grounds.append(
            f"在保不良率 {row['npl_ratio']:.2%}（不良 {format_money(row['non_performing'])} 元 ÷ 在保 "
            f"{format_money(row['covered_outstanding'])} 元）超过 {policy.suspension_npl_ratio:.2%}"
        )
    if return_overdue_too_long(row, policy):
        grounds.append(
            f"追偿款逾期返还 {row['overdue_days']} 天（{row['overdue_returns']} 笔，"
            f"{format_money(row['overdue_returns_amount'])} 元），超过 {policy.suspension_return_overdue_days} 天"
        )
    return grounds


def _figures(row):
    return {k: (str(v) if v is not None else None) for k, v in row.items() if k != "bank"}


@transaction.atomic
def propose_suspensions(today):
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
            bank=bank, grounds="；".join(grounds) + "。", figures=_figures(row), proposed_on=today,
        )
        audit_record(by=None, action="提出暂停备案建议", obj=proposal, to_state=proposal.status, reason=proposal.grounds,
                     data={"policy": policy.code, **proposal.figures})
        reminder_schedule(
            key=f"fund-suspension-{proposal.pk}", about=proposal, due_date=today, recipient_role=Role.BUREAU_APPROVER,
            notify_workdays_before=(), escalate_role="", url=proposal.get_absolute_url(),
            title=f"建议暂停“{bank.name}”新增备案，请决定", body=proposal.grounds,
        )
        made.append(proposal)
    return made


def remind_periods_to_sign_off(today):
    from yunfu_ipfund.notices.models import Reminder

    for period in StatementPeriod.objects.filter(status=StatementPeriod.Status.OPEN, end__lt=today):
        if Reminder.objects.filter(key=f"fund-period-signoff-{period.pk}").exists():
            continue
        reminder_schedule(
            key=f"fund-period-signoff-{period.pk}", about=period, due_date=today, recipient_role=Role.FINANCE,
            notify_workdays_before=(), escalate_role="", url=period.get_absolute_url(),
            title=f"对账期间 {period.start} 至 {period.end} 已结束，请完成对账并签核",
        )


def run_daily_checks(today=None):
    today = today or local_today()
    try:
        policy_in_force(today)
    except DomainError:
        return  # the platform already alerts the administrators that no policy is in force
    propose_suspensions(today)
    check_payout_pause(today)
    remind_periods_to_sign_off(today)
