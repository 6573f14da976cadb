"""The reminder kinds of the fund, scheduled and resolved by kind and record (`notices.reminders`)."""

from yunfu_ipfund.notices.reminders import reminder_kind

# About a reconciliation period that has ended.
PERIOD_SIGN_OFF = reminder_kind("fund.statementperiod.sign_off", "对账期间待签核")
# About the policy version in force; discriminator: the role alerted (bureau approver, finance).
PAYOUT_ALERT = reminder_kind("fund.payout.alert", "累计净代偿达到资金规模的提示比例")
