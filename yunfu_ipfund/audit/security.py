"""The security events of accounts in the hash-chained log, and the workflow of administrative requests.

accounts stands below the audit log and imports none of it (.importlinter): it declares its security
events as codes (accounts.actions) and sends them out (accounts.signals.security_event); here each code
becomes an audit action and each event an audit record. Every change made in the admin site is also
recorded, whatever the model (Django's LogEntry, written by ModelAdmin.log_addition/log_change/
log_deletion, is an ordinary table: its post_save appends the same change here).

AdminRequest's transition table is declared here, beside the actions, with the guards of
accounts.services (a different security administrator decides), and the workflow contract is lent to
accounts through accounts.signals.workflow. `connect()` is called once from AuditConfig.ready().
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save

from yunfu_ipfund.accounts import actions as accounts_actions
from yunfu_ipfund.accounts import signals as accounts_signals
from yunfu_ipfund.accounts.models import AdminRequest
from yunfu_ipfund.accounts.roles import PERM_SECURITY
from yunfu_ipfund.accounts.services import guard_decider
from yunfu_ipfund.common.middleware import write_refused

from .actions import audit_action
from .services import audit_record
from .workflow import CONFLICT, Move, Workflow, available_moves, transition

S = AdminRequest.Status
ADMIN_REQUEST_WORKFLOW = Workflow(
    Move("approve", (S.PENDING,), S.APPROVED, "批准管理操作申请", PERM_SECURITY, CONFLICT, (guard_decider,)),
    Move("reject", (S.PENDING,), S.REJECTED, "驳回管理操作申请", PERM_SECURITY, CONFLICT, (guard_decider,)),
    Move("expire", (S.PENDING,), S.EXPIRED, "管理操作申请过期失效", None),
)

SECURITY_ACTIONS = {
    code.code: audit_action(code.code, code.label) for code in accounts_actions.security_event.all()
}

_ADMIN_SITE = {
    ADDITION: accounts_actions.ADMIN_SITE_ADD,
    CHANGE: accounts_actions.ADMIN_SITE_CHANGE,
    DELETION: accounts_actions.ADMIN_SITE_DELETE,
}


def record_security_event(sender, *, action, by, obj, reason="", data=None, from_state="", to_state="", **kw):
    audit_record(
        by=by,
        action=SECURITY_ACTIONS[action.code],
        obj=obj,
        reason=reason,
        data=data,
        from_state=from_state,
        to_state=to_state,
    )


def record_admin_log_entry(sender, instance, created, **kwargs):
    """Every admin-site change (LogEntry) also lands in the hash-chained log."""
    if not created:
        return
    action = _ADMIN_SITE.get(instance.action_flag, accounts_actions.ADMIN_SITE_CHANGE)
    audit_record(
        by=instance.user,
        action=SECURITY_ACTIONS[action.code],
        obj=instance,
        data={
            "model": f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type_id
            else "",
            "object_id": str(instance.object_id or ""),
            "object": instance.object_repr,
            "change": instance.get_change_message(),
        },
    )


def record_write_refused(sender, *, request, error, **kwargs):
    """A signed-in user's refused write (403/404 on a page) is an attempt the trail keeps."""
    audit_record(
        by=request.user,
        action=SECURITY_ACTIONS[accounts_actions.WRITE_REFUSED.code],
        obj=request.user,
        reason=error.message,
        data={
            "method": request.method,
            "path": request.path[:300],
            "status": error.status,
            "code": error.code,
        },
    )


def connect():
    AdminRequest.WORKFLOW = ADMIN_REQUEST_WORKFLOW
    accounts_signals.workflow.update(transition=transition, available_moves=available_moves)
    accounts_signals.security_event.connect(record_security_event, dispatch_uid="audit.security_event")
    write_refused.connect(record_write_refused, dispatch_uid="audit.write_refused")
    post_save.connect(record_admin_log_entry, sender=LogEntry, dispatch_uid="audit.admin_log_entry")
