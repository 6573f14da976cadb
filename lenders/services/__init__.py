"""Every write of the bank side: cooperating banks, filings, the bureau's review, covered-loan reports,
suspension proposals.

Each service is keyword-only `<entity>_<verb>(*, by, ...)`, atomic, audited, and holds its rules;
views, the API and the bulk import only call these. By job: `banks` (admission, suspension,
reinstatement, termination), `filing_terms` (a filing's figures and pledges, parsed and checked),
`filings` (prepare, submit, return, allow late, confirm, refuse), `loans` (the bank's reports on a
covered loan, the compensation's moves), `proposals` (Art 15-16 suspension proposals), `fund_reports`
(the fund's reports with the covered outstanding), `tokens` (API tokens). The names other apps and
the views use are importable from here.
"""

from .banks import bank_admit, bank_reinstate, bank_suspend, bank_terminate
from .filings import (
    filing_can_edit,
    filing_can_override_late,
    filing_can_prepare_again,
    filing_confirm,
    filing_create,
    filing_document_add,
    filing_first_review,
    filing_override_late,
    filing_prepare_again,
    filing_refuse,
    filing_return,
    filing_submit,
    filing_update,
)
from .fund_reports import fund_report_issue
from .loans import (
    COMPENSATION_MOVES,
    covered_loan_transition,
    covered_part,
    loan_can_report,
    loan_report_classification,
    loan_report_extension,
    loan_report_overdue,
    loan_report_repayment,
    remind_unreported_overdue,
)
from .proposals import proposal_accept, proposal_dismiss, propose_suspensions
from .tokens import api_token_issue

__all__ = [
    "bank_admit",
    "bank_suspend",
    "bank_reinstate",
    "bank_terminate",
    "propose_suspensions",
    "proposal_accept",
    "proposal_dismiss",
    "fund_report_issue",
    "filing_create",
    "filing_update",
    "filing_document_add",
    "filing_submit",
    "filing_first_review",
    "filing_return",
    "filing_override_late",
    "filing_confirm",
    "filing_refuse",
    "filing_can_edit",
    "filing_can_override_late",
    "filing_can_prepare_again",
    "filing_prepare_again",
    "loan_report_repayment",
    "loan_report_overdue",
    "loan_report_classification",
    "loan_report_extension",
    "COMPENSATION_MOVES",
    "covered_loan_transition",
    "covered_part",
    "loan_can_report",
    "remind_unreported_overdue",
    "api_token_issue",
]
