"""The reminder kinds of the fund, scheduled and resolved by kind and record (`notices.reminders`)."""

from yunfu_ipfund.notices.reminders import reminder_kind

# About a reconciliation period that has ended.
PERIOD_SIGN_OFF = reminder_kind("fund.statementperiod.sign_off", "对账期间待签核")
# About the policy version in force; discriminator: the role alerted (bureau approver, finance).
PAYOUT_ALERT = reminder_kind("fund.payout.alert", "累计净代偿达到资金规模的提示比例")
# The daily self-check of the ledger found a running balance or daily total that disagrees with the
# entries (fund.integrity.check_ledger); discriminator: the day and the role alerted.
LEDGER_MISMATCH = reminder_kind("fund.ledger.mismatch", "资金台账自检发现不符")
