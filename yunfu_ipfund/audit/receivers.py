"""The audit log's receivers of what the layers below it publish: the administrators' changes to
organisations and users (accounts.signals.admin_changed), recorded as audit events."""

from yunfu_ipfund.accounts.models import Organisation, User

from .actions import audit_action
from .services import audit_record

ORGANISATION_CREATE = audit_action("accounts.organisation.create", "新增机构")
ORGANISATION_UPDATE = audit_action("accounts.organisation.update", "修改机构")
USER_CREATE = audit_action("accounts.user.create", "新增用户")
USER_UPDATE = audit_action("accounts.user.update", "修改用户")

ADMIN_ACTIONS = {
    (Organisation, True): ORGANISATION_CREATE,
    (Organisation, False): ORGANISATION_UPDATE,
    (User, True): USER_CREATE,
    (User, False): USER_UPDATE,
}


def record_admin_change(sender, *, by, obj, created, data, **kwargs):
    audit_record(by=by, action=ADMIN_ACTIONS[(sender, created)], obj=obj, data=data)
