"""The bank side's daily checks (the platform's beat task runs `run_daily_checks`, found through
common.plugins by notices.checks).

- Loans past maturity, still reported as performing with principal outstanding: remind the bank.
- Loans reported overdue that reached the version's npl_overdue_days: their loss event is recorded
  (the claim window runs from it); one still reported as performing raises a reminder to the bank and
  a to-do for the bureau's clerks (lenders.services.loans.record_loss_events).
- Banks whose figures give grounds for suspending their new filings (Art 15-16, lenders.risk): a
  proposal for the bureau approver (the system never suspends by itself).

The filing rules of the Measures are lenders.rules.
"""

from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.policy.services import policy_in_force

from .services import propose_suspensions, remind_unreported_overdue
from .services.loans import record_loss_events


def run_daily_checks(today):
    remind_unreported_overdue(today=today)
    try:
        policy_in_force(today)
    except DomainError:
        return  # the platform already alerts the administrators that no policy is in force
    record_loss_events(today=today)
    propose_suspensions(today)
