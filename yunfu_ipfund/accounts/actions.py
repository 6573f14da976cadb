"""The audit actions the accounts app records (the admin's changes to organisations and users)."""

from yunfu_ipfund.audit.actions import audit_action

ORGANISATION_CREATE = audit_action("accounts.organisation.create", "新增机构")
ORGANISATION_UPDATE = audit_action("accounts.organisation.update", "修改机构")
USER_CREATE = audit_action("accounts.user.create", "新增用户")
USER_UPDATE = audit_action("accounts.user.update", "修改用户")
