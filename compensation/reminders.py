"""The reminder kinds of compensation: each obligation with a deadline that a claim raises.

Scheduled and resolved by kind and record (`notices.reminders`); where one record has several of a
kind, the discriminator tells them apart (the public-notice batch, the quarter of a recovery report).
The handlers the sweep runs once a deadline passes (a supplement lapses) are registered by the
services that make those moves (`compensation.services.intake`). A public notice that ends is never
decided by the sweep: its reminder puts the decision in front of the approver and escalates it.
"""

from yunfu_ipfund.notices.reminders import reminder_kind

# About a claim.
INTAKE = reminder_kind("compensation.claim.intake", "补偿申请待受理（完整性审查）")
REVIEW = reminder_kind("compensation.claim.review", "补偿申请待审查")
SUPPLEMENT = reminder_kind("compensation.claim.supplement", "补偿申请补充材料期限")
SECOND_REVIEW = reminder_kind("compensation.claim.second_review", "补偿申请待复审")
# Discriminator: the public-notice batch.
# Due `decision_workdays` after the period ends: the approver decides (the sweep reminds, escalates).
PUBLICITY_END = reminder_kind("compensation.claim.publicity_end", "公示期满，待作出补偿决定")
# Discriminator: the objection. The clerk rules it founded or unfounded.
OBJECTION = reminder_kind("compensation.claim.objection", "公示异议待认定（成立或不成立）")
INSTRUCT = reminder_kind("compensation.claim.instruct", "补偿申请待下达拨付通知")
PAY = reminder_kind("compensation.claim.pay", "补偿申请待确认拨付")
# Discriminator: the quarter (2027Q1).
RECOVERY_REPORT = reminder_kind("compensation.claim.recovery_report", "季度追偿进展报告")
CLAWBACK = reminder_kind("compensation.claim.clawback", "撤销补偿应退回资金")

# About a recovery report.
RECOVERY_RETURN = reminder_kind("compensation.recovery.return", "追偿款待返还")
RECOVERY_RECEIPT = reminder_kind("compensation.recovery.receipt", "追偿返还款待确认到账")

# The handlers the sweep runs when these reminders fall due (registered by the services).
ACTION_SUPPLEMENT_LAPSE = "compensation.supplement_lapse"
# Carried by reminders scheduled before the approver decided; its handler only leaves them to remind.
ACTION_PUBLICITY_END = "compensation.publicity_end"
