"""The fund's daily checks (called by the platform's daily beat task through notices.checks).

- Cumulative net payouts >= policy.fund_pause_payout_ratio x capital -> the bureau and finance are
  alerted once (services.check_payout_pause).
- Open reconciliation periods that have ended -> a reminder to finance to sign them off.
- The running balances and daily totals disagree with the entries, or a posting does not balance ->
  the administrators, finance and the bureau approvers are alerted (fund.integrity.check_ledger).

The per-bank grounds for suspending a bank's filings (Art 15-16) are the lenders app's (lenders.risk).
"""

from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.notices.services import reminder_schedule
from yunfu_ipfund.policy.services import policy_in_force

from . import reminders
from .integrity import check_ledger
from .models import StatementPeriod
from .services import check_payout_pause


def remind_periods_to_sign_off(today):
    for period in StatementPeriod.objects.filter(status=StatementPeriod.Status.OPEN, end__lt=today):
        reminder_schedule(
            kind=reminders.PERIOD_SIGN_OFF,
            about=period,
            once=True,
            due_date=today,
            recipient_role=Role.FINANCE,
            notify_workdays_before=(),
            escalate_role="",
            url=period.get_absolute_url(),
            title=f"对账期间 {period.start} 至 {period.end} 已结束，请完成对账并签核",
        )


def run_daily_checks(today=None):
    today = today or local_today()
    check_ledger(today)  # the running balances against the entries (fund.integrity), policy or not
    try:
        policy_in_force(today)
    except DomainError:
        return  # the platform already alerts the administrators that no policy is in force
    check_payout_pause(today)
    remind_periods_to_sign_off(today)
