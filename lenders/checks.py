"""The bank side's daily checks (the platform's beat task runs `run_daily_checks`, found through
common.plugins by notices.checks).

- Loans past maturity, still reported as performing with principal outstanding: remind the bank.
- Banks whose figures give grounds for suspending their new filings (Art 15-16, lenders.risk): a
  proposal for the bureau approver (the system never suspends by itself).

The filing rules of the Measures are lenders.rules.
"""

from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.policy.services import policy_in_force

from .services import propose_suspensions, remind_unreported_overdue


def run_daily_checks(today):
    remind_unreported_overdue(today=today)
    try:
        policy_in_force(today)
    except DomainError:
        return  # the platform already alerts the administrators that no policy is in force
    propose_suspensions(today)
