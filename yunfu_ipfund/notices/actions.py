"""The audit actions the notices app records."""

from yunfu_ipfund.audit.actions import audit_action

NOTICE_ISSUE = audit_action("notices.notice.issue", "签发文书")
NOTICE_RERENDER = audit_action("notices.notice.rerender", "重新生成文书")
