"""Audit actions: one code and one Chinese label for every kind of event the log records.

Each app declares its own actions as module constants (`ACTION = audit_action("fund.entry.post", "记账")`)
beside the services that record them; every workflow move is an action of its own
(`<app>.<model>.<move>`, see `audit.workflow`). The log stores the code and the label.
"""

from yunfu_ipfund.common.codes import Code, Registry


class AuditAction(Code):
    pass


audit_action = Registry("audit action", AuditAction)
