"""The reminder kinds of the bank side: each obligation with a deadline that a bank, a filing, a covered
loan or a suspension proposal raises. Scheduled and resolved by kind and record (`notices.reminders`)."""

from yunfu_ipfund.notices.reminders import reminder_kind

# About a cooperating bank.
AGREEMENT_EXPIRY = reminder_kind("lenders.cooperatingbank.agreement_expiry", "合作协议到期")
# About a filing.
FILING_DEADLINE = reminder_kind("lenders.loanfiling.deadline", "放款后报送备案期限")
FILING_REVIEW = reminder_kind("lenders.loanfiling.review", "备案审核期限")
# The approver's decision on a filing the clerk has first-reviewed (same review deadline).
FILING_DECISION = reminder_kind("lenders.loanfiling.decision", "备案审核决定期限")
FILING_CORRECTION = reminder_kind("lenders.loanfiling.correction", "备案补正期限")
# About a covered loan.
LOAN_MATURITY = reminder_kind("lenders.coveredloan.maturity", "贷款到期")
LOAN_UNREPORTED = reminder_kind("lenders.coveredloan.unreported", "到期后未报告还款或逾期")
LOAN_LOSS_UNCLASSIFIED = reminder_kind(
    "lenders.coveredloan.loss_unclassified", "逾期满认定不良天数仍按正常类报告"
)
# About a suspension proposal.
PROPOSAL_DECISION = reminder_kind("lenders.suspensionproposal.decision", "暂停备案建议待决定")
