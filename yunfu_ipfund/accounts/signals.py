"""What accounts tells the layers above it, and what it borrows from them (they connect in their
AppConfig.ready(); accounts imports none of them).

`admin_changed`: an administrator created or changed an organisation or a user in the admin site
(`by`, `obj`, `created`, `data`). The audit log, a layer above, records it.

`security_event`: a security event (`action`, a code of accounts.actions; `by`, `obj`, `reason`,
`data`, `from_state`, `to_state`), appended to the audit log (audit.security).

`notify`: tell `users` in their inbox (`title`, `body`, `url`); notices delivers it.

`workflow`: the workflow contract (audit.workflow) lent to accounts: `transition(obj, name, **kw)` and
`available_moves(obj, user)`; AdminRequest.WORKFLOW is declared by the audit log beside its actions.
With any of these missing, a change would go unrecorded or unheard: that is an error, not a silence.
"""

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

admin_changed = Signal()
security_event = Signal()
notify = Signal()
workflow = {}


def send_admin_changed(*, by, obj, created, data):
    """Tell the receivers; with none connected the change would go unrecorded, so that is an error."""
    if not admin_changed.has_listeners(type(obj)):
        raise ImproperlyConfigured("nothing records the administrators' changes (audit not ready?)")
    admin_changed.send(sender=type(obj), by=by, obj=obj, created=created, data=data)


def send_security_event(action, *, by, obj, reason="", data=None, from_state="", to_state=""):
    if not security_event.has_listeners():
        raise ImproperlyConfigured("nothing records the security events (audit not ready?)")
    security_event.send(
        sender=type(obj),
        action=action,
        by=by,
        obj=obj,
        reason=reason,
        data=data or {},
        from_state=from_state,
        to_state=to_state,
    )


def send_notify(users, *, title, body="", url=""):
    if not notify.has_listeners():
        raise ImproperlyConfigured("nothing delivers messages (notices not ready?)")
    notify.send(sender=None, users=list(users), title=title, body=body, url=url)


def transition(obj, name, **kwargs):
    try:
        return workflow["transition"](obj, name, **kwargs)
    except KeyError:
        raise ImproperlyConfigured(
            "the workflow contract is not lent to accounts (audit not ready?)"
        ) from None


def available_moves(obj, user):
    try:
        return workflow["available_moves"](obj, user)
    except KeyError:
        raise ImproperlyConfigured(
            "the workflow contract is not lent to accounts (audit not ready?)"
        ) from None
